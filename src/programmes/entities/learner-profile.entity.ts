import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../../users/user.entity';
import type { BusinessSize, ExportStage, Gender, Marketplace, Province, Sector } from '../profile-fields';

/** Marketplaces are few and fixed: stored as "alibaba,etsy" so a row stays one short string. */
const codeList = {
  to: (value: Marketplace[] | undefined) => (value && value.length ? value.join(',') : null),
  from: (value: unknown) => (typeof value === 'string' && value ? (value.split(',') as Marketplace[]) : Array.isArray(value) ? value : []),
};

/** What programme reports break down by. One row per learner who filled any of it in. */
@Entity('learner_profiles')
export class LearnerProfile {
  @PrimaryColumn({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_learner_profiles_user' })
  user?: User;

  @Column({ name: 'business_name', type: 'varchar', length: 160, nullable: true })
  businessName: string | null;

  @Column({ type: 'varchar', length: 30, nullable: true })
  sector: Sector | null;

  /** Normalised ("Lahore"), so reports group one city once. */
  @Column({ type: 'varchar', length: 80, nullable: true })
  city: string | null;

  @Column({ type: 'varchar', length: 30, nullable: true })
  province: Province | null;

  @Column({ type: 'varchar', length: 30, nullable: true })
  gender: Gender | null;

  @Column({ name: 'business_size', type: 'varchar', length: 30, nullable: true })
  businessSize: BusinessSize | null;

  @Column({ type: 'varchar', length: 200, nullable: true, transformer: codeList })
  marketplaces: Marketplace[];

  @Column({ name: 'export_stage', type: 'varchar', length: 30, nullable: true })
  exportStage: ExportStage | null;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;
}
