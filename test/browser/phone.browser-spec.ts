/// <reference lib="dom" />
// The callbacks given to page.evaluate() run in the browser.
import type { Browser } from 'playwright-core';
import type { Locale } from '../../src/users/user.entity';
import { launchChromium } from './support/chromium';
import { horizontalOverflow, Overflow, smallTapTargets } from './support/checks';
import { tourKeyPages } from './support/key-pages';
import { Site, startSite } from './support/site';

jest.setTimeout(180_000);

const LOCALES: Locale[] = ['en', 'ur'];
const WIDTHS = [360, 390];

interface FieldInfo {
  page: string;
  name: string;
  type: string;
  inputmode: string | null;
  autocomplete: string | null;
  dir: string;
}

describe('the key pages on a small phone', () => {
  let site: Site;
  let browser: Browser;
  const overflow: Record<string, Overflow> = {};
  const smallTargets: Record<string, string[]> = {};
  const fields: FieldInfo[] = [];
  const viewports: Record<string, string> = {};

  beforeAll(async () => {
    [site, browser] = await Promise.all([startSite(), launchChromium()]);
    for (const width of WIDTHS) {
      for (const locale of LOCALES) {
        await tourKeyPages(
          browser,
          site,
          locale,
          async ({ name, page }) => {
            const key = `${width}px ${locale} ${name}`;
            const result = await horizontalOverflow(page);
            if (result.scrollWidth > result.innerWidth || result.innerWidth > width || result.viewportWidth !== width) overflow[key] = result;
            const small = await smallTapTargets(page);
            if (small.length) smallTargets[key] = small;
            viewports[key] = (await page.locator('meta[name=viewport]').getAttribute('content')) ?? '';
            if (width === 390) {
              const found = await page.locator('main input:not([type=hidden])').evaluateAll((inputs) =>
                inputs.map((input) => ({
                  name: input.getAttribute('name') ?? '',
                  type: input.getAttribute('type') ?? 'text',
                  inputmode: input.getAttribute('inputmode'),
                  autocomplete: input.getAttribute('autocomplete'),
                  dir: getComputedStyle(input).direction,
                })),
              );
              fields.push(...found.map((field) => ({ page: `${locale} ${name}`, ...field })));
            }
          },
          width,
        );
      }
    }
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('never scrolls sideways at 360 or 390 px, in either language', () => {
    expect(Object.keys(viewports)).toHaveLength(WIDTHS.length * LOCALES.length * 17);
    expect(overflow).toEqual({});
  });

  it('gives every link and button in the navigation and in forms a tap target of at least 44×44 px', () => {
    expect(smallTargets).toEqual({});
  });

  it('lets people zoom', () => {
    for (const content of Object.values(viewports)) {
      expect(content).toContain('width=device-width');
      expect(content).not.toMatch(/user-scalable\s*=\s*(no|0)|maximum-scale\s*=\s*1(\.0)?\b/);
    }
  });

  it('asks for the keyboard that fits each field', () => {
    expect(fields.length).toBeGreaterThan(0);
    for (const field of fields) {
      const label = `${field.page}: ${field.name}`;
      if (/email/i.test(field.name)) {
        // The e-mail keyboard (@ and .), autofill, and left-to-right even on an Urdu page.
        expect({ label, type: field.type, autocomplete: field.autocomplete, dir: field.dir }).toEqual({ label, type: 'email', autocomplete: expect.stringMatching(/^(email|username)$/), dir: 'ltr' });
      } else if (/password/i.test(field.name)) {
        expect({ label, type: field.type, autocomplete: field.autocomplete }).toEqual({ label, type: 'password', autocomplete: expect.stringMatching(/^(current|new)-password$/) });
      } else if (field.name === 'q') {
        expect({ label, type: field.type }).toEqual({ label, type: 'search' });
      }
      if (field.inputmode !== null) {
        expect({ label, inputmode: field.inputmode }).toEqual({ label, inputmode: expect.stringMatching(/^(numeric|decimal|tel|email|url|search|text|none)$/) });
      }
    }
  });
});
