import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { CertificateOutbox } from '../src/certificates/certificate-outbox.entity';
import { Certificate } from '../src/certificates/certificate.entity';
import { CERTIFICATES_QUEUE } from '../src/certificates/certificates.queue';
import { completeEnrolments, waitFor } from './support/certificates';
import { deleteQueueKeys, testQueuePrefix } from './support/redis';
import { startTestApp, TestApp } from './support/test-app';

jest.setTimeout(120_000);

async function issuedCertificate(t: TestApp, courseId: number): Promise<Certificate> {
  return waitFor(
    'the certificate to be issued',
    async () => t.app.get(DataSource).getRepository(Certificate).findOneBy({ courseId, status: 'issued' }),
    // A dropped job would only come back with the 15-minute re-queue: seconds mean it went through.
    10_000,
  );
}

describe('certificates after a database restore, with the same Redis and queue prefix', () => {
  const prefix = testQueuePrefix();
  let before: TestApp | null = null;
  let after: TestApp | null = null;

  afterAll(async () => {
    await before?.app.close();
    await before?.db.drop();
    await after?.close();
    await deleteQueueKeys(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix);
  });

  it('issues a new certificate promptly instead of dropping its job as a duplicate of an old one', async () => {
    before = await startTestApp({ QUEUE_PREFIX: prefix, IMPORT_CONTENT_ON_START: 'false' });
    const first = await issuedCertificate(before, await completeEnrolments(before, 1, 'before'));
    const [oldJob] = await before.app.get<Queue>(getQueueToken(CERTIFICATES_QUEUE)).getJobs(['completed']);
    expect(oldJob.data.certificateId).toBe(first.id);
    // The database is gone (restored from an older backup, or reset); Redis keeps its completed jobs.
    await before.app.close();
    await before.db.drop();
    before = null;

    after = await startTestApp({ QUEUE_PREFIX: prefix, IMPORT_CONTENT_ON_START: 'false' });
    const courseId = await completeEnrolments(after, 1, 'after');
    const [row] = await after.app.get(DataSource).getRepository(CertificateOutbox).find();
    // The ids start again from 1, as they did before the restore.
    expect(row.certificateId).toBe(first.id);
    expect(row.jobId).not.toBe(oldJob.id);
    const second = await issuedCertificate(after, courseId);
    expect(second.serial).not.toBe(first.serial);
  });
});
