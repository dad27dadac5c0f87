import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Programme } from './programme.entity';

/**
 * A programme's counters, per reporting week and per breakdown value, for the whole programme
 * (cohort 0, course 0), each cohort (course 0) and each course (cohort 0): a dashboard reads a
 * few thousand of these rows instead of hundreds of thousands of enrolments. `dimension` is
 * all | course | cohort | sector | province | gender | city | days; the week is the enrolment
 * week, except for `completions`, counted in the week of completion.
 */
@Entity('programme_stats')
export class ProgrammeStat {
  @PrimaryColumn({ name: 'programme_id', type: 'int' })
  programmeId: number;

  @ManyToOne(() => Programme, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'programme_id', foreignKeyConstraintName: 'fk_programme_stats_programme' })
  programme?: Programme;

  @PrimaryColumn({ name: 'cohort_id', type: 'int' })
  cohortId: number;

  @PrimaryColumn({ name: 'course_id', type: 'int' })
  courseId: number;

  @PrimaryColumn({ type: 'varchar', length: 20 })
  dimension: string;

  @PrimaryColumn({ type: 'varchar', length: 100 })
  value: string;

  @PrimaryColumn({ type: 'int' })
  week: number;

  @Column({ type: 'int', default: 0 })
  enrolled: number;

  @Column({ type: 'int', default: 0 })
  started: number;

  @Column({ type: 'int', default: 0 })
  halfway: number;

  @Column({ type: 'int', default: 0 })
  completed: number;

  @Column({ type: 'int', default: 0 })
  certified: number;

  @Column({ type: 'int', default: 0 })
  completions: number;
}

/** Learners who attempted / passed each quiz (of its course), by enrolment week; cohort 0 is the whole programme. */
@Entity('programme_quiz_stats')
export class ProgrammeQuizStat {
  @PrimaryColumn({ name: 'programme_id', type: 'int' })
  programmeId: number;

  @ManyToOne(() => Programme, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'programme_id', foreignKeyConstraintName: 'fk_programme_quiz_stats_programme' })
  programme?: Programme;

  @PrimaryColumn({ name: 'cohort_id', type: 'int' })
  cohortId: number;

  @PrimaryColumn({ name: 'course_id', type: 'int' })
  courseId: number;

  @PrimaryColumn({ name: 'quiz_id', type: 'int' })
  quizId: number;

  @PrimaryColumn({ type: 'int' })
  week: number;

  @Column({ type: 'int', default: 0 })
  attempted: number;

  @Column({ type: 'int', default: 0 })
  passed: number;
}

/** Learners who reached each export milestone, by the week they reached it; cohort 0 is the whole programme. */
@Entity('programme_outcome_stats')
export class ProgrammeOutcomeStat {
  @PrimaryColumn({ name: 'programme_id', type: 'int' })
  programmeId: number;

  @ManyToOne(() => Programme, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'programme_id', foreignKeyConstraintName: 'fk_programme_outcome_stats_programme' })
  programme?: Programme;

  @PrimaryColumn({ name: 'cohort_id', type: 'int' })
  cohortId: number;

  @PrimaryColumn({ type: 'varchar', length: 30 })
  milestone: string;

  @PrimaryColumn({ type: 'int' })
  week: number;

  @Column({ type: 'int', default: 0 })
  recorded: number;

  @Column({ type: 'int', default: 0 })
  verified: number;
}
