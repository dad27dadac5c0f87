import { LoginThrottle } from '../auth/login-throttle.entity';
import { SessionRecord } from '../auth/session.entity';
import { CourseModule } from '../courses/course-module.entity';
import { Course } from '../courses/course.entity';
import { Enrollment } from '../enrollments/enrollment.entity';
import { ModuleProgress } from '../enrollments/module-progress.entity';
import { User } from '../users/user.entity';
import { AppSetting } from './app-setting.entity';
import { Foundation1764300000000 } from './migrations/1764300000000-Foundation';
import { Quizzes1764350000000 } from './migrations/1764350000000-Quizzes';
import { QuizStatisticsIndex1764700000000 } from './migrations/1764700000000-QuizStatisticsIndex';
import { AttemptAnswer } from '../quizzes/entities/attempt-answer.entity';
import { QuizAttempt } from '../quizzes/entities/quiz-attempt.entity';
import { QuizQuestion } from '../quizzes/entities/quiz-question.entity';
import { Quiz } from '../quizzes/entities/quiz.entity';

// Listed as classes, not globs, so the compiled app and Jest load exactly the same set.
// Each feature appends its own entities and migrations (migrations in timestamp order).
export const ENTITIES = [User, SessionRecord, LoginThrottle, AppSetting, Course, CourseModule, Enrollment, ModuleProgress, Quiz, QuizQuestion, QuizAttempt, AttemptAnswer];
export const MIGRATIONS = [Foundation1764300000000, Quizzes1764350000000, QuizStatisticsIndex1764700000000];
