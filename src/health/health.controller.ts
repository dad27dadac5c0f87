import { Controller, Get, Inject, OnModuleDestroy, Res } from '@nestjs/common';
import type { Response } from 'express';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { Public } from '../auth/roles.decorator';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

@Controller('health')
export class HealthController implements OnModuleDestroy {
  private readonly redis: Redis;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 1000, enableOfflineQueue: false, retryStrategy: () => 2000 });
    this.redis.on('error', () => undefined);
  }

  @Public()
  @Get()
  live() {
    return { status: 'ok' };
  }

  /** Ready when the database answers. Redis being down degrades (certificates wait) but does not stop the site. */
  @Public()
  @Get('ready')
  async ready(@Res() res: Response) {
    const database = await within(2000, this.dataSource.query('SELECT 1'))
      .then(() => ({ status: 'up' }))
      .catch((error: Error) => ({ status: 'down', error: error.message }));
    const redis = await within(1000, this.pingRedis())
      .then(() => ({ status: 'up' }))
      .catch((error: Error) => ({ status: 'down', error: error.message }));
    const status = database.status !== 'up' ? 'down' : redis.status !== 'up' ? 'degraded' : 'ok';
    res.status(database.status === 'up' ? 200 : 503).json({ status, checks: { database, redis } });
  }

  private async pingRedis(): Promise<void> {
    if (this.redis.status === 'wait' || this.redis.status === 'end') await this.redis.connect();
    await this.redis.ping();
  }

  async onModuleDestroy() {
    this.redis.disconnect();
  }
}
