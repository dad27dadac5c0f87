import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { Transporter } from 'nodemailer';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

export interface PlainMail {
  to: string;
  subject: string;
  text: string;
}

/**
 * The one SMTP connection (SMTP_URL). Without it nothing is sent and callers fall back to what
 * they show in the app (the dashboard notice, the manager's CSV of links). A failed send is
 * logged and reported as false, never thrown: mail is a courtesy, not part of any transaction.
 */
@Injectable()
export class MailService implements OnModuleDestroy {
  private readonly logger = new Logger('Mail');
  /** Made on the first mail: nodemailer costs every process about 12 MB, most never send one. */
  private transport?: Promise<Transporter>;

  constructor(@Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'smtpUrl' | 'mailFrom'>) {}

  get enabled(): boolean {
    return this.config.smtpUrl !== null;
  }

  private transporter(url: string): Promise<Transporter> {
    this.transport ??= import('nodemailer').then((module) => module.default.createTransport(url));
    return this.transport;
  }

  /** True when the SMTP server took the mail; `what` names it in the log if it did not. */
  async send(mail: PlainMail, what: string): Promise<boolean> {
    if (!this.config.smtpUrl) return false;
    try {
      await (await this.transporter(this.config.smtpUrl)).sendMail({ from: this.config.mailFrom, ...mail });
      return true;
    } catch (error) {
      this.logger.warn(`could not mail ${what}: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  }

  async onModuleDestroy(): Promise<void> {
    (await this.transport?.catch(() => undefined))?.close();
  }
}
