import type { Page } from 'playwright-core';
import { I18nService } from '../../../src/i18n/i18n.service';
import type { Locale } from '../../../src/users/user.entity';
import type { Account } from './site';

const i18n = new I18nService();

/** The interface text the page should show, from the same catalog the server renders with. */
export function tr(locale: Locale, key: string, params: Record<string, unknown> = {}): string {
  return i18n.translate(locale, key, params);
}

export async function signIn(page: Page, baseUrl: string, account: Account): Promise<void> {
  await page.goto(`${baseUrl}/locale/${account.locale}?next=/login`);
  await page.getByLabel(tr(account.locale, 'auth.email')).fill(account.email);
  await page.getByLabel(tr(account.locale, 'auth.password'), { exact: true }).fill(account.password);
  await Promise.all([page.waitForURL((url) => url.pathname !== '/login'), page.getByRole('button', { name: tr(account.locale, 'auth.login_button') }).click()]);
}

/** The lesson links of a course page, in order. */
export async function lessonPaths(page: Page, course: string): Promise<string[]> {
  const hrefs = await page.locator(`.modules a[href^="/courses/${course}/modules/"]`).evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
  return [...new Set(hrefs)];
}
