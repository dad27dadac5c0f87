import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentUser } from '../auth/current-user.decorator';
import { RequireRole } from '../auth/roles.decorator';
import { courseHeader } from '../authoring/author-pages';
import { CourseAccessService } from '../authoring/course-access.service';
import { FormInvalidError, NotFoundError } from '../common/domain-error';
import { renderForm } from '../common/forms';
import type { User } from '../users/user.entity';
import { readFile } from 'node:fs/promises';
import { uploadedVideoFile } from './video-upload.middleware';
import { VideosService } from './videos.service';
import { VTT_MAX_BYTES } from '../common/webvtt';

/** A lesson slug as the author routes take it (anything else is a 404 before any lookup). */
export const LESSON_SLUG = /^[a-z0-9][a-z0-9-]{0,99}$/;

/**
 * A lesson's video for its authors: upload (whole from the plain form, or in resumable chunks
 * from video-upload.js), transcode progress, caption tracks and the watch setting. Outside
 * /author/courses so that a video body never goes through the small-upload middleware there.
 */
@Controller('author/videos')
@RequireRole('trainer')
export class AuthorVideosController {
  constructor(
    private readonly access: CourseAccessService,
    private readonly videos: VideosService,
  ) {}

  private async check(user: User, courseId: number, slug: string) {
    if (!LESSON_SLUG.test(slug)) throw new NotFoundError('errors.lesson_not_found');
    return this.access.access(user, courseId);
  }

  private async page(req: Request, res: Response, courseId: number, slug: string, extra: Record<string, unknown> = {}, error?: FormInvalidError) {
    const access = await this.check(req.user as User, courseId, slug);
    const state = await this.videos.authorState(courseId, slug);
    const video = state.video;
    renderForm(
      req,
      res,
      'author/video',
      {
        course: courseHeader(access.course),
        slug,
        video,
        working: video && (video.status === 'queued' || video.status === 'processing'),
        // No JavaScript needed to follow a transcode: the page reloads itself meanwhile.
        refreshSeconds: video && ['queued', 'processing'].includes(video.status) ? 5 : undefined,
        durationSeconds: Math.round((video?.durationMs ?? 0) / 1000),
        videoUploadScript: true,
        pageTitle: access.course.title,
        captions: state.captions,
        publishedVideo: state.publishedVideo,
        published: !!state.lessonVideo?.publishedVideoId,
        maxMb: Math.round(this.videos.maxBytes / (1024 * 1024)),
        values: { requiredWatchPercent: String(state.lessonVideo?.requiredWatchPercent ?? 0) },
        ...extra,
      },
      error,
    );
  }

  /** How much of an upload the server holds: where a client resumes after a broken connection. */
  @Get('uploads/:videoId')
  async uploadStatus(@Param('videoId', ParseIntPipe) videoId: number, @CurrentUser() user: User) {
    const video = await this.videos.videoOfCourse(videoId);
    await this.access.access(user, video.courseId);
    return { videoId, size: video.sizeBytes, received: await this.videos.receivedBytes(video), status: video.status, error: video.error };
  }

  @Get(':courseId/:slug')
  show(@Param('courseId', ParseIntPipe) courseId: number, @Param('slug') slug: string, @Req() req: Request, @Res() res: Response, @Query('done') done?: string) {
    return this.page(req, res, courseId, slug, { done });
  }

  /** The plain form: the whole file in one multipart body, already on disk (VideoUploadMiddleware). */
  @Post(':courseId/:slug')
  @HttpCode(200)
  async upload(@Param('courseId', ParseIntPipe) courseId: number, @Param('slug') slug: string, @CurrentUser() user: User, @Req() req: Request, @Res() res: Response) {
    await this.check(user, courseId, slug);
    const file = uploadedVideoFile(req, 'video');
    try {
      if (!file) throw new FormInvalidError({ video: 'videos.file_missing' });
      await this.videos.uploadWhole(user.id, courseId, slug, { path: file.path, size: file.size, filename: file.filename });
      res.redirect(303, `/author/videos/${courseId}/${slug}?done=uploaded`);
    } catch (error) {
      if (!(error instanceof FormInvalidError)) throw error;
      return this.page(req, res, courseId, slug, {}, error);
    }
  }

