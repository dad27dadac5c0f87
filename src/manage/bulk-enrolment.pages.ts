import { Injectable } from '@nestjs/common';
import { CSV_BOM, csvLine } from '../common/csv';
import { DomainError } from '../common/domain-error';
import { I18nService } from '../i18n/i18n.service';
import { BulkEnrolmentService, CSV_COLUMNS, MAX_ROWS } from '../programmes/bulk-enrolment.service';
import { Programme } from '../programmes/entities/programme.entity';
import { InvitationsService } from '../programmes/invitations.service';
import { CHOICES, PROFILE_FIELDS } from '../programmes/profile-fields';
import { ProgrammesService } from '../programmes/programmes.service';
import type { Locale } from '../users/user.entity';

/** What the bulk enrolment pages show. */
@Injectable()
export class BulkEnrolmentPages {
  constructor(
    private readonly programmes: ProgrammesService,
    private readonly bulk: BulkEnrolmentService,
    private readonly invitations: InvitationsService,
    private readonly i18n: I18nService,
  ) {}

  message(locale: Locale, error: DomainError): string {
    return this.i18n.translate(locale, error.messageKey, error.params);
  }

  async form(programme: Programme, extra: { defaultCohortId?: number | null; fileError?: string }) {
    const cohorts = await this.programmes.cohortsOf(programme.id);
    return {
      programme,
      cohorts: cohorts.map((c) => ({ id: c.id, name: c.name, selected: c.id === extra.defaultCohortId })),
      fileError: extra.fileError,
      maxRows: MAX_ROWS,
      columns: [
        { name: CSV_COLUMNS.name, required: true, key: 'name' },
        { name: CSV_COLUMNS.email, required: true, key: 'email' },
        { name: CSV_COLUMNS.cohort, required: false, key: 'cohort' },
        ...PROFILE_FIELDS.map((field) => ({
          name: CSV_COLUMNS[field],
          required: programme.requiredFields.includes(field),
          key: field,
          codes: field in CHOICES ? CHOICES[field as keyof typeof CHOICES].join(', ') : null,
        })),
      ],
    };
  }

  /** A header row and one example row, to fill in a spreadsheet. */
  async template(programme: Programme): Promise<{ filename: string; csv: string }> {
    const [cohort] = await this.programmes.cohortsOf(programme.id);
    const header = ['name', 'email', 'cohort', ...PROFILE_FIELDS.map((f) => CSV_COLUMNS[f])];
    const example = ['Ayesha Khan', 'ayesha@example.pk', cohort?.name ?? '', 'Khan Leather Works', 'leather', 'Sialkot', 'punjab', 'female', 'small', 'alibaba;etsy', 'preparing'];
    return { filename: `programme-${programme.id}-enrolment-template.csv`, csv: CSV_BOM + csvLine(header) + csvLine(example) };
  }

  async report(programme: Programme, importId: number, locale: Locale) {
    const entry = await this.bulk.findImport(programme.id, importId);
    const report = await this.bulk.stored(entry);
    const t = (key: string, params?: Record<string, string | number>) => this.i18n.translate(locale, key, params);
    const applying = entry.status === 'waiting' || entry.status === 'applying';
    return {
      programme,
      entry,
      applied: entry.status === 'applied',
      applying,
      failed: entry.status === 'failed',
      percent: entry.totalRows ? Math.floor((entry.doneRows * 100) / entry.totalRows) : 0,
      counts: report.counts,
      pendingInvitations: report.pendingInvitations,
      mailEnabled: this.invitations.mailEnabled,
      toApply: report.counts.created + report.counts.enrolled,
      rows: report.rows.map((row) => ({
        ...row,
        isError: row.outcome === 'error',
        // Lines up to the cursor were applied (their outcome is final); the rest are still the dry run's.
        outcomeLabel: t(`bulk.outcomes.${row.outcome}${row.line <= entry.cursorLine || row.outcome === 'error' ? '' : '_planned'}`),
        reasonText: row.reason ? t(row.reason.key, row.reason.params) : '',
      })),
    };
  }

  async linksCsv(programme: Programme, importId: number): Promise<{ filename: string; csv: string }> {
    const links = await this.bulk.invitationLinks(programme.id, importId);
    const lines = links.map((l) => csvLine([l.user.name, l.user.email, l.cohort, l.url, l.expiresAt.toISOString().slice(0, 10)]));
    return { filename: `programme-${programme.id}-import-${importId}-set-password-links.csv`, csv: CSV_BOM + csvLine(['name', 'email', 'cohort', 'set_password_link', 'expires_on']) + lines.join('') };
  }
}
