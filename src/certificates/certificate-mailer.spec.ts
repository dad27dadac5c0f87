import { once } from 'node:events';
import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { AppConfig } from '../config/app-config';
import { I18nService } from '../i18n/i18n.service';
import { CertificateMailer } from './certificate-mailer';

/** Just enough SMTP to accept one message and keep what was sent. */
async function fakeSmtpServer(): Promise<{ server: Server; port: number; messages: string[] }> {
  const messages: string[] = [];
  const server = createServer((socket: Socket) => {
    let buffer = '';
    let inData = false;
    socket.write('220 fake.smtp ready\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          messages.push(buffer.slice(0, end));
          buffer = buffer.slice(end + 5);
          inData = false;
          socket.write('250 queued\r\n');
          continue;
        }
        const newline = buffer.indexOf('\r\n');
        if (newline < 0) return;
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 2);
        if (/^EHLO/i.test(line)) socket.write('250-fake.smtp\r\n250 8BITMIME\r\n');
        else if (/^DATA/i.test(line)) {
          inData = true;
          socket.write('354 go on\r\n');
        } else if (/^QUIT/i.test(line)) socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, messages };
}

const mail = {
  to: 'ayesha@example.pk',
  locale: 'ur' as const,
  holderName: 'عائشہ خان',
  courseTitle: 'Pricing for export',
  serial: 'ER-2026-000042',
  verifyUrl: 'https://exportready.example/verify/ER-2026-000042',
  dashboardUrl: 'https://exportready.example/dashboard',
};

describe(CertificateMailer.name, () => {
  it('sends nothing and says so when SMTP is not configured (learners get the in-app notice)', async () => {
    const mailer = new CertificateMailer({ smtpUrl: null } as AppConfig, new I18nService());
    expect(mailer.enabled).toBe(false);
    await expect(mailer.sendCertificateReady(mail)).resolves.toBe(false);
  });

  it('mails "your certificate is ready" in the learner\'s language, with the verification link', async () => {
    const smtp = await fakeSmtpServer();
    const mailer = new CertificateMailer({ smtpUrl: `smtp://127.0.0.1:${smtp.port}`, mailFrom: 'ExportReady <no-reply@exportready.example>', issuerName: 'ExportReady' } as AppConfig, new I18nService());
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
      mailer.onModuleDestroy();
      smtp.server.close();
    }
  });

  it('reports a failed delivery instead of throwing: the certificate is issued all the same', async () => {
    const mailer = new CertificateMailer({ smtpUrl: 'smtp://127.0.0.1:1', mailFrom: 'x <x@example.pk>', issuerName: 'ExportReady' } as AppConfig, new I18nService());
    await expect(mailer.sendCertificateReady(mail)).resolves.toBe(false);
    mailer.onModuleDestroy();
  });
});
