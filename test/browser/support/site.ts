import type { Locale, Role } from '../../../src/users/user.entity';
import { freePort } from '../../support/certificates';
import { Browser as HttpClient, setRole, startTestApp, TestApp } from '../../support/test-app';

export interface Site {
  t: TestApp;
  /** http://127.0.0.1:<port>: a secure context, so the service worker registers. */
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * The real application on a fresh database, listening on a free port for the browser. The
 * port is picked first and given as BASE_URL, so the absolute links the site writes (a
 * certificate's verification address, its share link) lead back to this server.
 */
export async function startSite(): Promise<Site> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const t = await startTestApp({ BASE_URL: baseUrl });
  await t.app.listen(port, '127.0.0.1');
  return { t, baseUrl, close: () => t.close() };
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
    await setRole(site.t, account.email, role);
  }
}
