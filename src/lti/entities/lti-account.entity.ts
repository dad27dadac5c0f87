import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../../users/user.entity';
import { LtiPlatform } from './lti-platform.entity';

/**
 * Which account a platform's user (its `sub`) is here. Accounts are linked by platform and sub
 * only, never by the email the platform sends.
 */
@Entity('lti_accounts')
@Index('uq_lti_accounts_platform_sub', ['platformId', 'sub'], { unique: true })
@Index('idx_lti_accounts_user', ['userId'])
export class LtiAccount {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'platform_id', type: 'int' })
  platformId: number;

  @ManyToOne(() => LtiPlatform, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'platform_id', foreignKeyConstraintName: 'fk_lti_accounts_platform' })
  platform?: LtiPlatform;

  @Column({ type: 'varchar', length: 191 })
  sub: string;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_lti_accounts_user' })
  user?: User;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
