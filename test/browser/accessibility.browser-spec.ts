import type { Browser } from 'playwright-core';
import type { Locale } from '../../src/users/user.entity';
import { launchChromium } from './support/chromium';
import { AxeFinding, axeViolations, vnuErrors } from './support/checks';
import { tourKeyPages } from './support/key-pages';
import { Site, startSite } from './support/site';

jest.setTimeout(180_000);

const LOCALES: Locale[] = ['en', 'ur'];

describe('every key page, in English and in Urdu, on a phone', () => {
  let site: Site;
  let browser: Browser;
  const axe: Record<string, AxeFinding[]> = {};
  const html: Record<string, string> = {};

  beforeAll(async () => {
    [site, browser] = await Promise.all([startSite(), launchChromium()]);
    for (const locale of LOCALES) {
      await tourKeyPages(browser, site, locale, async ({ name, page, html: source }) => {
        axe[`${locale}-${name}`] = await axeViolations(page);
        html[`${locale}-${name}`] = source;
      });
    }
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('visits all of them', () => {
    expect(Object.keys(axe).sort()).toEqual(
      LOCALES.flatMap((locale) =>
        ['home', 'catalog', 'course-anonymous', 'login', 'login-failed', 'register', 'register-invalid', 'error-404', 'offline', 'verify-lookup', 'verify', 'course', 'lesson', 'dashboard', 'account', 'admin-users', 'manage'].map((name) => `${locale}-${name}`),
      ).sort(),
    );
  });

  it('has no axe-core violations of WCAG 2.1 A and AA', () => {
    const found = Object.entries(axe).filter(([, violations]) => violations.length > 0);
    expect(Object.fromEntries(found)).toEqual({});
  });

  it('has no errors in the W3C Nu HTML checker', async () => {
    expect(await vnuErrors(html)).toEqual([]);
  });
});
