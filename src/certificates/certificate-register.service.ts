import { Inject, Injectable } from '@nestjs/common';
import { Brackets, DataSource, Repository, SelectQueryBuilder } from 'typeorm';
import { CSV_BOM, csvLine } from '../common/csv';
import { containsPattern, LIKE_ESCAPE } from '../common/like';
import { DomainError, ErrorCode } from '../common/domain-error';
import { ZIP_MAX_ENTRIES, ZipWriter } from '../common/zip-writer';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { FILE_STORAGE, FileStorage } from '../storage/file-storage';
import { CERTIFICATE_STATUSES, Certificate, CertificateStatus } from './certificate.entity';
import { CertificateScope, whereInScope } from './certificate-scope';
import { studyHours } from './certificates.service';
import { verifyUrl } from './credential/open-badge';

/** The register's filters, as typed in the query string; anything unreadable is simply not applied. */
export interface RegisterFilter {
  courseId?: number;
  /**
   * Certificates of enrolments that came through this cohort. The register cannot read cohorts:
   * the caller builds this filter into the scope it passes (see CertificateScope).
   */
  cohortId?: number;
  status?: CertificateStatus;
  /** Completion dates, inclusive, as YYYY-MM-DD in the site's time zone (Pakistan). */
  from?: string;
  to?: string;
  q?: string;
}

export interface RegisterPage {
  rows: Certificate[];
  total: number;
  countsByStatus: Record<CertificateStatus, number>;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const SITE_UTC_OFFSET = '+05:00';
const EXPORT_BATCH = 500;

export function parseRegisterFilter(query: Record<string, unknown>): RegisterFilter {
  const text = (key: string) => (typeof query[key] === 'string' ? (query[key] as string).trim() : '');
  const courseId = Number.parseInt(text('course'), 10);
  const cohortId = Number.parseInt(text('cohort'), 10);
  const status = text('status');
  return {
    courseId: Number.isInteger(courseId) && courseId > 0 ? courseId : undefined,
    cohortId: Number.isInteger(cohortId) && cohortId > 0 ? cohortId : undefined,
    status: (CERTIFICATE_STATUSES as readonly string[]).includes(status) ? (status as CertificateStatus) : undefined,
    from: DATE.test(text('from')) ? text('from') : undefined,
    to: DATE.test(text('to')) ? text('to') : undefined,
    q: text('q').slice(0, 120) || undefined,
  };
}

/** The filter back as a query string, for links that keep it (exports, paging). */
export function registerQuery(filter: RegisterFilter): string {
  const params = new URLSearchParams();
  if (filter.courseId) params.set('course', String(filter.courseId));
  if (filter.cohortId) params.set('cohort', String(filter.cohortId));
  if (filter.status) params.set('status', filter.status);
  if (filter.from) params.set('from', filter.from);
  if (filter.to) params.set('to', filter.to);
  if (filter.q) params.set('q', filter.q);
  return params.toString();
}

/**
 * The managers' view of certificates: the register, its CSV export and a ZIP of the PDFs. Every
 * method takes the scope the caller may see (admins 'all'; a manager the enrolments of the
 * cohorts they run, narrowed to the chosen cohort), applied in SQL.
 */
@Injectable()
export class CertificateRegisterService {
  private readonly certificates: Repository<Certificate>;

  constructor(
    dataSource: DataSource,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.certificates = dataSource.getRepository(Certificate);
  }

  private filtered(filter: RegisterFilter, scope: CertificateScope): SelectQueryBuilder<Certificate> {
    const query = whereInScope(this.certificates.createQueryBuilder('c'), scope);
    if (filter.courseId) query.andWhere('c.courseId = :courseId', { courseId: filter.courseId });
    if (filter.status) query.andWhere('c.status = :status', { status: filter.status });
    if (filter.from) query.andWhere('c.completedAt >= :from', { from: new Date(`${filter.from}T00:00:00${SITE_UTC_OFFSET}`) });
    if (filter.to) {
      const end = new Date(`${filter.to}T00:00:00${SITE_UTC_OFFSET}`);
      end.setUTCDate(end.getUTCDate() + 1);
      query.andWhere('c.completedAt < :to', { to: end });
    }
    if (filter.q) {
      const like = containsPattern(filter.q);
      query.andWhere(new Brackets((where) => where.where(`c.holderName LIKE :like ${LIKE_ESCAPE}`, { like }).orWhere(`c.serial LIKE :like ${LIKE_ESCAPE}`, { like })));
    }
    return query;
  }

