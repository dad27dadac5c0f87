import { once } from 'node:events';
import { AddressInfo, createServer, Server, Socket } from 'node:net';

export interface FakeSmtp {
  server: Server;
  port: number;
  /** Each message as sent after DATA: headers, a blank line, the body. */
  messages: string[];
}

/** Just enough SMTP to accept messages and keep what was sent. */
export async function fakeSmtpServer(): Promise<FakeSmtp> {
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


/** A message's headers and its text, decoded from base64 or quoted-printable as nodemailer chose. */
export function readMail(message: string): { headers: string; text: string } {
  const split = message.indexOf('\r\n\r\n');
  const headers = message.slice(0, split);
  const body = message.slice(split + 4);
  if (/^Content-Transfer-Encoding: base64/im.test(headers)) return { headers, text: Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') };
  if (/^Content-Transfer-Encoding: quoted-printable/im.test(headers)) {
    const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return { headers, text: Buffer.from(bytes, 'latin1').toString('utf8') };
  }
  return { headers, text: body };
}
