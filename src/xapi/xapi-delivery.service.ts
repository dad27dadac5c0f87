import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, In, IsNull, Not } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { TransactionRunner } from '../database/transaction-runner';
import { describe, LrsAnswer, LrsClient, outcomeOf } from './lrs-client';
import { XapiOutbox } from './xapi-outbox.entity';

export interface XapiStatus {
  enabled: boolean;
  endpoint: string | null;
  counts: Record<'pending' | 'delivered' | 'failed', number>;
  /** Refused statements, newest first, with the LRS's reason. */
  failed: XapiOutbox[];
  /** Pending statements the LRS has not taken yet on some try, oldest first. */
  retrying: XapiOutbox[];
}

const STATUS_ROWS = 50;

export interface DeliveryOutcome {
  stored: number;
  retry: number;
  refused: number;
}

/** 1 s, 2 s, 4 s… up to XAPI_RETRY_MAX_SECONDS between tries of a statement the LRS did not take. */
export function retryDelayMs(attempts: number, maxMs: number): number {
  return Math.min(maxMs, 1000 * 2 ** Math.min(20, Math.max(0, attempts - 1)));
}

/**
 * The worker's side: sends a batch of outbox rows and records what the LRS said, row by row.
 * A batch the LRS accepts is stored as a whole; a batch it refuses (a 409 for one id already
 * stored, a 400 for one bad statement) is sent again one statement at a time, so one row never
 * holds up the others. Rows stay pending until the LRS acknowledges them.
 */
@Injectable()
export class XapiDeliveryService {
  private readonly logger = new Logger('XapiDelivery');
  private readonly client: LrsClient | null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.client = config.xapi ? new LrsClient(config.xapi) : null;
  }

  /** What the admin page shows: how many statements are where, and why the LRS refused some. */
  async status(): Promise<XapiStatus> {
    const repository = this.dataSource.getRepository(XapiOutbox);
    const [grouped, failed, retrying] = await Promise.all([
      repository
        .createQueryBuilder('o')
        .select('o.state', 'state')
        .addSelect('COUNT(*)', 'count')
        .groupBy('o.state')
        .getRawMany<{ state: string; count: string }>(),
      repository.find({ where: { state: 'failed' }, order: { id: 'DESC' }, take: STATUS_ROWS }),
      repository.find({
        where: { state: 'pending', lastError: Not(IsNull()) },
        order: { id: 'ASC' },
        take: STATUS_ROWS,
      }),
    ]);
    const counts = { pending: 0, delivered: 0, failed: 0 };
    for (const row of grouped)
      if (row.state in counts) counts[row.state as keyof typeof counts] = Number(row.count);
    return {
      enabled: this.client !== null,
      endpoint: this.config.xapi?.endpoint ?? null,
      counts,
      failed,
      retrying,
    };
  }

  async deliver(rowIds: number[]): Promise<DeliveryOutcome> {
    const outcome: DeliveryOutcome = { stored: 0, retry: 0, refused: 0 };
    if (!this.client || rowIds.length === 0) return outcome;
    const rows = await this.transactions.run((manager) =>
      manager
        .getRepository(XapiOutbox)
        .find({ where: { id: In(rowIds), state: 'pending' }, order: { id: 'ASC' } }),
    );
    if (rows.length === 0) return outcome;

    const batch = await this.client.postStatements(rows.map((row) => row.statement));
    const batchOutcome = outcomeOf(batch);
    if (batchOutcome === 'retry' || (batchOutcome === 'stored' && batch.status !== 409)) {
      await this.record(rows, batchOutcome, batch, outcome);
      return outcome;
    }
    for (const row of rows) {
      const answer = await this.client.putStatement(row.statementId, row.statement);
      await this.record([row], outcomeOf(answer), answer, outcome);
    }
    return outcome;
  }

  private async record(
    rows: XapiOutbox[],
    result: 'stored' | 'retry' | 'refused',
    answer: LrsAnswer,
    outcome: DeliveryOutcome,
  ): Promise<void> {
    outcome[result] += rows.length;
    const now = new Date();
    const ids = rows.map((row) => row.id);
    await this.transactions.run(async (manager) => {
      const repository = manager.getRepository(XapiOutbox);
      if (result === 'stored') {
        await repository.update(
          { id: In(ids), state: 'pending' },
          { state: 'delivered', deliveredAt: now, lastError: null },
        );
        return;
      }
      if (result === 'refused') {
        this.logger.warn(
          `the LRS refused statement ${rows.map((row) => row.statementId).join(', ')}: ${describe(answer)}`,
        );
        await repository.update(
          { id: In(ids), state: 'pending' },
          { state: 'failed', lastError: describe(answer), attempts: () => 'attempts + 1' },
        );
        return;
      }
      // Each row keeps its own count (a batch may mix new rows and old ones): one update per count.
      const byAttempts = new Map<number, number[]>();
      for (const row of rows)
        byAttempts.set(row.attempts + 1, [...(byAttempts.get(row.attempts + 1) ?? []), row.id]);
      for (const [attempts, sameIds] of byAttempts) {
        const nextAttemptAt = new Date(
          now.getTime() + retryDelayMs(attempts, this.config.xapi?.retryMaxMs ?? 300_000),
        );
        await repository.update(
          { id: In(sameIds), state: 'pending' },
          { attempts, queuedAt: null, nextAttemptAt, lastError: describe(answer) },
        );
      }
    });
  }
}
