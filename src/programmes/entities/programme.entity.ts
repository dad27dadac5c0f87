import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../../users/user.entity';
import type { ProfileField } from '../profile-fields';

const fieldList = {
  to: (value: ProfileField[] | undefined) => (value ?? []).join(','),
  // On insert TypeORM hands back what was written (the default, an array), not only strings.
  from: (value: unknown) => (typeof value === 'string' && value ? (value.split(',') as ProfileField[]) : Array.isArray(value) ? value : []),
};

/** A training programme run for a ministry or trade body; its learners are grouped in cohorts. */
@Entity('programmes')
export class Programme {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 160 })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** Profile fields a learner must give to join one of its cohorts. */
  @Column({ name: 'required_fields', type: 'varchar', length: 300, default: '', transformer: fieldList })
  requiredFields: ProfileField[];

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;
}

/** A manager of a programme sees and runs all of its cohorts. */
@Entity('programme_managers')
@Index('uq_programme_managers_programme_user', ['programmeId', 'userId'], { unique: true })
@Index('idx_programme_managers_user', ['userId'])
export class ProgrammeManager {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'programme_id', type: 'int' })
  programmeId: number;

  @ManyToOne(() => Programme, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'programme_id', foreignKeyConstraintName: 'fk_programme_managers_programme' })
  programme?: Programme;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_programme_managers_user' })
  user?: User;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
