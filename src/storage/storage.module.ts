import { Global, Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { FILE_STORAGE, FileStorage } from './file-storage';
import { LocalFileStorage } from './local-file-storage';

@Global()
@Module({
  providers: [{ provide: FILE_STORAGE, useFactory: (config: AppConfig) => new LocalFileStorage(join(config.dataDir, 'files')), inject: [APP_CONFIG] }],
  exports: [FILE_STORAGE],
})
export class StorageModule implements OnApplicationBootstrap {
  constructor(@Inject(FILE_STORAGE) private readonly storage: FileStorage) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.storage instanceof LocalFileStorage) await this.storage.removeStaleTempFiles();
  }
}
