import { execFileSync } from 'node:child_process';
import { freePort, RoleProcess, waitFor } from './support/certificates';
import { Browser, startTestApp, TestApp } from './support/test-app';

/**
 * WEB_CONCURRENCY=2: one supervisor forks two web processes that share the port. A learner's
 * requests land on both (round robin) and every one of them knows the session; a web process
 * that dies is replaced.
 */
let t: TestApp;
let supervisor: RoleProcess;
let url: string;

function children(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map(Number).filter(Boolean);
  } catch {
    return [];
  }
}

const listening = (log: string) => (log.match(/ExportReady \(web\) on/g) ?? []).length;

beforeAll(async () => {
  t = await startTestApp();
  const port = await freePort();
  supervisor = RoleProcess.start(t, 'web', { PORT: String(port), WEB_CONCURRENCY: '2' });
  await supervisor.waitForLog(/supervising 2 web process/);
  await waitFor('two web processes listening', async () => listening(supervisor.log) >= 2, 60_000);
  url = `http://127.0.0.1:${port}`;
}, 120_000);

afterAll(async () => {
  await supervisor?.kill('SIGTERM');
  await t?.close();
});

describe('several web processes on one machine', () => {
  it('serves a signed-in learner from both processes and replaces one that dies', async () => {
    const pids = children(supervisor.pid);
    expect(pids).toHaveLength(2);

    const learner = new Browser(url as never);
    await learner.register('Round Robin', 'round.robin@example.pk');
    for (let i = 0; i < 10; i++) expect((await learner.get('/dashboard')).status).toBe(200);

    process.kill(pids[0], 'SIGKILL');
    await supervisor.waitForLog(/exited \(SIGKILL\); starting another/);
    await waitFor('a replacement web process', async () => listening(supervisor.log) >= 3, 60_000);
    const now = children(supervisor.pid);
    expect(now).toHaveLength(2);
    expect(now).not.toContain(pids[0]);
    for (let i = 0; i < 10; i++) expect((await learner.get('/dashboard')).status).toBe(200);
  });
});
