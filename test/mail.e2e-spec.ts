import { courseIds, createCohort, createProgramme, importApplied, PASSWORD, uploadCsv, userWithRole } from './support/programmes';
import { waitFor } from './support/certificates';
import { completeCourse } from './support/learning';
import { FakeSmtp, fakeSmtpServer, readMail } from './support/smtp';
import { Browser, csrfFrom, startTestApp, TestApp } from './support/test-app';

jest.setTimeout(120_000);

/** Everything mailed to one address so far, decoded. */
function mailsTo(smtp: FakeSmtp, email: string) {
  return smtp.messages.map(readMail).filter((m) => new RegExp(`^To: ${email.replace(/[.+]/g, '\\$&')}$`, 'm').test(m.headers));
}

describe('mail, with SMTP_URL set: one connection for set-password links and certificates', () => {
  let smtp: FakeSmtp;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await fakeSmtpServer();
    t = await startTestApp({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, MAIL_FROM: 'ExportReady <no-reply@exportready.example>' });
  });

  afterAll(async () => {
    await t?.close();
    smtp?.server.close();
  });

  it('mails each account made by bulk enrolment its set-password link, in English or Urdu, and the link works once', async () => {
    const manager = await userWithRole(t, 'Rabia Manager', 'rabia@tdap.example.pk', 'manager');
    const programmeId = await createProgramme(manager, 'Mail pilot');
    const cohortId = await createCohort(manager, programmeId, 'Faisalabad Batch 1', await courseIds(t, ['alibaba-first-30-days']));
    const upload = await uploadCsv(manager, programmeId, 'name,email\r\nNoor Fatima,noor@towels.example.pk\r\nUsman Ali,usman@towels.example.pk\r\n', cohortId);
    expect(upload.status).toBe(303);
    const report = await manager.get(upload.headers.location as string).expect(200);
    expect(report.text).not.toContain('Email is not set up on this site');
    expect((await manager.agent.post(`${upload.headers.location}/apply`).type('form').send({ _csrf: csrfFrom(report.text) })).status).toBe(303);
    await importApplied(t, upload.headers.location as string);
    // The worker mails the links once the chunk that made the accounts committed.
    await waitFor('the set-password mails', async () => mailsTo(smtp, 'usman@towels.example.pk').length > 0 && mailsTo(smtp, 'noor@towels.example.pk').length > 0);

    const [noorMail] = mailsTo(smtp, 'noor@towels.example.pk');
    expect(mailsTo(smtp, 'usman@towels.example.pk')).toHaveLength(1);
    expect(noorMail.headers).toMatch(/^From: ExportReady <no-reply@exportready\.example>$/m);
    expect(noorMail.text).toContain('Mail pilot');
    const link = /https?:\/\/\S+\/set-password\/[A-Za-z0-9_-]+/.exec(noorMail.text)?.[0] as string;
    expect(link).toBeDefined();

    const path = new URL(link).pathname;
    const noor = new Browser(t.server);
    const form = await noor.get(path).expect(200);
    expect(form.text).toContain('noor@towels.example.pk');
    expect((await noor.agent.post(path).type('form').send({ _csrf: csrfFrom(form.text), password: PASSWORD })).status).toBe(303);
    await new Browser(t.server).get(path).expect(410);
  });

  it('mails a learner when the worker has issued their certificate, with its verification link', async () => {
    const learner = new Browser(t.server);
    await learner.register('عائشہ خان', 'ayesha@towels.example.pk', PASSWORD, 'ur');
    await completeCourse(t, learner, 'alibaba-first-30-days');
    const [mail] = await waitFor('the certificate mail', async () => {
      // The first mail is the welcome that signing up sends with SMTP set.
      const found = mailsTo(smtp, 'ayesha@towels.example.pk').filter((m) => m.text.includes('/verify/'));
      return found.length ? found : null;
    }, 30_000);
    expect(mail.text).toContain('عائشہ خان');
    expect(mail.text).toMatch(/\/verify\/ER-\d{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}/);
  });
});
