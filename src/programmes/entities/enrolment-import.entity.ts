import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Programme } from './programme.entity';

export const IMPORT_OUTCOMES = ['created', 'enrolled', 'exists', 'error'] as const;
/** created: new account, enrolled · enrolled: existing account, enrolled now · exists: already in the cohort · error. */
export type ImportOutcome = (typeof IMPORT_OUTCOMES)[number];

/** A row as read from the file (cells by column), with the cohort it was checked against. */
export interface ImportRowData {
  cells: Record<string, string>;
  defaultCohortId: number | null;
  cohortId: number | null;
}

export const IMPORT_STATUSES = ['checked', 'waiting', 'applying', 'applied', 'failed'] as const;
/** checked: dry run only · waiting/applying: the worker applies it in chunks · failed: stopped, what was applied stays. */
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/**
 * A checked CSV file: the dry run stores its rows so that "apply" needs no second upload. The
 * worker applies it in chunks of lines; `cursorLine` is the last line of the last committed
 * chunk, so a restarted apply goes on from there and never applies a row twice.
 */
@Entity('enrolment_imports')
@Index('idx_enrolment_imports_programme', ['programmeId', 'createdAt'])
export class EnrolmentImport {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'programme_id', type: 'int' })
  programmeId: number;

  @ManyToOne(() => Programme, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'programme_id', foreignKeyConstraintName: 'fk_enrolment_imports_programme' })
  programme?: Programme;

  @Column({ name: 'uploaded_by', type: 'int' })
  uploadedBy: number;

  @Column({ name: 'file_sha256', type: 'varchar', length: 64 })
  fileSha256: string;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  /** When the apply finished. */
  @Column({ name: 'applied_at', type: 'datetime', nullable: true })
  appliedAt: Date | null;

  @Column({ type: 'varchar', length: 10, default: 'checked' })
  status: ImportStatus;

  /** Language of the accounts the apply creates: the manager's who pressed "apply". */
  @Column({ type: 'varchar', length: 5, nullable: true })
  locale: string | null;

  @Column({ name: 'total_rows', type: 'int', default: 0 })
  totalRows: number;

  @Column({ name: 'done_rows', type: 'int', default: 0 })
  doneRows: number;

  @Column({ name: 'cursor_line', type: 'int', default: 0 })
  cursorLine: number;

  @Column({ name: 'apply_started_at', type: 'datetime', nullable: true })
  applyStartedAt: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  error: string | null;
}

@Entity('enrolment_import_rows')
@Index('uq_enrolment_import_rows_import_line', ['importId', 'lineNumber'], { unique: true })
export class EnrolmentImportRow {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'import_id', type: 'int' })
  importId: number;

  @ManyToOne(() => EnrolmentImport, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'import_id', foreignKeyConstraintName: 'fk_enrolment_import_rows_import' })
  import?: EnrolmentImport;

  /** The line in the file (the header is line 1), as a spreadsheet shows it. */
  @Column({ name: 'line_number', type: 'int' })
  lineNumber: number;

  @Column({ type: 'varchar', length: 191 })
  email: string;

  @Column({ type: 'simple-json' })
  data: ImportRowData;

  @Column({ type: 'varchar', length: 10 })
  outcome: string;

  /** Translation key and parameters of the reason, for rows in error. */
  @Column({ type: 'simple-json', nullable: true })
  reason: { key: string; params?: Record<string, string | number> } | null;
}
