import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { BulkEnrolmentService } from '../src/programmes/bulk-enrolment.service';
import { BACKGROUND_QUEUE } from '../src/queues/background.queue';
import { UsersService } from '../src/users/users.service';
import { courseIds, createCohort, createProgramme, importApplied, importRows, uploadCsv, userWithRole } from './support/programmes';
import { Browser, startTestApp, TestApp } from './support/test-app';

jest.setTimeout(120_000);

const CHUNK = 40;

/** 300 learners: 294 new, then a duplicated address (two rows) and four rows with problems. */
function learnersCsv(): string {
  const lines = ['name,email'];
  for (let i = 0; i < 294; i++) lines.push(`Learner ${i},bulk${i}@example.pk`);
  lines.push('Twice Once,twice@example.pk', 'Twice Again,twice@example.pk');
  lines.push('No Address,', 'Bad Address,not-an-email', ',noname@example.pk', 'Also Bad,also@bad');
  return lines.join('\r\n') + '\r\n';
}

describe('a CSV file is applied by the worker in chunks, with a progress page and a per-row result', () => {
  let t: TestApp;
  let db: DataSource;
  let queue: Queue;
  let manager: Browser;
  let programmeId: number;
  let cohortId: number;

  beforeAll(async () => {
    t = await startTestApp({ BACKGROUND_CHUNK_SIZE: String(CHUNK) });
    db = t.app.get(DataSource);
    queue = t.app.get<Queue>(getQueueToken(BACKGROUND_QUEUE));
    manager = await userWithRole(t, 'Hina Manager', 'hina@tdap.example.pk', 'manager');
    programmeId = await createProgramme(manager, 'Sialkot sports goods');
    cohortId = await createCohort(manager, programmeId, 'Batch A', await courseIds(t, ['alibaba-first-30-days']));
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await queue?.resume();
    await t?.close();
  });

  const count = async (sql: string) => Number((await db.query(sql))[0].n);

  it('answers the apply at once, shows the progress, survives a stopped worker and a failing chunk, and applies every row once', async () => {
    const upload = await uploadCsv(manager, programmeId, learnersCsv(), cohortId);
    expect(upload.status).toBe(303);
    const reportPath = upload.headers.location as string;
    const importId = Number(/imports\/(\d+)/.exec(reportPath)?.[1]);
    const usersBefore = await count('SELECT COUNT(*) AS n FROM users');

    // One chunk fails once, midway through making its accounts.
    const users = t.app.get(UsersService);
    const createInvited = users.createInvited.bind(users);
    let failed = false;
    jest.spyOn(users, 'createInvited').mockImplementation(async (manager, input) => {
      if (input.email === 'bulk130@example.pk' && !failed) {
        failed = true;
        throw new Error('the database went away for a moment');
      }
      return createInvited(manager, input);
    });

    await queue.pause();
    const applied = await manager.submit(reportPath, `${reportPath}/apply`, {});
    expect(applied.status).toBe(303);
    expect(applied.headers.location).toBe(reportPath);
    const progress = await manager.get(reportPath).expect(200);
    expect(progress.text).toContain('Applying the file: 0 of 300 rows (0 %)');
    expect(progress.text).toContain(`<a href="${reportPath}">Refresh this page</a>`);
    expect(await count('SELECT COUNT(*) AS n FROM users')).toBe(usersBefore);

    // A worker commits one chunk, then stops.
    expect(await t.app.get(BulkEnrolmentService).applyChunk(importId)).toBe('applying');
    expect(await count('SELECT COUNT(*) AS n FROM cohort_members')).toBe(CHUNK);
    expect((await manager.get(reportPath)).text).toContain(`Applying the file: ${CHUNK} of 300 rows (13 %)`);

    await queue.resume();
    await importApplied(t, importId);
    expect(failed).toBe(true);
    const [entry] = await db.query('SELECT status, done_rows, total_rows, cursor_line, error FROM enrolment_imports WHERE id = ?', [importId]);
    expect({ ...entry, done_rows: Number(entry.done_rows), total_rows: Number(entry.total_rows), cursor_line: Number(entry.cursor_line) }).toEqual({
      status: 'applied',
      done_rows: 300,
      total_rows: 300,
      cursor_line: 301,
      error: null,
    });
    expect(await count('SELECT COUNT(*) AS n FROM users') - usersBefore).toBe(294);
    expect(await count('SELECT COUNT(*) AS n FROM cohort_members')).toBe(294);
    expect(await count("SELECT COUNT(*) AS n FROM users WHERE email LIKE 'bulk%@example.pk'")).toBe(294);

    const page = await manager.get(reportPath).expect(200);
    expect(page.text).toContain('New accounts made: 294. Existing accounts enrolled: 0. Already in their cohort: 0. Rows not applied: 6.');
    const rows = importRows(page.text);
    expect(rows.filter((r) => r.outcome === 'created')).toHaveLength(294);
    expect(rows.filter((r) => r.outcome === 'error').map((r) => r.line)).toEqual([296, 297, 298, 299, 300, 301]);
    expect(rows.find((r) => r.line === 296)?.reason).toBe('The same email is on rows 296, 297: keep one of them.');
  });
});
