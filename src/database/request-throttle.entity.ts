import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Request counters per key (e.g. a client address and what it does), shared by every web instance. */
@Entity('request_throttle')
@Index('idx_request_throttle_window', ['windowStartedAt'])
export class RequestThrottle {
  @PrimaryColumn({ name: 'throttle_key', type: 'varchar', length: 191 })
  key: string;

  @Column({ type: 'int' })
  hits: number;

  @Column({ name: 'window_started_at', type: 'datetime' })
  windowStartedAt: Date;
}
