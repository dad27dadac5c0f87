import { statementProblem } from '../../test/support/lrs-stand-in';
import { describe as describeAnswer, outcomeOf } from './lrs-client';
import {
  buildStatement,
  courseActivity,
  lessonActivity,
  questionActivity,
  quizActivity,
  scoreOf,
} from './statements';
import { retryDelayMs } from './xapi-delivery.service';

const site = { baseUrl: 'https://learn.example.pk', platform: 'ExportReady' };
const urduCourse = {
  slug: 'alibaba-first-30-days-ur',
  title: 'علی بابا پر پہلے 30 دن',
  summary: 'خلاصہ',
  language: 'ur',
};

describe('xAPI statements', () => {
  it('names activities by stable URLs of the site, in the language of the course', () => {
    expect(courseActivity(site, urduCourse)).toEqual({
      objectType: 'Activity',
      id: 'https://learn.example.pk/courses/alibaba-first-30-days-ur',
      definition: {
        type: 'http://adlnet.gov/expapi/activities/course',
        name: { 'ur-PK': urduCourse.title },
        description: { 'ur-PK': 'خلاصہ' },
      },
    });
    expect(lessonActivity(site, urduCourse, { slug: 'b2b', title: 'سبق' }).id).toBe(
      'https://learn.example.pk/courses/alibaba-first-30-days-ur/modules/b2b',
    );
    expect(
      quizActivity(site, { ...urduCourse, language: 'en' }, { slug: 'final', title: 'Final' }).definition
        .name,
    ).toEqual({ 'en-US': 'Final' });
  });

  it('names a question by its text without markup, under its quiz, with the interaction type', () => {
    const quiz = quizActivity(site, urduCourse, { slug: 'final', title: 'آخری' });
    expect(
      questionActivity(quiz, urduCourse, {
        id: 7,
        type: 'truefalse',
        name: 'q7',
        text: '<p>Is  <b>Trade Assurance</b>\\: free?</p>',
      }),
    ).toEqual({
      objectType: 'Activity',
      id: 'https://learn.example.pk/courses/alibaba-first-30-days-ur/quizzes/final/questions/7',
      definition: {
        type: 'http://adlnet.gov/expapi/activities/cmi.interaction',
        name: { 'ur-PK': 'Is Trade Assurance : free?' },
        interactionType: 'true-false',
      },
    });
  });

  it('identifies the learner by an account on the site, or by e-mail alone when configured', () => {
    const at = new Date('2026-12-04T10:00:00.000Z');
    const object = courseActivity(site, urduCourse);
    const byAccount = buildStatement({
      site,
      learner: { id: 42 },
      verb: 'registered',
      object,
      course: urduCourse,
      at,
    });
    expect(byAccount.actor).toEqual({
      objectType: 'Agent',
      account: { homePage: 'https://learn.example.pk', name: '42' },
    });
    expect(byAccount.timestamp).toBe('2026-12-04T10:00:00.000Z');
    expect(byAccount.context).toEqual({ platform: 'ExportReady', language: 'ur-PK' });
    expect(statementProblem(byAccount)).toBeNull();
    const byMail = buildStatement({
      site,
      learner: { id: 42, email: 'sana@example.pk' },
      verb: 'registered',
      object,
      course: urduCourse,
      at,
    });
    expect(byMail.actor).toEqual({ objectType: 'Agent', mbox: 'mailto:sana@example.pk' });
    expect(byMail.id).not.toBe(byAccount.id);
  });

  it('reports a quiz score as scaled 0–1 and raw percent, valid for an LRS', () => {
    expect(scoreOf(875)).toEqual({ scaled: 0.875, raw: 87.5, min: 0, max: 100 });
    const failed = buildStatement({
      site,
      learner: { id: 1 },
      verb: 'failed',
      object: quizActivity(site, urduCourse, { slug: 'final', title: 'آخری' }),
      parent: courseActivity(site, urduCourse),
      course: urduCourse,
      result: { score: scoreOf(0), success: false, completion: true },
      at: new Date(),
    });
    expect(statementProblem(failed)).toBeNull();
    expect(statementProblem({ ...failed, result: { score: { scaled: 1.5 } } })).toMatch(/scaled/);
  });
});

describe('LRS answers', () => {
  it('counts 2xx and 409 as stored, no answer, 5xx and site-side 4xx as worth another try, other 4xx as refused', () => {
    expect(outcomeOf({ status: 200, body: '' })).toBe('stored');
    expect(outcomeOf({ status: 204, body: '' })).toBe('stored');
    expect(outcomeOf({ status: 409, body: '' })).toBe('stored');
    for (const status of [500, 502, 503, 401, 403, 404, 408, 429])
      expect(outcomeOf({ status, body: '' })).toBe('retry');
    expect(outcomeOf({ status: null, body: 'fetch failed: connect ECONNREFUSED' })).toBe('retry');
    expect(outcomeOf({ status: 400, body: 'bad' })).toBe('refused');
    expect(outcomeOf({ status: 413, body: '' })).toBe('refused');
    expect(describeAnswer({ status: 400, body: 'verb.id must be an IRI' })).toBe(
      'HTTP 400: verb.id must be an IRI',
    );
  });

  it('waits 1 s, 2 s, 4 s… between tries, never longer than the configured maximum', () => {
    expect([1, 2, 3, 4].map((attempts) => retryDelayMs(attempts, 300_000))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(30, 300_000)).toBe(300_000);
    expect(retryDelayMs(5, 1000)).toBe(1000);
  });
});
