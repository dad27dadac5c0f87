import { Store, SessionData } from 'express-session';
import { DataSource, LessThan } from 'typeorm';
import { readRows } from '../database/plain-read';
import { TransactionRunner } from '../database/transaction-runner';
import { SessionRecord } from './session.entity';

const DEFAULT_TTL_MS = 24 * 60 * 60 * 1000;
/** express-session touches the session on every request; writing the new expiry once per window is enough. */
const TOUCH_WINDOW_MS = 10 * 60 * 1000;

/** Deletes sessions past their expiry; the worker runs it on a schedule (SessionCleanup). */
export async function deleteExpiredSessions(transactions: TransactionRunner, now = new Date()): Promise<number> {
  const result = await transactions.run((manager) => manager.getRepository(SessionRecord).delete({ expiresAt: LessThan(now) }));
  return result.affected ?? 0;
}

/**
 * express-session store on the application database, so every web instance sees every session.
 * Expired rows are never served; the worker deletes them on a schedule.
 */
export class TypeormSessionStore extends Store {
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
  ) {
    super();
  }

  private get repository() {
    return this.dataSource.getRepository(SessionRecord);
  }

  private expiry(session: SessionData): Date {
    const expires = session.cookie?.expires;
    return expires ? new Date(expires) : new Date(Date.now() + DEFAULT_TTL_MS);
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    readRows(this.dataSource, SessionRecord, 'id = ?', [sid])
      .then(([row]) => {
        if (!row || row.expiresAt.getTime() <= Date.now()) return callback(null, null);
        callback(null, JSON.parse(row.data) as SessionData);
      })
      .catch((error) => callback(error));
  }

  override set(sid: string, session: SessionData, callback?: (err?: unknown) => void): void {
    const record = { id: sid, expiresAt: this.expiry(session), data: JSON.stringify(session) };
    this.transactions
      .run((manager) => manager.getRepository(SessionRecord).upsert(record, ['id']))
      .then(() => callback?.())
      .catch((error) => callback?.(error));
  }

  override touch(sid: string, session: SessionData, callback?: (err?: unknown) => void): void {
    const now = Date.now();
    if (now - (this.lastTouched.get(sid) ?? 0) < TOUCH_WINDOW_MS) return callback?.();
    if (this.lastTouched.size > 100_000) this.lastTouched.clear();
    this.lastTouched.set(sid, now);
    this.transactions
      .run((manager) => manager.getRepository(SessionRecord).update({ id: sid }, { expiresAt: this.expiry(session) }))
      .then(() => callback?.())
      .catch((error) => callback?.(error));
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.transactions
      .run((manager) => manager.getRepository(SessionRecord).delete({ id: sid }))
      .then(() => callback?.())
      .catch((error) => callback?.(error));
  }

}
