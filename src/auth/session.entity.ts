import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('sessions')
@Index('idx_sessions_expires_at', ['expiresAt'])
export class SessionRecord {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  id: string;

  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt: Date;

  @Column({ type: 'text' })
  data: string;
}
