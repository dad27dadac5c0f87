import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Failed-login counters, per account and per client address, shared by every web instance. */
@Entity('login_throttle')
export class LoginThrottle {
  @PrimaryColumn({ name: 'throttle_key', type: 'varchar', length: 191 })
  key: string;

  @Column({ type: 'int' })
  failures: number;

  @Column({ name: 'window_started_at', type: 'datetime' })
  windowStartedAt: Date;

  @Column({ name: 'locked_until', type: 'datetime', nullable: true })
  lockedUntil: Date | null;
}
