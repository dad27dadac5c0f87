import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Certificate } from './certificate.entity';

/**
 * A request to queue a certificate job, written in the same transaction as the change that
 * asks for it, so a completion can never commit without it (or it without the completion).
 * The relay sends unsent rows to the queue and stamps them.
 */
@Entity('certificate_outbox')
@Index('idx_certificate_outbox_certificate', ['certificateId'])
@Index('idx_certificate_outbox_unsent', ['sentAt', 'id'])
export class CertificateOutbox {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'certificate_id', type: 'int' })
  certificateId: number;

  @ManyToOne(() => Certificate, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'certificate_id', foreignKeyConstraintName: 'fk_certificate_outbox_certificate' })
  certificate?: Certificate;

  /**
   * The BullMQ job id. The first request for a certificate uses `certificate-<id>`; a retry or a
   * re-queue gets a fresh one, since BullMQ would ignore an id it still holds as failed.
   */
  @Column({ name: 'job_id', type: 'varchar', length: 100 })
  jobId: string;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'sent_at', type: 'datetime', nullable: true })
  sentAt: Date | null;
}
