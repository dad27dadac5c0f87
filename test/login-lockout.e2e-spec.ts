import { DataSource } from 'typeorm';
import { LoginThrottle } from '../src/auth/login-throttle.entity';
import { accountKey } from '../src/auth/login-throttle.service';
import { PASSWORD, userWithRole } from './support/programmes';
import { waitFor } from './support/certificates';
import { FakeSmtp, fakeSmtpServer, readMail } from './support/smtp';
import { Browser, csrfFrom, startTestApp, TestApp } from './support/test-app';

jest.setTimeout(120_000);

/** A visitor from one client address (the app trusts X-Forwarded-For from loopback only, as behind a local proxy). */
const from = (t: TestApp, address: string) => new Browser(t.server, { 'X-Forwarded-For': address });

describe('failed sign-ins slow an attacker down without locking the owner out', () => {
  let smtp: FakeSmtp;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await fakeSmtpServer();
    t = await startTestApp({
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      MAIL_FROM: 'ExportReady <no-reply@exportready.example>',
    });
  });

  afterAll(async () => {
    await t?.close();
    smtp?.server.close();
  });

  const register = async (name: string, email: string) => {
    await new Browser(t.server).register(name, email);
    // With SMTP set, registering does not sign in; the owner signs in from home once, so home is known.
    expect((await from(t, '198.51.100.7').login(email, PASSWORD)).status).toBe(303);
  };

  it('locks the account for the address that guessed five times, and only for it', async () => {
    await register('Bilal Ahmed', 'bilal@example.pk');
    for (let i = 0; i < 5; i++)
      expect((await from(t, '203.0.113.66').login('bilal@example.pk', `guess ${i}`)).status).toBe(401);
    const attacker = await from(t, '203.0.113.66').login('bilal@example.pk', PASSWORD);
    expect(attacker.status).toBe(429);
    expect(attacker.text).toContain('Too many failed attempts');
    expect((await from(t, '198.51.100.7').login('bilal@example.pk', PASSWORD)).status).toBe(303);
    // Never seen before, and still fine: five failures elsewhere do not lock the account.
    expect((await from(t, '192.0.2.44').login('bilal@example.pk', PASSWORD)).status).toBe(303);
  });

  it('stops an address after 20 failures across accounts, whose owners still sign in', async () => {
    const emails = ['saima@example.pk', 'tariq@example.pk', 'zara@example.pk'];
    for (const email of emails) await register(email.split('@')[0], email);
    let failures = 0;
    for (const email of emails)
      for (let i = 0; i < 5; i++, failures++) await from(t, '203.0.113.77').login(email, `guess ${i}`);
    for (let i = 0; failures < 20; i++, failures++)
      await from(t, '203.0.113.77').login(`nobody${i}@example.pk`, 'guess');
    await register('Kiran Shah', 'kiran@example.pk');
    expect((await from(t, '203.0.113.77').login('kiran@example.pk', PASSWORD)).status).toBe(429);
    for (const email of [...emails, 'kiran@example.pk'])
      expect((await from(t, '198.51.100.7').login(email, PASSWORD)).status).toBe(303);
  });

  it('past 100 failures from many addresses, locks the account for unknown addresses only, and mails the owner a link that unlocks it once', async () => {
    await register('Nadia Hussain', 'nadia@example.pk');
    // 99 failures in the last few minutes from twenty addresses (written directly: 99 password checks take a minute)...
    await t.app
      .get(DataSource)
      .getRepository(LoginThrottle)
      .save({
        key: accountKey('nadia@example.pk'),
        failures: 99,
        windowStartedAt: new Date(Date.now() - 5 * 60_000),
        lockedUntil: null,
      });
    // ...and the hundredth.
    expect((await from(t, '203.0.113.120').login('nadia@example.pk', 'guess')).status).toBe(401);
    expect((await from(t, '198.51.100.7').login('nadia@example.pk', PASSWORD)).status).toBe(303);
    expect((await from(t, '192.0.2.50').login('nadia@example.pk', PASSWORD)).status).toBe(429);

    const mails = smtp.messages
      .map(readMail)
      .filter((m) => /^To: nadia@example\.pk$/m.test(m.headers) && /locked/.test(m.headers));
    expect(mails).toHaveLength(1);
    const link = /https?:\/\/\S+\/login\/unlock\/\S+/.exec(mails[0].text)?.[0] as string;
    const path = new URL(link).pathname;
    const traveller = from(t, '192.0.2.50');
    const page = await traveller.get(path).expect(200);
    const used = await traveller.agent
      .post(path)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(used.status).toBe(303);
    expect(used.headers.location).toBe('/login?unlocked=1');
    expect((await traveller.get('/login?unlocked=1')).text).toContain('Your account is unlocked.');
    expect((await traveller.login('nadia@example.pk', PASSWORD)).status).toBe(303);
    // Once only.
    await from(t, '192.0.2.51').get(path).expect(410);
  });

  it('lets an administrator lift the locks on an account, with a form token', async () => {
    await register('Omer Farooq', 'omer@example.pk');
    for (let i = 0; i < 5; i++) await from(t, '203.0.113.88').login('omer@example.pk', `guess ${i}`);
    expect((await from(t, '203.0.113.88').login('omer@example.pk', PASSWORD)).status).toBe(429);

    const admin = await userWithRole(t, 'Admin', 'admin@exportready.example', 'admin');
    const [omer] = await t.app.get(DataSource).query("SELECT id FROM users WHERE email = 'omer@example.pk'");
    expect((await admin.agent.post(`/admin/users/${omer.id}/unlock`).type('form').send({})).status).toBe(403);
    const list = await admin.get('/admin/users?q=omer').expect(200);
    expect(list.text).toContain(`action="/admin/users/${omer.id}/unlock"`);
    const unlocked = await admin.agent
      .post(`/admin/users/${omer.id}/unlock`)
      .type('form')
      .send({ _csrf: csrfFrom(list.text), q: 'omer' });
    expect(unlocked.status).toBe(303);
    expect((await admin.get(unlocked.headers.location as string)).text).toContain(
      'Sign-in locks lifted for omer@example.pk.',
    );
    expect((await from(t, '203.0.113.88').login('omer@example.pk', PASSWORD)).status).toBe(303);
  });

  it('answers the sign-up of an address that has an account exactly as a new one, and mails its owner', async () => {
    await register('Hamza Iqbal', 'hamza@example.pk');
    const signUp = (email: string) =>
      new Browser(t.server).submit('/register', '/register', {
        name: 'Someone',
        email,
        password: 'another long passphrase',
        locale: 'en',
      });
    const taken = await signUp('HAMZA@example.pk');
    const fresh = await signUp('new.person@example.pk');
    expect(taken.status).toBe(200);
    expect(fresh.status).toBe(200);
    const page = (response: typeof taken, email: string) =>
      response.text.replace(email, 'EMAIL').replace(/name="_csrf" value="[^"]*"/g, '');
    expect(page(taken, 'hamza@example.pk')).toBe(page(fresh, 'new.person@example.pk'));
    expect(taken.text).toContain('We have sent a message to hamza@example.pk.');
    expect(taken.headers['set-cookie']?.length ?? 0).toBe(fresh.headers['set-cookie']?.length ?? 0);

    const mailsTo = (email: string) =>
      smtp.messages
        .map(readMail)
        .filter((m) => new RegExp(`^To: ${email.replace(/[.]/g, '\\.')}$`, 'm').test(m.headers));
    await waitFor(
      'the two mails',
      async () => mailsTo('hamza@example.pk').length === 2 && mailsTo('new.person@example.pk').length === 1,
    );
    expect(mailsTo('hamza@example.pk').map((m) => /^Subject: (.*)$/m.exec(m.headers)?.[1])).toEqual([
      'Welcome to ExportReady',
      'You already have an ExportReady account',
    ]);
    expect(mailsTo('new.person@example.pk')[0].text).toContain('Your ExportReady account is ready.');
    // Nothing changed for the owner: the old password still works, the new one does not.
    expect((await from(t, '198.51.100.7').login('hamza@example.pk', 'another long passphrase')).status).toBe(
      401,
    );
    expect((await from(t, '198.51.100.7').login('hamza@example.pk', PASSWORD)).status).toBe(303);
  });
});
