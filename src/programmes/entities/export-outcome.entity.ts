import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../../users/user.entity';

/** In the order a business usually reaches them: the outcomes funnel. */
export const MILESTONES = ['store_opened', 'first_listing', 'first_inquiry', 'first_order', 'first_payment'] as const;
export type Milestone = (typeof MILESTONES)[number];

/** An export milestone a learner reached, once per milestone; a trainer or manager may verify it. */
@Entity('export_outcomes')
@Index('uq_export_outcomes_user_milestone', ['userId', 'milestone'], { unique: true })
@Index('idx_export_outcomes_verified', ['verifiedAt', 'createdAt'])
@Index('idx_export_outcomes_verified_by', ['verifiedBy'])
export class ExportOutcome {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_export_outcomes_user' })
  user?: User;

  @Column({ type: 'varchar', length: 30 })
  milestone: Milestone;

  /** The calendar date it happened (YYYY-MM-DD). */
  @Column({ name: 'achieved_on', type: 'varchar', length: 10 })
  achievedOn: string;

  @Column({ name: 'evidence_url', type: 'varchar', length: 500, nullable: true })
  evidenceUrl: string | null;

  @Column({ name: 'verified_at', type: 'datetime', nullable: true })
  verifiedAt: Date | null;

  @Column({ name: 'verified_by', type: 'int', nullable: true })
  verifiedBy: number | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'verified_by', foreignKeyConstraintName: 'fk_export_outcomes_verifier' })
  verifier?: User;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;
}