  @Post(':courseId/:slug/captions')
  @HttpCode(200)
  async captions(@Param('courseId', ParseIntPipe) courseId: number, @Param('slug') slug: string, @Body() body: Record<string, unknown>, @CurrentUser() user: User, @Req() req: Request, @Res() res: Response) {
    await this.check(user, courseId, slug);
    const file = uploadedVideoFile(req, 'captions');
    try {
      if (file && file.size > VTT_MAX_BYTES) throw new FormInvalidError({ captions: 'videos.captions_too_large' });
      const data = file ? await readFile(file.path) : Buffer.alloc(0);
      await this.videos.addCaptions(courseId, slug, body.lang, data);
      res.redirect(303, `/author/videos/${courseId}/${slug}?done=captions`);
    } catch (error) {
      if (!(error instanceof FormInvalidError)) throw error;
      return this.page(req, res, courseId, slug, {}, error);
    }
  }

  @Post(':courseId/:slug/captions/:lang/remove')
  async removeCaptions(@Param('courseId', ParseIntPipe) courseId: number, @Param('slug') slug: string, @Param('lang') lang: string, @CurrentUser() user: User, @Res() res: Response) {
    await this.check(user, courseId, slug);
    await this.videos.removeCaptions(courseId, slug, lang);
    res.redirect(303, `/author/videos/${courseId}/${slug}?done=captions_removed`);
  }

  @Post(':courseId/:slug/remove')
  async removeVideo(@Param('courseId', ParseIntPipe) courseId: number, @Param('slug') slug: string, @CurrentUser() user: User, @Res() res: Response) {
    await this.check(user, courseId, slug);
    await this.videos.removeFromLesson(courseId, slug);
    res.redirect(303, `/author/videos/${courseId}/${slug}?done=removed`);
  }

  @Post(':courseId/:slug/setting')
  @HttpCode(200)
  async setting(@Param('courseId', ParseIntPipe) courseId: number, @Param('slug') slug: string, @Body() body: Record<string, unknown>, @CurrentUser() user: User, @Req() req: Request, @Res() res: Response) {
    await this.check(user, courseId, slug);
    try {
      await this.videos.saveSetting(courseId, slug, body.requiredWatchPercent);
      res.redirect(303, `/author/videos/${courseId}/${slug}?done=setting`);
    } catch (error) {
      if (!(error instanceof FormInvalidError)) throw error;
      return this.page(req, res, courseId, slug, {}, error);
    }
  }

  /** Starts a resumable upload (video-upload.js): JSON {name, size} → {videoId, received, uploadUrl}. */
  @Post(':courseId/:slug/uploads')
  @HttpCode(201)
  async startUpload(@Param('courseId', ParseIntPipe) courseId: number, @Param('slug') slug: string, @Body() body: Record<string, unknown>, @CurrentUser() user: User) {
    await this.check(user, courseId, slug);
    const video = await this.videos.startUpload(user.id, courseId, slug, String(body.name ?? ''), Number(body.size));
    return { videoId: video.id, size: video.sizeBytes, received: 0, uploadUrl: `/author/videos/uploads/${video.id}` };
  }

  /** One chunk, raw bytes, at ?offset= (which must equal what the server holds; else 409 with `received`). */
  @Put('uploads/:videoId')
  async chunk(@Param('videoId', ParseIntPipe) videoId: number, @Query('offset') offset: string, @CurrentUser() user: User, @Req() req: Request) {
    const video = await this.videos.videoOfCourse(videoId);
    await this.access.access(user, video.courseId);
    const updated = await this.videos.receiveChunk(video, Number(offset), req);
    return { videoId, size: updated.sizeBytes, received: updated.receivedBytes, status: updated.status };
  }
}
