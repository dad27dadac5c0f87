import { DataSource } from 'typeorm';
import { courseIds, createCohort, createProgramme, importApplied, importRows, unescapeHtml, uploadCsv, userWithRole } from './support/programmes';
import { Browser, csrfFrom, startTestApp, TestApp } from './support/test-app';

jest.setTimeout(120_000);

/** Rows in the tables a bad upload must leave untouched. */
async function footprint(t: TestApp) {
  const db = t.app.get(DataSource);
  const count = async (table: string) => Number((await db.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
  return { users: await count('users'), members: await count('cohort_members'), enrollments: await count('enrollments'), imports: await count('enrolment_imports') };
}

function alertOf(html: string): string {
  return unescapeHtml(/<div class="alert" role="alert"><p>([^<]*)<\/p><\/div>/.exec(html)?.[1] ?? '');
}

describe('bulk enrolment refuses bad files with a clear reason and applies nothing of them', () => {
  let t: TestApp;
  let manager: Browser;
  let programmeId: number;
  let cohortId: number;

  beforeAll(async () => {
    t = await startTestApp();
    manager = await userWithRole(t, 'Imran Manager', 'imran@smeda.example.pk', 'manager');
    programmeId = await createProgramme(manager, 'Sialkot Sports Goods Exporters', ['sector']);
    cohortId = await createCohort(manager, programmeId, 'Batch A', await courseIds(t, ['alibaba-first-30-days']));
  });

  afterAll(async () => {
    await t?.close();
  });

  it('explains a file saved in a Windows code page rather than UTF-8', async () => {
    const before = await footprint(t);
    const latin1 = Buffer.from('name,email,cohort,sector\r\nJosé Müller,jose@example.pk,Batch A,leather\r\n', 'latin1');
    const response = await uploadCsv(manager, programmeId, latin1);
    expect(response.status).toBe(400);
    expect(alertOf(response.text)).toBe('The file is not in UTF-8, so names would come out garbled. In Excel, use Save As and choose “CSV UTF-8 (Comma delimited)”, then upload it again.');
    expect(await footprint(t)).toEqual(before);
  });

  it('explains a file saved as UTF-16 ("Unicode text")', async () => {
    const before = await footprint(t);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('name,email,cohort,sector\r\nعائشہ,aisha@example.pk,Batch A,leather\r\n', 'utf16le')]);
    const response = await uploadCsv(manager, programmeId, utf16);
    expect(response.status).toBe(400);
    expect(alertOf(response.text)).toContain('The file is saved as UTF-16');
    expect(await footprint(t)).toEqual(before);
  });

  it('accepts Excel\'s "CSV UTF-8" (with its byte order mark) and semicolons', async () => {
    const file = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Name;E-mail;Cohort;Sector\r\nعائشہ صدیقی;aisha@example.pk;batch a;چمڑا\r\n', 'utf8')]);
    const response = await uploadCsv(manager, programmeId, file);
    expect(response.status).toBe(303);
    const rows = importRows((await manager.get(response.headers.location as string)).text);
    expect(rows.map((r) => [r.line, r.outcome, r.email])).toEqual([[2, 'created', 'aisha@example.pk']]);
  });

  it('names the missing columns', async () => {
    const before = await footprint(t);
    const response = await uploadCsv(manager, programmeId, 'learner,phone\r\nAli,0300-1234567\r\n');
    expect(response.status).toBe(400);
    expect(alertOf(response.text)).toBe('The file has no column for: name, email, cohort. The first line must name the columns, as in the template.');
    const withDefault = await uploadCsv(manager, programmeId, 'full name,phone\r\nAli,0300\r\n', cohortId);
    expect(alertOf(withDefault.text)).toBe('The file has no column for: email. The first line must name the columns, as in the template.');
    expect(await footprint(t)).toEqual(before);
  });

  it('points at a quote that never closes, with its line', async () => {
    const response = await uploadCsv(manager, programmeId, 'name,email,cohort,sector\r\nAli,ali@example.pk,Batch A,leather\r\n"Bad,bad@example.pk,Batch A,leather\r\n');
    expect(response.status).toBe(400);
    expect(alertOf(response.text)).toBe('The file is not valid CSV: a quoted cell that starts on line 3 never ends.');
  });

  it('flags every row of an email given twice, applies neither, and applies the rest', async () => {
    const before = await footprint(t);
    const file = [
      'name,email,cohort,sector',
      'Hamza Iqbal,hamza@example.pk,Batch A,sports_goods',
      'Sara Javed,sara@example.pk,Batch A,sports_goods',
      'Hamza I.,HAMZA@example.pk,Batch A,sports_goods',
      'No Sector,nosector@example.pk,Batch A,',
    ].join('\r\n');
    const response = await uploadCsv(manager, programmeId, file);
    const path = response.headers.location as string;
    const rows = importRows((await manager.get(path)).text);
    expect(rows.map((r) => [r.line, r.outcome, r.reason])).toEqual([
      [2, 'error', 'The same email is on rows 2, 4: keep one of them.'],
      [3, 'created', ''],
      [4, 'error', 'The same email is on rows 2, 4: keep one of them.'],
      [5, 'error', 'Missing what this programme requires: sector.'],
    ]);
    await manager.submit(path, `${path}/apply`, {});
    await importApplied(t, path);
    const after = await footprint(t);
    expect(after.users - before.users).toBe(1);
    const [{ n }] = await t.app.get(DataSource).query("SELECT COUNT(*) AS n FROM users WHERE email IN ('hamza@example.pk', 'nosector@example.pk')");
    expect(Number(n)).toBe(0);
  });

  it('refuses a 20 MB file, keeping none of it and saying what the limit is', async () => {
    const before = await footprint(t);
    const row = 'Learner Name,learner@example.pk,Batch A,leather\r\n';
    const big = Buffer.from(`name,email,cohort,sector\r\n${row.repeat(Math.ceil((20 * 1024 * 1024) / row.length))}`);
    expect(big.length).toBeGreaterThan(20 * 1024 * 1024);
    const response = await uploadCsv(manager, programmeId, big);
    expect(response.status).toBe(413);
    expect(alertOf(response.text)).toBe('The file is larger than 2 MB. Split it into smaller files of up to 5,000 rows each.');
    expect(await footprint(t)).toEqual(before);
  });

  it('refuses more rows than one upload may hold, and an upload without a file', async () => {
    const rows = Array.from({ length: 5001 }, (_, i) => `Learner ${i},l${i}@example.pk,Batch A,leather`);
    const response = await uploadCsv(manager, programmeId, ['name,email,cohort,sector', ...rows].join('\n'));
    expect(response.status).toBe(400);
    expect(alertOf(response.text)).toBe('The file has 5,001 rows; the limit is 5,000. Split it into smaller files.');
    const page = await manager.get(`/manage/programmes/${programmeId}/import`);
    const noFile = await manager.agent.post(`/manage/programmes/${programmeId}/import`).field('_csrf', csrfFrom(page.text)).field('defaultCohortId', '');
    expect(noFile.status).toBe(400);
    expect(alertOf(noFile.text)).toBe('Choose a CSV file to upload.');
  });

  it('still checks the form token on an upload', async () => {
    const response = await manager.agent.post(`/manage/programmes/${programmeId}/import`).field('_csrf', 'forged').attach('file', Buffer.from('name,email\r\n'), 'x.csv');
    expect(response.status).toBe(403);
  });
});
