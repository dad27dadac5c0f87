import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import type { Locale, Role } from '../../../src/users/user.entity';
import { Browser as HttpClient, startTestApp, TestApp } from '../../support/test-app';

export interface Site {
  t: TestApp;
  /** http://127.0.0.1:<port>: a secure context, so the service worker registers. */
  baseUrl: string;
  close(): Promise<void>;
}

/** The real application on a fresh database, listening on a free port for the browser. */
export async function startSite(): Promise<Site> {
  const t = await startTestApp();
  await t.app.listen(0, '127.0.0.1');
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  return { t, baseUrl: `http://127.0.0.1:${port}`, close: () => t.close() };
}

export interface Account {
  name: string;
  email: string;
  password: string;
  locale: Locale;
}

let counter = 0;
export function newAccount(locale: Locale, name = locale === 'ur' ? 'عائشہ خان' : 'Ayesha Khan'): Account {
  counter += 1;
  return { name, email: `learner${counter}.${locale}.${Date.now()}@example.pk`, password: 'a long enough passphrase', locale };
}

/** Creates an account over HTTP (no browser), optionally with a role, for tests that do not test sign-up. */
export async function createAccount(site: Site, account: Account, role: Role = 'learner'): Promise<void> {
  await new HttpClient(site.t.server).register(account.name, account.email, account.password, account.locale);
  if (role !== 'learner') {
    await site.t.app.get(DataSource).query('UPDATE users SET role = ? WHERE email = ?', [role, account.email]);
  }
}
