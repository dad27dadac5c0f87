import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { BackgroundJobs } from '../queues/background-jobs';
import { APPLY_BULK_ENROLMENT_JOB, BACKGROUND_JOB_OPTIONS, SCHEDULES } from '../queues/background.queue';
import { DomainError, ErrorCode, NotFoundError } from '../common/domain-error';
import { TransactionRunner } from '../database/transaction-runner';
import type { Locale, User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { Cohort, CohortMember } from './entities/cohort.entity';
import { EnrolmentImport, EnrolmentImportRow, ImportOutcome, ImportRowData, ImportStatus } from './entities/enrolment-import.entity';
import { Programme } from './entities/programme.entity';
import { CsvSyntaxError, readCsv } from './csv-reader';
import { InvitationsService } from './invitations.service';
import { MembershipService } from './membership.service';
import { missingFields, parseProfile, PROFILE_FIELDS, ProfileField, ProfileInput, ProfileValues } from './profile-fields';
import { ProfilesService } from './profiles.service';
import { ProgrammesService } from './programmes.service';
import { ProgrammeStatsService } from './stats/programme-stats.service';
import { Tally } from './stats/tally';
import { Course } from '../courses/course.entity';

/** Bigger files are refused before they are read: the same limit guards memory and the transaction. */
export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;
export const MAX_ROWS = 5000;

/** A problem with the whole file: nothing is checked or stored. */
export class ImportFileError extends DomainError {
  constructor(messageKey: string, params: Record<string, string | number> = {}) {
    super(ErrorCode.Invalid, messageKey, params);
  }
}

const UNFINISHED: ImportStatus[] = ['waiting', 'applying'];
/** A file never applied, or one whose apply stopped (it goes on from its cursor). */
const RESTARTABLE: ImportStatus[] = ['checked', 'failed'];

type Column = 'name' | 'email' | 'cohort' | ProfileField;

/** Header spellings people use, after lower-casing and turning spaces and dashes into "_". */
const HEADER_ALIASES: Record<string, Column> = {
  name: 'name',
  full_name: 'name',
  learner_name: 'name',
  email: 'email',
  email_address: 'email',
  e_mail: 'email',
  cohort: 'cohort',
  batch: 'cohort',
  cohort_name: 'cohort',
  business_name: 'businessName',
  business: 'businessName',
  company: 'businessName',
  sector: 'sector',
  city: 'city',
  province: 'province',
  province_territory: 'province',
  province_or_territory: 'province',
  gender: 'gender',
  business_size: 'businessSize',
  size: 'businessSize',
  marketplaces: 'marketplaces',
  marketplace: 'marketplaces',
  export_stage: 'exportStage',
  stage: 'exportStage',
};

/** The column header each profile field has in the template and in error messages. */
export const CSV_COLUMNS: Record<Column, string> = {
  name: 'name',
  email: 'email',
  cohort: 'cohort',
  businessName: 'business_name',
  sector: 'sector',
  city: 'city',
  province: 'province',
  gender: 'gender',
  businessSize: 'business_size',
  marketplaces: 'marketplaces',
  exportStage: 'export_stage',
};

export interface RowReason {
  key: string;
  params?: Record<string, string | number>;
}

/** A row as the dry run and the apply see it. */
export interface CheckedRow {
  line: number;
  email: string;
  name: string;
  cohortId: number | null;
  cohortName: string;
  outcome: ImportOutcome;
  reason: RowReason | null;
}

export interface ImportReport {
  import: EnrolmentImport;
  rows: CheckedRow[];
  counts: Record<ImportOutcome, number>;
  /** Accounts in the file still waiting for their owner to set a password. */
  pendingInvitations: number;
}

interface RawRow {
  line: number;
  cells: Partial<Record<Column, string>>;
}

const headerKey = (header: string) =>
  header
    .trim()
    .toLowerCase()
    .replace(/[\s\-/]+/g, '_')
    .replace(/[^a-z_]/g, '');

/**
 * Enrolment of many learners from a CSV file: a dry run reports every row (created, enrolled,
 * already there, or the reason it cannot be), then "apply" does exactly that in the background,
 * a chunk of lines per transaction. Applying the same file again changes nothing.
 */
@Injectable()
export class BulkEnrolmentService implements OnModuleInit {
  private readonly logger = new Logger('BulkEnrolment');

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly users: UsersService,
    private readonly programmes: ProgrammesService,
    private readonly membership: MembershipService,
    private readonly profiles: ProfilesService,
    private readonly invitations: InvitationsService,
    private readonly stats: ProgrammeStatsService,
    private readonly jobs: BackgroundJobs,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.handle(APPLY_BULK_ENROLMENT_JOB, async ({ runId }, job) => {
      try {
        return await this.processApply(runId);
      } catch (error) {
        // attemptsMade counts the tries that failed before this one.
        if (job.attemptsMade + 1 >= (job.opts.attempts ?? BACKGROUND_JOB_OPTIONS.attempts ?? 1)) await this.markFailed(runId, error);
        throw error;
      }
    });
    this.jobs.every(SCHEDULES.backgroundRuns, () => this.queueUnfinished());
  }

  /** The file's rows, or an ImportFileError for what makes the whole file unusable. */
  parseFile(text: string, haveDefaultCohort: boolean): RawRow[] {
    if (!text.trim()) throw new ImportFileError('bulk.errors.empty');
    // Decoded as UTF-8 on arrival: bytes that are not UTF-8 became U+FFFD; UTF-16 leaves NULs.
    if (text.includes('\u0000')) throw new ImportFileError('bulk.errors.encoding_utf16');
    if (text.includes('\uFFFD')) throw new ImportFileError('bulk.errors.encoding');
    let records;
    try {
      records = readCsv(text);
    } catch (error) {
      if (error instanceof CsvSyntaxError) throw new ImportFileError('bulk.errors.syntax', { line: error.line });
      throw error;
    }
    const [header, ...body] = records;
    const columns: (Column | null)[] = header.cells.map((cell) => HEADER_ALIASES[headerKey(cell)] ?? null);
    const seen = new Set<Column>();
    for (const column of columns) {
      if (!column) continue;
      if (seen.has(column)) throw new ImportFileError('bulk.errors.duplicate_column', { column: CSV_COLUMNS[column] });
      seen.add(column);
    }
    const required: Column[] = haveDefaultCohort ? ['name', 'email'] : ['name', 'email', 'cohort'];
    const missing = required.filter((column) => !seen.has(column));
    if (missing.length) throw new ImportFileError('bulk.errors.missing_columns', { columns: missing.map((c) => CSV_COLUMNS[c]).join(', ') });
    if (body.length === 0) throw new ImportFileError('bulk.errors.no_rows');
    if (body.length > MAX_ROWS) throw new ImportFileError('bulk.errors.too_many_rows', { max: MAX_ROWS, rows: body.length });
    return body.map((record) => {
      const cells: Partial<Record<Column, string>> = {};
      columns.forEach((column, index) => {
        if (column) cells[column] = (record.cells[index] ?? '').trim();
      });
      return { line: record.line, cells };
    });
  }

  /**
   * The dry run: checks the file against the programme as it is now and keeps the result, so
   * that applying it needs no second upload.
   */
  async check(programme: Programme, uploadedBy: number, text: string, defaultCohortId: number | null): Promise<ImportReport> {
    const cohorts = await this.programmes.cohortsOf(programme.id);
    const defaultCohort = cohorts.find((c) => c.id === defaultCohortId) ?? null;
    const raw = this.parseFile(text, defaultCohort !== null);
    const { rows } = await this.evaluate(this.dataSource.manager, programme, cohorts, defaultCohort, raw);
    const saved = await this.transactions.run(async (manager) => {
      const entry = await manager.getRepository(EnrolmentImport).save(
        manager.getRepository(EnrolmentImport).create({
          programmeId: programme.id,
          uploadedBy,
          fileSha256: createHash('sha256').update(text).digest('hex'),
          createdAt: new Date(),
          appliedAt: null,
        }),
      );
      const stored = rows.map((row, index) => ({
        importId: entry.id,
        lineNumber: row.line,
        email: row.email.slice(0, 191),
        data: { cells: raw[index].cells, defaultCohortId: defaultCohort?.id ?? null, cohortId: row.cohortId } as ImportRowData,
        outcome: row.outcome,
        reason: row.reason,
      }));
      for (let i = 0; i < stored.length; i += 500) await manager.getRepository(EnrolmentImportRow).insert(stored.slice(i, i + 500));
      return entry;
    });
    return this.report(saved, rows);
  }

  /**
   * Starts applying a checked file (or resumes one that stopped): the worker carries it out in
   * chunks of lines, each chunk one transaction, and records each row's outcome as it goes.
   * New accounts start in the language of the manager who pressed "apply" (their owner can
   * change it). Pressing again while it runs, or after it finished, changes nothing.
   */
  async startApply(programme: Programme, importId: number, locale: Locale): Promise<EnrolmentImport> {
    const entry = await this.findImport(programme.id, importId);
    if (!RESTARTABLE.includes(entry.status)) return entry;
    const totalRows = await this.dataSource.getRepository(EnrolmentImportRow).countBy({ importId });
    await this.transactions.run((manager) =>
      manager
        .getRepository(EnrolmentImport)
        .update(
          { id: importId, status: In(RESTARTABLE) },
          { status: 'waiting', locale: entry.locale ?? locale, totalRows, applyStartedAt: entry.applyStartedAt ?? new Date(), error: null },
        ),
    );
    await this.jobs.enqueue(APPLY_BULK_ENROLMENT_JOB, [importId]);
    return this.findImport(programme.id, importId);
  }

  /** Queues every apply not finished (the resume schedule; a queued one keeps its job). */
  async queueUnfinished(): Promise<void> {
    const entries = await this.dataSource.getRepository(EnrolmentImport).find({ select: { id: true }, where: { status: In(UNFINISHED) } });
    await this.jobs.enqueue(APPLY_BULK_ENROLMENT_JOB, entries.map((entry) => entry.id));
  }

  /** The worker's side: chunk after chunk until the file is applied. Returns the final status. */
  async processApply(importId: number): Promise<ImportStatus | null> {
    let status: ImportStatus | null;
    do status = await this.applyChunk(importId);
    while (status === 'applying');
    return status;
  }

  /**
   * The next chunk of lines after the cursor, in one transaction: each row checked again
   * against the programme as it is now and carried out, its outcome (or the reason it could not
   * be) stored, the counters moved by the chunk's sum, and the cursor moved — all or nothing.
   * Set-password mails for the chunk's new accounts go out once it committed.
   */
  async applyChunk(importId: number): Promise<ImportStatus | null> {
    const created: number[] = [];
    const outcome = await this.transactions.run(async (manager) => {
      const imports = manager.getRepository(EnrolmentImport);
      const entry = await imports.findOneBy({ id: importId });
      if (!entry || !UNFINISHED.includes(entry.status)) return { status: entry?.status ?? null, programme: null };
      const programme = await manager.getRepository(Programme).findOneByOrFail({ id: entry.programmeId });
      const rowsRepository = manager.getRepository(EnrolmentImportRow);
      const all = await rowsRepository.find({ select: { lineNumber: true, data: true }, where: { importId }, order: { lineNumber: 'ASC' } });
      const chunk = all.filter((row) => row.lineNumber > entry.cursorLine).slice(0, this.config.backgroundChunkSize);
      const raw: RawRow[] = chunk.map((row) => ({ line: row.lineNumber, cells: row.data.cells }));
      const defaultCohortId = all[0]?.data.defaultCohortId ?? null;
      const cohorts = await manager.getRepository(Cohort).find({ where: { programmeId: programme.id } });
      const { rows, users } = await this.evaluate(
        manager,
        programme,
        cohorts,
        cohorts.find((c) => c.id === defaultCohortId) ?? null,
        raw,
        all.map((row) => ({ line: row.lineNumber, cells: row.data.cells })),
      );
      const courses = new Map<number, Course[]>();
      for (const cohort of cohorts) courses.set(cohort.id, await this.programmes.cohortCourses(cohort.id, manager));
      // The counters move once per chunk, by the sum of its rows: short locks on them.
      const tally = new Tally();
      const now = new Date();
      const locale = (entry.locale ?? 'en') as Locale;
      for (const [index, row] of rows.entries()) {
        if (row.outcome === 'error' || row.outcome === 'exists') continue;
        const cohort = cohorts.find((c) => c.id === row.cohortId) as Cohort;
        const values = this.profileOf(raw[index]).values;
        const existing = users.get(row.email);
        if (existing) {
          await this.fillBlanks(manager, existing, values);
          await this.membership.joinWithin(manager, cohort, existing.id, 'csv', now, { courses: courses.get(cohort.id), tally });
        } else {
          const user = await this.users.createInvited(manager, { name: row.name, email: row.email, locale });
          await this.invitations.createWithin(manager, user.id);
          const profile = await this.profiles.createWithin(manager, user.id, values);
          await this.membership.joinWithin(manager, cohort, user.id, 'csv', now, { courses: courses.get(cohort.id), profile, tally, newAccount: true });
          created.push(user.id);
        }
      }
      await this.stats.apply(manager, programme.id, tally);
      for (const [index, row] of rows.entries()) {
        const data: ImportRowData = { cells: raw[index].cells, defaultCohortId, cohortId: row.cohortId };
        await rowsRepository.update({ importId, lineNumber: row.line }, { outcome: row.outcome, reason: row.reason, data });
      }
      const finished = chunk.length < this.config.backgroundChunkSize || chunk.at(-1)?.lineNumber === all.at(-1)?.lineNumber;
      const status: ImportStatus = finished ? 'applied' : 'applying';
      const moved = await imports.update(
        { id: importId, cursorLine: entry.cursorLine, status: entry.status },
        { cursorLine: chunk.at(-1)?.lineNumber ?? entry.cursorLine, doneRows: entry.doneRows + chunk.length, status, appliedAt: finished ? now : null },
      );
      if ((moved.affected ?? 0) !== 1) throw new Error(`import ${importId}: chunk after line ${entry.cursorLine} committed elsewhere`);
      return { status, programme };
    });
    if (created.length && outcome.programme) await this.invitations.mailLinks(created, outcome.programme.name);
    return outcome.status;
  }

  private async markFailed(importId: number, error: unknown): Promise<void> {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    this.logger.error(`applying import ${importId} failed: ${message}`);
    await this.transactions.run((manager) =>
      manager.getRepository(EnrolmentImport).update({ id: importId, status: In(UNFINISHED) }, { status: 'failed', error: message }),
    );
  }

  /** A checked or applied import as it was stored. */
  async stored(entry: EnrolmentImport): Promise<ImportReport> {
    const rows = await this.dataSource.getRepository(EnrolmentImportRow).find({ where: { importId: entry.id }, order: { lineNumber: 'ASC' } });
    const cohorts = new Map((await this.programmes.cohortsOf(entry.programmeId)).map((c) => [c.id, c.name]));
    return this.report(
      entry,
      rows.map((row) => {
        const { cohortId, cells } = row.data;
        return {
          line: row.lineNumber,
          email: row.email,
          name: cells.name ?? '',
          cohortId,
          cohortName: cohortId ? (cohorts.get(cohortId) ?? '') : (cells.cohort ?? ''),
          outcome: row.outcome as ImportOutcome,
          reason: row.reason,
        };
      }),
    );
  }

  async findImport(programmeId: number, importId: number): Promise<EnrolmentImport> {
    const entry = await this.dataSource.getRepository(EnrolmentImport).findOneBy({ id: importId, programmeId });
    if (!entry) throw new NotFoundError('bulk.not_found');
    return entry;
  }

  /** Fresh set-password links for the accounts in this import that still have none set. */
  async invitationLinks(programmeId: number, importId: number) {
    const entry = await this.findImport(programmeId, importId);
    const rows = await this.dataSource.getRepository(EnrolmentImportRow).findBy({ importId: entry.id, outcome: In(['created', 'enrolled', 'exists']) });
    const users = await this.users.findByEmails(rows.map((r) => r.email));
    const links = await this.invitations.issueLinks(users.map((u) => u.id));
    const names = new Map((await this.programmes.cohortsOf(programmeId)).map((c) => [c.id, c.name]));
    const cohortOf = new Map(rows.map((r) => [r.email, names.get(r.data.cohortId ?? 0) ?? '']));
    return links.map((link) => ({ ...link, cohort: cohortOf.get(link.user.email) ?? '' }));
  }

  private async report(entry: EnrolmentImport, rows: CheckedRow[]): Promise<ImportReport> {
    const counts: Record<ImportOutcome, number> = { created: 0, enrolled: 0, exists: 0, error: 0 };
    for (const row of rows) counts[row.outcome] += 1;
    let pendingInvitations = 0;
    if (entry.appliedAt) {
      const users = await this.users.findByEmails(rows.filter((r) => r.outcome !== 'error').map((r) => r.email));
      pendingInvitations = (await this.invitations.pending(users.map((u) => u.id))).size;
    }
    return { import: entry, rows, counts, pendingInvitations };
  }

  private profileOf(row: RawRow): { values: ProfileValues; errors: Partial<Record<ProfileField, string>> } {
    const input: ProfileInput = {};
    for (const field of PROFILE_FIELDS) if (row.cells[field] !== undefined) input[field] = row.cells[field];
    return parseProfile(input, this.profiles.choiceLabels());
  }

  /** An existing learner's profile is theirs: the file only fills in what they left empty. */
  private async fillBlanks(manager: EntityManager, user: User, values: ProfileValues): Promise<void> {
    const current = await this.profiles.find(user.id, manager);
    const merged: ProfileValues = { ...current };
    let changed = false;
    for (const field of PROFILE_FIELDS) {
      const empty = field === 'marketplaces' ? current.marketplaces.length === 0 : current[field] === null;
      const given = field === 'marketplaces' ? values.marketplaces.length > 0 : values[field] !== null;
      if (empty && given) {
        (merged as unknown as Record<string, unknown>)[field] = values[field];
        changed = true;
      }
    }
    if (changed) await this.profiles.saveWithin(manager, user.id, merged);
  }

  /** Every row's outcome against the current state: accounts, memberships and profiles. */
  private async evaluate(
    manager: EntityManager,
    programme: Programme,
    cohorts: Cohort[],
    defaultCohort: Cohort | null,
    raw: RawRow[],
    /** The whole file, when `raw` is one chunk of it: an email is a duplicate across chunks too. */
    wholeFile: RawRow[] = raw,
  ): Promise<{ rows: CheckedRow[]; users: Map<string, User> }> {
    const normalise = (row: RawRow) => (row.cells.email ?? '').trim().toLowerCase();
    const emails = raw.map(normalise);
    const linesByEmail = new Map<string, number[]>();
    for (const row of wholeFile) {
      const email = normalise(row);
      if (email) linesByEmail.set(email, [...(linesByEmail.get(email) ?? []), row.line]);
    }
    const existing = new Map((await this.users.findByEmails(emails.filter((e) => this.users.isValidEmail(e)), manager)).map((u) => [u.email, u]));
    const userIds = [...existing.values()].map((u) => u.id);
    const memberships = new Map(
      (userIds.length ? await manager.getRepository(CohortMember).findBy({ programmeId: programme.id, userId: In(userIds) }) : []).map((m) => [m.userId, m]),
    );
    const profiles = await this.profiles.findMany(userIds);
    const byName = new Map(cohorts.map((c) => [c.name.trim().toLowerCase(), c]));
    const cohortName = new Map(cohorts.map((c) => [c.id, c.name]));

    const rows = raw.map((row, index): CheckedRow => {
      const email = emails[index];
      const name = (row.cells.name ?? '').trim().replace(/\s+/g, ' ');
      const cohortCell = (row.cells.cohort ?? '').trim();
      const cohort = cohortCell ? (byName.get(cohortCell.toLowerCase()) ?? null) : defaultCohort;
      const base = { line: row.line, email, name, cohortId: cohort?.id ?? null, cohortName: cohort?.name ?? cohortCell };
      const error = (key: string, params?: Record<string, string | number>): CheckedRow => ({ ...base, outcome: 'error', reason: { key, params } });

      if (!email) return error('bulk.reasons.email_missing');
      if (!this.users.isValidEmail(email)) return error('bulk.reasons.email_invalid', { email });
      const lines = linesByEmail.get(email) ?? [];
      if (lines.length > 1) return error('bulk.reasons.duplicate_email', { lines: lines.join(', ') });
      if (!cohort) return cohortCell ? error('bulk.reasons.cohort_unknown', { cohort: cohortCell }) : error('bulk.reasons.cohort_missing');
      const { values, errors } = this.profileOf(row);
      const invalid = Object.keys(errors)[0] as ProfileField | undefined;
      if (invalid) return error('bulk.reasons.invalid_value', { column: CSV_COLUMNS[invalid], value: row.cells[invalid] ?? '' });

      const user = existing.get(email);
      if (!user) {
        if (!name) return error('bulk.reasons.name_missing');
        if (name.length > 120) return error('bulk.reasons.name_too_long');
      }
      const membership = user ? memberships.get(user.id) : undefined;
      if (membership && membership.cohortId !== cohort.id) {
        return error('bulk.reasons.in_other_cohort', { cohort: cohortName.get(membership.cohortId) ?? '' });
      }
      if (membership) return { ...base, outcome: 'exists', reason: null };
      const known = user ? (profiles.get(user.id) ?? values) : values;
      const merged: ProfileValues = { ...values };
      for (const field of PROFILE_FIELDS) {
        const empty = field === 'marketplaces' ? merged.marketplaces.length === 0 : merged[field] === null;
        if (empty) (merged as unknown as Record<string, unknown>)[field] = known[field];
      }
      const missing = missingFields(merged, programme.requiredFields);
      if (missing.length) return error('bulk.reasons.required_missing', { columns: missing.map((f) => CSV_COLUMNS[f]).join(', ') });
      return { ...base, outcome: user ? 'enrolled' : 'created', reason: null };
    });
    return { rows, users: existing };
  }
}
