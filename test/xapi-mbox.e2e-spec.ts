import { waitFor } from './support/certificates';
import { LrsStandIn } from './support/lrs-stand-in';
import { Browser, startTestApp, TestApp } from './support/test-app';

/** With XAPI_ACTOR_MBOX the LRS gets the learner's e-mail, as the only identifier (xAPI allows one). */
describe('xAPI with learners identified by e-mail', () => {
  let t: TestApp;
  let lrs: LrsStandIn;

  beforeAll(async () => {
    lrs = await LrsStandIn.start();
    t = await startTestApp({
      XAPI_ENDPOINT: lrs.endpoint,
      XAPI_USERNAME: lrs.credentials.username,
      XAPI_PASSWORD: lrs.credentials.password,
      XAPI_ACTOR_MBOX: 'true',
    });
  });

  afterAll(async () => {
    await t?.close();
    await lrs?.stop();
  });

  it('sends mbox and no account', async () => {
    const browser = new Browser(t.server);
    await browser.register('Zainab Ali', 'zainab.xapi@example.pk');
    await browser.submit('/courses/getting-paid-safely', '/courses/getting-paid-safely/enrol', {});
    const [registered] = await waitFor(
      'the registered statement at the LRS',
      async () => lrs.stored.length > 0 && lrs.stored,
    );
    expect(registered.verb).toBe('http://adlnet.gov/expapi/verbs/registered');
    expect(registered.statement.actor).toEqual({
      objectType: 'Agent',
      mbox: 'mailto:zainab.xapi@example.pk',
    });
    expect(lrs.invalid).toEqual([]);
  });
});
