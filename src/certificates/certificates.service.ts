import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull, LessThan, Repository } from 'typeorm';
import { FormInvalidError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { CoursesService } from '../courses/courses.service';
import { ReadThroughCache } from '../cache/read-through-cache';
import { SharedCacheService } from '../cache/shared-cache.service';
import { readRows } from '../database/plain-read';
import { TransactionRunner } from '../database/transaction-runner';
import { Enrollment } from '../enrollments/enrollment.entity';
import { EnrollmentsService } from '../enrollments/enrollments.service';
import { I18nService } from '../i18n/i18n.service';
import { FILE_STORAGE, FileStorage } from '../storage/file-storage';
import type { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { CertificateOutbox } from './certificate-outbox.entity';
import { CertificateScope, CertificateViewer, ManagerScopeResolver, whereInScope } from './certificate-scope';
import { Certificate, CertificateStatus } from './certificate.entity';
import { CertificateNotFoundError, CertificateStateError } from './certificate-errors';
import { CertificateMailer } from './certificate-mailer';
import { issueCertificateJobId } from './certificates.queue';
import { buildOpenBadgeCredential, verifyUrl } from './credential/open-badge';
import { IssuerKeysService } from './credential/issuer-keys.service';
import { StatusListService } from './credential/status-list.service';
import { newSerial } from './serial';

/** Set on a transaction's query runner when it wrote outbox rows: the relay runs right after the commit. */
export const OUTBOX_WRITTEN = 'certificates.outboxWritten';

export type IssueOutcome = 'issued' | 'already-issued' | 'not-pending' | 'missing';

/** What happened to a certificate; `enrollmentId` is the enrolment it was (or is) for. */
export interface CertificateChange {
  kind: 'issued' | 'revoked' | 'reissued';
  certificateId: number;
  enrollmentId: number | null;
}

/**
 * Called inside the transaction that issued, revoked or re-issued a certificate, so a
 * listener's writes (programme counters) commit or roll back with the change. Higher modules
 * register here; certificates never imports them.
 */
export type CertificateChangeListener = (manager: EntityManager, change: CertificateChange) => Promise<void>;

export interface HolderCertificate {
  serial: string;
  courseTitle: string;
  status: CertificateStatus;
  issuedAt: Date | null;
  completedAt: Date;
  revokedAt: Date | null;
  revokedReason: string | null;
  verifyUrl: string;
  pdfUrl: string;
  /** The Open Badge downloads: JSON-LD with a Data Integrity proof (null when issued before it existed) and the VC-JOSE JWT. */
  badgeLdUrl: string | null;
  badgeJwtUrl: string;
  linkedInUrl: string;
  isIssued: boolean;
  isRevoked: boolean;
  isBeingPrepared: boolean;
  /** Issued, and the learner has not yet been told (no mail, notice not dismissed). */
  isNew: boolean;
}

const SITE_TIME_ZONE = 'Asia/Karachi';
const MAX_ERROR_LENGTH = 2000;

/** Whole seconds: what SQLite and MariaDB datetime columns keep, so the signed dates match the stored ones. */
function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/** The year printed in a serial: the year of completion in Pakistan. */
export function serialYear(completedAt: Date): string {
  return new Intl.DateTimeFormat('en', { timeZone: SITE_TIME_ZONE, year: 'numeric' }).format(completedAt);
}

/** Random serials almost never collide (31^11 a year); a collision just draws again. */
const SERIAL_DRAWS = 5;

export function studyHours(minutes: number): number {
  return Math.round((minutes / 60) * 10) / 10;
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, MAX_ERROR_LENGTH);
}

/**
 * The life of a certificate: requested inside the transaction that completes an enrolment,
 * issued by the worker (credential signed, PDF rendered and stored), revoked or re-issued by a
 * manager. Issuing is idempotent: a certificate is issued once however often its job runs.
 */
@Injectable()
export class CertificatesService implements OnModuleInit {
  private readonly logger = new Logger('Certificates');
  private readonly certificates: Repository<Certificate>;
  private readonly changeListeners: CertificateChangeListener[] = [];
  /** Each learner's dashboard list, read on every dashboard view (see holderChanged). */
  private readonly holderViews: ReadThroughCache<HolderCertificate[]>;
  private managerScope: ManagerScopeResolver = async () => 'none';

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly enrollments: EnrollmentsService,
    private readonly users: UsersService,
    private readonly courses: CoursesService,
    private readonly issuerKeys: IssuerKeysService,
    private readonly statusLists: StatusListService,
    private readonly mailer: CertificateMailer,
    private readonly i18n: I18nService,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly cache: SharedCacheService,
  ) {
    this.certificates = this.dataSource.getRepository(Certificate);
    this.holderViews = cache.create<HolderCertificate[]>('holder-certificates', { ttlMs: 10 * 60_000, maxEntries: 20_000 });
  }

  /**
   * A holder's certificates changed in `manager`'s transaction: every process forgets their
   * dashboard list once it commits. Every write to a certificate row goes through this service
   * and calls this.
   */
  private holderChanged(userId: number, manager: EntityManager): void {
    this.cache.forget('holder-certificates', String(userId), manager);
  }

  onModuleInit(): void {
    this.enrollments.onCourseCompleted(async (manager, enrollment) => {
      await this.requestCertificate(manager, enrollment);
    });
  }

  onCertificateChanged(listener: CertificateChangeListener): void {
    this.changeListeners.push(listener);
  }

  private async announce(manager: EntityManager, change: CertificateChange): Promise<void> {
    for (const listener of this.changeListeners) await listener(manager, change);
  }

  /** A certificate by id, read through the caller's transaction (listeners of a change use it). */
  findById(certificateId: number, manager: EntityManager): Promise<Certificate | null> {
    return manager.getRepository(Certificate).findOneBy({ id: certificateId });
  }

  /** Registered by the module that knows who manages which enrolments (programmes). */
  useManagerScope(resolver: ManagerScopeResolver): void {
    this.managerScope = resolver;
  }

  /** The certificates a user may see and act on besides their own: admins all, managers their scope, others none. */
  async scopeFor(viewer: CertificateViewer): Promise<CertificateScope> {
    if (viewer.role === 'admin') return 'all';
    if (viewer.role === 'manager') return this.managerScope(viewer);
    return 'none';
  }

  /** The certificate with that id, if it is in the scope (read through the given transaction). */
  private findInScope(manager: EntityManager, certificateId: number, scope: CertificateScope): Promise<Certificate | null> {
    return whereInScope(manager.getRepository(Certificate).createQueryBuilder('c').where('c.id = :id', { id: certificateId }), scope).getOne();
  }

  /**
   * Of these enrolments, those whose certificate is issued (for reports that count "certified").
   * `lockForShare` (inside a transaction) waits for a change being made to those certificates
   * and reads the committed result (MariaDB; SQLite runs one writer at a time anyway).
   */
  async issuedEnrollmentIds(manager: EntityManager, enrollmentIds: number[], lockForShare = false): Promise<Set<number>> {
    if (enrollmentIds.length === 0) return new Set();
    const rows = await manager.getRepository(Certificate).find({
      select: { id: true, enrollmentId: true },
      where: { enrollmentId: In(enrollmentIds), status: 'issued' },
      ...(lockForShare && !this.transactions.isSqlite ? { lock: { mode: 'pessimistic_read' as const } } : {}),
    });
    return new Set(rows.map((row) => Number(row.enrollmentId)));
  }

  /**
   * Runs inside the completion transaction: a pending certificate and its outbox row commit
   * with the completion or not at all. The unique index on enrollment_id makes a second
   * certificate for the same enrolment impossible, whatever the caller does.
   */
  async requestCertificate(manager: EntityManager, enrollment: Enrollment): Promise<Certificate> {
    // Read through the transaction's own connection: asking the pool for another while holding
    // one deadlocks MariaDB once as many completions run at once as the pool has connections.
    const user = await this.users.findById(enrollment.userId, manager);
    const course = await this.courses.findCourseById(enrollment.courseId, manager);
    if (!user || !course) throw new Error(`Enrolment ${enrollment.id} has no user or course`);
    return this.createPending(manager, {
      enrollmentId: enrollment.id,
      userId: user.id,
      courseId: course.id,
      holderName: user.certificateName?.trim() || user.name,
      courseTitle: course.title,
      studyMinutes: course.estimatedMinutes,
      completedAt: wholeSeconds(enrollment.completedAt ?? new Date()),
    });
  }

  private async createPending(
    manager: EntityManager,
    facts: Pick<Certificate, 'enrollmentId' | 'userId' | 'courseId' | 'holderName' | 'courseTitle' | 'studyMinutes' | 'completedAt'>,
  ): Promise<Certificate> {
    const repository = manager.getRepository(Certificate);
    const now = new Date();
    const certificate = await repository.save(
      repository.create({
        ...facts,
        serial: await this.unusedSerial(manager, serialYear(facts.completedAt)),
        status: 'pending',
        attempts: 0,
        createdAt: now,
        updatedAt: now,
      }),
    );
    await this.writeOutbox(manager, certificate.id, issueCertificateJobId(certificate));
    this.holderChanged(certificate.userId, manager);
    return certificate;
  }

  private async unusedSerial(manager: EntityManager, year: string): Promise<string> {
    for (let draw = 0; draw < SERIAL_DRAWS; draw++) {
      const serial = newSerial(year);
      if (!(await manager.getRepository(Certificate).findOneBy({ serial }))) return serial;
    }
    throw new Error(`no unused certificate serial after ${SERIAL_DRAWS} draws`);
  }

  private async writeOutbox(manager: EntityManager, certificateId: number, jobId: string): Promise<void> {
    await manager.getRepository(CertificateOutbox).insert({ certificateId, jobId, createdAt: new Date(), sentAt: null });
    if (manager.queryRunner) manager.queryRunner.data[OUTBOX_WRITTEN] = true;
  }

  /**
   * The worker's job. Safe to run twice, even at once: an issued or revoked certificate is left
   * alone, the PDF lands under a name fixed by the serial (written to a temp file, then
   * renamed), and only one run can move the row to issued.
   */
  async issue(certificateId: number): Promise<IssueOutcome> {
    const certificate = await this.certificates.findOneBy({ id: certificateId });
    if (!certificate) return 'missing';
    if (certificate.status === 'issued') return 'already-issued';
    // A failed certificate runs again when someone retries its job (e.g. from the queue dashboard).
    if (certificate.status !== 'pending' && certificate.status !== 'failed') return 'not-pending';
    const course = await this.courses.findCourseById(certificate.courseId);
    if (!course) throw new Error(`Course ${certificate.courseId} of certificate ${certificate.serial} is missing`);

    const issuedAt = wholeSeconds(new Date());
    // Both forms are signed here, once, by one key: the pages and downloads only read them.
    const { jws: credential, dataIntegrity } = await this.issuerKeys.signBoth(
      buildOpenBadgeCredential({
        baseUrl: this.config.baseUrl,
        issuerId: this.issuerKeys.did,
        issuerName: this.config.issuerName,
        serial: certificate.serial,
        holderName: certificate.holderName,
        course: { slug: course.slug, title: certificate.courseTitle, summary: course.summary, language: course.language, outcomes: course.outcomes },
        criteria: this.i18n.translate('en', 'certificates.credential.criteria', { hours: studyHours(certificate.studyMinutes) }),
        completedAt: certificate.completedAt,
        issuedAt,
        status: await this.statusLists.positionFor(certificate.id),
      }),
    );
    const credentialLd = JSON.stringify(dataIntegrity);
    const pdfPath = `certificates/${certificate.serial}.pdf`;
    // pdfkit and its fonts (about 24 MB) are loaded by the first certificate a worker renders, not by every web process.
    const { renderCertificatePdf } = await import('./pdf/certificate-pdf');
    await this.storage.put(pdfPath, await renderCertificatePdf(this.pdfContent(certificate, issuedAt)));

    const moved = await this.transactions.run(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(Certificate)
        .set({ status: 'issued', issuedAt, pdfPath, credential, credentialLd, lastError: null, attempts: () => 'attempts + 1', updatedAt: issuedAt })
        .where('id = :id AND status IN (:...open)', { id: certificateId, open: ['pending', 'failed'] })
        .execute();
      if ((result.affected ?? 0) !== 1) return false;
      this.holderChanged(certificate.userId, manager);
      await this.announce(manager, { kind: 'issued', certificateId, enrollmentId: certificate.enrollmentId });
      return true;
    });
    if (!moved) return 'not-pending';
    await this.tellHolder({ ...certificate, issuedAt });
    return 'issued';
  }

  private pdfContent(certificate: Certificate, issuedAt: Date) {
    const t = (key: string, params: Record<string, unknown> = {}) => this.i18n.translate('en', `certificates.pdf.${key}`, params);
    const url = verifyUrl(this.config.baseUrl, certificate.serial);
    const issuer = this.config.issuerName;
    return {
      serial: certificate.serial,
      issuerName: issuer,
      title: t('title'),
      titleUrdu: this.i18n.translate('ur', 'certificates.pdf.title'),
      certifies: t('certifies'),
      holderName: certificate.holderName,
      completedCourse: t('completed_course'),
      courseTitle: certificate.courseTitle,
      details: t('details', { hours: studyHours(certificate.studyMinutes), date: this.i18n.formatDate('en', certificate.completedAt) }),
      serialLine: t('serial', { serial: certificate.serial }),
      issuedLine: t('issued', { issuer, date: this.i18n.formatDate('en', issuedAt) }),
      verifyLine: t('verify', { url }),
      verifyUrl: url,
      issuedAt,
    };
  }

  /** Mails the holder when SMTP is set up; otherwise (or if mailing fails) the dashboard notice does it. */
  private async tellHolder(certificate: Certificate): Promise<void> {
    if (!this.mailer.enabled) return;
    const user = await this.users.findById(certificate.userId);
    if (!user) return;
    const sent = await this.mailer.sendCertificateReady({
      to: user.email,
      locale: user.locale,
      holderName: certificate.holderName,
      courseTitle: certificate.courseTitle,
      serial: certificate.serial,
      verifyUrl: verifyUrl(this.config.baseUrl, certificate.serial),
      dashboardUrl: `${this.config.baseUrl}/dashboard`,
    });
    if (!sent) return;
    await this.transactions.run(async (manager) => {
      await manager.getRepository(Certificate).update({ id: certificate.id }, { notifiedAt: new Date() });
      this.holderChanged(certificate.userId, manager);
    });
  }

  /** A failed try: the error is kept for admins; after the last try the certificate is marked failed. */
  async recordFailure(certificateId: number, error: unknown, lastAttempt: boolean): Promise<void> {
    await this.transactions.run(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(Certificate)
        .set({ lastError: errorText(error), attempts: () => 'attempts + 1', updatedAt: new Date(), ...(lastAttempt ? { status: 'failed' as const } : {}) })
        .where('id = :id AND status IN (:...open)', { id: certificateId, open: ['pending', 'failed'] })
        .execute();
      if (!lastAttempt || (result.affected ?? 0) === 0) return;
      // Only the last try changes what the holder sees (failed); a rare path, so the holder is looked up.
      const holder = await manager.getRepository(Certificate).findOneBy({ id: certificateId });
      if (holder) this.holderChanged(holder.userId, manager);
    });
  }

  /** A retry of a failed certificate (within the caller's scope): pending again, and a new job through the outbox. */
  async retry(certificateId: number, scope: CertificateScope): Promise<Certificate> {
    return this.transactions.run(async (manager) => {
      const repository = manager.getRepository(Certificate);
      const certificate = await this.findInScope(manager, certificateId, scope);
      if (!certificate) throw new CertificateNotFoundError();
      if (certificate.status !== 'failed') throw new CertificateStateError('certificates.errors.not_failed');
      await repository.update({ id: certificateId, status: 'failed' }, { status: 'pending', updatedAt: new Date() });
      await this.writeOutbox(manager, certificateId, issueCertificateJobId(certificate, `retry-${Date.now()}`));
      this.holderChanged(certificate.userId, manager);
      return { ...certificate, status: 'pending' as const };
    });
  }

  /**
   * Certificates still pending long after their job was queued (Redis lost its data, a job
   * stalled once too often): queued again. Running this on a healthy queue costs one query.
   */
  async requeueStalePending(olderThanMs: number): Promise<number> {
    const cutoff = new Date(Date.now() - olderThanMs);
    const stale = await this.certificates.find({ where: { status: 'pending', updatedAt: LessThan(cutoff) }, take: 500, order: { id: 'ASC' } });
    if (stale.length === 0) return 0;
    const waiting = new Set(
      (await this.certificates.manager.getRepository(CertificateOutbox).find({ where: { certificateId: In(stale.map((c) => c.id)), sentAt: IsNull() } })).map(
        (row) => row.certificateId,
      ),
    );
    const requeue = stale.filter((c) => !waiting.has(c.id));
    if (requeue.length === 0) return 0;
    await this.transactions.run(async (manager) => {
      const now = new Date();
      for (const certificate of requeue) {
        await manager.getRepository(Certificate).update({ id: certificate.id, status: 'pending' }, { updatedAt: now });
        await this.writeOutbox(manager, certificate.id, issueCertificateJobId(certificate, `requeue-${now.getTime()}`));
      }
    });
    this.logger.warn(`queued ${requeue.length} stale pending certificate(s) again`);
    return requeue.length;
  }

  /** Revokes a certificate within the caller's scope; one outside it is not found. */
  async revoke(certificateId: number, reason: string, scope: CertificateScope): Promise<Certificate> {
    const text = (reason ?? '').trim();
    if (!text) throw new FormInvalidError({ reason: 'validation.required' });
    if (text.length > 500) throw new FormInvalidError({ reason: 'validation.too_long' });
    return this.transactions.run(async (manager) => {
      const repository = manager.getRepository(Certificate);
      const certificate = await this.findInScope(manager, certificateId, scope);
      if (!certificate) throw new CertificateNotFoundError();
      if (certificate.status === 'revoked') throw new CertificateStateError('certificates.errors.already_revoked');
      const now = new Date();
      await repository.update({ id: certificateId }, { status: 'revoked', revokedAt: now, revokedReason: text, updatedAt: now });
      this.holderChanged(certificate.userId, manager);
      await this.announce(manager, { kind: 'revoked', certificateId, enrollmentId: certificate.enrollmentId });
      return { ...certificate, status: 'revoked' as const, revokedAt: now, revokedReason: text };
    });
  }

  /**
   * A corrected certificate: the old one is revoked and points to the new one, which gets a new
   * serial and takes over the enrolment (the unique enrolment index holds one live certificate).
   * Only within the caller's scope; a certificate outside it is not found.
   */
  async reissue(certificateId: number, holderName: string, reason: string, scope: CertificateScope): Promise<Certificate> {
    const name = (holderName ?? '').trim();
    if (!name) throw new FormInvalidError({ holderName: 'validation.required' });
    if (name.length > 120) throw new FormInvalidError({ holderName: 'validation.too_long' });
    if ((reason ?? '').trim().length > 500) throw new FormInvalidError({ reason: 'validation.too_long' });
    return this.transactions.run(async (manager) => {
      const repository = manager.getRepository(Certificate);
      const old = await this.findInScope(manager, certificateId, scope);
      if (!old) throw new CertificateNotFoundError();
      if (old.replacedBy !== null || (old.status !== 'issued' && old.status !== 'revoked')) {
        throw new CertificateStateError('certificates.errors.cannot_reissue');
      }
      const now = new Date();
      await repository.update(
        { id: old.id },
        {
          status: 'revoked',
          enrollmentId: null,
          revokedAt: old.revokedAt ?? now,
          revokedReason: old.revokedReason ?? (reason?.trim() || null),
          updatedAt: now,
        },
      );
      const replacement = await this.createPending(manager, {
        enrollmentId: old.enrollmentId,
        userId: old.userId,
        courseId: old.courseId,
        holderName: name,
        courseTitle: old.courseTitle,
        studyMinutes: old.studyMinutes,
        completedAt: old.completedAt,
      });
      await repository.update({ id: old.id }, { replacedBy: replacement.id });
      this.holderChanged(old.userId, manager);
      // Certified again only once the replacement is issued.
      await this.announce(manager, { kind: 'reissued', certificateId: old.id, enrollmentId: old.enrollmentId });
      return replacement;
    });
  }

  /** The PDF for its holder, an admin, or a manager whose scope holds it; anyone else is told it does not exist. */
  async pdfFor(serial: string, viewer: User): Promise<{ serial: string; pdf: Buffer }> {
    const certificate = await this.certificates.findOneBy({ serial });
    if (!certificate) throw new CertificateNotFoundError();
    const mayView = certificate.userId === viewer.id || (await this.findInScope(this.certificates.manager, certificate.id, await this.scopeFor(viewer))) !== null;
    if (!mayView) throw new CertificateNotFoundError();
    if (!certificate.pdfPath) throw new CertificateStateError('certificates.errors.not_ready');
    const pdf = await this.storage.get(certificate.pdfPath);
    if (!pdf) throw new Error(`The PDF of ${serial} is missing from storage (${certificate.pdfPath})`);
    return { serial, pdf };
  }

  /** The learner's certificates for the dashboard; replaced ones are left out (their replacement is shown). */
  async holderCertificates(userId: number): Promise<HolderCertificate[]> {
    // Asked by every dashboard view: from memory, else plain SQL (see readRows).
    return this.holderViews.get(String(userId), async () => {
      const certificates = await readRows(this.dataSource, Certificate, 'user_id = ? AND replaced_by IS NULL', [userId], 'created_at DESC, id DESC');
      return certificates.map((certificate) => this.toHolderView(certificate));
    });
  }

  /** The learner has seen that their new certificates are ready. */
  async dismissNotices(userId: number): Promise<void> {
    await this.transactions.run(async (manager) => {
      await manager.getRepository(Certificate).update({ userId, status: 'issued', notifiedAt: IsNull() }, { notifiedAt: new Date() });
      this.holderChanged(userId, manager);
    });
  }

  private toHolderView(certificate: Certificate): HolderCertificate {
    const url = verifyUrl(this.config.baseUrl, certificate.serial);
    const issued = certificate.issuedAt ?? certificate.completedAt;
    const linkedIn = new URLSearchParams({
      startTask: 'CERTIFICATION_NAME',
      name: certificate.courseTitle,
      organizationName: this.config.issuerName,
      issueYear: String(issued.getUTCFullYear()),
      issueMonth: String(issued.getUTCMonth() + 1),
      certUrl: url,
      certId: certificate.serial,
    });
    return {
      serial: certificate.serial,
      courseTitle: certificate.courseTitle,
      status: certificate.status,
      issuedAt: certificate.issuedAt,
      completedAt: certificate.completedAt,
      revokedAt: certificate.revokedAt,
      revokedReason: certificate.revokedReason,
      verifyUrl: url,
      pdfUrl: `/certificates/${certificate.serial}.pdf`,
      badgeLdUrl: certificate.credentialLd ? `/verify/${certificate.serial}/credential.json` : null,
      badgeJwtUrl: `/verify/${certificate.serial}/credential.jwt`,
      linkedInUrl: `https://www.linkedin.com/profile/add?${linkedIn.toString()}`,
      isIssued: certificate.status === 'issued',
      isRevoked: certificate.status === 'revoked',
      isBeingPrepared: certificate.status === 'pending' || certificate.status === 'failed',
      isNew: certificate.status === 'issued' && certificate.notifiedAt === null,
    };
  }
}

