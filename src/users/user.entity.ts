import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const ROLES = ['learner', 'trainer', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const LOCALES = ['en', 'ur'] as const;
export type Locale = (typeof LOCALES)[number];

@Entity('users')
@Index('uq_users_email', ['email'], { unique: true })
@Index('idx_users_role', ['role'])
export class User {
  @PrimaryGeneratedColumn()
  id: number;

  /** Stored lower-cased; 191 characters keeps the unique index within MySQL's utf8mb4 key limit. */
  @Column({ type: 'varchar', length: 191 })
  email: string;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  /** The name as it should be printed on certificates (Latin or Urdu script); falls back to `name`. */
  @Column({ name: 'certificate_name', type: 'varchar', length: 120, nullable: true })
  certificateName: string | null;

  @Column({ type: 'varchar', length: 5, default: 'en' })
  locale: Locale;

  /** Videos start as audio only (or at the lowest quality) to spend as little data as possible. */
  @Column({ name: 'data_saver', type: 'boolean', default: false })
  dataSaver: boolean;

  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash: string;

  @Column({ type: 'simple-enum', enum: ROLES, default: 'learner' })
  role: Role;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;
}
