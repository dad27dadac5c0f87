import { LoginThrottle } from '../auth/login-throttle.entity';
import { SessionRecord } from '../auth/session.entity';
import { CourseModule } from '../courses/course-module.entity';
import { Course } from '../courses/course.entity';
import { Enrollment } from '../enrollments/enrollment.entity';
import { ModuleProgress } from '../enrollments/module-progress.entity';
import { User } from '../users/user.entity';
import { AppSetting } from './app-setting.entity';
import { Foundation1764300000000 } from './migrations/1764300000000-Foundation';

// Listed as classes, not globs, so the compiled app and Jest load exactly the same set.
// Each feature appends its own entities and migrations (migrations in timestamp order).
export const ENTITIES = [User, SessionRecord, LoginThrottle, AppSetting, Course, CourseModule, Enrollment, ModuleProgress];
export const MIGRATIONS = [Foundation1764300000000];
