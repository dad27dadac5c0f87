import { DataSource } from 'typeorm';
import { Certificate } from '../src/certificates/certificate.entity';
import { UsersService } from '../src/users/users.service';
import { waitFor } from './support/certificates';
import { completeCourse } from './support/learning';
import { courseIds, createCohort, createProgramme, userWithRole } from './support/programmes';
import { Browser, csrfFrom, startTestApp, TestApp } from './support/test-app';

jest.setTimeout(120_000);

const COURSE = 'alibaba-first-30-days';
const SERIAL = /ER-\d{4}-(?:[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}|\d{6})/g;

function serials(text: string): string[] {
  return [...new Set([...text.matchAll(SERIAL)].map((m) => m[0]))].sort();
}

/** A ZIP download as bytes; the entry names are stored in clear, so the serials can be read from it. */
async function zipOf(browser: Browser, path: string): Promise<{ status: number; body: Buffer }> {
  const response = await browser.get(path).buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
  return { status: response.status, body: response.body as Buffer };
}

describe('the certificate register shows each manager the certificates of their own programmes', () => {
  let t: TestApp;
  let db: DataSource;
  let admin: Browser;
  let saima: Browser;
  let omar: Browser;
  let nobody: Browser;
  let saimaCohort: number;
  let omarCohort: number;
  let ayesha: Certificate;
  let bilal: Certificate;

  async function addMember(manager: Browser, cohortId: number, email: string) {
    const page = await manager.get(`/manage/cohorts/${cohortId}/members`);
    const added = await manager.agent.post(`/manage/cohorts/${cohortId}/members`).type('form').send({ _csrf: csrfFrom(page.text), email });
    expect(added.status).toBe(303);
  }

  /** A learner in the manager's cohort who completes the course; their certificate once issued. */
  async function certifiedMember(manager: Browser, cohortId: number, name: string, email: string): Promise<Certificate> {
    const learner = new Browser(t.server);
    await learner.register(name, email);
    await addMember(manager, cohortId, email);
    await completeCourse(t, learner, COURSE);
    const user = await t.app.get(UsersService).findByEmail(email);
    return waitFor(`the certificate of ${email}`, async () => db.getRepository(Certificate).findOneBy({ userId: user?.id, status: 'issued' }));
  }

  const state = (id: number) => db.getRepository(Certificate).findOneByOrFail({ id });

  beforeAll(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
    admin = await userWithRole(t, 'Site Admin', 'admin@example.pk', 'admin');
    saima = await userWithRole(t, 'Saima Manager', 'saima@example.pk', 'manager');
    omar = await userWithRole(t, 'Omar Manager', 'omar@example.pk', 'manager');
    nobody = await userWithRole(t, 'Nadia Manager', 'nadia@example.pk', 'manager');
    const [course] = await courseIds(t, [COURSE]);
    saimaCohort = await createCohort(saima, await createProgramme(saima, 'Sialkot sports goods'), 'Batch 1', [course]);
    omarCohort = await createCohort(omar, await createProgramme(omar, 'Karachi seafood'), 'Batch 1', [course]);
    ayesha = await certifiedMember(saima, saimaCohort, 'Ayesha Khan', 'ayesha@example.pk');
    bilal = await certifiedMember(omar, omarCohort, 'Bilal Ahmed', 'bilal@example.pk');
  });

  afterAll(async () => {
    await t?.close();
  });

  it('lists, exports and zips only the certificates of the manager\'s own cohorts', async () => {
    expect(serials((await saima.get('/manage/certificates').expect(200)).text)).toEqual([ayesha.serial]);
    expect(serials((await omar.get('/manage/certificates').expect(200)).text)).toEqual([bilal.serial]);
    expect(serials((await saima.get('/manage/certificates.csv').expect(200)).text)).toEqual([ayesha.serial]);
    const zip = await zipOf(saima, '/manage/certificates.zip');
    expect(zip.status).toBe(200);
    expect(zip.body.toString('latin1')).toContain(`${ayesha.serial}.pdf`);
    expect(zip.body.toString('latin1')).not.toContain(bilal.serial);
  });

  it('gives a manager without a programme an empty register and empty exports', async () => {
    const page = await nobody.get('/manage/certificates').expect(200);
    expect(serials(page.text)).toEqual([]);
    const csv = await nobody.get('/manage/certificates.csv').expect(200);
    expect(csv.text.replace(/^\uFEFF/, '').trim().split('\r\n')).toHaveLength(1);
    const zip = await zipOf(nobody, '/manage/certificates.zip');
    expect(zip.status).toBe(200);
    expect(serials(zip.body.toString('latin1'))).toEqual([]);
  });

  it('returns nothing when a manager filters by another manager\'s cohort', async () => {
    expect(serials((await saima.get(`/manage/certificates?cohort=${omarCohort}`).expect(200)).text)).toEqual([]);
    expect(serials((await saima.get(`/manage/certificates.csv?cohort=${omarCohort}`).expect(200)).text)).toEqual([]);
    expect(serials((await nobody.get(`/manage/certificates.csv?cohort=${omarCohort}`).expect(200)).text)).toEqual([]);
    const zip = await zipOf(saima, `/manage/certificates.zip?cohort=${omarCohort}`);
    expect(zip.status).toBe(200);
    expect(serials(zip.body.toString('latin1'))).toEqual([]);
    // Their own cohort still filters as before.
    expect(serials((await saima.get(`/manage/certificates.csv?cohort=${saimaCohort}`).expect(200)).text)).toEqual([ayesha.serial]);
  });

  it('refuses another programme\'s PDF, revocation, re-issue and retry, and changes nothing', async () => {
    const before = await state(bilal.id);
    for (const manager of [saima, nobody]) {
      await manager.get(`/certificates/${bilal.serial}.pdf`).expect(404);
      const revoke = await manager.submit('/manage/certificates', `/manage/certificates/${bilal.id}/revoke`, { reason: 'Not mine to revoke' });
      expect(revoke.status).toBe(404);
      const reissue = await manager.submit('/manage/certificates', `/manage/certificates/${bilal.id}/reissue`, { holderName: 'Someone Else', reason: 'Not mine' });
      expect(reissue.status).toBe(404);
      const retry = await manager.submit('/manage/certificates', `/manage/certificates/${bilal.id}/retry`, {});
      expect(retry.status).toBe(404);
    }
    expect(await state(bilal.id)).toEqual(before);
    expect(await db.getRepository(Certificate).countBy({ userId: bilal.userId })).toBe(1);
    // Their own programme's PDF opens.
    await omar.get(`/certificates/${bilal.serial}.pdf`).expect(200);
    await saima.get(`/certificates/${ayesha.serial}.pdf`).expect(200);
  });

  it('keeps a re-issued certificate and its replacement in the register of the manager who did it, and out of the other\'s', async () => {
    const reissued = await omar.submit('/manage/certificates', `/manage/certificates/${bilal.id}/reissue`, { holderName: 'Bilal Ahmed Khan', reason: 'Name corrected' });
    expect(reissued.status).toBe(303);
    const replacement = await waitFor('the replacement', async () => db.getRepository(Certificate).findOneBy({ userId: bilal.userId, status: 'issued' }));
    expect(serials((await omar.get('/manage/certificates').expect(200)).text)).toEqual([bilal.serial, replacement.serial].sort());
    expect(serials((await saima.get('/manage/certificates').expect(200)).text)).toEqual([ayesha.serial]);
    await saima.get(`/certificates/${replacement.serial}.pdf`).expect(404);
  });

  it('shows an admin every certificate', async () => {
    const all = serials((await admin.get('/manage/certificates').expect(200)).text);
    expect(all).toEqual(expect.arrayContaining([ayesha.serial, bilal.serial]));
    expect(all).toHaveLength(3);
    expect(serials((await admin.get(`/manage/certificates.csv?cohort=${omarCohort}`).expect(200)).text)).not.toContain(ayesha.serial);
    await admin.get(`/certificates/${ayesha.serial}.pdf`).expect(200);
  });
});
