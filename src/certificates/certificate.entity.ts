import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Course } from '../courses/course.entity';
import { Enrollment } from '../enrollments/enrollment.entity';
import { User } from '../users/user.entity';

export const CERTIFICATE_STATUSES = ['pending', 'issued', 'failed', 'revoked'] as const;
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];

/**
 * A certificate for one completed enrolment. What it certifies (name, course title, hours,
 * completion date) is copied at completion, so later edits to the profile or the course never
 * change a certificate already given to someone.
 */
@Entity('certificates')
@Index('uq_certificates_serial', ['serial'], { unique: true })
// One live certificate per enrolment, enforced by the database. A re-issued certificate hands the
// enrolment over to its replacement (NULLs never collide in a unique index).
@Index('uq_certificates_enrollment', ['enrollmentId'], { unique: true })
@Index('idx_certificates_user', ['userId'])
@Index('idx_certificates_course_status', ['courseId', 'status'])
@Index('idx_certificates_status_completed', ['status', 'completedAt'])
// A status list position is given once and never again, even after the certificate is revoked.
@Index('uq_certificates_status_position', ['statusList', 'statusIndex'], { unique: true })
export class Certificate {
  @PrimaryGeneratedColumn()
  id: number;

  /** Printed and in the verification URL, e.g. ER-2026-000123. */
  @Column({ type: 'varchar', length: 32 })
  serial: string;

  @Column({ name: 'enrollment_id', type: 'int', nullable: true })
  enrollmentId: number | null;

  @ManyToOne(() => Enrollment, { onDelete: 'SET NULL', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'enrollment_id', foreignKeyConstraintName: 'fk_certificates_enrollment' })
  enrollment?: Enrollment;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_certificates_user' })
  user?: User;

  @Column({ name: 'course_id', type: 'int' })
  courseId: number;

  // A course with certificates cannot be deleted: buyers may still check them.
  @ManyToOne(() => Course, { onDelete: 'RESTRICT', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'course_id', foreignKeyConstraintName: 'fk_certificates_course' })
  course?: Course;

  @Column({ type: 'simple-enum', enum: CERTIFICATE_STATUSES, default: 'pending' })
  status: CertificateStatus;

  /** The name as printed: the learner's certificate name (Latin or Urdu script) at completion. */
  @Column({ name: 'holder_name', type: 'varchar', length: 120 })
  holderName: string;

  @Column({ name: 'course_title', type: 'varchar', length: 200 })
  courseTitle: string;

  /** The course's estimated study time, in minutes (shown in hours). */
  @Column({ name: 'study_minutes', type: 'int' })
  studyMinutes: number;

  @Column({ name: 'completed_at', type: 'datetime' })
  completedAt: Date;

  @Column({ name: 'issued_at', type: 'datetime', nullable: true })
  issuedAt: Date | null;

  /** Storage key of the PDF. */
  @Column({ name: 'pdf_path', type: 'varchar', length: 255, nullable: true })
  pdfPath: string | null;

  /** The signed Open Badges 3.0 credential, as a VC-JOSE compact JWS (the JSON is its payload). */
  @Column({ type: 'text', nullable: true })
  credential: string | null;

  /**
   * The same credential secured with a Data Integrity proof (eddsa-rdfc-2022), as JSON-LD.
   * Signed with the JWS at issue time; null for certificates issued before it existed.
   */
  @Column({ name: 'credential_ld', type: 'text', nullable: true })
  credentialLd: string | null;

  /** Which Bitstring Status List (/credentials/status/<n>) holds this certificate's revocation bit. */
  @Column({ name: 'status_list', type: 'int', nullable: true })
  statusList: number | null;

  /** The bit's position in that list, drawn at random when the certificate is issued. */
  @Column({ name: 'status_index', type: 'int', nullable: true })
  statusIndex: number | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  /** How many times the worker tried to issue it. */
  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'revoked_at', type: 'datetime', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'revoked_reason', type: 'varchar', length: 500, nullable: true })
  revokedReason: string | null;

  /** The certificate that replaced this one after a correction. */
  @Column({ name: 'replaced_by', type: 'int', nullable: true })
  replacedBy: number | null;

  /** When the learner was told it is ready (mail sent, or the in-app notice dismissed). */
  @Column({ name: 'notified_at', type: 'datetime', nullable: true })
  notifiedAt: Date | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;
}
