import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { DomainError, ErrorCode, NotFoundError } from '../../common/domain-error';
import { CoursesService, LessonOutline } from '../../courses/courses.service';
import { TransactionRunner } from '../../database/transaction-runner';
import { Enrollment } from '../../enrollments/enrollment.entity';
import { EnrollmentsService } from '../../enrollments/enrollments.service';
import { LessonNotReadyError } from '../../enrollments/lesson-extensions';
import type { LessonVideoView } from '../lesson-video-view';
import { LessonVideoSource } from './lesson-video-source';
import { VideoWatch } from './video-watch.entity';
import { allowanceSeconds, coveredSeconds, creditReport, tenthsWatched, watchedPercent, WatchRange } from './watch-ranges';

/** A report carries at most this many ranges: a player sends a handful, anything more is noise. */
export const MAX_RANGES_PER_REPORT = 100;

export interface WatchReport {
  watchedPercent: number;
  requiredPercent: number;
  creditedSeconds: number;
  refusedSeconds: number;
  /** The lesson is complete (now or before). */
  lessonComplete: boolean;
  /** This report completed the lesson. */
  completedNow: boolean;
}

/** How learners watch a lesson's published video, for its authors. */
export interface WatchingStats {
  video: LessonVideoView;
  /** Learners with a watch record for this video (the sample, when `sampled`). */
  started: number;
  /** Learners at or above the required share; null when none is required. */
  reachedRequired: number | null;
  averagePercent: number;
  /** Per tenth of the video: its start and end in seconds and the percent of learners who watched it. */
  tenths: { from: number; to: number; percent: number }[];
  /** More learners watched than were read: the figures are from the most recent STATS_MAX_LEARNERS. */
  sampled: boolean;
}

/** Learners read for the statistics: enough for stable shares, bounded for a very popular lesson. */
export const STATS_MAX_LEARNERS = 10_000;

export class BadWatchReportError extends DomainError {
  constructor() {
    super(ErrorCode.Invalid, 'video_player.bad_report');
  }
}

/**
 * Watched ranges per enrolment and lesson. A report can add at most what the learner could have
 * watched since the previous one (watch-ranges.ts), and in total at most twice the time since
 * the first report; reaching the lesson's required percent completes it through EnrollmentsService.
 */
