import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { Browser } from 'playwright-core';
import { LtiPlatformsService } from '../../src/lti/lti-platforms.service';
import { waitFor } from '../support/certificates';
import { TestPlatform } from '../support/lti-platform';
import { launchChromium, phoneContext } from './support/chromium';
import { Site, startSite } from './support/site';

jest.setTimeout(120_000);

const COURSE = 'alibaba-first-30-days';
const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const DL = 'https://purl.imsglobal.org/spec/lti-dl/claim/';

/**
 * The LMS is another site (localhost) than ExportReady (127.0.0.1), so Chromium applies its
 * cross-site rules: the launch is a cross-site form post, and the deep-linking chooser runs in a
 * third-party frame.
 */
describe('LTI 1.3 launches in a real browser, from a platform on another site', () => {
  let site: Site;
  let browser: Browser;
  let platform: TestPlatform;

  function loginUrl(): string {
    const query = new URLSearchParams({
      iss: platform.issuer,
      login_hint: 'hint',
      target_link_uri: `${site.baseUrl}/lti/launch`,
      client_id: platform.clientId,
      lti_deployment_id: platform.deploymentId,
    });
    return `${site.baseUrl}/lti/login?${query.toString()}`;
  }

  const common = () => ({
    [`${LTI}version`]: '1.3.0',
    [`${LTI}deployment_id`]: platform.deploymentId,
  });

  beforeAll(async () => {
    [site, browser] = await Promise.all([startSite(), launchChromium()]);
    platform = await TestPlatform.start(`${site.baseUrl}/lti/jwks.json`, 'localhost');
    await site.t.app.get(LtiPlatformsService).register({
      name: 'Browser Moodle',
      issuer: platform.issuer,
      clientId: platform.clientId,
      deploymentIds: platform.deploymentId,
      authLoginUrl: platform.authLoginUrl,
      tokenUrl: platform.tokenUrl,
      jwksUrl: platform.jwksUrl,
    });
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.close();
    await site?.close();
  });

  it('a learner following the LMS link lands in the course signed in, and stays signed in', async () => {
    platform.pendingClaims = {
      ...common(),
      sub: 'browser-user-1',
      name: 'Sana Iqbal',
      [`${LTI}message_type`]: 'LtiResourceLinkRequest',
      [`${LTI}resource_link`]: { id: 'browser-link-1' },
      [`${LTI}custom`]: { course: COURSE },
    };
    platform.pages.set('/course', `<!doctype html><title>LMS course</title><a id="launch" href="${loginUrl().replace(/&/g, '&amp;')}">Open the ExportReady course</a>`);
    const page = await (await phoneContext(browser)).newPage();
    await page.goto(`${platform.url}/course`);
    await Promise.all([page.waitForURL(`${site.baseUrl}/courses/${COURSE}`), page.click('#launch')]);
    await page.locator('form[action="/logout"]').waitFor();

    const cookies = await page.context().cookies(site.baseUrl);
    expect(cookies.find((c) => c.name === 'er.sid')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    await page.goto(`${site.baseUrl}/dashboard`);
    expect(page.url()).toBe(`${site.baseUrl}/dashboard`);
    await page.locator(`a[href="/courses/${COURSE}"]`).first().waitFor();
  });

  it('an instructor picks a course in the chooser inside the LMS frame, and the answer reaches the LMS', async () => {
    platform.pendingClaims = {
      ...common(),
      sub: 'browser-teacher-1',
      [`${LTI}message_type`]: 'LtiDeepLinkingRequest',
      [`${DL}deep_linking_settings`]: { deep_link_return_url: `${platform.url}/deep-link-return`, accept_types: ['ltiResourceLink'], data: 'xyz' },
    };
    platform.pages.set('/add-content', `<!doctype html><title>LMS: add content</title><iframe id="tool" title="ExportReady" width="400" height="600" src="${loginUrl().replace(/&/g, '&amp;')}"></iframe>`);
    const page = await (await phoneContext(browser)).newPage();
    await page.goto(`${platform.url}/add-content`);
    const frame = page.frameLocator('#tool');
    await frame.locator(`form:has(input[name="course"][value="${COURSE}"]) button`).click();

    const [jwt] = await waitFor('the deep-linking answer at the LMS', async () => (platform.deepLinkAnswers.length ? platform.deepLinkAnswers : null), 20_000);
    await frame.locator('#received').waitFor();
    const { payload } = await jwtVerify(jwt, createRemoteJWKSet(new URL(`${site.baseUrl}/lti/jwks.json`)), { issuer: platform.clientId, audience: platform.issuer });
    expect(payload[`${DL}content_items`]).toEqual([expect.objectContaining({ type: 'ltiResourceLink', custom: { course: COURSE } })]);
    expect(payload[`${DL}data`]).toBe('xyz');
  });
});
