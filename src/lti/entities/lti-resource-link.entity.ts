import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Course } from '../../courses/course.entity';
import { LtiAccount } from './lti-account.entity';
import { LtiPlatform } from './lti-platform.entity';

/**
 * A link in an LMS course that launches one of our courses, with the gradebook column (AGS line
 * item) scores go to. Updated on every launch, since the platform may move the line item.
 */
@Entity('lti_resource_links')
@Index('uq_lti_resource_links_link', ['platformId', 'deploymentId', 'resourceLinkId'], { unique: true })
@Index('idx_lti_resource_links_course', ['courseId'])
export class LtiResourceLink {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'platform_id', type: 'int' })
  platformId: number;

  @ManyToOne(() => LtiPlatform, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'platform_id', foreignKeyConstraintName: 'fk_lti_resource_links_platform' })
  platform?: LtiPlatform;

  @Column({ name: 'deployment_id', type: 'varchar', length: 191 })
  deploymentId: string;

  @Column({ name: 'resource_link_id', type: 'varchar', length: 191 })
  resourceLinkId: string;

  @Column({ name: 'course_id', type: 'int' })
  courseId: number;

  @ManyToOne(() => Course, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'course_id', foreignKeyConstraintName: 'fk_lti_resource_links_course' })
  course?: Course;

  @Column({ name: 'lineitem_url', type: 'varchar', length: 1000, nullable: true })
  lineitemUrl: string | null;

  @Column({ type: 'simple-json', nullable: true })
  scopes: string[] | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;
}

/** Who launched through a link: their score goes to that link's line item when they complete. */
@Entity('lti_link_learners')
@Index('uq_lti_link_learners', ['resourceLinkId', 'accountId'], { unique: true })
@Index('idx_lti_link_learners_account', ['accountId'])
export class LtiLinkLearner {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'resource_link_id', type: 'int' })
  resourceLinkId: number;

  @ManyToOne(() => LtiResourceLink, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'resource_link_id', foreignKeyConstraintName: 'fk_lti_link_learners_link' })
  resourceLink?: LtiResourceLink;

  @Column({ name: 'account_id', type: 'int' })
  accountId: number;

  @ManyToOne(() => LtiAccount, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'fk_lti_link_learners_account' })
  account?: LtiAccount;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
