import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { I18nService } from '../i18n/i18n.service';
import { MailService } from '../mail/mail.service';
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
export class CertificateMailer {
  constructor(
    private readonly mail: MailService,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'issuerName'>,
    private readonly i18n: I18nService,
  ) {}

  get enabled(): boolean {
    return this.mail.enabled;
  }

  /** True when the mail was handed to the SMTP server; a failure is logged, never thrown (the in-app notice remains). */
  sendCertificateReady(mail: CertificateReadyMail): Promise<boolean> {
    const t = (key: string) => this.i18n.translate(mail.locale, `certificates.mail.${key}`, { ...mail, course: mail.courseTitle, name: mail.holderName, issuer: this.config.issuerName });
    return this.mail.send(
      {
        to: mail.to,
        subject: t('subject'),
        text: [t('greeting'), '', t('body'), '', t('verify'), mail.verifyUrl, '', t('download'), mail.dashboardUrl, '', t('signature')].join('\n'),
      },
      `certificate ${mail.serial}`,
    );
  }
}
