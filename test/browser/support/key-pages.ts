import type { Browser, Page, Response } from 'playwright-core';
import { DataSource } from 'typeorm';
import { Certificate } from '../../../src/certificates/certificate.entity';
import type { Locale } from '../../../src/users/user.entity';
import { UsersService } from '../../../src/users/users.service';
import { waitFor } from '../../support/certificates';
import { completeCourse } from '../../support/learning';
import { Browser as HttpClient } from '../../support/test-app';
import { phoneContext } from './chromium';
import { JOURNEY_ROUTES } from './journey';
import { Account, createAccount, newAccount, Site } from './site';
import { signIn, tr } from './ui';

/** A page as the server sent it (for the Nu checker) and as the browser shows it (for axe). */
export interface VisitedPage {
  name: string;
  page: Page;
  html: string;
  status: number;
}

async function htmlOf(response: Response | null, name: string): Promise<{ html: string; status: number }> {
  if (!response) throw new Error(`${name}: no response`);
  return { html: await response.text(), status: response.status() };
}

/** The main-frame document response that a click leads to (the last one after redirects). */
async function submitted(page: Page, click: () => Promise<void>): Promise<Response> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().isNavigationRequest() && r.frame() === page.mainFrame() && (r.status() < 300 || r.status() >= 400)),
    click(),
  ]);
  await page.waitForLoadState();
  return response;
}

export function courseFor(locale: Locale): string {
  return JOURNEY_ROUTES.find((route) => route.locale === locale)!.course;
}

const issuedSerials = new WeakMap<Site, Map<Locale, Promise<string>>>();

async function issueCertificate(site: Site, locale: Locale): Promise<string> {
  const learner = newAccount(locale);
  const client = new HttpClient(site.t.server);
  await client.register(learner.name, learner.email, learner.password, locale);
  await completeCourse(site.t, client, courseFor(locale));
  const user = await site.t.app.get(UsersService).findByEmail(learner.email);
  if (!user) throw new Error(`${learner.email} was not registered`);
  const certificates = site.t.app.get(DataSource).getRepository(Certificate);
  const certificate = await waitFor(`the worker to issue ${learner.email}'s certificate`, () => certificates.findOneBy({ userId: user.id, status: 'issued' }), 30_000);
  return certificate.serial;
}

/**
 * The serial of a real certificate in that language (a learner with a name in its script who
 * completed the course over HTTP, issued by the queue's worker): one per site and language,
 * however many tours ask for it.
 */
export function issuedCertificateSerial(site: Site, locale: Locale): Promise<string> {
  let bySite = issuedSerials.get(site);
  if (!bySite) issuedSerials.set(site, (bySite = new Map()));
  let serial = bySite.get(locale);
  if (!serial) bySite.set(locale, (serial = issueCertificate(site, locale)));
  return serial;
}

/**
 * Walks the key pages in one language, anonymous ones first, then as a signed-in
 * administrator enrolled in the course (who also sees the manager and admin pages).
 */
export async function tourKeyPages(browser: Browser, site: Site, locale: Locale, onPage: (visited: VisitedPage) => Promise<void>, width = 390): Promise<void> {
  const course = courseFor(locale);
  const serial = await issuedCertificateSerial(site, locale);
  const anonymous = await phoneContext(browser, width);
  try {
    const page = await anonymous.newPage();
    await page.goto(`${site.baseUrl}/locale/${locale}?next=/`);
    const visit = async (name: string, path: string) => onPage({ name, page, ...(await htmlOf(await page.goto(site.baseUrl + path), name)) });
    await visit('home', '/');
    await visit('catalog', '/courses');
    await visit('course-anonymous', `/courses/${course}`);
    await visit('login', '/login');
    await page.getByLabel(tr(locale, 'auth.email')).fill('nobody@example.pk');
    await page.getByLabel(tr(locale, 'auth.password'), { exact: true }).fill('not the password');
    const failed = await submitted(page, () => page.getByRole('button', { name: tr(locale, 'auth.login_button') }).click());
    await onPage({ name: 'login-failed', page, ...(await htmlOf(failed, 'login-failed')) });
    await visit('register', '/register');
    await page.getByLabel(tr(locale, 'auth.email')).fill('not-an-email');
    const invalid = await submitted(page, () => page.getByRole('button', { name: tr(locale, 'auth.register_button') }).click());
    await onPage({ name: 'register-invalid', page, ...(await htmlOf(invalid, 'register-invalid')) });
    await visit('error-404', '/courses/no-such-course');
    await visit('offline', '/offline');
    // What a buyer abroad opens: the lookup form and a real certificate's verification page.
    await visit('verify-lookup', '/verify');
    await visit('verify', `/verify/${serial}`);
  } finally {
    await anonymous.close();
  }

  const admin: Account = newAccount(locale);
  await createAccount(site, admin, 'admin');
  const signedIn = await phoneContext(browser, width);
  try {
    const page = await signedIn.newPage();
    await signIn(page, site.baseUrl, admin);
    const visit = async (name: string, path: string) => onPage({ name, page, ...(await htmlOf(await page.goto(site.baseUrl + path), name)) });
    await page.goto(`${site.baseUrl}/courses/${course}`);
    await submitted(page, () => page.getByRole('button', { name: tr(locale, 'course.enrol') }).click());
    const lesson = new URL(page.url()).pathname;
    await visit('course', `/courses/${course}`);
    await visit('lesson', lesson);
    await visit('dashboard', '/dashboard');
    await visit('account', '/account');
    await visit('admin-users', '/admin/users');
    await visit('manage', '/manage');
  } finally {
    await signedIn.close();
  }
}
