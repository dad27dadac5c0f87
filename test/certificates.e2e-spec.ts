import { getQueueToken } from '@nestjs/bullmq';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import hbs from 'hbs';
import { compactVerify, importJWK } from 'jose';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { courseIds, createCohort, createProgramme } from './support/programmes';
import { Certificate } from '../src/certificates/certificate.entity';
import { CERTIFICATES_QUEUE, ISSUE_CERTIFICATE_JOB, issueCertificateJobId } from '../src/certificates/certificates.queue';
import { CertificatesService } from '../src/certificates/certificates.service';
import { didWebFor } from '../src/certificates/credential/linked-data';
import { UsersService } from '../src/users/users.service';
import { certificatePdfFiles, waitFor } from './support/certificates';
import { completeCourse } from './support/learning';
import { Browser, csrfFrom, startTestApp, TestApp } from './support/test-app';

const COURSE = 'alibaba-first-30-days';
const ARTIFACTS = join(__dirname, '..', 'test-artifacts', 'certificates');
const scratch = mkdtempSync(join(tmpdir(), 'er-certificates-'));

function issuedCertificateOf(t: TestApp, email: string): Promise<Certificate> {
  return waitFor(`an issued certificate for ${email}`, async () => {
    const user = await t.app.get(UsersService).findByEmail(email);
    const certificate = user ? await t.app.get(DataSource).getRepository(Certificate).findOneBy({ userId: user.id, status: 'issued' }) : null;
    return certificate ?? null;
  });
}

/**
 * The cohort every learner here joins, run by the test's manager: a manager sees and acts on the
 * certificates of the cohorts they manage only (test/certificates-register-scope.e2e-spec.ts).
 */
let registerCohort: { manager: Browser; cohortId: number };

async function joinRegisterCohort(email: string): Promise<void> {
  const { manager, cohortId } = registerCohort;
  const members = await manager.get(`/manage/cohorts/${cohortId}/members`);
  const added = await manager.agent.post(`/manage/cohorts/${cohortId}/members`).type('form').send({ _csrf: csrfFrom(members.text), email });
  expect(added.status).toBe(303);
}

/** A learner who signs up, joins the manager's cohort and finishes the shipped course (every lesson, the final quiz passed). */
async function learnerCompletes(t: TestApp, name: string, email: string, certificateName?: string): Promise<{ browser: Browser; certificate: Certificate; completedIn: number }> {
  const browser = new Browser(t.server);
  await browser.register(name, email);
  await joinRegisterCohort(email);
  if (certificateName) {
    const saved = await browser.submit('/account', '/account', { name, certificateName, locale: 'en' });
    expect(saved.status).toBe(303);
  }
  await completeCourse(t, browser, COURSE);
  const completedAt = Date.now();
  const certificate = await issuedCertificateOf(t, email);
  return { browser, certificate, completedIn: Date.now() - completedAt };
}

function unescapeHtml(text: string): string {
  return text.replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))).replace(/&amp;/g, '&');
}

function savePdf(name: string, body: Buffer): string {
  const path = join(scratch, name);
  writeFileSync(path, body);
  return path;
}

/** A JWS with one character of its payload changed, re-encoded, the original signature kept. */
function tamper(jws: string, from: string, to: string): string {
  const [header, payload, signature] = jws.split('.');
  const json = Buffer.from(payload, 'base64url').toString('utf8');
  expect(json).toContain(from);
  return [header, Buffer.from(json.replace(from, to), 'utf8').toString('base64url'), signature].join('.');
}

