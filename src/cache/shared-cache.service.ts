import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { EntityManager } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { TransactionRunner } from '../database/transaction-runner';
import { OutageLog } from '../queues/redis-connection';
import { ReadThroughCache } from './read-through-cache';

/** What changed, as announced to every process: each cache listens to one topic. */
export type CacheTopic = 'course-structure' | 'users' | 'sessions' | 'quiz-attempts' | 'holder-certificates' | 'videos' | 'learner-progress';

/** A message names a whole topic ("users") or one key of it ("sessions\n<sid>"). */
const KEY_SEPARATOR = '\n';

/**
 * Caches that stay correct across several web processes. Every process subscribes to one
 * Redis channel; a change clears the topic's caches here at once and, after its transaction
 * commits, in every other process. While the subscription is not live (Redis down, or not
 * yet connected) nothing is cached: reads go to the database, so a process can never serve
 * what another one changed. When the subscription comes back every cache starts empty,
 * since messages sent while it was away are lost. Worker processes (and the content checker)
 * cache nothing and do not subscribe; they still announce their changes.
 */
@Injectable()
export class SharedCacheService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(SharedCacheService.name);
  private readonly caches: ReadThroughCache<unknown>[] = [];
  private readonly channel: string;
  private subscriber?: Redis;
  private publisher?: Redis;
  private live = false;
  private readonly outage = new OutageLog(this.logger, 'cache invalidation');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly transactions: TransactionRunner,
  ) {
    this.channel = `${config.queuePrefix}:cache-invalidation`;
  }

  onModuleInit(): void {
    // A worker serves no pages: it reads afresh and only announces what it changes.
    if (this.config.role === 'worker') return;
    const subscriber = new Redis(this.config.redisUrl, {
      connectTimeout: 2000,
      maxRetriesPerRequest: null,
      retryStrategy: (attempt: number) => Math.min(250 * attempt, 2000),
    });
    this.subscriber = subscriber;
    subscriber.on('ready', () => {
      subscriber
        .subscribe(this.channel)
        .then(() => {
          this.clearAll();
          this.live = true;
          this.outage.recovered();
        })
        .catch((error) => this.outage.failed(error));
    });
    const down = (error?: unknown) => {
      if (this.live) this.clearAll();
      this.live = false;
      if (error) this.outage.failed(error);
    };
    subscriber.on('error', down);
    subscriber.on('close', () => down());
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      const split = message.indexOf(KEY_SEPARATOR);
      if (split < 0) this.clearTopic(message as CacheTopic);
      else this.forgetKey(message.slice(0, split) as CacheTopic, message.slice(split + 1));
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.live = false;
    // quit() sends what is queued (a last announcement) but would wait for ever on a Redis that is down.
    await Promise.all(
      [this.subscriber, this.publisher].map(async (client) => {
        if (!client) return;
        await Promise.race([client.quit().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
        client.disconnect();
      }),
    );
  }

  /** True while changes made by other processes reach this one. */
  get isLive(): boolean {
    return this.live;
  }

  create<V>(topic: CacheTopic, options: { ttlMs: number; maxEntries: number; maxBytes?: number; sizeOf?: (value: V) => number }): ReadThroughCache<V> {
    const cache = new ReadThroughCache<V>(topic, () => this.live, options);
    this.caches.push(cache as ReadThroughCache<unknown>);
    return cache;
  }

  /**
   * Announces a change made in `manager`'s transaction: this process forgets at once (so the
   * transaction's own later reads are fresh), and once the transaction has committed every
   * process forgets again, which also drops anything read in between from the old rows.
   */
  changed(topic: CacheTopic, manager?: EntityManager): void {
    this.clearTopic(topic);
    const announce = () => {
      this.clearTopic(topic);
      this.publish(topic);
    };
    if (manager) this.transactions.afterCommit(manager, announce);
    else announce();
  }

  /**
   * Announces that one entry changed (a session written, a learner's attempt closed): cheaper
   * than `changed` when entries change often and independently. This process forgets at once;
   * given the transaction that made the change, it forgets again after the commit and only then
   * tells the others (as `changed` does). Either way the message is sent before the caller
   * answers its request.
   */
  forget(topic: CacheTopic, key: string, manager?: EntityManager): void {
    this.forgetKey(topic, key);
    const announce = () => {
      this.forgetKey(topic, key);
      this.publish(`${topic}${KEY_SEPARATOR}${key}`);
    };
    if (manager) this.transactions.afterCommit(manager, announce);
    else announce();
  }

  private publish(message: string): void {
    if (!this.publisher) {
      this.publisher = new Redis(this.config.redisUrl, {
        connectTimeout: 2000,
        // Offline commands wait for the reconnection; by then the subscribers have cleared anyway.
        maxRetriesPerRequest: null,
        retryStrategy: (attempt: number) => Math.min(250 * attempt, 2000),
      });
      this.publisher.on('error', () => undefined);
    }
    this.publisher.publish(this.channel, message).catch((error) => this.logger.warn(`could not announce a change (${message.split(KEY_SEPARATOR)[0]}): ${String(error)}`));
  }

  private clearTopic(topic: CacheTopic): void {
    for (const cache of this.caches) if (cache.topic === topic) cache.clear();
  }

  private forgetKey(topic: CacheTopic, key: string): void {
    for (const cache of this.caches) if (cache.topic === topic) cache.delete(key);
  }

  private clearAll(): void {
    for (const cache of this.caches) cache.clear();
  }
}
