import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppSetting } from './app-setting.entity';
import { TransactionRunner } from './transaction-runner';

@Injectable()
export class AppSettingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
  ) {}

  async get(key: string): Promise<string | null> {
    const row = await this.dataSource.getRepository(AppSetting).findOneBy({ key });
    return row?.value ?? null;
  }

  async set(key: string, value: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      await manager.getRepository(AppSetting).save({ key, value });
    });
  }

  async delete(key: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      await manager.getRepository(AppSetting).delete({ key });
    });
  }
}