describe('certificates: a completed course becomes a certificate anyone can verify', () => {
  let t: TestApp;
  let manager: Browser;
  let admin: Browser;
  let ayesha: { browser: Browser; certificate: Certificate; completedIn: number };

  beforeAll(async () => {
    t = await startTestApp();
    const users = t.app.get(UsersService);
    await users.register({ name: 'Programme Manager', email: 'manager@example.pk', password: 'a long enough passphrase', locale: 'en' }, 'manager');
    await users.register({ name: 'Site Admin', email: 'admin@example.pk', password: 'a long enough passphrase', locale: 'en' }, 'admin');
    manager = new Browser(t.server);
    await manager.login('manager@example.pk');
    admin = new Browser(t.server);
    await admin.login('admin@example.pk');
    registerCohort = { manager, cohortId: await createCohort(manager, await createProgramme(manager, 'Export certificates 2026'), 'All learners', await courseIds(t, [COURSE])) };
    ayesha = await learnerCompletes(t, 'Ayesha Khan', 'ayesha@example.pk');
  });

  afterAll(async () => {
    await t?.close();
  });

  it('issues the certificate within seconds of the completion, through the queue and the worker', async () => {
    expect(ayesha.completedIn).toBeLessThan(5000);
    expect(ayesha.certificate.serial).toMatch(/^ER-\d{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    expect(ayesha.certificate.holderName).toBe('Ayesha Khan');
    expect(ayesha.certificate.attempts).toBe(1);
    expect(certificatePdfFiles(t)).toEqual([`${ayesha.certificate.serial}.pdf`]);
  });

  it('lets the holder download a PDF that qpdf finds sound, and nobody else but managers', async () => {
    const pdf = await ayesha.browser.get(`/certificates/${ayesha.certificate.serial}.pdf`).buffer(true).expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const path = savePdf('ayesha.pdf', pdf.body as Buffer);
    expect(execFileSync('qpdf', ['--check', path], { encoding: 'utf8' })).toContain('No syntax or stream encoding errors');
    const text = execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
    for (const expected of ['Certificate of Completion', 'Ayesha Khan', ayesha.certificate.courseTitle, ayesha.certificate.serial, `/verify/${ayesha.certificate.serial}`]) {
      expect(text).toContain(expected);
    }

    const stranger = new Browser(t.server);
    await stranger.register('Someone Else', 'someone@example.pk');
    await stranger.get(`/certificates/${ayesha.certificate.serial}.pdf`).expect(404);
    await new Browser(t.server).get(`/certificates/${ayesha.certificate.serial}.pdf`).expect(303);
    await manager.get(`/certificates/${ayesha.certificate.serial}.pdf`).expect(200);
  });

  it('shows a buyer the verification page without signing in: valid, with what was certified', async () => {
    const page = await new Browser(t.server).get(`/verify/${ayesha.certificate.serial}`).expect(200);
    expect(page.headers['set-cookie']).toBeUndefined();
    expect(page.text).toContain('Valid certificate');
    expect(page.text).toContain('Ayesha Khan');
    expect(page.text).toContain(ayesha.certificate.courseTitle);
    expect(page.text).toMatch(/\d+(\.\d)? study hours/);
    expect(page.text).toContain('Learning outcomes');
    expect(page.text).toContain('Verified: Ed25519, Open Badges 3.0 credential');
    expect(page.text).not.toMatch(/\[certificates\.[a-z_.]+\]/);
    expect(page.text).toContain('<p lang="en" dir="ltr">Completed every required lesson');

    // An Urdu reader gets the rule in Urdu, with the signed English words beside it.
    const urdu = await new Browser(t.server).get(`/verify/${ayesha.certificate.serial}`).set('Accept-Language', 'ur-PK,ur;q=0.9').expect(200);
    expect(urdu.text).toContain('<html lang="ur" dir="rtl">');
    expect(urdu.text).toContain('کورس کے تمام لازمی اسباق مکمل کیے');
    expect(urdu.text).toMatch(/کریڈینشل میں دستخط شدہ الفاظ \(انگریزی میں\):<\/p>\s*<p class="meta" lang="en" dir="ltr">Completed every required lesson/);
  });

  it('serves the signed Open Badges 3.0 credential, which verifies against the published key', async () => {
    const json = await new Browser(t.server).get(`/verify/${ayesha.certificate.serial}.json`).expect(200);
    expect(json.headers['content-type']).toMatch(/application\/json/);
    expect(json.body.type).toBe('EnvelopedVerifiableCredential');
    const jws = (json.body.id as string).replace('data:application/vc+jwt,', '');
    const { keys } = (await new Browser(t.server).get('/issuer/keys.json').expect(200)).body;
    const { payload, protectedHeader } = await compactVerify(jws, await importJWK(keys[0], 'EdDSA'));
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', typ: 'vc+jwt', kid: keys[0].kid });
    const credential = JSON.parse(Buffer.from(payload).toString('utf8'));
    expect(credential.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(credential.issuer).toMatchObject({ id: didWebFor(t.config.baseUrl), name: 'ExportReady' });
    expect(credential.credentialSubject.identifier[0]).toMatchObject({ identityType: 'name', identityHash: 'Ayesha Khan', hashed: false });
    expect(credential.credentialSubject.achievement.name).toBe(ayesha.certificate.courseTitle);
    expect(credential.id).toBe(`${t.config.baseUrl}/verify/${ayesha.certificate.serial}`);
    const profile = (await new Browser(t.server).get('/issuer').expect(200)).body;
    expect(profile).toMatchObject({ id: didWebFor(t.config.baseUrl), type: ['Profile'], name: 'ExportReady' });
  });

  it('accepts the genuine credential in the check form and rejects it with one character changed', async () => {
    const visitor = new Browser(t.server);
    const envelope = (await visitor.get(`/verify/${ayesha.certificate.serial}.json`)).text;
    const genuine = await visitor.submit('/verify', '/verify', { credential: envelope });
    expect(genuine.status).toBe(200);
    expect(genuine.text).toContain('Valid: signed by ExportReady and not revoked.');
    expect(genuine.text).toContain('Ayesha Khan');

    const jws = ayesha.certificate.credential as string;
    for (const [from, to] of [
      ['Ayesha Khan', 'Ayesha Khen'],
      [ayesha.certificate.courseTitle, `${ayesha.certificate.courseTitle.slice(0, -1)}X`],
      [ayesha.certificate.completedAt.toISOString().slice(0, 4), String(Number(ayesha.certificate.completedAt.toISOString().slice(0, 4)) - 1)],
    ]) {
      const forged = await visitor.submit('/verify', '/verify', { credential: tamper(jws, from, to) });
      expect(forged.status).toBe(422);
      expect(forged.text).toContain('Not valid: the content does not match its signature');
      expect(forged.text).not.toContain('Ayesha Khen');
    }
    const flipped = jws.slice(0, 40) + (jws[40] === 'A' ? 'B' : 'A') + jws.slice(41);
    expect((await visitor.submit('/verify', '/verify', { credential: flipped })).status).toBe(422);
  });

  it('checks an uploaded credential file too', async () => {
    const visitor = new Browser(t.server);
    const form = await visitor.get('/verify');
    const token = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1] as string;
    const envelope = (await visitor.get(`/verify/${ayesha.certificate.serial}.json`)).body;
    const uploaded = await visitor.agent
      .post('/verify')
      .field('_csrf', token)
      .field('credential', '')
      .attach('file', Buffer.from(JSON.stringify(envelope)), { filename: 'credential.json', contentType: 'application/json' });
    expect(uploaded.status).toBe(200);
    expect(uploaded.text).toContain('Valid: signed by ExportReady and not revoked.');
  });

  it('answers an unknown serial with a clear 404 page, never a stack trace', async () => {
    const unknown = await new Browser(t.server).get('/verify/ER-2026-999999').expect(404);
    expect(unknown.text).toContain('Certificate not found');
    expect(unknown.text).toContain('ER-2026-999999');
    const garbage = await new Browser(t.server).get('/verify/%3Cscript%3E').expect(404);
    expect(garbage.text).not.toContain('<script>');
    await new Browser(t.server).get('/verify/ER-2026-999999.json').set('Accept', 'application/json').expect(404);
    const lookup = await new Browser(t.server).get(`/verify?serial=${ayesha.certificate.serial.toLowerCase()}`).expect(303);
    expect(lookup.headers.location).toBe(`/verify/${ayesha.certificate.serial}`);
    const typed = await new Browser(t.server).get(`/verify/${ayesha.certificate.serial.toLowerCase()}`).expect(301);
    expect(typed.headers.location).toBe(`/verify/${ayesha.certificate.serial}`);
  });

  it('gives the holder a dashboard section with the PDF, a share link and an Add to LinkedIn link', async () => {
    const certificates = await t.app.get(CertificatesService).holderCertificates(ayesha.certificate.userId);
    const section = hbs.handlebars.compile(readFileSync(join(__dirname, '..', 'views', 'partials', 'my-certificates.hbs'), 'utf8'));
    // The section's context, as the certificates module registers it with the dashboard (DashboardSections).
    const html = section({ certificates, news: certificates }, { data: { root: { locale: 'en', layoutCsrfToken: 'token' } } });
    expect(html).toContain(`href="/certificates/${ayesha.certificate.serial}.pdf"`);
    expect(html).toContain(`value="${t.config.baseUrl}/verify/${ayesha.certificate.serial}"`);
    const linkedIn = new URL(unescapeHtml(/href="(https:\/\/www\.linkedin\.com\/profile\/add\?[^"]+)"/.exec(html)?.[1] as string));
    expect(Object.fromEntries(linkedIn.searchParams)).toMatchObject({
      startTask: 'CERTIFICATION_NAME',
      name: ayesha.certificate.courseTitle,
      organizationName: 'ExportReady',
      certId: ayesha.certificate.serial,
      certUrl: `${t.config.baseUrl}/verify/${ayesha.certificate.serial}`,
    });
    expect(html).toContain('is ready');
    expect(html).not.toMatch(/\[certificates\.[a-z_.]+\]/);
    // Without SMTP the learner is told in the app, until they dismiss the notice.
    const dashboard = await ayesha.browser.get('/dashboard');
    expect(dashboard.text).toContain(`href="/certificates/${ayesha.certificate.serial}.pdf"`);
    const dismissed = await ayesha.browser.agent.post('/certificates/notices/dismiss').type('form').send({ _csrf: /name="_csrf" value="([^"]+)"/.exec(dashboard.text)?.[1] });
    expect(dismissed.status).toBe(303);
    expect((await t.app.get(CertificatesService).holderCertificates(ayesha.certificate.userId))[0].isNew).toBe(false);
  });

  it('prints an Urdu-script name in the right order, and keeps a PNG of the page to look at', async () => {
    const urdu = await learnerCompletes(t, 'Ayesha U', 'ayesha.ur@example.pk', 'عائشہ خان');
    expect(urdu.certificate.holderName).toBe('عائشہ خان');
    const pdf = await urdu.browser.get(`/certificates/${urdu.certificate.serial}.pdf`).buffer(true).expect(200);
    const path = savePdf('urdu.pdf', pdf.body as Buffer);
    expect(execFileSync('qpdf', ['--check', path], { encoding: 'utf8' })).toContain('No syntax or stream encoding errors');
    const text = execFileSync('pdftotext', [path, '-'], { encoding: 'utf8' }).replace(/[\u200e\u200f\u202a-\u202e]/g, '');
    expect(text).toContain('عائشہ خان');
    expect(execFileSync('pdffonts', [path], { encoding: 'utf8' })).toMatch(/NotoNaskhArabic-Bold\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/);
    mkdirSync(ARTIFACTS, { recursive: true });
    execFileSync('pdftoppm', ['-png', '-r', '80', '-singlefile', path, join(ARTIFACTS, 'urdu-name')]);
    expect(statSync(join(ARTIFACTS, 'urdu-name.png')).size).toBeGreaterThan(10_000);
    const page = await new Browser(t.server).get(`/verify/${urdu.certificate.serial}`).expect(200);
    expect(page.text).toContain('عائشہ خان');
  });

  it('shows a revoked certificate as revoked, with the reason, on the page and in the check', async () => {
    const bilal = await learnerCompletes(t, 'Bilal Ahmed', 'bilal@example.pk');
    const register = await manager.get(`/manage/certificates?q=${bilal.certificate.serial}`).expect(200);
    expect(register.text).toContain(bilal.certificate.serial);
    const revoked = await manager.submit(`/manage/certificates?q=${bilal.certificate.serial}`, `/manage/certificates/${bilal.certificate.id}/revoke`, {
      reason: 'Completed by someone else',
    });
    expect(revoked.status).toBe(303);
    const page = await new Browser(t.server).get(`/verify/${bilal.certificate.serial}`).expect(200);
    expect(page.text).toContain('Revoked certificate');
    expect(page.text).toContain('Reason: Completed by someone else');
    expect(page.text).not.toContain('Valid certificate');
    const visitor = new Browser(t.server);
    const check = await visitor.submit('/verify', '/verify', { credential: bilal.certificate.credential as string });
    expect(check.text).toContain('Signed by ExportReady, but revoked.');
    const list = (await visitor.get('/issuer/revocations.json').expect(200)).body;
    expect(list.revokedCredentials).toEqual([expect.objectContaining({ id: `${t.config.baseUrl}/verify/${bilal.certificate.serial}`, revocationReason: 'Completed by someone else' })]);
  });

  it('re-issues a certificate after a name correction: a new serial, the old one revoked and pointing to it', async () => {
    const imran = await learnerCompletes(t, 'Imran Kahn', 'imran@example.pk');
    const reissued = await manager.submit('/manage/certificates', `/manage/certificates/${imran.certificate.id}/reissue`, { holderName: 'Imran Khan', reason: 'Name misspelt' });
    expect(reissued.status).toBe(303);
    const replacement = await waitFor('the corrected certificate', async () =>
      t.app.get(DataSource).getRepository(Certificate).findOneBy({ userId: imran.certificate.userId, status: 'issued' }),
    );
    expect(replacement.serial).not.toBe(imran.certificate.serial);
    expect(replacement.holderName).toBe('Imran Khan');
    expect(replacement.enrollmentId).toBe(imran.certificate.enrollmentId);
    const old = await new Browser(t.server).get(`/verify/${imran.certificate.serial}`).expect(200);
    expect(old.text).toContain('Revoked certificate');
    expect(old.text).toContain(`href="/verify/${replacement.serial}"`);
    const fresh = await new Browser(t.server).get(`/verify/${replacement.serial}`).expect(200);
    expect(fresh.text).toContain('Valid certificate');
    expect(fresh.text).toContain('Imran Khan');
  });

  it('adds the same job twice and still issues one certificate with one file', async () => {
    const before = certificatePdfFiles(t);
    const queue = t.app.get<Queue>(getQueueToken(CERTIFICATES_QUEUE));
    const certificateId = ayesha.certificate.id;
    const first = await queue.add(ISSUE_CERTIFICATE_JOB, { certificateId }, { jobId: issueCertificateJobId(ayesha.certificate, 'twice') });
    const second = await queue.add(ISSUE_CERTIFICATE_JOB, { certificateId }, { jobId: issueCertificateJobId(ayesha.certificate, 'twice') });
    expect(second.id).toBe(first.id);
    const other = await queue.add(ISSUE_CERTIFICATE_JOB, { certificateId }, { jobId: issueCertificateJobId(ayesha.certificate, 'again') });
    for (const job of [first, other]) {
      await waitFor(`job ${job.id} to finish`, async () => (await queue.getJobState(job.id as string)) === 'completed');
      expect((await queue.getJob(job.id as string))?.returnvalue).toBe('already-issued');
    }
    const mine = await t.app.get(DataSource).getRepository(Certificate).findBy({ enrollmentId: ayesha.certificate.enrollmentId as number });
    expect(mine).toHaveLength(1);
    expect(mine[0].credential).toBe(ayesha.certificate.credential);
    expect(certificatePdfFiles(t)).toEqual(before);
  });

  it('filters the register by cohort, among the cohorts the manager runs', async () => {
    const programmeId = await createProgramme(manager, 'Faisalabad home textiles 2026');
    const cohortId = await createCohort(manager, programmeId, 'Batch A', await courseIds(t, [COURSE]));
    const members = await manager.get(`/manage/cohorts/${cohortId}/members`);
    const added = await manager.agent.post(`/manage/cohorts/${cohortId}/members`).type('form').send({ _csrf: csrfFrom(members.text), email: 'ayesha@example.pk' });
    expect(added.status).toBe(303);

    const all = await manager.get('/manage/certificates').expect(200);
    expect(all.text).toContain(`<option value="${cohortId}"`);
    const serials = (html: string) => [...html.matchAll(/ER-\d{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}/g)].map((m) => m[0]);
    const inCohort = await manager.get(`/manage/certificates?cohort=${cohortId}`).expect(200);
    expect(serials(inCohort.text)).toContain(ayesha.certificate.serial);
    expect(new Set(serials(inCohort.text)).size).toBeLessThan(new Set(serials(all.text)).size);
  });

  it('gives managers a register with CSV and ZIP exports, and admins a guarded queue dashboard', async () => {
    const register = await manager.get('/manage/certificates').expect(200);
    expect(register.text).toContain(ayesha.certificate.serial);
    expect(register.text).not.toMatch(/\[certificates\.[a-z_.]+\]/);

    const csv = await manager.get(`/manage/certificates.csv?status=issued`).expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('serial,status,name,course,hours,completed_at,issued_at,revoked_at,revoked_reason,last_error,verify_url');
    expect(lines.some((line) => line.startsWith(`${ayesha.certificate.serial},issued,Ayesha Khan,`))).toBe(true);
    expect(lines.every((line, i) => i === 0 || line.includes(',issued,'))).toBe(true);

    const zip = await manager.get('/manage/certificates.zip?status=issued').buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    }).expect(200);
    const zipPath = savePdf('register.zip', zip.body as Buffer);
    // Python's zipfile as an independent reader: it checks every CRC (testzip) and lists the names.
    const listing = JSON.parse(
      execFileSync('python3', ['-c', 'import json,sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(json.dumps(z.namelist()))', zipPath], { encoding: 'utf8' }),
    ) as string[];
    expect(listing).toContain(`${ayesha.certificate.serial}.pdf`);
    expect(listing).toContain('register.csv');

    const learner = new Browser(t.server);
    await learner.register('Curious Learner', 'curious@example.pk');
    await learner.get('/manage/certificates').expect(403);
    await learner.get('/admin/queues').expect(403);
    expect((await new Browser(t.server).get('/admin/queues')).status).toBe(303);
    await manager.get('/admin/queues').expect(403);
    const board = await admin.get('/admin/queues').expect(200);
    expect(board.text).toMatch(/bull/i);
    await admin.get('/admin/queues/api/queues').expect(200);
  });

  it('lets an admin retry a certificate whose job failed for good', async () => {
    const zara = await learnerCompletes(t, 'Zara Malik', 'zara@example.pk');
    const repository = t.app.get(DataSource).getRepository(Certificate);
    // As if every try had failed: what the worker records after the last attempt.
    await repository.update({ id: zara.certificate.id }, { status: 'pending' });
    await t.app.get(CertificatesService).recordFailure(zara.certificate.id, new Error('disk full'), true);
    const failed = await manager.get('/manage/certificates?status=failed').expect(200);
    expect(failed.text).toContain('disk full');
    const retried = await manager.submit('/manage/certificates?status=failed', `/manage/certificates/${zara.certificate.id}/retry`, {});
    expect(retried.status).toBe(303);
    const issued = await waitFor('the retried certificate', async () => (await repository.findOneByOrFail({ id: zara.certificate.id })).status === 'issued' && repository.findOneByOrFail({ id: zara.certificate.id }));
    expect(issued.lastError).toBeNull();
  });
});
