import { Global, Module } from '@nestjs/common';
import { TransactionRunner } from './transaction-runner';
import { AppSettingsService } from './app-settings.service';
import { RequestThrottleService } from './request-throttle.service';

@Global()
@Module({ providers: [TransactionRunner, AppSettingsService, RequestThrottleService], exports: [TransactionRunner, AppSettingsService, RequestThrottleService] })
export class DatabaseModule {}
