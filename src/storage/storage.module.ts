import { Global, Inject, Logger, Module, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { FILE_STORAGE, FileStorage } from './file-storage';
import { LocalFileStorage } from './local-file-storage';

/** How often running processes look for temp files left by a killed writer (stale after an hour). */
const TEMP_SWEEP_MS = 15 * 60 * 1000;

@Global()
@Module({
  providers: [{ provide: FILE_STORAGE, useFactory: (config: AppConfig) => new LocalFileStorage(join(config.dataDir, 'files')), inject: [APP_CONFIG] }],
  exports: [FILE_STORAGE],
})
export class StorageModule implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Storage');
  private stopSweeping?: () => void;

  constructor(@Inject(FILE_STORAGE) private readonly storage: FileStorage) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!(this.storage instanceof LocalFileStorage)) return;
    await this.storage.removeStaleTempFiles();
    this.stopSweeping = this.storage.sweepTempFilesEvery(TEMP_SWEEP_MS, (error) => this.logger.warn(`temp file clean-up failed: ${String(error)}`));
  }

  onModuleDestroy(): void {
    this.stopSweeping?.();
  }
}
