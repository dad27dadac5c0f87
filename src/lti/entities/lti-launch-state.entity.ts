import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { LtiPlatform } from './lti-platform.entity';

/**
 * One OIDC login in flight: the state we sent the platform and the nonce its id_token must
 * carry. Used once (used_at is set by a conditional update), so neither a replayed state nor a
 * replayed id_token gets a second session.
 */
@Entity('lti_launch_states')
@Index('uq_lti_launch_states_state', ['state'], { unique: true })
@Index('idx_lti_launch_states_expires', ['expiresAt'])
export class LtiLaunchState {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 64 })
  state: string;

  @Column({ type: 'varchar', length: 64 })
  nonce: string;

  @Column({ name: 'platform_id', type: 'int' })
  platformId: number;

  @ManyToOne(() => LtiPlatform, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'platform_id', foreignKeyConstraintName: 'fk_lti_launch_states_platform' })
  platform?: LtiPlatform;

  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'datetime', nullable: true })
  usedAt: Date | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
