import { Global, Module } from '@nestjs/common';
import { TransactionRunner } from './transaction-runner';
import { AppSettingsService } from './app-settings.service';

@Global()
@Module({ providers: [TransactionRunner, AppSettingsService], exports: [TransactionRunner, AppSettingsService] })
export class DatabaseModule {}
