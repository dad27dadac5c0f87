import { randomUUID } from 'node:crypto';

/**
 * Building xAPI 1.0.3 statements from the site's facts. Pure functions: the recorder reads the
 * facts inside the learner's transaction and stores what these return.
 */

export type LanguageMap = Record<string, string>;

export interface XapiActivity {
  objectType: 'Activity';
  id: string;
  definition: { type?: string; name: LanguageMap; description?: LanguageMap; interactionType?: string };
}

export interface XapiStatement {
  id: string;
  actor: { objectType: 'Agent'; name?: string; mbox?: string; account?: { homePage: string; name: string } };
  verb: { id: string; display: LanguageMap };
  object: XapiActivity;
  result?: {
    score?: { scaled: number; raw: number; min: number; max: number };
    success?: boolean;
    completion?: boolean;
  };
  context?: { platform: string; language: string; contextActivities?: { parent?: XapiActivity[] } };
  timestamp: string;
}

/** ADL verbs, except `earned`: ADL has none for an award, the Tin Can registry's is the usual one. */
export const VERBS = {
  registered: {
    id: 'http://adlnet.gov/expapi/verbs/registered',
    display: { 'en-US': 'registered', 'ur-PK': 'داخلہ لیا' },
  },
  experienced: {
    id: 'http://adlnet.gov/expapi/verbs/experienced',
    display: { 'en-US': 'experienced', 'ur-PK': 'مطالعہ کیا' },
  },
  attempted: {
    id: 'http://adlnet.gov/expapi/verbs/attempted',
    display: { 'en-US': 'attempted', 'ur-PK': 'کوشش کی' },
  },
  answered: {
    id: 'http://adlnet.gov/expapi/verbs/answered',
    display: { 'en-US': 'answered', 'ur-PK': 'جواب دیا' },
  },
  passed: {
    id: 'http://adlnet.gov/expapi/verbs/passed',
    display: { 'en-US': 'passed', 'ur-PK': 'کامیاب ہوا' },
  },
  failed: {
    id: 'http://adlnet.gov/expapi/verbs/failed',
    display: { 'en-US': 'failed', 'ur-PK': 'ناکام ہوا' },
  },
  completed: {
    id: 'http://adlnet.gov/expapi/verbs/completed',
    display: { 'en-US': 'completed', 'ur-PK': 'مکمل کیا' },
  },
  earned: { id: 'http://id.tincanapi.com/verb/earned', display: { 'en-US': 'earned', 'ur-PK': 'حاصل کیا' } },
} as const;
export type VerbName = keyof typeof VERBS;

const ACTIVITY_TYPES = {
  course: 'http://adlnet.gov/expapi/activities/course',
  lesson: 'http://adlnet.gov/expapi/activities/lesson',
  assessment: 'http://adlnet.gov/expapi/activities/assessment',
  interaction: 'http://adlnet.gov/expapi/activities/cmi.interaction',
};

/** The site's locales as RFC 5646 tags, the form xAPI language maps need. */
export function languageTag(language: string): string {
  return language === 'ur' ? 'ur-PK' : 'en-US';
}

export interface Learner {
  id: number;
  /** Only when the site is configured to identify learners by e-mail. */
  email?: string;
}

export interface CourseFacts {
  slug: string;
  title: string;
  summary: string;
  language: string;
}

export interface StatementSite {
  baseUrl: string;
  platform: string;
}

function inLanguage(course: CourseFacts, value: string): LanguageMap {
  return { [languageTag(course.language)]: value };
}

export function courseActivity(site: StatementSite, course: CourseFacts): XapiActivity {
  return {
    objectType: 'Activity',
    id: `${site.baseUrl}/courses/${encodeURIComponent(course.slug)}`,
    definition: {
      type: ACTIVITY_TYPES.course,
      name: inLanguage(course, course.title),
      description: inLanguage(course, course.summary),
    },
  };
}

