import { DataSource } from 'typeorm';
import { Browser, csrfFrom, startTestApp, TestApp } from './support/test-app';

const PASSWORD = 'a long enough passphrase';

describe('accounts: sign-up, sign-in, roles and CSRF, with bad input', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('refuses a second account with the same email, whatever its case, and keeps what was typed', async () => {
    await new Browser(t.server).register('Sana Malik', 'sana@example.pk');
    const response = await new Browser(t.server).submit('/register', '/register', {
      name: 'Sana M',
      email: 'SANA@example.pk',
      password: PASSWORD,
      locale: 'en',
    });
    expect(response.status).toBe(400);
    expect(response.text).toContain('An account with this email already exists');
    expect(response.text).toContain('value="Sana M"');
    expect(response.text).toContain('aria-invalid="true" aria-describedby="f-email-error"');
    expect(response.text).not.toContain(PASSWORD);
    const [{ count }] = await t.app.get(DataSource).query("SELECT COUNT(*) AS count FROM users WHERE email = 'sana@example.pk'");
    expect(Number(count)).toBe(1);
  });

  it('refuses weak passwords with a reason', async () => {
    for (const [password, reason] of [
      ['short', 'Use at least 10 characters.'],
      ['aaaaaaaaaaaa', 'Use more different characters.'],
      ['password123', 'This password is too common.'],
    ]) {
      const response = await new Browser(t.server).submit('/register', '/register', { name: 'Omar', email: 'omar@example.pk', password, locale: 'en' });
      expect(response.status).toBe(400);
      expect(response.text).toContain(reason);
    }
  });

  it('answers a wrong password and an unknown email with the same message, then throttles the account', async () => {
    await new Browser(t.server).register('Hina Riaz', 'hina@example.pk');
    const wrongPassword = await new Browser(t.server).login('hina@example.pk', 'not the right one');
    const unknownEmail = await new Browser(t.server).login('nobody@example.pk', 'not the right one');
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(wrongPassword.text).toContain('The email or password is not right.');
    expect(unknownEmail.text).toContain('The email or password is not right.');
    expect(wrongPassword.text).toContain('value="hina@example.pk"');

    for (let i = 0; i < 4; i++) await new Browser(t.server).login('hina@example.pk', `wrong ${i}`);
    const locked = await new Browser(t.server).login('hina@example.pk', PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.text).toContain('Too many failed attempts');
  });

  it('rejects a state-changing request without or with a wrong CSRF token (403)', async () => {
    const browser = new Browser(t.server);
    await browser.get('/register');
    const missing = await browser.agent.post('/register').type('form').send({ name: 'X', email: 'x@example.pk', password: PASSWORD, locale: 'en' });
    expect(missing.status).toBe(403);
    expect(missing.text).toContain('This form has expired');
    const forged = await browser.agent.post('/register').type('form').send({ _csrf: 'forged', name: 'X', email: 'x@example.pk', password: PASSWORD, locale: 'en' });
    expect(forged.status).toBe(403);
    const json = await browser.agent.post('/register').set('Accept', 'application/json').type('form').send({ name: 'X' });
    expect(json.status).toBe(403);
    expect(json.body).toMatchObject({ statusCode: 403, error: 'errors.csrf' });
    const [{ count }] = await t.app.get(DataSource).query("SELECT COUNT(*) AS count FROM users WHERE email = 'x@example.pk'");
    expect(Number(count)).toBe(0);
  });

  it('sends security headers: a Content-Security-Policy without inline scripts, no framing, no sniffing', async () => {
    for (const path of ['/', '/login', '/static/app.css', '/verify']) {
      const response = await new Browser(t.server).get(path);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
      const csp = String(response.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
    }
    // Bull Board (admins only) brings inline scripts of its own: no policy there, the rest stays.
    const board = await new Browser(t.server).get('/admin/queues');
    expect(board.headers['content-security-policy']).toBeUndefined();
    expect(board.headers['x-frame-options']).toBe('DENY');
  });

  it('gives a new session id at sign-in', async () => {
    const browser = new Browser(t.server);
    await browser.register('Zara Sheikh', 'zara@example.pk');
    const fresh = new Browser(t.server);
    const page = await fresh.get('/login');
    const before = String(page.headers['set-cookie']).match(/er\.sid=([^;]+)/)?.[1];
    const login = await fresh.agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), email: 'zara@example.pk', password: PASSWORD });
    const after = String(login.headers['set-cookie']).match(/er\.sid=([^;]+)/)?.[1];
    expect(before).toBeDefined();
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
  });

  it('keeps learners out of /manage and /admin (403) and sends anonymous visitors to sign in', async () => {
    const learner = new Browser(t.server);
    await learner.register('Kamran Ali', 'kamran@example.pk');
    await learner.get('/manage').expect(403);
    await learner.get('/admin/users').expect(403);
    const page = await learner.get('/dashboard');
    const post = await learner.agent.post('/admin/users/1/role').type('form').send({ _csrf: csrfFrom(page.text), role: 'admin' });
    expect(post.status).toBe(403);
    const anonymous = await new Browser(t.server).get('/dashboard');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toBe('/login?next=%2Fdashboard');
    await new Browser(t.server).get('/manage').set('Accept', 'application/json').expect(401);
  });

  it('lets the holder of the one-time setup link create the first admin, who can then change roles', async () => {
    const setupLink = await t.app.get((await import('../src/auth/setup.service')).SetupService).announceSetupLinkIfNeeded();
    expect(setupLink).toMatch(/\/setup\?token=/);
    const path = new URL(setupLink as string).pathname + new URL(setupLink as string).search;
    await new Browser(t.server).get('/setup?token=guessed').expect(403);

    const admin = new Browser(t.server);
    const created = await admin.submit(path, '/setup', {
      token: new URL(setupLink as string).searchParams.get('token') as string,
      name: 'Admin',
      email: 'admin@example.pk',
      password: PASSWORD,
      locale: 'en',
    });
    expect(created.status).toBe(303);
    await new Browser(t.server).get(path).expect(403);

    const list = await admin.get('/admin/users?q=kamran').expect(200);
    expect(list.text).toContain('kamran@example.pk');
    const id = /action="\/admin\/users\/(\d+)\/role"/.exec(list.text)?.[1];
    const changed = await admin.agent.post(`/admin/users/${id}/role`).type('form').send({ _csrf: csrfFrom(list.text), role: 'manager' });
    expect(changed.status).toBe(303);
    const manager = new Browser(t.server);
    await manager.login('kamran@example.pk');
    await manager.get('/manage').expect(200);
  });
});
