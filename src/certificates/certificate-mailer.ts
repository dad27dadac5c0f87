import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import nodemailer, { Transporter } from 'nodemailer';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { I18nService } from '../i18n/i18n.service';
import type { Locale } from '../users/user.entity';

export interface CertificateReadyMail {
  to: string;
  locale: Locale;
  holderName: string;
  courseTitle: string;
  serial: string;
  verifyUrl: string;
  dashboardUrl: string;
}

/**
 * "Your certificate is ready", by mail when SMTP_URL is set. Without it nothing is sent and the
 * learner sees an in-app notice on the dashboard instead.
 */
@Injectable()
export class CertificateMailer implements OnModuleDestroy {
  private readonly logger = new Logger('CertificateMail');
  private readonly transport: Transporter | null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly i18n: I18nService,
  ) {
    this.transport = config.smtpUrl ? nodemailer.createTransport(config.smtpUrl) : null;
  }

  get enabled(): boolean {
    return this.transport !== null;
  }

  /** True when the mail was handed to the SMTP server; a failure is logged, never thrown (the in-app notice remains). */
  async sendCertificateReady(mail: CertificateReadyMail): Promise<boolean> {
    if (!this.transport) return false;
    const t = (key: string) => this.i18n.translate(mail.locale, `certificates.mail.${key}`, { ...mail, course: mail.courseTitle, name: mail.holderName, issuer: this.config.issuerName });
    try {
      await this.transport.sendMail({
        from: this.config.mailFrom,
        to: mail.to,
        subject: t('subject'),
        text: [t('greeting'), '', t('body'), '', t('verify'), mail.verifyUrl, '', t('download'), mail.dashboardUrl, '', t('signature')].join('\n'),
      });
      return true;
    } catch (error) {
      this.logger.warn(`could not mail certificate ${mail.serial}: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }
}
