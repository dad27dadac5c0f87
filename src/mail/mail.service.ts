import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import nodemailer, { Transporter } from 'nodemailer';
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
  private readonly transport: Transporter | null;

  constructor(@Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'smtpUrl' | 'mailFrom'>) {
    this.transport = config.smtpUrl ? nodemailer.createTransport(config.smtpUrl) : null;
  }

  get enabled(): boolean {
    return this.transport !== null;
  }

  /** True when the SMTP server took the mail; `what` names it in the log if it did not. */
  async send(mail: PlainMail, what: string): Promise<boolean> {
    if (!this.transport) return false;
    try {
      await this.transport.sendMail({ from: this.config.mailFrom, ...mail });
      return true;
    } catch (error) {
      this.logger.warn(`could not mail ${what}: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }
}
