import { DataSource } from 'typeorm';
import { XapiOutbox } from '../src/xapi/xapi-outbox.entity';
import { waitFor } from './support/certificates';
import { completeCourse } from './support/learning';
import { Browser, startTestApp, TestApp } from './support/test-app';

/** Without XAPI_ENDPOINT the site records nothing for an LRS: no rows, no work on any page. */
describe('xAPI switched off', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ XAPI_ENDPOINT: '' });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('writes nothing to the outbox for a whole journey', async () => {
    const browser = new Browser(t.server);
    await browser.register('Kiran Baig', 'kiran.xapi@example.pk');
    await completeCourse(t, browser, 'alibaba-first-30-days');
    await waitFor(
      'the certificate issued',
      async () => {
        const [row] = await t.app
          .get(DataSource)
          .query("SELECT COUNT(*) AS n FROM certificates WHERE status = 'issued'");
        return Number(row.n) === 1;
      },
      30_000,
    );
    expect(await t.app.get(DataSource).getRepository(XapiOutbox).count()).toBe(0);
  });
});
