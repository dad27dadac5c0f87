import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DataSource, EntityManager, In, IsNull, LessThan, Not } from 'typeorm';
import { ReadThroughCache } from '../cache/read-through-cache';
import { SharedCacheService } from '../cache/shared-cache.service';
import { DomainError, ErrorCode, FormInvalidError, NotFoundError } from '../common/domain-error';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { FILE_STORAGE, FileStorage, LocalCopy } from '../storage/file-storage';
import { CourseModule } from '../courses/course-module.entity';
import { TransactionRunner } from '../database/transaction-runner';
import { BackgroundJobs, within } from '../queues/background-jobs';
import { PublishingService } from '../authoring/publishing.service';
import type { FolderVideo } from '../content/content-loader';
import { ContentService } from '../content/content.service';
import { LessonVideo } from './entities/lesson-video.entity';
import { CAPTION_LANGS, VideoCaption } from './entities/video-caption.entity';
import { Video } from './entities/video.entity';
import type { CaptionLang, CourseVideos, LessonVideoView } from './lesson-video-view';
import { NotAVideoError, Transcoder } from './transcoder';
import { DOWNLOAD_STEP } from './video-ladder';
import { ChunkTooLargeError, hashFile, UploadMovedError, VideoFiles, videoSpoolDir } from './video-files';
import { REQUEUE_VIDEOS_SCHEDULE, SWEEP_VIDEOS_SCHEDULE, TRANSCODE_VIDEO_JOB, transcodeJobId, TranscodeVideoJob, VIDEOS_QUEUE } from './videos.queue';
import { CaptionsInvalidError, parseCaptions, parseWebVtt, writeWebVtt } from '../common/webvtt';

/** The largest chunk one PUT may carry. */
export const CHUNK_MAX_BYTES = 8 * 1024 * 1024;
const CAPTION_LABELS: Record<CaptionLang, string> = { en: 'English', ur: 'اردو' };
const PROGRESS_WRITE_MS = 2000;
const ABANDONED_UPLOAD_MS = 24 * 3600_000;
/** Videos a sweep looks at; the next hour's sweep takes the rest. */
const SWEEP_BATCH = 200;

/** An upload PUT at the wrong offset: the client resumes from `received`. */
export class UploadOffsetError extends DomainError {
  constructor(readonly received: number) {
    super(ErrorCode.Conflict, 'videos.upload_offset', { received });
  }
}

export interface AuthorVideoState {
  lessonVideo: LessonVideo | null;
  video: Video | null;
  captions: VideoCaption[];
  /** The video learners see now, when it is not the draft's. */
  publishedVideo: Video | null;
}

export function mediaUrl(videoId: number, name: string): string {
  return `/media/videos/${videoId}/${name}`;
}

/**
 * Video lessons: uploads (chunked and resumable, or whole from a plain form), the transcode
 * job, caption tracks, the watch setting, publishing with the course, and the cached view a
 * lesson page gets (videosForCourse).
 */
