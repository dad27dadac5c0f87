import { NestExpressApplication } from '@nestjs/platform-express';
import passport from 'passport';
import request from 'supertest';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { migrateDatabase, startWeb } from '../../src/main';
import type { Role } from '../../src/users/user.entity';
import { UsersService } from '../../src/users/users.service';
import { deleteQueueKeys, testQueuePrefix } from './redis';
import { createTestDatabase, TestDatabase } from './test-database';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  db: TestDatabase;
  server: ReturnType<NestExpressApplication['getHttpServer']>;
  close(): Promise<void>;
}

/**
 * Boots the real application (all modules, real database, real sessions) on a fresh
 * database. One per test file: passport keeps its serializers on a global object.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    DATA_DIR: db.dataDir,
    DATABASE_URL: db.url,
    SESSION_SECRET: 'test-session-secret-that-is-long-enough-0123456789',
    QUEUE_PREFIX: testQueuePrefix(),
    ...env,
  });
  await migrateDatabase(config);
  (passport as unknown as { _serializers: unknown[]; _deserializers: unknown[] })._serializers = [];
  (passport as unknown as { _serializers: unknown[]; _deserializers: unknown[] })._deserializers = [];
  const app = await startWeb(config);
  return {
    app,
    config,
    db,
    server: app.getHttpServer(),
    close: async () => {
      await app.close();
      await deleteQueueKeys(config.redisUrl, config.queuePrefix);
      await db.drop();
    },
  };
}

/**
 * Gives an account a role the way an administrator's change does (through UsersService), so
 * every process forgets the account it had cached; a direct UPDATE would not be seen at once.
 */
export async function setRole(t: Pick<TestApp, 'app'>, email: string, role: Role): Promise<void> {
  const users = t.app.get(UsersService);
  const user = await users.findByEmail(email);
  if (!user) throw new Error(`no account ${email}`);
  await users.setRole(user.id, role);
}

export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token in the page');
  return match[1];
}

/** A browser-like client: keeps cookies and reads the CSRF token from the form it submits. */
export class Browser {
  readonly agent: ReturnType<typeof request.agent>;

  constructor(server: TestApp['server'], headers: Record<string, string> = {}) {
    this.agent = request.agent(server);
    for (const [name, value] of Object.entries(headers)) this.agent.set(name, value);
  }

  get(path: string) {
    return this.agent.get(path);
  }

  /** GETs the page holding the form, then posts the fields with that page's token. */
  async submit(formPage: string, action: string, fields: Record<string, string>) {
    const page = await this.agent.get(formPage);
    return this.agent.post(action).type('form').send({ _csrf: csrfFrom(page.text), ...fields });
  }

  async register(name: string, email: string, password = 'a long enough passphrase', locale = 'en') {
    const response = await this.submit('/register', '/register', { name, email, password, locale });
    // With SMTP set, signing up answers "check your email" and does not sign in (see AuthService.register).
    if (response.status === 200) return this.login(email, password);
    if (response.status !== 303) throw new Error(`registration failed with ${response.status}: ${response.text.slice(0, 500)}`);
    return response;
  }

  async login(email: string, password = 'a long enough passphrase') {
    return this.submit('/login', '/login', { email, password });
  }
}
