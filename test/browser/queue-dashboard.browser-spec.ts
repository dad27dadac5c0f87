/// <reference lib="dom" />
// The callbacks given to page.evaluate() run in the browser.
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { Browser } from 'playwright-core';
import { CERTIFICATES_QUEUE } from '../../src/certificates/certificates.queue';
import { launchChromium, phoneContext } from './support/chromium';
import { createAccount, newAccount, Site, startSite } from './support/site';
import { signIn } from './support/ui';

jest.setTimeout(120_000);

describe('the queue dashboard, in a real browser', () => {
  let site: Site;
  let browser: Browser;

  beforeAll(async () => {
    [site, browser] = await Promise.all([startSite(), launchChromium()]);
  });

  afterAll(async () => {
    await site?.t.app.get<Queue>(getQueueToken(CERTIFICATES_QUEUE)).resume();
    await browser?.close();
    await site?.close();
  });

  it('sends the CSRF token from its own script, so an admin can still pause the queue, while a call without it is refused', async () => {
    const admin = newAccount('en', 'Site Admin');
    await createAccount(site, admin, 'admin');
    const context = await phoneContext(browser, 1024);
    const page = await context.newPage();
    await signIn(page, site.baseUrl, admin);

    // Bull Board's axios copies the XSRF-TOKEN cookie into a header on every call to its API.
    const apiCall = page.waitForRequest((request) => request.url().includes('/admin/queues/api/queues'));
    await page.goto(`${site.baseUrl}/admin/queues`);
    const sent = (await apiCall).headers()['x-xsrf-token'];
    const cookie = (await context.cookies(`${site.baseUrl}/admin/queues`)).find((c) => c.name === 'XSRF-TOKEN');
    expect(sent).toBeTruthy();
    expect(sent).toBe(cookie && decodeURIComponent(cookie.value));

    // The same header on a PUT, as the dashboard's pause button sends it; and without it, refused.
    const statuses = await page.evaluate(async (token) => {
      const pause = (headers: Record<string, string>) => fetch('/admin/queues/api/queues/certificates/pause', { method: 'PUT', headers }).then((r) => r.status);
      return { without: await pause({}), withToken: await pause({ 'X-XSRF-TOKEN': token }) };
    }, sent);
    expect(statuses).toEqual({ without: 403, withToken: 200 });
    await expect(site.t.app.get<Queue>(getQueueToken(CERTIFICATES_QUEUE)).isPaused()).resolves.toBe(true);
  });
});
