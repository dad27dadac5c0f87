import { Global, Module } from '@nestjs/common';
import { SharedCacheService } from './shared-cache.service';

/** Read-through caches that every process keeps in step through Redis (a leaf anyone may use). */
@Global()
@Module({ providers: [SharedCacheService], exports: [SharedCacheService] })
export class CacheModule {}
