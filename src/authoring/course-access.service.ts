import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { FormInvalidError, ForbiddenError, NotFoundError } from '../common/domain-error';
import { Course } from '../courses/course.entity';
import { CoursesService } from '../courses/courses.service';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { NotCourseOwnerError } from './authoring-errors';
import { CourseAuthor, CourseAuthorRole } from './entities/course-author.entity';

export interface CourseAccess {
  course: Course;
  /** The user's own role on the course; null for an administrator who is not one of its authors. */
  role: CourseAuthorRole | null;
  isAdmin: boolean;
  /** Owners and administrators manage the authors. */
  canManageAuthors: boolean;
}

export interface AuthorRow {
  userId: number;
  name: string;
  email: string;
  role: CourseAuthorRole;
}

/**
 * Who may author which course: a trainer edits only the courses they own or co-author;
 * administrators edit every course. Every authoring request asks here first.
 */
@Injectable()
export class CourseAccessService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly courses: CoursesService,
    private readonly users: UsersService,
  ) {}

  private get authors() {
    return this.dataSource.getRepository(CourseAuthor);
  }

  /** The course if this user may author it: 404 when there is no such course, 403 when it is someone else's. */
  async access(user: User, courseId: number): Promise<CourseAccess> {
    const course = await this.courses.findCourseById(courseId);
    if (!course) throw new NotFoundError('errors.course_not_found');
    const row = await this.authors.findOneBy({ courseId, userId: user.id });
    const isAdmin = user.role === 'admin';
    if (!row && !isAdmin) throw new ForbiddenError('author.not_your_course');
    return { course, role: row?.role ?? null, isAdmin, canManageAuthors: isAdmin || row?.role === 'owner' };
  }

  /** The courses a user may author with their role on each: all of them for an administrator. */
  async coursesFor(user: User): Promise<{ course: Course; role: CourseAuthorRole | null }[]> {
    const rows = await this.authors.findBy({ userId: user.id });
    const roles = new Map(rows.map((r) => [r.courseId, r.role]));
    const courses =
      user.role === 'admin'
        ? await this.courses.listAllCourses()
        : await this.courses.findCoursesByIds([...roles.keys()]);
    return courses
      .sort((a, b) => a.title.localeCompare(b.title))
      .map((course) => ({ course, role: roles.get(course.id) ?? null }));
  }

  /**
   * The ids of the courses a user may author, for queries that list work across courses
   * (the essay queue): null for an administrator, meaning every course.
   */
  async authoredCourseIds(user: User): Promise<number[] | null> {
    if (user.role === 'admin') return null;
    return (await this.authors.findBy({ userId: user.id })).map((r) => r.courseId);
  }

  /** A course's authors with their names, in two queries whatever their number. */
  async listAuthors(courseId: number): Promise<AuthorRow[]> {
    const rows = await this.authors.findBy({ courseId });
    const users = new Map((await this.users.findByIds(rows.map((r) => r.userId))).map((u) => [u.id, u]));
    return rows
      .flatMap((r) => {
        const user = users.get(r.userId);
        return user ? [{ userId: r.userId, name: user.name, email: user.email, role: r.role }] : [];
      })
      .sort((a, b) => (a.role === b.role ? a.name.localeCompare(b.name) : a.role === 'owner' ? -1 : 1));
  }

  async addOwner(manager: EntityManager, courseId: number, userId: number): Promise<void> {
    await manager
      .getRepository(CourseAuthor)
      .insert({ courseId, userId, role: 'owner', createdAt: new Date() });
  }

  /** A trainer (or administrator) account for the email, or a form error on `field`. */
  async authorAccount(email: string, field: string): Promise<User> {
    const user = email.trim() ? await this.users.findByEmail(email) : null;
    if (!user)
      throw new FormInvalidError({
        [field]: email.trim() ? 'author.no_such_account' : 'validation.required',
      });
    if (user.role !== 'trainer' && user.role !== 'admin')
      throw new FormInvalidError({ [field]: 'author.not_a_trainer' });
    return user;
  }

  /** Adds a co-author (owners and administrators only); adding someone already there changes nothing. */
  async addCoauthor(manager: EntityManager, access: CourseAccess, user: User): Promise<boolean> {
    if (!access.canManageAuthors) throw new NotCourseOwnerError();
    const authors = manager.getRepository(CourseAuthor);
    if (await authors.findOneBy({ courseId: access.course.id, userId: user.id })) return false;
    await authors.insert({
      courseId: access.course.id,
      userId: user.id,
      role: 'coauthor',
      createdAt: new Date(),
    });
    return true;
  }

  /** Removes a co-author (owners and administrators only). The owner cannot be removed, only replaced. */
  async removeCoauthor(manager: EntityManager, access: CourseAccess, userId: number): Promise<boolean> {
    if (!access.canManageAuthors) throw new NotCourseOwnerError();
    const result = await manager
      .getRepository(CourseAuthor)
      .delete({ courseId: access.course.id, userId, role: 'coauthor' });
    return (result.affected ?? 0) > 0;
  }

  /** An administrator gives the course an owner (courses imported from content/ have none); a previous owner stays as co-author. */
  async assignOwner(manager: EntityManager, access: CourseAccess, user: User): Promise<void> {
    if (!access.isAdmin) throw new NotCourseOwnerError();
    const authors = manager.getRepository(CourseAuthor);
    await authors.update({ courseId: access.course.id, role: 'owner' }, { role: 'coauthor' });
    const existing = await authors.findOneBy({ courseId: access.course.id, userId: user.id });
    if (existing) await authors.update({ id: existing.id }, { role: 'owner' });
    else
      await authors.insert({
        courseId: access.course.id,
        userId: user.id,
        role: 'owner',
        createdAt: new Date(),
      });
  }
}
