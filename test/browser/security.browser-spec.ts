/// <reference lib="dom" />
// The callbacks given to page.evaluate() run in the browser.
import type { Browser } from 'playwright-core';
import { launchChromium, phoneContext } from './support/chromium';
import { Site, startSite } from './support/site';

jest.setTimeout(120_000);

describe('the Content-Security-Policy, in a real browser', () => {
  let site: Site;
  let browser: Browser;

  beforeAll(async () => {
    [site, browser] = await Promise.all([startSite(), launchChromium()]);
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('runs the site’s own script but refuses a script injected into the page, and the page cannot be framed', async () => {
    const page = await (await phoneContext(browser)).newPage();
    const response = await page.goto(`${site.baseUrl}/courses`);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");
    // app.js is from the site: it ran (it registers the service worker).
    await page.waitForFunction(() => navigator.serviceWorker.getRegistration().then((r) => !!r), null, { timeout: 10_000 });

    const outcome = await page.evaluate(
      () =>
        new Promise<{ ran: boolean; violated: string | null }>((resolve) => {
          let violated: string | null = null;
          document.addEventListener('securitypolicyviolation', (event) => (violated = event.violatedDirective));
          const script = document.createElement('script');
          script.textContent = 'window.injected = true';
          document.head.append(script);
          setTimeout(() => resolve({ ran: 'injected' in window, violated }), 200);
        }),
    );
    expect(outcome).toEqual({ ran: false, violated: 'script-src-elem' });

    // Another site framing ours (clickjacking) gets an empty frame.
    const framing = await (await phoneContext(browser)).newPage();
    await framing.setContent(`<iframe src="${site.baseUrl}/login" id="f"></iframe>`);
    await framing.waitForTimeout(1000);
    const frame = framing.frames().find((f) => f.url().startsWith(site.baseUrl));
    expect(await frame?.locator('form').count().catch(() => 0) ?? 0).toBe(0);
  });
});