export function lessonActivity(
  site: StatementSite,
  course: CourseFacts,
  lesson: { slug: string; title: string },
): XapiActivity {
  return {
    objectType: 'Activity',
    id: `${courseActivity(site, course).id}/modules/${encodeURIComponent(lesson.slug)}`,
    definition: { type: ACTIVITY_TYPES.lesson, name: inLanguage(course, lesson.title) },
  };
}

export function quizActivity(
  site: StatementSite,
  course: CourseFacts,
  quiz: { slug: string; title: string },
): XapiActivity {
  return {
    objectType: 'Activity',
    id: `${courseActivity(site, course).id}/quizzes/${encodeURIComponent(quiz.slug)}`,
    definition: { type: ACTIVITY_TYPES.assessment, name: inLanguage(course, quiz.title) },
  };
}

/** xAPI interaction types of the site's question types. */
const INTERACTION_TYPES: Record<string, string> = {
  single: 'choice',
  multiple: 'choice',
  missingword: 'choice',
  truefalse: 'true-false',
  matching: 'matching',
  short: 'fill-in',
  numeric: 'numeric',
  essay: 'long-fill-in',
};

const QUESTION_NAME_LENGTH = 250;

/**
 * A question of a quiz: its id is the question's row, which a trainer's edit replaces (an edited
 * question is another question). Named by its text without markup, shortened.
 */
export function questionActivity(
  quiz: XapiActivity,
  course: CourseFacts,
  question: { id: number; type: string; name: string; text: string },
): XapiActivity {
  // HTML tags and GIFT escapes out; the text only names the activity, it is never shown as HTML.
  const plain =
    question.text
      .replace(/<[^>]*>/g, ' ')
      .replace(/\\([~=#{}:])/g, '$1')
      .replace(/\s+/g, ' ')
      .trim() || question.name;
  const name = plain.length > QUESTION_NAME_LENGTH ? `${plain.slice(0, QUESTION_NAME_LENGTH - 1)}…` : plain;
  const interactionType = INTERACTION_TYPES[question.type];
  return {
    objectType: 'Activity',
    id: `${quiz.id}/questions/${question.id}`,
    definition: {
      type: ACTIVITY_TYPES.interaction,
      name: inLanguage(course, name),
      ...(interactionType ? { interactionType } : {}),
    },
  };
}

/** The certificate's public verification page is its stable address. */
export function certificateActivity(site: StatementSite, course: CourseFacts, serial: string): XapiActivity {
  return {
    objectType: 'Activity',
    id: `${site.baseUrl}/verify/${encodeURIComponent(serial)}`,
    // No activity type: neither ADL nor the common registries define one for a certificate.
    definition: { name: inLanguage(course, course.title) },
  };
}

/** An account on this site by default; the e-mail (one identifier only, as xAPI requires) when configured. */
export function actorFor(site: StatementSite, learner: Learner): XapiStatement['actor'] {
  if (learner.email) return { objectType: 'Agent', mbox: `mailto:${learner.email}` };
  return { objectType: 'Agent', account: { homePage: site.baseUrl, name: String(learner.id) } };
}

/** A quiz score in tenths of a percent as an xAPI score: scaled 0–1, raw in percent of 0–100. */
export function scoreOf(scorePermille: number): NonNullable<XapiStatement['result']>['score'] {
  return { scaled: Math.round(scorePermille) / 1000, raw: Math.round(scorePermille) / 10, min: 0, max: 100 };
}

export interface StatementInput {
  site: StatementSite;
  learner: Learner;
  verb: VerbName;
  object: XapiActivity;
  course: CourseFacts;
  /** The course, when the object is part of it. */
  parent?: XapiActivity;
  result?: XapiStatement['result'];
  at: Date;
}

export function buildStatement(input: StatementInput): XapiStatement {
  return {
    id: randomUUID(),
    actor: actorFor(input.site, input.learner),
    verb: VERBS[input.verb],
    object: input.object,
    ...(input.result ? { result: input.result } : {}),
    context: {
      platform: input.site.platform,
      language: languageTag(input.course.language),
      ...(input.parent ? { contextActivities: { parent: [input.parent] } } : {}),
    },
    timestamp: input.at.toISOString(),
  };
}