  async page(filter: RegisterFilter, scope: CertificateScope, page: number, pageSize: number): Promise<RegisterPage> {
    const [rows, total] = await this.filtered(filter, scope)
      .orderBy('c.id', 'DESC')
      .skip((Math.max(page, 1) - 1) * pageSize)
      .take(pageSize)
      .getManyAndCount();
    const counts: { status: CertificateStatus; count: string }[] = await this.filtered({ ...filter, status: undefined }, scope)
      .select('c.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .groupBy('c.status')
      .getRawMany();
    const countsByStatus = Object.fromEntries(CERTIFICATE_STATUSES.map((s) => [s, 0])) as Record<CertificateStatus, number>;
    for (const row of counts) countsByStatus[row.status] = Number(row.count);
    return { rows, total, countsByStatus };
  }

  /** Every matching certificate, oldest first, a batch at a time (keyset paging keeps memory flat). */
  private async *matching(filter: RegisterFilter, scope: CertificateScope, extra?: (query: SelectQueryBuilder<Certificate>) => void): AsyncGenerator<Certificate> {
    let afterId = 0;
    for (;;) {
      const query = this.filtered(filter, scope).andWhere('c.id > :afterId', { afterId });
      extra?.(query);
      const batch = await query.orderBy('c.id', 'ASC').take(EXPORT_BATCH).getMany();
      yield* batch;
      if (batch.length < EXPORT_BATCH) return;
      afterId = batch[batch.length - 1].id;
    }
  }

  async *csv(filter: RegisterFilter, scope: CertificateScope): AsyncGenerator<string> {
    yield CSV_BOM + csvLine(['serial', 'status', 'name', 'course', 'hours', 'completed_at', 'issued_at', 'revoked_at', 'revoked_reason', 'last_error', 'verify_url']);
    for await (const c of this.matching(filter, scope)) {
      yield csvLine([
        c.serial,
        c.status,
        c.holderName,
        c.courseTitle,
        studyHours(c.studyMinutes),
        c.completedAt,
        c.issuedAt,
        c.revokedAt,
        c.revokedReason,
        c.lastError,
        verifyUrl(this.config.baseUrl, c.serial),
      ]);
    }
  }

  /** Refuses an archive too big for a plain ZIP before the download starts, not halfway through it. */
  async assertZipFits(filter: RegisterFilter, scope: CertificateScope): Promise<void> {
    const count = await this.filtered(filter, scope).andWhere('c.pdfPath IS NOT NULL').getCount();
    if (count > ZIP_MAX_ENTRIES) throw new DomainError(ErrorCode.Invalid, 'certificates.errors.zip_too_large');
  }

  /** A ZIP of the matching certificates' PDFs (those that have one), with the register as CSV. */
  async *zip(filter: RegisterFilter, scope: CertificateScope): AsyncGenerator<Buffer> {
    const zip = new ZipWriter();
    let csv = '';
    for await (const part of this.csv(filter, scope)) csv += part;
    for await (const certificate of this.matching(filter, scope, (q) => q.andWhere('c.pdfPath IS NOT NULL'))) {
      const pdf = await this.storage.get(certificate.pdfPath as string);
      if (!pdf) continue;
      yield* zip.add(`${certificate.serial}.pdf`, pdf, certificate.issuedAt ?? certificate.completedAt);
    }
    yield* zip.add('register.csv', Buffer.from(csv, 'utf8'), new Date(), { compress: true });
    yield zip.finish();
  }
}
