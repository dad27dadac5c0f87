import { AppConfig } from '../config/app-config';
import { I18nService } from '../i18n/i18n.service';
import { fakeSmtpServer } from '../../test/support/smtp';
import { MailService } from '../mail/mail.service';
import { CertificateMailer } from './certificate-mailer';

const mail = {
  to: 'ayesha@example.pk',
  locale: 'ur' as const,
  holderName: 'عائشہ خان',
  courseTitle: 'Pricing for export',
  serial: 'ER-2026-000042',
  verifyUrl: 'https://exportready.example/verify/ER-2026-000042',
  dashboardUrl: 'https://exportready.example/dashboard',
};

/** The mailer over its own MailService, and that service, to close its SMTP connection. */
function mailerWith(config: AppConfig) {
  const smtp = new MailService(config);
  return { mailer: new CertificateMailer(smtp, config, new I18nService()), smtp };
}

describe(CertificateMailer.name, () => {
  it('sends nothing and says so when SMTP is not configured (learners get the in-app notice)', async () => {
    const { mailer } = mailerWith({ smtpUrl: null } as AppConfig);
    expect(mailer.enabled).toBe(false);
    await expect(mailer.sendCertificateReady(mail)).resolves.toBe(false);
  });

  it('mails "your certificate is ready" in the learner\'s language, with the verification link', async () => {
    const smtp = await fakeSmtpServer();
    const { mailer, smtp: transport } = mailerWith({ smtpUrl: `smtp://127.0.0.1:${smtp.port}`, mailFrom: 'ExportReady <no-reply@exportready.example>', issuerName: 'ExportReady' } as AppConfig);
    try {
      await expect(mailer.sendCertificateReady(mail)).resolves.toBe(true);
      expect(smtp.messages).toHaveLength(1);
      const [headers, body] = smtp.messages[0].split('\r\n\r\n');
      expect(headers).toMatch(/^To: ayesha@example\.pk$/m);
      expect(headers).toMatch(/^Subject: =\?UTF-8\?/m);
      const text = /base64/i.test(headers) ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') : body;
      expect(text).toContain('السلام علیکم عائشہ خان');
      expect(text).toContain('https://exportready.example/verify/ER-2026-000042');
    } finally {
      transport.onModuleDestroy();
      smtp.server.close();
    }
  });

  it('reports a failed delivery instead of throwing: the certificate is issued all the same', async () => {
    const { mailer, smtp: transport } = mailerWith({ smtpUrl: 'smtp://127.0.0.1:1', mailFrom: 'x <x@example.pk>', issuerName: 'ExportReady' } as AppConfig);
    await expect(mailer.sendCertificateReady(mail)).resolves.toBe(false);
    transport.onModuleDestroy();
  });
});
