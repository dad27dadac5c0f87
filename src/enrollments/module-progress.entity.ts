import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CourseModule } from '../courses/course-module.entity';
import { Enrollment } from './enrollment.entity';

@Entity('module_progress')
@Index('uq_module_progress_enrollment_module', ['enrollmentId', 'moduleId'], { unique: true })
@Index('idx_module_progress_module', ['moduleId'])
export class ModuleProgress {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'enrollment_id', type: 'int' })
  enrollmentId: number;

  @ManyToOne(() => Enrollment, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'enrollment_id', foreignKeyConstraintName: 'fk_module_progress_enrollment' })
  enrollment?: Enrollment;

  @Column({ name: 'module_id', type: 'int' })
  moduleId: number;

  @ManyToOne(() => CourseModule, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'module_id', foreignKeyConstraintName: 'fk_module_progress_module' })
  module?: CourseModule;

  @Column({ name: 'completed_at', type: 'datetime' })
  completedAt: Date;
}