@Injectable()
export class VideosService implements OnModuleInit {
  private readonly logger = new Logger('Videos');
  readonly files: VideoFiles;
  private readonly transcoder: Transcoder;
  private readonly cache: ReadThroughCache<CourseVideos>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(VIDEOS_QUEUE) private readonly queue: Queue<TranscodeVideoJob>,
    private readonly background: BackgroundJobs,
    private readonly shared: SharedCacheService,
    private readonly publishing: PublishingService,
    private readonly content: ContentService,
    @Inject(FILE_STORAGE) storage: FileStorage,
  ) {
    this.files = new VideoFiles(storage, videoSpoolDir(config.dataDir));
    this.transcoder = new Transcoder(config.video.ffmpegPath, config.video.ffprobePath);
    this.cache = shared.create<CourseVideos>('videos', { ttlMs: 10 * 60_000, maxEntries: 500 });
  }

  onModuleInit(): void {
    this.background.every(REQUEUE_VIDEOS_SCHEDULE, () => this.requeueWaiting());
    this.background.every(SWEEP_VIDEOS_SCHEDULE, () => this.sweep());
    this.publishing.onPublished((manager, courseId) => this.publishCourse(manager, courseId));
    this.content.onCourseImported((manager, courseId, loaded) => this.importFolderVideos(manager, courseId, loaded.videos));
  }

  private get videos() {
    return this.dataSource.getRepository(Video);
  }

  private get lessonVideos() {
    return this.dataSource.getRepository(LessonVideo);
  }

  private get captions() {
    return this.dataSource.getRepository(VideoCaption);
  }

  get maxBytes(): number {
    return this.config.video.maxBytes;
  }

  // ---- Author side -------------------------------------------------------------------------

  async authorState(courseId: number, lessonSlug: string): Promise<AuthorVideoState> {
    const lessonVideo = await this.lessonVideos.findOneBy({ courseId, lessonSlug });
    const video = lessonVideo?.videoId ? await this.videos.findOneBy({ id: lessonVideo.videoId }) : null;
    const captions = video ? await this.captions.find({ where: { videoId: video.id }, order: { lang: 'ASC' } }) : [];
    const publishedVideo =
      lessonVideo?.publishedVideoId && lessonVideo.publishedVideoId !== video?.id ? await this.videos.findOneBy({ id: lessonVideo.publishedVideoId }) : null;
    return { lessonVideo, video, captions, publishedVideo };
  }

  /** A video of this course, for the upload routes (which check the course's access first). */
  async videoOfCourse(videoId: number): Promise<Video> {
    const video = await this.videos.findOneBy({ id: videoId });
    if (!video) throw new NotFoundError('videos.not_found');
    return video;
  }

  /** Starts a chunked upload: the video row exists from now on and the lesson points at it. */
  async startUpload(userId: number, courseId: number, lessonSlug: string, name: string, size: number): Promise<Video> {
    if (!Number.isInteger(size) || size <= 0) throw new FormInvalidError({ video: 'videos.file_missing' });
    if (size > this.maxBytes) throw new FormInvalidError({ video: 'videos.file_too_large' });
    const now = new Date();
    return this.transactions.run(async (manager) => {
      const video = await manager.save(
        manager.create(Video, {
          courseId,
          lessonSlug,
          status: 'uploading',
          progress: 0,
          originalName: cleanName(name),
          sizeBytes: size,
          receivedBytes: 0,
          attempts: 0,
          uploadedBy: userId,
          createdAt: now,
          updatedAt: now,
        }),
      );
      await this.pointLessonAt(manager, courseId, lessonSlug, video.id, now);
      return video;
    });
  }

  /**
   * Appends a chunk at `offset` (which must be what the server holds). When the last byte is
   * in, the file is checked and queued for transcoding (see finishUpload).
   */
  async receiveChunk(video: Video, offset: number, body: Readable): Promise<Video> {
    if (video.status !== 'uploading') throw new DomainError(ErrorCode.Conflict, 'videos.upload_finished');
    const held = await this.files.uploadedBytes(video.id);
    if (offset !== held) throw new UploadOffsetError(held);
    let received: number;
    try {
      received = await this.files.append(video.id, offset, body, Math.min(CHUNK_MAX_BYTES, video.sizeBytes - offset));
    } catch (error) {
      if (error instanceof ChunkTooLargeError) throw new DomainError(ErrorCode.Invalid, 'videos.chunk_too_large');
      if (error instanceof UploadMovedError) throw new UploadOffsetError(error.received);
      throw error;
    }
    await this.transactions.run((manager) => manager.update(Video, { id: video.id }, { receivedBytes: received, updatedAt: new Date() }));
    const updated = { ...video, receivedBytes: received };
    return received === video.sizeBytes ? this.finishUpload(updated) : updated;
  }

  /** The whole file from the plain form (no JavaScript): already on disk at `file`. */
  async uploadWhole(userId: number, courseId: number, lessonSlug: string, file: { path: string; size: number; filename: string }): Promise<Video> {
    const video = await this.startUpload(userId, courseId, lessonSlug, file.filename, file.size);
    await this.files.adopt(video.id, file.path);
    await this.transactions.run((manager) => manager.update(Video, { id: video.id }, { receivedBytes: file.size }));
    return this.finishUpload({ ...video, receivedBytes: file.size });
  }

  /** How much of the video the server holds: an upload's bytes so far, or all of them once it is in. */
  async receivedBytes(video: Video): Promise<number> {
    return video.status === 'uploading' ? this.files.uploadedBytes(video.id) : video.receivedBytes;
  }

  /**
   * Checks the upload with ffprobe: a file that is not a video fails at once, with the reason
   * shown to the trainer. A good one goes into the file storage before it is queued.
   */
  private async finishUpload(video: Video): Promise<Video> {
    try {
      const probed = await this.transcoder.probe(this.files.uploadPathOf(video.id));
      const { sha } = await hashFile(this.files.uploadPathOf(video.id));
      await this.files.storeUpload(video.id);
      await this.transactions.run((manager) =>
        manager.update(Video, { id: video.id }, { status: 'queued', durationMs: probed.durationMs, width: probed.width, height: probed.height, sourceSha256: sha, updatedAt: new Date() }),
      );
    } catch (error) {
      if (!(error instanceof NotAVideoError)) throw error;
      await this.markFailed(video.id, `not a video: ${error.message}`);
      await this.files.discardUpload(video.id);
      throw new FormInvalidError({ video: 'videos.not_a_video' });
    }
    const queued = await this.videoOfCourse(video.id);
    await this.enqueue(queued);
    return queued;
  }

  async saveSetting(courseId: number, lessonSlug: string, requiredWatchPercent: unknown): Promise<void> {
    const raw = String(requiredWatchPercent ?? '').trim();
    const percent = Number(raw);
    if (!/^\d{1,3}$/.test(raw) || percent > 100) throw new FormInvalidError({ requiredWatchPercent: 'videos.percent_invalid' });
    await this.transactions.run(async (manager) => {
      const row = await manager.findOneBy(LessonVideo, { courseId, lessonSlug });
      if (row) await manager.update(LessonVideo, { id: row.id }, { requiredWatchPercent: percent, updatedAt: new Date() });
      else await manager.insert(LessonVideo, { courseId, lessonSlug, videoId: null, requiredWatchPercent: percent, publishedVideoId: null, publishedRequiredWatchPercent: 0, updatedAt: new Date() });
      this.shared.changed('videos', manager);
    });
  }

  /** Stores a caption track (replacing the language's previous one); form errors name the problem and its line. */
  async addCaptions(courseId: number, lessonSlug: string, lang: unknown, data: Buffer): Promise<VideoCaption> {
    if (!(CAPTION_LANGS as readonly unknown[]).includes(lang)) throw new FormInvalidError({ lang: 'videos.captions_lang_invalid' });
    if (data.length === 0) throw new FormInvalidError({ captions: 'videos.captions_missing' });
    const row = await this.lessonVideos.findOneBy({ courseId, lessonSlug });
    if (!row?.videoId) throw new FormInvalidError({ captions: 'videos.captions_no_video' });
    let text: string;
    let count: number;
    try {
      const cues = parseCaptions(data);
      text = writeWebVtt(cues);
      count = cues.length;
    } catch (error) {
      if (!(error instanceof CaptionsInvalidError)) throw error;
      throw new FormInvalidError({ captions: error.messageKey });
    }
    return this.storeCaptions(row.videoId, lang as CaptionLang, text, count);
  }

  private async storeCaptions(videoId: number, lang: CaptionLang, text: string, cueCount: number): Promise<VideoCaption> {
    const fileName = `captions-${lang}-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.vtt`;
    await this.files.writeFile(videoId, fileName, text);
    const { caption, replaced } = await this.transactions.run(async (manager) => {
      const previous = await manager.findOneBy(VideoCaption, { videoId, lang });
      if (previous) await manager.delete(VideoCaption, { id: previous.id });
      const saved = await manager.save(manager.create(VideoCaption, { videoId, lang, fileName, cueCount, createdAt: new Date() }));
      this.shared.changed('videos', manager);
      return { caption: saved, replaced: previous };
    });
    if (replaced && replaced.fileName !== fileName) await this.files.deleteFile(videoId, replaced.fileName);
    return caption;
  }

  /**
   * Takes a language's captions off the lesson's video (drafted and published alike, as adding
   * them is): its track and transcript go from the lesson page, and its file from the storage.
   */
  async removeCaptions(courseId: number, lessonSlug: string, lang: string): Promise<void> {
    const row = await this.lessonVideos.findOneBy({ courseId, lessonSlug });
    const caption = row?.videoId && (CAPTION_LANGS as readonly string[]).includes(lang) ? await this.captions.findOneBy({ videoId: row.videoId, lang: lang as CaptionLang }) : null;
    if (!caption) throw new NotFoundError('videos.captions_not_found');
    await this.transactions.run(async (manager) => {
      await manager.delete(VideoCaption, { id: caption.id });
      this.shared.changed('videos', manager);
    });
    await this.files.deleteFile(caption.videoId, caption.fileName);
  }

  /**
   * Takes the video off the lesson's draft: learners keep the published one until the course is
   * published again. The video itself is deleted by the sweep once no lesson uses it.
   */
  async removeFromLesson(courseId: number, lessonSlug: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      const row = await manager.findOneBy(LessonVideo, { courseId, lessonSlug });
      if (!row?.videoId) throw new NotFoundError('videos.not_found');
      await manager.update(LessonVideo, { id: row.id }, { videoId: null, updatedAt: new Date() });
      this.shared.changed('videos', manager);
    });
  }

  private async pointLessonAt(manager: EntityManager, courseId: number, lessonSlug: string, videoId: number, now: Date): Promise<void> {
    const row = await manager.findOneBy(LessonVideo, { courseId, lessonSlug });
    if (row) await manager.update(LessonVideo, { id: row.id }, { videoId, updatedAt: now });
    else await manager.insert(LessonVideo, { courseId, lessonSlug, videoId, requiredWatchPercent: 0, publishedVideoId: null, publishedRequiredWatchPercent: 0, updatedAt: now });
    this.shared.changed('videos', manager);
  }

  /** Publishing the course (in its transaction): each lesson's drafted video and setting go live. */
  async publishCourse(manager: EntityManager, courseId: number): Promise<void> {
    const rows = await manager.findBy(LessonVideo, { courseId });
    for (const row of rows) {
      if (row.publishedVideoId === row.videoId && row.publishedRequiredWatchPercent === row.requiredWatchPercent) continue;
      await manager.update(LessonVideo, { id: row.id }, { publishedVideoId: row.videoId, publishedRequiredWatchPercent: row.requiredWatchPercent, updatedAt: new Date() });
    }
    this.shared.changed('videos', manager);
  }

  /**
   * A content/ folder was imported (in its transaction): each lesson's `video:` becomes the
   * lesson's video, live at once like the rest of the imported course, with its `captions:`.
   * A file already transcoded for that lesson (same bytes) is not transcoded again.
   */
  async importFolderVideos(manager: EntityManager, courseId: number, videos: FolderVideo[]): Promise<void> {
    const now = new Date();
    for (const entry of videos) {
      const { sha, size } = await hashFile(entry.video);
      const row = await manager.findOneBy(LessonVideo, { courseId, lessonSlug: entry.lessonSlug });
      const current = row?.publishedVideoId ? await manager.findOneBy(Video, { id: row.publishedVideoId }) : null;
      let video = current && current.sourceSha256 === sha ? current : null;
      if (!video) {
        video = await manager.save(
          manager.create(Video, { courseId, lessonSlug: entry.lessonSlug, status: 'queued', progress: 0, originalName: entry.video.split('/').pop()!, sizeBytes: size, receivedBytes: size, sourceSha256: sha, attempts: 0, uploadedBy: null, createdAt: now, updatedAt: now }),
        );
        await this.files.copyIn(video.id, entry.video);
        try {
          const probed = await this.transcoder.probe(this.files.uploadPathOf(video.id));
          await this.files.storeUpload(video.id);
          await manager.update(Video, { id: video.id }, { durationMs: probed.durationMs, width: probed.width, height: probed.height });
          const queued = video;
          this.transactions.afterCommit(manager, () => void this.enqueue(queued));
        } catch (error) {
          if (!(error instanceof NotAVideoError)) throw error;
          await this.files.discardUpload(video.id);
          await manager.update(Video, { id: video.id }, { status: 'failed', error: `not a video: ${error.message}`.slice(0, 500) });
        }
      }
      if (row) await manager.update(LessonVideo, { id: row.id }, { videoId: video.id, publishedVideoId: video.id, updatedAt: now });
      else await manager.insert(LessonVideo, { courseId, lessonSlug: entry.lessonSlug, videoId: video.id, requiredWatchPercent: 0, publishedVideoId: video.id, publishedRequiredWatchPercent: 0, updatedAt: now });
      for (const caption of entry.captions) {
        const cues = parseCaptions(await readFile(caption.path));
        const text = writeWebVtt(cues);
        const fileName = `captions-${caption.lang}-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.vtt`;
        await this.files.writeFile(video.id, fileName, text);
        const previous = await manager.findOneBy(VideoCaption, { videoId: video.id, lang: caption.lang });
        if (previous) await manager.delete(VideoCaption, { id: previous.id });
        await manager.insert(VideoCaption, { videoId: video.id, lang: caption.lang, fileName, cueCount: cues.length, createdAt: now });
        const videoId = video.id;
        if (previous && previous.fileName !== fileName) this.transactions.afterCommit(manager, () => void this.files.deleteFile(videoId, previous.fileName).catch((error: unknown) => this.logger.warn(`replaced captions of video ${videoId} not deleted: ${String(error)}`)));
      }
    }
    if (videos.length) this.shared.changed('videos', manager);
  }

  // ---- Transcoding (worker) ----------------------------------------------------------------

  async enqueue(video: Pick<Video, 'id' | 'attempts'>): Promise<boolean> {
    try {
      const client = await within(1000, this.queue.getBackend().client, 'connecting to Redis');
      if (client.status !== 'ready') return false;
      await within(10_000, this.queue.add(TRANSCODE_VIDEO_JOB, { videoId: video.id }, { jobId: transcodeJobId(video) }), 'adding a transcode job');
      return true;
    } catch (error) {
      this.logger.warn(`video ${video.id} stays queued until Redis answers: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  }

  private async requeueWaiting(): Promise<void> {
    const waiting = await this.videos.find({ where: { status: 'queued' }, take: 100 });
    for (const video of waiting) await this.enqueue(video);
  }

  /** The job: every rendition, the downloads and the poster, then the video is ready. */
  async transcode(videoId: number): Promise<void> {
    const video = await this.videos.findOneBy({ id: videoId });
    if (!video || (video.status !== 'queued' && video.status !== 'processing')) return;
    const prefix = randomBytes(8).toString('hex');
    await this.transactions.run((manager) => manager.update(Video, { id: videoId }, { status: 'processing', progress: 0, error: null, updatedAt: new Date() }));
    this.shared.changed('videos');
    const work = await this.files.workDir(videoId, prefix);
    let lastWrite = Date.now();
    let writing: Promise<unknown> = Promise.resolve();
    let original: LocalCopy | undefined;
    try {
      original = await this.files.localOriginal(videoId, work);
      const source = await this.transcoder.probe(original.path);
      const result = await this.transcoder.transcode(original.path, source, work, prefix, (percent) => {
        if (Date.now() - lastWrite < PROGRESS_WRITE_MS) return;
        lastWrite = Date.now();
        writing = writing.then(() => this.transactions.run((manager) => manager.update(Video, { id: videoId }, { progress: percent })));
      });
      await writing;
      await original.release();
      await this.files.publishWork(videoId, prefix);
      await this.transactions.run(async (manager) => {
        await manager.update(Video, { id: videoId }, {
          status: 'ready',
          progress: 100,
          outputPrefix: prefix,
          durationMs: source.durationMs,
          width: source.width,
          height: source.height,
          renditions: result.renditions,
          downloads: result.downloads,
          updatedAt: new Date(),
        });
        this.shared.changed('videos', manager);
      });
      if (!this.config.video.keepOriginal) await this.files.removeOriginal(videoId);
    } catch (error) {
      await writing.catch(() => undefined);
      await original?.release();
      await this.files.discardWork(videoId, prefix);
      await this.markFailed(videoId, error instanceof Error ? error.message : String(error));
      throw error;
    }
  }

  async markFailed(videoId: number, message: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      await manager.update(Video, { id: videoId }, { status: 'failed', error: message.slice(0, 500), updatedAt: new Date() });
      this.shared.changed('videos', manager);
    });
  }

  // ---- Sweep (worker, hourly) ----------------------------------------------------------------

  /**
   * Fails uploads nobody finished within a day (freeing the spool), and deletes the files of
   * videos no lesson uses any more, draft or published, VIDEO_UNUSED_DAYS after the sweep first
   * found them unused: a learner's lesson page opened before a publish keeps playing meanwhile.
   * Then clears what killed processes left in the spool (VideoFiles.sweepSpool).
   */
  async sweep(now = new Date()): Promise<{ abandoned: number; released: number; deleted: number; leftovers: number }> {
    const abandoned = await this.videos.find({ where: { status: 'uploading', updatedAt: LessThan(new Date(now.getTime() - ABANDONED_UPLOAD_MS)) }, take: SWEEP_BATCH });
    for (const video of abandoned) {
      await this.files.discardUpload(video.id);
      await this.markFailed(video.id, 'the upload was not finished within 24 hours');
    }
    const inUse = (video: string) => `EXISTS (SELECT 1 FROM lesson_videos lv WHERE lv.video_id = ${video}.id OR lv.published_video_id = ${video}.id)`;
    // A video a lesson took up again (none does today, but a content import may one day) is not released.
    // (An UPDATE names the table itself, not the builder's alias.)
    await this.videos.createQueryBuilder().update().set({ releasedAt: null }).where('released_at IS NOT NULL').andWhere(inUse('videos')).execute();
    const deleteBefore = now.getTime() - this.config.video.unusedDays * 24 * 3600_000;
    // Only videos with something to do: not yet released, or released long enough ago.
    const unused = await this.videos
      .createQueryBuilder('v')
      .where('v.files_deleted_at IS NULL')
      .andWhere('v.status IN (:...settled)', { settled: ['ready', 'failed'] })
      .andWhere('(v.released_at IS NULL OR v.released_at <= :deleteBefore)', { deleteBefore: new Date(deleteBefore) })
      .andWhere(`NOT ${inUse('v')}`)
      .orderBy('v.id')
      .take(SWEEP_BATCH)
      .getMany();
    let released = 0;
    let deleted = 0;
    for (const video of unused) {
      if (!video.releasedAt) {
        await this.videos.update({ id: video.id }, { releasedAt: now });
        released += 1;
      } else if (video.releasedAt.getTime() <= deleteBefore) {
        const files = await this.files.deleteAll(video.id);
        await this.videos.update({ id: video.id }, { filesDeletedAt: now });
        this.logger.log(`video ${video.id}: ${files} files deleted, unused since ${video.releasedAt.toISOString()}`);
        deleted += 1;
      }
    }
    if (abandoned.length + deleted > 0) this.shared.changed('videos');
    const leftovers = await this.files.sweepSpool(now.getTime());
    return { abandoned: abandoned.length, released, deleted, leftovers };
  }

  // ---- Admin ---------------------------------------------------------------------------------

  /** Failed videos an admin might retry: not those whose files the sweep already deleted. */
  async failures(): Promise<Video[]> {
    return this.videos.find({ where: { status: 'failed', filesDeletedAt: IsNull() }, order: { updatedAt: 'DESC' }, take: 200 });
  }

  async inProgress(): Promise<Video[]> {
    return this.videos.find({ where: { status: In(['queued', 'processing']) }, order: { updatedAt: 'DESC' }, take: 200 });
  }

  /** Queues a failed video again, as a new job; refused when its upload is gone (the trainer uploads again). */
  async retry(videoId: number): Promise<Video> {
    const video = await this.videoOfCourse(videoId);
    if (video.status !== 'failed') throw new DomainError(ErrorCode.Conflict, 'videos.retry_not_failed');
    if ((await this.files.originalSize(videoId)) !== video.sizeBytes) throw new DomainError(ErrorCode.Conflict, 'videos.retry_no_original');
    const attempts = video.attempts + 1;
    await this.transactions.run(async (manager) => {
      await manager.update(Video, { id: videoId }, { status: 'queued', error: null, progress: 0, attempts, updatedAt: new Date() });
      this.shared.changed('videos', manager);
    });
    await this.enqueue({ id: videoId, attempts });
    return this.videoOfCourse(videoId);
  }

  // ---- Learner side --------------------------------------------------------------------------

  /**
   * The ready, published videos of a course's live lessons, keyed by lesson id. Cached in every
   * web process and dropped everywhere on any change to videos, captions, settings or a publish:
   * a warm call costs no query.
   */
  videosForCourse(courseId: number): Promise<CourseVideos> {
    return this.cache.get(String(courseId), () => this.loadCourseVideos(courseId));
  }

  private async loadCourseVideos(courseId: number): Promise<CourseVideos> {
    const rows = await this.lessonVideos.findBy({ courseId, publishedVideoId: Not(IsNull()) });
    const result: CourseVideos = new Map();
    if (rows.length === 0) return result;
    const videos = new Map((await this.videos.findBy({ id: In(rows.map((r) => r.publishedVideoId!)), status: 'ready' })).map((v) => [v.id, v]));
    const lessons = new Map(
      (await this.dataSource.getRepository(CourseModule).findBy({ courseId, slug: In(rows.map((r) => r.lessonSlug)), removedAt: IsNull() })).map((m) => [m.slug, m.id]),
    );
    const captions = videos.size ? await this.captions.find({ where: { videoId: In([...videos.keys()]) }, order: { lang: 'ASC' } }) : [];
    for (const row of rows) {
      const video = videos.get(row.publishedVideoId!);
      const lessonId = lessons.get(row.lessonSlug);
      if (!video || lessonId === undefined) continue;
      result.set(lessonId, await this.viewOf(video, row.publishedRequiredWatchPercent, captions.filter((c) => c.videoId === video.id)));
    }
    return result;
  }

  private async viewOf(video: Video, requiredWatchPercent: number, captions: VideoCaption[]): Promise<LessonVideoView> {
    const prefix = video.outputPrefix!;
    const minutes = (video.durationMs ?? 0) / 60_000;
    const transcript = [];
    for (const caption of captions) {
      const text = await this.files.readFile(video.id, caption.fileName);
      if (text) transcript.push({ lang: caption.lang, cues: parseWebVtt(text).map((cue) => ({ start: cue.start, text: cue.text })) });
    }
    return {
      videoId: video.id,
      status: video.status,
      posterUrl: mediaUrl(video.id, `${prefix}-poster.jpg`),
      masterUrl: mediaUrl(video.id, `${prefix}-master.m3u8`),
      durationSeconds: Math.round((video.durationMs ?? 0) / 100) / 10,
      portrait: (video.height ?? 0) > (video.width ?? 0),
      requiredWatchPercent,
      renditions: (video.renditions ?? []).map((r) => ({
        name: r.name,
        ...(r.height ? { height: r.height } : {}),
        bandwidth: r.bandwidth,
        playlistUrl: mediaUrl(video.id, `${prefix}-${r.name}.m3u8`),
        bytesPerMinute: minutes > 0 ? Math.round(r.bytes / minutes) : 0,
        bytes: r.bytes,
      })),
      downloads: {
        mp4Url: mediaUrl(video.id, `${prefix}-${DOWNLOAD_STEP}.mp4`),
        mp4Bytes: video.downloads?.mp4Bytes ?? 0,
        audioUrl: mediaUrl(video.id, `${prefix}-audio.m4a`),
        audioBytes: video.downloads?.audioBytes ?? 0,
      },
      captions: captions.map((c) => ({ lang: c.lang, label: CAPTION_LABELS[c.lang], url: mediaUrl(video.id, c.fileName) })),
      transcript,
    };
  }
}

/** A file name as shown to the trainer: no path, no control characters, at most 200 characters. */
function cleanName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  return base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200) || 'video';
}