@Injectable()
export class WatchService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly courses: CoursesService,
    private readonly enrollments: EnrollmentsService,
    private readonly videos: LessonVideoSource,
    private readonly clock: Clock,
  ) {}

  /** Parses `{ ranges: [{from, to}, …] }` from a request body; throws BadWatchReportError otherwise. */
  static parseRanges(body: unknown): WatchRange[] {
    const ranges = (body as { ranges?: unknown } | null)?.ranges;
    if (!Array.isArray(ranges) || ranges.length > MAX_RANGES_PER_REPORT) throw new BadWatchReportError();
    return ranges.map((range) => {
      const { from, to } = (range ?? {}) as { from?: unknown; to?: unknown };
      const start = Number(from);
      const end = Number(to);
      if (typeof from !== 'number' || typeof to !== 'number' || !Number.isFinite(start) || !Number.isFinite(end) || end < start) throw new BadWatchReportError();
      return [start, end];
    });
  }

  async report(userId: number, courseSlug: string, lessonSlug: string, ranges: WatchRange[]): Promise<WatchReport> {
    const { enrollment, lesson, video } = await this.lessonVideo(userId, courseSlug, lessonSlug);
    const now = this.clock.now();
    const before = await this.transactions.run(async (manager) => {
      const repository = manager.getRepository(VideoWatch);
      const lock = this.transactions.isSqlite ? undefined : { mode: 'pessimistic_write' as const };
      let row = await repository.findOne({ where: { enrollmentId: enrollment.id, moduleId: lesson.id }, lock });
      if (!row || row.videoId !== video.videoId) {
        // First report for this video (or the video was replaced): the clock starts now.
        const fresh = { videoId: video.videoId, ranges: [], watchedSeconds: 0, watchedPercent: 0, lastReportAt: now, createdAt: now };
        if (row) await repository.update({ id: row.id }, fresh);
        else await repository.insert({ enrollmentId: enrollment.id, moduleId: lesson.id, ...fresh });
        row = await repository.findOneOrFail({ where: { enrollmentId: enrollment.id, moduleId: lesson.id }, lock });
      }
      const sinceLast = now.getTime() - row.lastReportAt.getTime();
      const sinceFirst = now.getTime() - row.createdAt.getTime();
      // Per report: twice the time since the last one, plus slack; in total: never more than
      // twice the time since the first report plus that slack once, so many quick reports gain nothing.
      const allowance = Math.max(0, Math.min(allowanceSeconds(sinceLast), allowanceSeconds(sinceFirst) - coveredSeconds(row.ranges)));
      const result = creditReport(row.ranges, ranges, video.durationSeconds, allowance);
      const percent = watchedPercent(result.coverage, video.durationSeconds);
      await repository.update(
        { id: row.id },
        { ranges: result.coverage, watchedSeconds: Math.floor(coveredSeconds(result.coverage)), watchedPercent: percent, lastReportAt: now },
      );
      return { previousPercent: row.watchedPercent, percent, result };
    });
    const required = video.requiredWatchPercent;
    const reached = required > 0 && before.percent >= required;
    // Completing runs its own transaction (and the course's completion rule), after ours committed.
    const completedNow = reached && before.previousPercent < required;
    if (completedNow) await this.enrollments.completeModule(enrollment, lesson);
    const progress = reached ? null : await this.enrollments.findProgress(userId, enrollment.courseId);
    return {
      watchedPercent: before.percent,
      requiredPercent: required,
      creditedSeconds: before.result.creditedSeconds,
      refusedSeconds: before.result.refusedSeconds,
      lessonComplete: reached || !!progress?.completedModuleIds.has(lesson.id),
      completedNow,
    };
  }

  /** Refuses to mark a lesson complete while less than its required share of the video was watched. */
  async ensureWatched(enrollment: Enrollment, lesson: Pick<LessonOutline, 'id' | 'courseId'>): Promise<void> {
    const video = (await this.videos.videosForCourse(lesson.courseId)).get(lesson.id);
    if (!video || video.status !== 'ready' || video.requiredWatchPercent <= 0) return;
    const row = await this.dataSource.getRepository(VideoWatch).findOneBy({ enrollmentId: enrollment.id, moduleId: lesson.id });
    const percent = row && row.videoId === video.videoId ? row.watchedPercent : 0;
    if (percent < video.requiredWatchPercent) throw new LessonNotReadyError('video_player.watch_more');
  }

  /**
   * The published video of a published course's lesson, and how learners watched it; null when
   * learners see no video there (the course or the video is not published yet).
   */
  async watchingStats(courseSlug: string, lessonSlug: string): Promise<WatchingStats | null> {
    let outline;
    try {
      outline = await this.courses.getPublishedCourse(courseSlug);
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
    const lesson = outline.modules.find((m) => m.slug === lessonSlug);
    const video = lesson ? (await this.videos.videosForCourse(outline.course.id)).get(lesson.id) : undefined;
    if (!lesson || !video) return null;
    const rows = await this.dataSource.getRepository(VideoWatch).find({
      select: { id: true, ranges: true, watchedPercent: true },
      where: { moduleId: lesson.id, videoId: video.videoId },
      order: { lastReportAt: 'DESC' },
      take: STATS_MAX_LEARNERS + 1,
    });
    const sampled = rows.length > STATS_MAX_LEARNERS;
    const learners = rows.slice(0, STATS_MAX_LEARNERS);
    const required = video.requiredWatchPercent;
    const tenth = video.durationSeconds / 10;
    return {
      video,
      started: learners.length,
      reachedRequired: required > 0 ? learners.filter((row) => row.watchedPercent >= required).length : null,
      averagePercent: learners.length ? Math.round(learners.reduce((sum, row) => sum + row.watchedPercent, 0) / learners.length) : 0,
      tenths: tenthsWatched(learners.map((row) => row.ranges), video.durationSeconds).map((percent, i) => ({ from: i * tenth, to: (i + 1) * tenth, percent })),
      sampled,
    };
  }

  private async lessonVideo(userId: number, courseSlug: string, lessonSlug: string): Promise<{ enrollment: Enrollment; lesson: LessonOutline; video: LessonVideoView }> {
    const { course, modules } = await this.courses.getPublishedCourse(courseSlug);
    const lesson = modules.find((m) => m.slug === lessonSlug);
    if (!lesson) throw new NotFoundError('errors.lesson_not_found');
    const enrollment = await this.enrollments.findEnrollment(userId, course.id);
    if (!enrollment) throw new DomainError(ErrorCode.Forbidden, 'video_player.not_enrolled');
    const video = (await this.videos.videosForCourse(course.id)).get(lesson.id);
    if (!video || video.status !== 'ready') throw new NotFoundError('video_player.no_video');
    return { enrollment, lesson, video };
  }
}
