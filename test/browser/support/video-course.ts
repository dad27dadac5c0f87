/// <reference lib="dom" />
// The callbacks given to page.evaluate() run in the browser.
import { copyFileSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { Video } from '../../../src/videos/entities/video.entity';
import { VideosService } from '../../../src/videos/videos.service';
import { addLesson, createCourse, publish, saveLesson, signUp } from '../../support/authoring';
import { waitFor } from '../../support/certificates';
import { testClipPath } from '../../support/video-clip';
import type { Site } from './site';

export const EN_VTT = 'WEBVTT\n\n00:00.000 --> 00:05.000\nWelcome to pricing\n\n00:05.000 --> 00:10.000\nA CIF price includes freight\n';
export const UR_VTT = 'WEBVTT\n\n00:00.000 --> 00:05.000\nقیمت لگانے میں خوش آمدید\n\n00:05.000 --> 00:10.000\nسی آئی ایف قیمت میں کرایہ شامل ہے\n';

export interface VideoCourse {
  courseSlug: string;
  /** `/courses/<course>/modules/<lesson>`, one per lesson, in order. */
  lessonPaths: string[];
}

/**
 * A published course whose lessons each carry the 10-second test clip (or `options.clip`), transcoded by the site's
 * own worker, with English and Urdu captions.
 */
export async function publishVideoCourse(site: Site, trainerEmail: string, lessonTitles: string[], options: { clip?: string; title?: string } = {}): Promise<VideoCourse> {
  const t = site.t;
  const db = t.app.get(DataSource);
  const trainer = await signUp(t, trainerEmail, 'trainer');
  const courseId = await createCourse(trainer, options.title ? { title: options.title } : {});
  const trainerId = (await db.query('SELECT id FROM users WHERE email = ?', [trainerEmail]))[0].id as number;
  const videos = t.app.get(VideosService);
  const slugs: string[] = [];
  for (const title of lessonTitles) {
    const lessonSlug = await addLesson(trainer, courseId, title);
    await saveLesson(trainer, courseId, lessonSlug, { bodyMarkdown: 'Watch how a CIF price in euros is built.' });
    const file = join(mkdtempSync(join(tmpdir(), 'video-browser-')), 'clip.mp4');
    copyFileSync(options.clip ?? testClipPath(), file);
    const uploaded = await videos.uploadWhole(trainerId, courseId, lessonSlug, { path: file, size: statSync(file).size, filename: 'clip.mp4' });
    await waitFor('the transcode', async () => (await db.getRepository(Video).findOneBy({ id: uploaded.id, status: 'ready' })) ?? null, 200_000, 500);
    await videos.addCaptions(courseId, lessonSlug, 'en', Buffer.from(EN_VTT));
    await videos.addCaptions(courseId, lessonSlug, 'ur', Buffer.from(UR_VTT));
    slugs.push(lessonSlug);
  }
  expect((await publish(trainer, courseId)).status).toBe(303);
  const courseSlug = (await db.query('SELECT slug FROM courses WHERE id = ?', [courseId]))[0].slug as string;
  return { courseSlug, lessonPaths: slugs.map((slug) => `/courses/${courseSlug}/modules/${slug}`) };
}

/** Waits until the lesson's <video> has played half a second; its time and picture height. */
export async function playing(page: Page): Promise<{ time: number; height: number }> {
  await page.waitForFunction(() => {
    const video = document.querySelector('video');
    return !!video && video.currentTime > 0.5;
  }, undefined, { timeout: 30_000 });
  return page.evaluate(() => {
    const video = document.querySelector('video') as HTMLVideoElement;
    return { time: video.currentTime, height: video.videoHeight };
  });
}
