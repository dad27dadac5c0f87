import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { LtiAccount } from './lti-account.entity';
import { LtiResourceLink } from './lti-resource-link.entity';

export const SCORE_OUTBOX_STATUSES = ['pending', 'delivered', 'superseded'] as const;
export type ScoreOutboxStatus = (typeof SCORE_OUTBOX_STATUSES)[number];

/**
 * A score to send to a platform's gradebook, written in the transaction that completed the
 * course, so a completion never commits without it. A worker job (id from the row id) sends it;
 * a row whose job gave up is copied into a fresh row (a fresh job id) and sent again later
 * (`retry_at`), so nothing is lost. Sending the same score twice is harmless: the platform keeps the latest.
 */
@Entity('lti_score_outbox')
@Index('idx_lti_score_outbox_status', ['status', 'id'])
@Index('idx_lti_score_outbox_link', ['resourceLinkId'])
@Index('idx_lti_score_outbox_account', ['accountId'])
export class LtiScoreOutbox {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'resource_link_id', type: 'int' })
  resourceLinkId: number;

  @ManyToOne(() => LtiResourceLink, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'resource_link_id', foreignKeyConstraintName: 'fk_lti_score_outbox_link' })
  resourceLink?: LtiResourceLink;

  @Column({ name: 'account_id', type: 'int' })
  accountId: number;

  @ManyToOne(() => LtiAccount, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'fk_lti_score_outbox_account' })
  account?: LtiAccount;

  @Column({ name: 'score_given', type: 'int' })
  scoreGiven: number;

  @Column({ name: 'score_maximum', type: 'int' })
  scoreMaximum: number;

  /** When the learner completed: the Score's timestamp, so a resend never looks newer. */
  @Column({ name: 'completed_at', type: 'datetime' })
  completedAt: Date;

  @Column({ type: 'simple-enum', enum: SCORE_OUTBOX_STATUSES, default: 'pending' })
  status: ScoreOutboxStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError: string | null;

  @Column({ name: 'queued_at', type: 'datetime', nullable: true })
  queuedAt: Date | null;

  /**
   * When a row still pending gets a fresh job: 15 minutes after it was queued (well after BullMQ's
   * own retries), doubling with each round of failures, at most a day apart. Never given up.
   */
  @Column({ name: 'retry_at', type: 'datetime', nullable: true })
  retryAt: Date | null;

  @Column({ name: 'delivered_at', type: 'datetime', nullable: true })
  deliveredAt: Date | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
