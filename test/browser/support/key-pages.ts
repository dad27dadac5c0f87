import type { Browser, Page, Response } from 'playwright-core';
import type { Locale } from '../../../src/users/user.entity';
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

/**
 * Walks the key pages in one language, anonymous ones first, then as a signed-in
 * administrator enrolled in the course (who also sees the manager and admin pages).
 */
export async function tourKeyPages(browser: Browser, site: Site, locale: Locale, onPage: (visited: VisitedPage) => Promise<void>, width = 390): Promise<void> {
  const course = courseFor(locale);
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
