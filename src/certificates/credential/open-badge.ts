import { StatusListEntry, statusListEntry } from './status-list';

/**
 * The certificate as an Open Badges 3.0 OpenBadgeCredential (a W3C Verifiable Credential 2.0).
 * Only standard OB 3.0 terms are used, so any OB 3.0 verifier can read it: the holder's name is
 * an IdentityObject of type "name", the course is the Achievement, its outcomes are alignments.
 */

export const VC_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const OB_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
/** Defines 1EdTechJsonSchemaValidator2019: without it a JSON-LD processor (Data Integrity) refuses the schema's type. */
export const OB_EXTENSIONS_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json';
const OB_SCHEMA = 'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json';

export interface IssuerProfile {
  id: string;
  type: ['Profile'];
  name: string;
  url: string;
}

export interface OpenBadgeCredential {
  '@context': string[];
  id: string;
  type: ['VerifiableCredential', 'OpenBadgeCredential'];
  name: string;
  issuer: IssuerProfile;
  validFrom: string;
  credentialSubject: {
    type: ['AchievementSubject'];
    identifier: { type: 'IdentityObject'; identityHash: string; identityType: 'name'; hashed: false }[];
    activityEndDate: string;
    achievement: {
      id: string;
      type: ['Achievement'];
      achievementType: 'Certificate';
      name: string;
      description: string;
      criteria: { narrative: string };
      inLanguage: string;
      alignment?: { type: ['Alignment']; targetName: string; targetUrl: string; targetType: 'ceasn:Competency' }[];
    };
  };
  credentialStatus: StatusListEntry;
  credentialSchema: { id: string; type: '1EdTechJsonSchemaValidator2019' }[];
}

export interface CredentialFacts {
  baseUrl: string;
  /** The issuer's id: the site's did:web. */
  issuerId: string;
  issuerName: string;
  serial: string;
  holderName: string;
  course: { slug: string; title: string; summary: string; language: string; outcomes: string[] };
  /** What the learner had to do, in words (the completion rule and the study time). */
  criteria: string;
  completedAt: Date;
  issuedAt: Date;
  /** The certificate's revocation bit. */
  status: { list: number; index: number };
}

/** ISO 8601 without milliseconds: what VC dates look like, and what SQLite keeps. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function verifyUrl(baseUrl: string, serial: string): string {
  return `${baseUrl}/verify/${serial}`;
}

export function issuerProfile(baseUrl: string, issuerName: string, issuerId: string): IssuerProfile {
  return { id: issuerId, type: ['Profile'], name: issuerName, url: `${baseUrl}/` };
}

/** The 1EdTech revocation list that credentials issued before the Bitstring Status List name. */
export function revocationListUrl(baseUrl: string): string {
  return `${baseUrl}/issuer/revocations.json`;
}

export function buildOpenBadgeCredential(facts: CredentialFacts): OpenBadgeCredential {
  const courseUrl = `${facts.baseUrl}/courses/${facts.course.slug}`;
  return {
    '@context': [VC_CONTEXT, OB_CONTEXT, OB_EXTENSIONS_CONTEXT],
    id: verifyUrl(facts.baseUrl, facts.serial),
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: facts.course.title,
    issuer: issuerProfile(facts.baseUrl, facts.issuerName, facts.issuerId),
    validFrom: isoSeconds(facts.issuedAt),
    credentialSubject: {
      type: ['AchievementSubject'],
      identifier: [{ type: 'IdentityObject', identityHash: facts.holderName, identityType: 'name', hashed: false }],
      activityEndDate: isoSeconds(facts.completedAt),
      achievement: {
        id: courseUrl,
        type: ['Achievement'],
        achievementType: 'Certificate',
        name: facts.course.title,
        description: facts.course.summary,
        criteria: { narrative: facts.criteria },
        inLanguage: facts.course.language,
        ...(facts.course.outcomes.length
          ? {
              alignment: facts.course.outcomes.map((outcome, i) => ({
                type: ['Alignment'] as ['Alignment'],
                targetName: outcome,
                targetUrl: `${courseUrl}#outcome-${i + 1}`,
                targetType: 'ceasn:Competency' as const,
              })),
            }
          : {}),
      },
    },
    credentialStatus: statusListEntry(facts.baseUrl, facts.status.list, facts.status.index),
    credentialSchema: [{ id: OB_SCHEMA, type: '1EdTechJsonSchemaValidator2019' }],
  };
}

/** What the verification pages show, read back from a credential. */
export interface CredentialSummary {
  id: string;
  holderName: string;
  courseTitle: string;
  /** The language the course's title, description and outcomes are written in ('' when the credential does not say). */
  courseLanguage: string;
  /** How those texts are laid out: from their language, or from their first letter ('auto') when unknown. */
  courseDirection: 'rtl' | 'ltr' | 'auto';
  courseDescription: string;
  outcomes: string[];
  criteria: string;
  issuerName: string;
  issuerId: string;
  completedAt: Date | null;
  validFrom: Date | null;
}

type Json = Record<string, unknown>;
const objectOf = (value: unknown): Json => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const textOf = (value: unknown): string => (typeof value === 'string' ? value : '');

function dateOrNull(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Languages written right to left, by their primary subtag. */
const RTL_LANGUAGES = new Set(['ar', 'fa', 'he', 'ps', 'sd', 'ug', 'ur', 'yi']);

/**
 * A course's language from `inLanguage`, kept only when it looks like a BCP 47 tag (it ends up
 * in a lang attribute), and its direction. The first letter is no guide: an Urdu title may well
 * start with "Alibaba.com".
 */
function courseLanguageOf(value: unknown): Pick<CredentialSummary, 'courseLanguage' | 'courseDirection'> {
  const tag = textOf(value);
  if (!/^[a-z]{2,3}(-[a-z0-9]{1,8})*$/i.test(tag)) return { courseLanguage: '', courseDirection: 'auto' };
  return { courseLanguage: tag, courseDirection: RTL_LANGUAGES.has(tag.split('-')[0].toLowerCase()) ? 'rtl' : 'ltr' };
}

/** Reads the fields a person checks; tolerant of credentials that are not ours (missing parts read as empty). */
export function summarizeCredential(credential: unknown): CredentialSummary {
  const c = objectOf(credential);
  const subject = objectOf(Array.isArray(c.credentialSubject) ? c.credentialSubject[0] : c.credentialSubject);
  const achievement = objectOf(subject.achievement);
  const issuer = typeof c.issuer === 'string' ? { id: c.issuer } : objectOf(c.issuer);
  const nameIdentity = listOf(subject.identifier)
    .map(objectOf)
    .find((identity) => identity.identityType === 'name' && identity.hashed === false);
  return {
    id: textOf(c.id),
    holderName: textOf(nameIdentity?.identityHash ?? subject.name),
    courseTitle: textOf(achievement.name ?? c.name),
    ...courseLanguageOf(achievement.inLanguage),
    courseDescription: textOf(achievement.description),
    outcomes: listOf(achievement.alignment)
      .map((alignment) => textOf(objectOf(alignment).targetName))
      .filter(Boolean),
    criteria: textOf(objectOf(achievement.criteria).narrative),
    issuerName: textOf(issuer.name),
    issuerId: textOf(issuer.id),
    completedAt: dateOrNull(subject.activityEndDate),
    validFrom: dateOrNull(c.validFrom),
  };
}
