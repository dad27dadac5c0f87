import { Controller, Get, Render } from '@nestjs/common';
import { RequireRole } from '../auth/roles.decorator';
import { CoursesService } from '../courses/courses.service';
import { EnrollmentsService } from '../enrollments/enrollments.service';

/** Programme managers' overview: enrolments and completions per published course. */
@Controller('manage')
@RequireRole('manager')
export class ManageController {
  constructor(
    private readonly courses: CoursesService,
    private readonly enrollments: EnrollmentsService,
  ) {}

  @Get()
  @Render('manage/index')
  async overview() {
    const [courses, counts] = await Promise.all([this.courses.listPublishedCourses(), this.enrollments.countsByCourse()]);
    const rows = courses.map((course) => {
      const { enrolled, completed } = counts.get(course.id) ?? { enrolled: 0, completed: 0 };
      return { title: course.title, slug: course.slug, enrolled, completed, rate: enrolled ? Math.round((completed * 100) / enrolled) : 0 };
    });
    const enrolled = rows.reduce((sum, r) => sum + r.enrolled, 0);
    const completed = rows.reduce((sum, r) => sum + r.completed, 0);
    return { rows, totals: { enrolled, completed, rate: enrolled ? Math.round((completed * 100) / enrolled) : 0 } };
  }
}
