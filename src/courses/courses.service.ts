import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, EntityManager, In, IsNull } from 'typeorm';
import { NotFoundError } from '../common/domain-error';
import { containsPattern, LIKE_ESCAPE } from '../common/like';
import { CourseDefinition } from './course-definition';
import { CourseModule } from './course-module.entity';
import { Course, COURSE_LEVELS, CourseStatus } from './course.entity';
import { renderMarkdown } from './markdown';

export interface CatalogFilters {
  q?: string;
  level?: string;
  language?: string;
}

export interface CatalogEntry {
  course: Course;
  moduleCount: number;
}

export interface CourseWithModules {
  course: Course;
  modules: CourseModule[];
}

@Injectable()
export class CoursesService {
  constructor(private readonly dataSource: DataSource) {}

  private get courses() {
    return this.dataSource.getRepository(Course);
  }

  private get modules() {
    return this.dataSource.getRepository(CourseModule);
  }

  async listCatalog(filters: CatalogFilters = {}): Promise<CatalogEntry[]> {
    const query = this.courses.createQueryBuilder('course').where('course.status = :status', { status: 'published' });
    const term = filters.q?.trim();
    if (term) {
      const like = containsPattern(term);
      query.andWhere(new Brackets((where) => where.where(`course.title LIKE :like ${LIKE_ESCAPE}`, { like }).orWhere(`course.summary LIKE :like ${LIKE_ESCAPE}`, { like })));
    }
    if (filters.level && (COURSE_LEVELS as readonly string[]).includes(filters.level)) {
      query.andWhere('course.level = :level', { level: filters.level });
    }
    if (filters.language) query.andWhere('course.language = :language', { language: filters.language });
    const courses = await query.orderBy('course.title', 'ASC').getMany();
    if (courses.length === 0) return [];

    const counts: { courseId: number; count: string }[] = await this.modules
      .createQueryBuilder('module')
      .select('module.courseId', 'courseId')
      .addSelect('COUNT(*)', 'count')
      .where({ courseId: In(courses.map((c) => c.id)), removedAt: IsNull() })
      .groupBy('module.courseId')
      .getRawMany();
    const byCourse = new Map(counts.map((row) => [Number(row.courseId), Number(row.count)]));
    return courses.map((course) => ({ course, moduleCount: byCourse.get(course.id) ?? 0 }));
  }

  async getPublishedCourse(slug: string): Promise<CourseWithModules> {
    const course = await this.courses.findOneBy({ slug, status: 'published' });
    if (!course) throw new NotFoundError('errors.course_not_found');
    return { course, modules: await this.activeModules(course.id) };
  }

  activeModules(courseId: number, manager: EntityManager = this.dataSource.manager): Promise<CourseModule[]> {
    return manager.getRepository(CourseModule).find({ where: { courseId, removedAt: IsNull() }, order: { position: 'ASC' } });
  }

  findCourseBySlug(slug: string): Promise<Course | null> {
    return this.courses.findOneBy({ slug });
  }

  findCoursesByIds(ids: number[]): Promise<Course[]> {
    return ids.length ? this.courses.findBy({ id: In(ids) }) : Promise.resolve([]);
  }

  listPublishedCourses(): Promise<Course[]> {
    return this.courses.find({ where: { status: 'published' }, order: { title: 'ASC' } });
  }

  findCourseById(id: number, manager: EntityManager = this.dataSource.manager): Promise<Course | null> {
    return manager.getRepository(Course).findOneBy({ id });
  }

  /** Every course, whatever its status (the authoring area of an administrator). */
  listAllCourses(): Promise<Course[]> {
    return this.courses.find({ order: { title: 'ASC' } });
  }

  /** A new course with no lessons yet, not in the catalog until it is published. */
  createDraftCourse(manager: EntityManager, definition: Omit<CourseDefinition, 'modules'>): Promise<Course> {
    const courses = manager.getRepository(Course);
    const now = new Date();
    return courses.save(courses.create({ ...definition, status: 'draft', contentHash: null, createdAt: now, updatedAt: now }));
  }

  /** Unpublish (back to draft) or archive: the course leaves the catalog; nothing else changes. */
  async setStatus(manager: EntityManager, courseId: number, status: CourseStatus): Promise<void> {
    await manager.getRepository(Course).update({ id: courseId }, { status, updatedAt: new Date() });
  }

  /** Records that content/ now holds exactly this course (after an export), so the importer skips it. */
  async setContentHash(manager: EntityManager, courseId: number, contentHash: string | null): Promise<void> {
    await manager.getRepository(Course).update({ id: courseId }, { contentHash });
  }

  /**
   * Writes a course and its modules from a definition inside the caller's transaction.
   * Modules are matched by slug, so a learner's progress survives edits; a module missing from
   * the definition is marked removed (it stops counting towards completion), never deleted.
   */
  async saveCourseDefinition(manager: EntityManager, definition: CourseDefinition, contentHash: string | null): Promise<Course> {
    const courses = manager.getRepository(Course);
    const modules = manager.getRepository(CourseModule);
    const now = new Date();
    let course = await courses.findOneBy({ slug: definition.slug });
    course = courses.merge(course ?? courses.create({ createdAt: now }), {
      slug: definition.slug,
      title: definition.title,
      summary: definition.summary,
      language: definition.language,
      level: definition.level,
      estimatedMinutes: definition.estimatedMinutes,
      outcomes: definition.outcomes,
      coverImage: definition.coverImage ?? null,
      status: 'published',
      contentHash,
      updatedAt: now,
    });
    course = await courses.save(course);

    const existing = new Map((await modules.findBy({ courseId: course.id })).map((m) => [m.slug, m]));
    const kept = new Set<string>();
    for (const [index, def] of definition.modules.entries()) {
      kept.add(def.slug);
      const module = modules.merge(existing.get(def.slug) ?? modules.create({ courseId: course.id, slug: def.slug }), {
        position: index + 1,
        title: def.title,
        minutes: def.minutes,
        required: def.required,
        removedAt: null,
        bodyMarkdown: def.bodyMarkdown,
        bodyHtml: renderMarkdown(def.bodyMarkdown),
      });
      await modules.save(module);
    }
    for (const module of existing.values()) {
      if (!kept.has(module.slug) && !module.removedAt) await modules.update({ id: module.id }, { removedAt: now });
    }
    return course;
  }
}
