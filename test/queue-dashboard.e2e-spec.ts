import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { CERTIFICATES_QUEUE } from '../src/certificates/certificates.queue';
import { UsersService } from '../src/users/users.service';
import { Browser, startTestApp, TestApp } from './support/test-app';

const API = '/admin/queues/api/queues';

/** The XSRF-TOKEN cookie the dashboard page hands out, which Bull Board's own script echoes in X-XSRF-TOKEN. */
function xsrfCookie(setCookie: string[] | string | undefined): { value: string; attributes: string } {
  const line = ([] as string[]).concat(setCookie ?? []).find((cookie) => cookie.startsWith('XSRF-TOKEN='));
  if (!line) throw new Error('the dashboard set no XSRF-TOKEN cookie');
  const [pair, ...attributes] = line.split(';');
  return { value: decodeURIComponent(pair.slice('XSRF-TOKEN='.length)), attributes: attributes.join(';') };
}

describe('queue dashboard: state-changing calls need the CSRF token', () => {
  let t: TestApp;
  let admin: Browser;
  let queue: Queue;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp({ IMPORT_CONTENT_ON_START: 'false' });
    await t.app.get(UsersService).register({ name: 'Site Admin', email: 'admin@example.pk', password: 'a long enough passphrase', locale: 'en' }, 'admin');
    admin = new Browser(t.server);
    await admin.login('admin@example.pk');
    queue = t.app.get<Queue>(getQueueToken(CERTIFICATES_QUEUE));
    const page = await admin.get('/admin/queues').expect(200);
    const cookie = xsrfCookie(page.headers['set-cookie']);
    expect(cookie.attributes).toMatch(/Path=\/admin\/queues/i);
    expect(cookie.attributes).toMatch(/SameSite=Strict/i);
    expect(cookie.attributes).not.toMatch(/HttpOnly/i);
    token = cookie.value;
  });

  afterAll(async () => {
    await queue?.resume();
    await t?.close();
  });

  it('sends no X-Powered-By header from the dashboard or its API', async () => {
    const page = await admin.get('/admin/queues').expect(200);
    expect(page.headers['x-powered-by']).toBeUndefined();
    const api = await admin.get(`${API}`).expect(200);
    expect(api.headers['x-powered-by']).toBeUndefined();
  });

  it('refuses a form-style pause, resume or add without a token, and the queue stays as it was', async () => {
    const waitingBefore = await queue.getWaitingCount();
    await admin.agent.put(`${API}/${CERTIFICATES_QUEUE}/pause`).type('form').send({}).expect(403);
    expect(await queue.isPaused()).toBe(false);
    await admin.agent.post(`${API}/${CERTIFICATES_QUEUE}/add`).type('form').send({ name: 'issue-certificate', data: '{}' }).expect(403);
    // A form may carry a token field, but only the header counts here: a page elsewhere cannot set one.
    await admin.agent.put(`${API}/${CERTIFICATES_QUEUE}/pause`).type('form').send({ _csrf: token }).expect(403);
    expect(await queue.isPaused()).toBe(false);
    expect(await queue.getWaitingCount()).toBe(waitingBefore);
  });

  it('refuses a cross-site JSON call without a token, or with a wrong one', async () => {
    await admin.agent.put(`${API}/pause`).set('Origin', 'https://attacker.example').send({}).expect(403);
    await admin.agent.put(`${API}/${CERTIFICATES_QUEUE}/pause`).set('X-XSRF-TOKEN', `${token}x`).send({}).expect(403);
    expect(await queue.isPaused()).toBe(false);
    const refused = await admin.agent.post(`${API}/${CERTIFICATES_QUEUE}/add`).set('Origin', 'https://attacker.example').set('Accept', 'application/json').send({ name: 'x', data: {} }).expect(403);
    expect(refused.body.message).toMatch(/form/i);
    expect(await queue.getWaitingCount()).toBe(0);
  });

  it('pauses, adds a job and resumes with the token in the header, as the dashboard sends it', async () => {
    await admin.agent.put(`${API}/${CERTIFICATES_QUEUE}/pause`).set('X-XSRF-TOKEN', token).send({}).expect(200);
    expect(await queue.isPaused()).toBe(true);
    const added = await admin.agent.post(`${API}/${CERTIFICATES_QUEUE}/add`).set('X-XSRF-TOKEN', token).send({ name: 'issue-certificate', data: { certificateId: 999_999 } }).expect(200);
    expect(added.body.job.name).toBe('issue-certificate');
    expect(await queue.getWaitingCount()).toBe(1);
    await admin.agent.put(`${API}/${CERTIFICATES_QUEUE}/resume`).set('X-XSRF-TOKEN', token).send({}).expect(200);
    expect(await queue.isPaused()).toBe(false);
  });
});
