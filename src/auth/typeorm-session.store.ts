import { Store, SessionData } from 'express-session';
import { DataSource, LessThan } from 'typeorm';
import { ReadThroughCache } from '../cache/read-through-cache';
import { SharedCacheService } from '../cache/shared-cache.service';
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

/** A session row as kept in memory: the JSON as stored, parsed afresh for every request. */
interface CachedSession {
  data: string;
  expiresAt: number;
}

/**
 * express-session store on the application database, so every web instance sees every session.
 * Expired rows are never served; the worker deletes them on a schedule.
 *
 * Reading the session is the one query every signed-in page pays, so rows (and misses) are
 * kept in memory while the shared cache is live. Every write, touch and destroy goes through
 * this store and announces the session id (SharedCacheService.forget) before express-session
 * answers the request, so another web process drops its copy before the browser can come
 * back to it.
 */
export class TypeormSessionStore extends Store {
  private readonly lastTouched = new Map<string, number>();
  private readonly cache: ReadThroughCache<CachedSession | null>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly shared: SharedCacheService,
  ) {
    super();
    this.cache = shared.create<CachedSession | null>('sessions', {
      ttlMs: 60_000,
      maxEntries: 50_000,
      maxBytes: 32 * 1024 * 1024,
      sizeOf: (value) => 64 + (value?.data.length ?? 0),
    });
  }

  private get repository() {
    return this.dataSource.getRepository(SessionRecord);
  }

  private expiry(session: SessionData): Date {
    const expires = session.cookie?.expires;
    return expires ? new Date(expires) : new Date(Date.now() + DEFAULT_TTL_MS);
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    this.cache
      .get(sid, async () => {
        const [row] = await readRows(this.dataSource, SessionRecord, 'id = ?', [sid]);
        return row ? { data: row.data, expiresAt: row.expiresAt.getTime() } : null;
      })
      .then((cached) => {
        if (!cached || cached.expiresAt <= Date.now()) return callback(null, null);
        callback(null, JSON.parse(cached.data) as SessionData);
      })
      .catch((error) => callback(error));
  }

  override set(sid: string, session: SessionData, callback?: (err?: unknown) => void): void {
    const record = { id: sid, expiresAt: this.expiry(session), data: JSON.stringify(session) };
    this.transactions
      .run((manager) => manager.getRepository(SessionRecord).upsert(record, ['id']))
      .then(() => this.changed(sid, callback))
      .catch((error) => callback?.(error));
  }

  override touch(sid: string, session: SessionData, callback?: (err?: unknown) => void): void {
    const now = Date.now();
    if (now - (this.lastTouched.get(sid) ?? 0) < TOUCH_WINDOW_MS) return callback?.();
    if (this.lastTouched.size > 100_000) this.lastTouched.clear();
    this.lastTouched.set(sid, now);
    this.transactions
      .run((manager) => manager.getRepository(SessionRecord).update({ id: sid }, { expiresAt: this.expiry(session) }))
      .then(() => this.changed(sid, callback))
      .catch((error) => callback?.(error));
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.transactions
      .run((manager) => manager.getRepository(SessionRecord).delete({ id: sid }))
      .then(() => this.changed(sid, callback))
      .catch((error) => callback?.(error));
  }

  /** After the row changed (committed): every process forgets it, then the request goes on. */
  private changed(sid: string, callback?: (err?: unknown) => void): void {
    this.shared.forget('sessions', sid);
    callback?.();
  }

}
