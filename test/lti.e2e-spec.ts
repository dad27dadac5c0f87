import { createRemoteJWKSet, jwtVerify } from 'jose';
import { DataSource } from 'typeorm';
import { CoursesService } from '../src/courses/courses.service';
import { EnrollmentsService } from '../src/enrollments/enrollments.service';
import { LtiAccount } from '../src/lti/entities/lti-account.entity';
import { LtiResourceLink } from '../src/lti/entities/lti-resource-link.entity';
import { LtiScoreOutbox } from '../src/lti/entities/lti-score-outbox.entity';
import { UsersService } from '../src/users/users.service';
import { freePort, waitFor } from './support/certificates';
import { completeCourse } from './support/learning';
import { TestPlatform } from './support/lti-platform';
import { Browser, startTestApp, TestApp } from './support/test-app';

const COURSE = 'alibaba-first-30-days';
const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const DL = 'https://purl.imsglobal.org/spec/lti-dl/claim/';
const AGS_ENDPOINT = 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint';
const SCORE_SCOPE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';

function unescapeHtml(text: string): string {
  return text.replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))).replace(/&amp;/g, '&').replace(/&quot;/g, '"');
}

describe('LTI 1.3: ExportReady as a tool an LMS launches, links to and receives grades from', () => {
  let t: TestApp;
  let platform: TestPlatform;
  let admin: Browser;

  /** The claims of a resource-link launch of our course for one platform user. */
  function resourceLinkClaims(sub: string, extra: Record<string, unknown> = {}) {
    return {
      sub,
      name: 'Bilal Ahmed',
      email: `${sub}@school.example`,
      [`${LTI}message_type`]: 'LtiResourceLinkRequest',
      [`${LTI}version`]: '1.3.0',
      [`${LTI}deployment_id`]: platform.deploymentId,
      [`${LTI}target_link_uri`]: `${t.config.baseUrl}/lti/launch`,
      [`${LTI}resource_link`]: { id: 'link-101', title: 'Selling on Alibaba' },
      [`${LTI}roles`]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
      [`${LTI}custom`]: { course: COURSE },
      [AGS_ENDPOINT]: { scope: [SCORE_SCOPE], lineitem: platform.lineitemUrl(1) },
      ...extra,
    };
  }

  /** The OIDC login as the platform starts it; returns the state and nonce the tool sent to the platform's auth endpoint. */
  async function login(browser: Browser): Promise<{ state: string; nonce: string; redirect: URL }> {
    const query = new URLSearchParams({
      iss: platform.issuer,
      login_hint: 'opaque-user-hint',
      target_link_uri: `${t.config.baseUrl}/lti/launch`,
      lti_message_hint: 'opaque-message-hint',
      client_id: platform.clientId,
      lti_deployment_id: platform.deploymentId,
    });
    const response = await browser.get(`/lti/login?${query.toString()}`);
    expect(response.status).toBe(302);
    const redirect = new URL(response.headers.location as string);
    return { state: redirect.searchParams.get('state') ?? '', nonce: redirect.searchParams.get('nonce') ?? '', redirect };
  }

  /** The platform's form post of a signed id_token (no CSRF token, no cookie of ours: a cross-site post). */
  function postLaunch(browser: Browser, idToken: string, state: string) {
    return browser.agent.post('/lti/launch').type('form').send({ id_token: idToken, state });
  }

  async function launch(browser: Browser, sub: string, extra: Record<string, unknown> = {}) {
    const { state, nonce } = await login(browser);
    const idToken = await platform.idToken({ ...resourceLinkClaims(sub, extra), nonce });
    return { response: await postLaunch(browser, idToken, state), idToken, state, nonce };
  }

  async function signedOut(browser: Browser): Promise<boolean> {
    return (await browser.get('/dashboard')).status !== 200;
  }

  beforeAll(async () => {
    const port = await freePort();
    t = await startTestApp({ BASE_URL: `http://127.0.0.1:${port}` });
    await t.app.listen(port, '127.0.0.1');
    platform = await TestPlatform.start(`${t.config.baseUrl}/lti/jwks.json`);
    await t.app.get(UsersService).register({ name: 'Site Admin', email: 'admin@example.pk', password: 'a long enough passphrase', locale: 'en' }, 'admin');
    admin = new Browser(t.server);
    await admin.login('admin@example.pk');
  });

  afterAll(async () => {
    await platform?.close();
    await t?.close();
  });

  describe('the administrator', () => {
    it('sees what to paste into the LMS, and a bad registration comes back with the errors and what was typed', async () => {
      const page = await admin.get('/admin/lti');
      expect(page.status).toBe(200);
      for (const url of ['/lti/login', '/lti/launch', '/lti/jwks.json']) expect(page.text).toContain(`${t.config.baseUrl}${url}`);

      const bad = await admin.submit('/admin/lti', '/admin/lti/platforms', {
        name: 'Moodle',
        issuer: 'not a url',
        clientId: '',
        deploymentIds: ' , ',
        authLoginUrl: 'javascript:alert(1)',
        tokenUrl: platform.tokenUrl,
        jwksUrl: platform.jwksUrl,
      });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('id="f-issuer-error"');
      expect(bad.text).toContain('id="f-clientId-error"');
      expect(bad.text).toContain('id="f-deploymentIds-error"');
      expect(bad.text).toContain('id="f-authLoginUrl-error"');
      expect(bad.text).not.toContain('id="f-tokenUrl-error"');
      expect(bad.text).toContain('value="not a url"');
      expect(Number((await t.app.get(DataSource).query('SELECT COUNT(*) AS n FROM lti_platforms'))[0].n)).toBe(0);
    });

    it('registers the platform; a learner cannot reach the page, and a form without the CSRF token is refused', async () => {
      const fields = {
        name: 'Test Moodle',
        issuer: platform.issuer,
        clientId: platform.clientId,
        deploymentIds: `${platform.deploymentId}, deployment-2`,
        authLoginUrl: platform.authLoginUrl,
        tokenUrl: platform.tokenUrl,
        jwksUrl: platform.jwksUrl,
      };
      const noToken = await admin.agent.post('/admin/lti/platforms').type('form').send(fields);
      expect(noToken.status).toBe(403);
      const added = await admin.submit('/admin/lti', '/admin/lti/platforms', fields);
      expect(added.status).toBe(303);
      const page = await admin.get('/admin/lti');
      expect(page.text).toContain('Test Moodle');
      expect(page.text).toContain('deployment-1, deployment-2');
      const again = await admin.submit('/admin/lti', '/admin/lti/platforms', fields);
      expect(again.status).toBe(400);
      expect(again.text).toContain('id="f-clientId-error"');

      const learner = new Browser(t.server);
      await learner.register('Nosy Learner', 'nosy@example.pk');
      expect((await learner.get('/admin/lti')).status).toBe(403);
    });
  });

  describe('a resource-link launch', () => {
    let bilal: Browser;

    it('sends the browser to the platform with state, nonce and the OIDC parameters', async () => {
      const { redirect, state, nonce } = await login(new Browser(t.server));
      expect(`${redirect.origin}${redirect.pathname}`).toBe(platform.authLoginUrl);
      expect(Object.fromEntries(redirect.searchParams)).toEqual(
        expect.objectContaining({
          scope: 'openid',
          response_type: 'id_token',
          response_mode: 'form_post',
          prompt: 'none',
          client_id: platform.clientId,
          redirect_uri: `${t.config.baseUrl}/lti/launch`,
          login_hint: 'opaque-user-hint',
          lti_message_hint: 'opaque-message-hint',
        }),
      );
      expect(state).toMatch(/^[A-Za-z0-9_-]{40,}$/);
      expect(nonce).toMatch(/^[A-Za-z0-9_-]{40,}$/);
      expect(nonce).not.toBe(state);
    });

    it('signs a new learner in, enrols them and opens the course', async () => {
      bilal = new Browser(t.server);
      const { response } = await launch(bilal, 'moodle-user-42');
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe(`/courses/${COURSE}`);
      const cookie = String(response.headers['set-cookie']);
      expect(cookie).toMatch(/er\.sid=/);
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);

      const dashboard = await bilal.get('/dashboard');
      expect(dashboard.status).toBe(200);
      expect(dashboard.text).toContain(`href="/courses/${COURSE}"`);
      expect((await bilal.get('/account')).text).toContain('value="Bilal Ahmed"');
      expect((await bilal.get(`/courses/${COURSE}`)).status).toBe(200);

      const users = t.app.get(UsersService);
      const user = await users.findByEmail('moodle-user-42@school.example');
      expect(user).toMatchObject({ name: 'Bilal Ahmed', role: 'learner' });
      const course = await t.app.get(CoursesService).findCourseBySlug(COURSE);
      expect(await t.app.get(EnrollmentsService).findEnrollment(user!.id, course!.id)).toMatchObject({ status: 'active' });
      const link = await t.app.get(DataSource).getRepository(LtiResourceLink).findOneByOrFail({ resourceLinkId: 'link-101' });
      expect(link).toMatchObject({ deploymentId: platform.deploymentId, courseId: course!.id, lineitemUrl: platform.lineitemUrl(1), scopes: [SCORE_SCOPE] });
    });

    it('links a second launch of the same platform user to the same account', async () => {
      const other = new Browser(t.server);
      const { response } = await launch(other, 'moodle-user-42', { name: 'Bilal A.' });
      expect(response.status).toBe(303);
      expect((await other.get('/dashboard')).status).toBe(200);
      const accounts = await t.app.get(DataSource).getRepository(LtiAccount).findBy({ sub: 'moodle-user-42' });
      expect(accounts).toHaveLength(1);
      expect(Number((await t.app.get(DataSource).query("SELECT COUNT(*) AS n FROM users WHERE name LIKE 'Bilal%'"))[0].n)).toBe(1);
    });

    it('never links a launch to an existing account by its email', async () => {
      await t.app.get(UsersService).register({ name: 'Real Owner', email: 'owner@example.pk', password: 'a long enough passphrase', locale: 'en' });
      const browser = new Browser(t.server);
      const { response } = await launch(browser, 'moodle-user-99', { email: 'owner@example.pk', name: 'Impostor' });
      expect(response.status).toBe(303);
      const account = await t.app.get(DataSource).getRepository(LtiAccount).findOneByOrFail({ sub: 'moodle-user-99' });
      const owner = await t.app.get(UsersService).findByEmail('owner@example.pk');
      expect(account.userId).not.toBe(owner!.id);
      expect(await t.app.get(UsersService).findById(account.userId)).toMatchObject({ name: 'Impostor', email: expect.stringMatching(/@lti\.invalid$/) });
    });

    it('refuses a replayed id_token: the same post again, and the same token with a fresh state', async () => {
      const first = new Browser(t.server);
      const { idToken, state } = await launch(first, 'moodle-user-7');
      const replay = new Browser(t.server);
      const again = await postLaunch(replay, idToken, state);
      expect(again.status).toBe(403);
      expect(again.headers['set-cookie']).toBeUndefined();
      expect(await signedOut(replay)).toBe(true);

      const { state: freshState } = await login(replay);
      const withFreshState = await postLaunch(replay, idToken, freshState);
      expect(withFreshState.status).toBe(403);
      expect(await signedOut(replay)).toBe(true);
    });

    it('refuses a token signed by a key the platform never published', async () => {
      const browser = new Browser(t.server);
      const { state, nonce } = await login(browser);
      const forged = await platform.idToken({ ...resourceLinkClaims('moodle-user-8'), nonce }, { key: platform.strangerKey });
      expect((await postLaunch(browser, forged, state)).status).toBe(403);
      expect(await signedOut(browser)).toBe(true);
    });

    it.each([
      ['for another client (wrong aud)', { aud: 'some-other-tool' }, {}],
      ['that has expired', {}, { expiresIn: Math.floor(Date.now() / 1000) - 600, issuedAt: Math.floor(Date.now() / 1000) - 900 }],
      ['from a deployment nobody registered', { [`${LTI}deployment_id`]: 'deployment-unknown' }, {}],
      ['of another LTI version', { [`${LTI}version`]: '1.1' }, {}],
      ['with another message type', { [`${LTI}message_type`]: 'LtiSubmissionReviewRequest' }, {}],
      ['from another issuer', { iss: 'https://evil.example' }, {}],
    ])('refuses a token %s', async (_, claims, options) => {
      const browser = new Browser(t.server);
      const { state, nonce } = await login(browser);
      const idToken = await platform.idToken({ ...resourceLinkClaims('moodle-user-9'), nonce, ...claims }, options);
      expect((await postLaunch(browser, idToken, state)).status).toBe(403);
      expect(await signedOut(browser)).toBe(true);
      expect(await t.app.get(DataSource).getRepository(LtiAccount).findOneBy({ sub: 'moodle-user-9' })).toBeNull();
    });

    it('refuses a launch with a state it never issued, and a login from an unregistered issuer', async () => {
      const browser = new Browser(t.server);
      const { nonce } = await login(browser);
      const idToken = await platform.idToken({ ...resourceLinkClaims('moodle-user-10'), nonce });
      expect((await postLaunch(browser, idToken, 'made-up-state')).status).toBe(403);
      const stranger = await browser.get(`/lti/login?${new URLSearchParams({ iss: 'https://evil.example', login_hint: 'x', target_link_uri: `${t.config.baseUrl}/lti/launch` }).toString()}`);
      expect(stranger.status).toBe(403);
    });

    it('sends a score of 100 to the gradebook column when the learner completes the course, through the worker, with a token the platform issued', async () => {
      platform.failScores = 1; // the first post fails: the job is retried
      await completeCourse(t, bilal, COURSE);
      const [score] = await waitFor('a score at the platform', async () => (platform.scores.length ? platform.scores : null), 30_000);
      expect(score.path).toBe('/lineitems/1/lineitem/scores?type_id=7');
      expect(score.contentType).toBe('application/vnd.ims.lis.v1.score+json');
      expect(score.body).toEqual({
        userId: 'moodle-user-42',
        scoreGiven: 100,
        scoreMaximum: 100,
        activityProgress: 'Completed',
        gradingProgress: 'FullyGraded',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
      });
      expect(platform.tokenRequests.filter((r) => r.accepted)).toHaveLength(1);
      const rows = await waitFor('the outbox row marked delivered', async () => {
        const found = await t.app.get(DataSource).getRepository(LtiScoreOutbox).find();
        return found.every((row) => row.status === 'delivered') ? found : null;
      });
      expect(rows).toHaveLength(1);
      expect(rows[0].attempts).toBe(2);
      expect(platform.scores).toHaveLength(1);
    });
    it('sends again, on the worker schedule, a score whose job gave up long ago, and one nobody queued (Redis was down)', async () => {
      const data = t.app.get(DataSource);
      const link = await data.getRepository(LtiResourceLink).findOneByOrFail({ resourceLinkId: 'link-101' });
      const outbox = data.getRepository(LtiScoreOutbox);
      const row = (sub: string, queuedAt: Date | null, retryAt: Date | null) =>
        data
          .getRepository(LtiAccount)
          .findOneByOrFail({ sub })
          .then((account) =>
            outbox.save(
              outbox.create({ resourceLinkId: link.id, accountId: account.id, scoreGiven: 100, scoreMaximum: 100, completedAt: new Date(), status: 'pending', attempts: 6, lastError: 'scores endpoint answered 503', queuedAt, retryAt, deliveredAt: null, createdAt: new Date() }),
            ),
          );
      const gaveUp = await row('moodle-user-7', new Date(Date.now() - 3600_000), new Date(Date.now() - 60_000));
      const neverQueued = await row('moodle-user-99', null, null);
      // Queued a minute ago after failing a round: its fresh job is not due for half an hour yet.
      const notDue = await row('moodle-user-42', new Date(Date.now() - 60_000), new Date(Date.now() + 1800_000));
      await waitFor('both scores at the platform', async () => {
        const users = platform.scores.map((s) => s.body.userId);
        return users.includes('moodle-user-7') && users.includes('moodle-user-99');
      }, 30_000);
      expect(await outbox.findOneByOrFail({ id: gaveUp.id })).toMatchObject({ status: 'superseded' });
      const copy = await waitFor('the copy marked delivered', () => outbox.findOneBy({ accountId: gaveUp.accountId, status: 'delivered' }));
      expect(copy.id).toBeGreaterThan(neverQueued.id);
      await waitFor('the never-queued row delivered', async () => (await outbox.findOneByOrFail({ id: neverQueued.id })).status === 'delivered');
      expect(await outbox.findOneByOrFail({ id: notDue.id })).toMatchObject({ status: 'pending' });
    });
  });

  describe('deep linking', () => {
    it('lets an instructor pick a course and answers the platform with a JWT it can verify with our key set', async () => {
      const browser = new Browser(t.server);
      const { state, nonce } = await login(browser);
      const idToken = await platform.idToken({
        sub: 'moodle-teacher-1',
        nonce,
        [`${LTI}message_type`]: 'LtiDeepLinkingRequest',
        [`${LTI}version`]: '1.3.0',
        [`${LTI}deployment_id`]: platform.deploymentId,
        [`${LTI}roles`]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'],
        [`${DL}deep_linking_settings`]: {
          deep_link_return_url: `${platform.url}/deep-link-return?course=5`,
          accept_types: ['ltiResourceLink'],
          accept_presentation_document_targets: ['window', 'iframe'],
          accept_multiple: false,
          data: 'opaque-platform-data',
        },
      });
      const chooser = await postLaunch(browser, idToken, state);
      expect(chooser.status).toBe(200);
      expect(chooser.headers['content-security-policy']).toContain(`frame-ancestors 'self' ${platform.url}`);
      expect(chooser.headers['x-frame-options']).toBeUndefined();
      const context = /name="context" value="([^"]+)"/.exec(chooser.text)?.[1];
      expect(context).toBeTruthy();
      expect(chooser.text).toContain(`name="course" value="${COURSE}"`);

      const answer = await browser.agent.post('/lti/deep-link').type('form').send({ context, course: COURSE });
      expect(answer.status).toBe(200);
      expect(answer.headers['content-security-policy']).toContain(`form-action 'self' ${platform.url}`);
      expect(unescapeHtml(/<form method="post" action="([^"]+)"/.exec(answer.text)?.[1] ?? '')).toBe(`${platform.url}/deep-link-return?course=5`);
      const jwt = /name="JWT" value="([^"]+)"/.exec(answer.text)?.[1] ?? '';

      const { payload, protectedHeader } = await jwtVerify(jwt, createRemoteJWKSet(new URL(`${t.config.baseUrl}/lti/jwks.json`)), {
        issuer: platform.clientId,
        audience: platform.issuer,
        algorithms: ['RS256'],
      });
      expect(protectedHeader.kid).toBeTruthy();
      expect(payload.nonce).toEqual(expect.any(String));
      expect(payload[`${LTI}message_type`]).toBe('LtiDeepLinkingResponse');
      expect(payload[`${LTI}version`]).toBe('1.3.0');
      expect(payload[`${LTI}deployment_id`]).toBe(platform.deploymentId);
      expect(payload[`${DL}data`]).toBe('opaque-platform-data');
      const course = await t.app.get(CoursesService).findCourseBySlug(COURSE);
      expect(payload[`${DL}content_items`]).toEqual([
        expect.objectContaining({
          type: 'ltiResourceLink',
          title: course!.title,
          url: `${t.config.baseUrl}/lti/launch`,
          custom: { course: COURSE },
          lineItem: expect.objectContaining({ scoreMaximum: 100, label: course!.title }),
        }),
      ]);
    });

    it('refuses a choice whose context was not signed by the tool', async () => {
      const browser = new Browser(t.server);
      const forged = await platform.idToken({ ctx: { platformId: 1, deploymentId: platform.deploymentId, returnUrl: 'https://evil.example/' } });
      const answer = await browser.agent.post('/lti/deep-link').type('form').send({ context: forged, course: COURSE });
      expect(answer.status).toBe(403);
      expect(answer.text).not.toContain('name="JWT"');
    });
  });

  describe('dynamic registration', () => {
    async function registrationUrl(): Promise<string> {
      const page = await admin.get('/admin/lti');
      const url = /<code>([^<]*\/lti\/register\?key=[^<]+)<\/code>/.exec(unescapeHtml(page.text))?.[1] ?? '';
      expect(url.startsWith(`${t.config.baseUrl}/lti/register?key=`)).toBe(true);
      return url.slice(t.config.baseUrl.length);
    }

    it('refuses a registration without the key from /admin/lti, or with a token the platform does not accept', async () => {
      const browser = new Browser(t.server);
      const params = new URLSearchParams({ openid_configuration: platform.openidConfigurationUrl, registration_token: platform.registrationToken });
      expect((await browser.get(`/lti/register?${params.toString()}`)).status).toBe(403);
      expect((await browser.get(`/lti/register?${params.toString()}&key=forged`)).status).toBe(403);
      const wrongToken = new URLSearchParams({ openid_configuration: platform.openidConfigurationUrl, registration_token: 'guessed' });
      expect((await browser.get(`${await registrationUrl()}&${wrongToken.toString()}`)).status).toBe(403);
      expect(platform.registrations).toHaveLength(0);
    });

    it('registers the tool with the platform from the URL the LMS opens, and the new client can launch', async () => {
      const browser = new Browser(t.server);
      const params = new URLSearchParams({ openid_configuration: platform.openidConfigurationUrl, registration_token: platform.registrationToken });
      const page = await browser.get(`${await registrationUrl()}&${params.toString()}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('lti-registered.js');
      expect(page.headers['content-security-policy']).toContain(`frame-ancestors 'self' ${platform.url}`);
      expect(platform.registrations).toEqual([
        expect.objectContaining({
          initiate_login_uri: `${t.config.baseUrl}/lti/login`,
          redirect_uris: [`${t.config.baseUrl}/lti/launch`],
          jwks_uri: `${t.config.baseUrl}/lti/jwks.json`,
          token_endpoint_auth_method: 'private_key_jwt',
          scope: SCORE_SCOPE,
        }),
      ]);
      const [registered] = await t.app.get(DataSource).query("SELECT issuer, auth_login_url, token_url, jwks_url, deployment_ids FROM lti_platforms WHERE client_id = 'dynamic-client-1'");
      expect(registered).toMatchObject({ issuer: platform.issuer, auth_login_url: platform.authLoginUrl, token_url: platform.tokenUrl, jwks_url: platform.jwksUrl });
      expect(JSON.parse(registered.deployment_ids)).toEqual(['dynamic-deployment-1']);

      const query = new URLSearchParams({ iss: platform.issuer, login_hint: 'hint', target_link_uri: `${t.config.baseUrl}/lti/launch`, client_id: 'dynamic-client-1', lti_deployment_id: 'dynamic-deployment-1' });
      const login = await browser.get(`/lti/login?${query.toString()}`);
      expect(login.status).toBe(302);
      const redirect = new URL(login.headers.location as string);
      expect(redirect.searchParams.get('client_id')).toBe('dynamic-client-1');
      const idToken = await platform.idToken({
        ...resourceLinkClaims('dynamic-user-1', { [`${LTI}deployment_id`]: 'dynamic-deployment-1' }),
        aud: 'dynamic-client-1',
        nonce: redirect.searchParams.get('nonce') ?? '',
      });
      expect((await postLaunch(browser, idToken, redirect.searchParams.get('state') ?? '')).status).toBe(303);
    });
  });

  it('publishes one RS256 public key, without its private parts', async () => {
    const response = await new Browser(t.server).get('/lti/jwks.json');
    expect(response.status).toBe(200);
    expect(response.body.keys).toHaveLength(1);
    const [key] = response.body.keys as Record<string, string>[];
    expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String), n: expect.any(String), e: 'AQAB' });
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key[secret]).toBeUndefined();
  });
});

