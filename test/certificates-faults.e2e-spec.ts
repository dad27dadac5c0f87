import { getQueueToken } from '@nestjs/bullmq';
import { createServer } from 'node:net';
import { once } from 'node:events';
import type { Queue } from 'bullmq';
import request from 'supertest';
import { DataSource, In } from 'typeorm';
import { CertificateOutbox } from '../src/certificates/certificate-outbox.entity';
import { Certificate } from '../src/certificates/certificate.entity';
import { CERTIFICATES_QUEUE, ISSUE_CERTIFICATE_JOB, issueCertificateJobId } from '../src/certificates/certificates.queue';
import { certificatePdfFiles, completeEnrolments, OwnRedis, RoleProcess, waitFor } from './support/certificates';
import { startTestApp, TestApp } from './support/test-app';

// Real processes, a Redis of our own that gets stopped, workers that get killed: slow by nature.
jest.setTimeout(180_000);

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  return port;
}

describe('certificates when Redis or the worker fall over', () => {
  let redis: OwnRedis;
  let t: TestApp;
  let worker: RoleProcess | null = null;
  const processes: RoleProcess[] = [];

  const certificates = () => t.app.get(DataSource).getRepository(Certificate);
  const issuedCount = (courseId: number) => certificates().countBy({ courseId, status: 'issued' });
  const startWorker = async (env: Record<string, string> = {}) => {
    const started = RoleProcess.start(t, 'worker', env);
    processes.push(started);
    await started.waitForLog(/ExportReady \(worker\) consuming queues/);
    return started;
  };

  beforeAll(async () => {
    redis = await OwnRedis.start();
    // The web role only: certificates are issued by the separate worker process.
    t = await startTestApp({ REDIS_URL: redis.url, ROLE: 'web' });
    worker = await startWorker();
  });

  afterAll(async () => {
    for (const child of processes) await child.kill();
    await t?.close();
    await redis?.stop();
  });

  it('keeps the site working while Redis is down, then issues exactly one certificate per completion', async () => {
    await redis.stop();
    const courseId = await completeEnrolments(t, 50, 'outage');
    // Learners carry on: pages render, completions commit; the requests wait in the outbox.
    await request(t.server).get('/courses').expect(200);
    const ready = await request(t.server).get('/health/ready').expect(200);
    expect(ready.body.status).toBe('degraded');
    const waiting = await certificates().findBy({ courseId });
    expect(waiting).toHaveLength(50);
    expect(waiting.every((c) => c.status === 'pending')).toBe(true);
    const outbox = t.app.get(DataSource).getRepository(CertificateOutbox);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await outbox.findBy({ certificateId: In(waiting.map((c) => c.id)) })).every((row) => row.sentAt === null)).toBe(true);

    await redis.start();
    await waitFor('50 issued certificates', async () => (await issuedCount(courseId)) === 50, 90_000, 250);
    expect(await certificates().countBy({ courseId })).toBe(50);
    const serials = (await certificates().findBy({ courseId })).map((c) => `${c.serial}.pdf`);
    expect(certificatePdfFiles(t).filter((file) => serials.includes(file))).toHaveLength(50);
    expect((await outbox.findBy({ certificateId: In(waiting.map((c) => c.id)) })).every((row) => row.sentAt !== null)).toBe(true);
  });

  it('loses nothing and duplicates nothing when the worker is killed mid-batch and restarted', async () => {
    await worker?.kill();
    // One job at a time, so the batch is still running when the worker dies.
    worker = await startWorker({ WORKER_CONCURRENCY: '1' });
    const count = 150;
    const courseId = await completeEnrolments(t, count, 'killed');
    await waitFor('the batch to be under way', async () => (await issuedCount(courseId)) >= 10, 60_000, 20);
    await worker.kill('SIGKILL');
    const issuedWhenKilled = await issuedCount(courseId);
    expect(issuedWhenKilled).toBeLessThan(count);

    worker = await startWorker();
    await waitFor(`${count} issued certificates`, async () => (await issuedCount(courseId)) === count, 120_000, 250);
    const rows = await certificates().findBy({ courseId });
    expect(rows).toHaveLength(count);
    expect(new Set(rows.map((c) => c.enrollmentId)).size).toBe(count);
    const files = certificatePdfFiles(t);
    expect(files.every((file) => /^ER-\d{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}\.pdf$/.test(file))).toBe(true);
    expect(files.filter((file) => rows.some((c) => `${c.serial}.pdf` === file))).toHaveLength(count);
    expect(new Set(files).size).toBe(files.length);
  });

  it('issues one certificate when the same certificate is queued several times at once', async () => {
    await worker?.kill();
    const courseId = await completeEnrolments(t, 1, 'twice');
    const [pending] = await certificates().findBy({ courseId });
    const queue = t.app.get<Queue>(getQueueToken(CERTIFICATES_QUEUE));
    await waitFor('the relay to queue the job', async () => (await queue.getJobState(issueCertificateJobId(pending))) === 'waiting');
    // The same job id again is ignored by BullMQ; other ids for the same certificate all run.
    const again = await queue.add(ISSUE_CERTIFICATE_JOB, { certificateId: pending.id }, { jobId: issueCertificateJobId(pending) });
    expect(again.id).toBe(issueCertificateJobId(pending));
    const ids = [issueCertificateJobId(pending), ...['a', 'b', 'c'].map((suffix) => issueCertificateJobId(pending, `duplicate-${suffix}`))];
    for (const id of ids.slice(1)) await queue.add(ISSUE_CERTIFICATE_JOB, { certificateId: pending.id }, { jobId: id });
    expect(await queue.getWaitingCount()).toBe(4);

    worker = await startWorker({ WORKER_CONCURRENCY: '4' });
    const outcomes = await Promise.all(
      ids.map((id) =>
        waitFor(`job ${id}`, async () => (await queue.getJobState(id)) === 'completed' && (await queue.getJob(id))?.returnvalue, 60_000),
      ),
    );
    expect(outcomes.filter((outcome) => outcome === 'issued')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome !== 'issued').every((outcome) => outcome === 'already-issued' || outcome === 'not-pending')).toBe(true);
    expect(await certificates().countBy({ courseId })).toBe(1);
    expect(certificatePdfFiles(t).filter((file) => file === `${pending.serial}.pdf`)).toHaveLength(1);
  });

  it('starts the web and all roles without any Redis, and serves pages', async () => {
    for (const role of ['web', 'all'] as const) {
      const port = await freePort();
      const app = RoleProcess.start(t, role, { PORT: String(port), BASE_URL: `http://127.0.0.1:${port}`, REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
      processes.push(app);
      await app.waitForLog(new RegExp(`ExportReady \\(${role}\\) on`));
      await request(`http://127.0.0.1:${port}`).get('/courses').expect(200);
      await request(`http://127.0.0.1:${port}`).get('/verify/ER-2026-999999').expect(404);
      await app.kill('SIGTERM');
      // Once per queue (certificates, background, scheduled, videos) and per consumer or relay at most, not once per reconnection.
      expect((app.log.match(/Redis is not answering/g) ?? []).length).toBeLessThanOrEqual(role === 'all' ? 9 : 5);
    }
  });
});
