import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { Course } from '../courses/course.entity';
import { CoursesService } from '../courses/courses.service';
import { LtiCourseNotFoundError, LtiLaunchError } from './lti-errors';
import { LtiPlatformsService } from './lti-platforms.service';
import type { VerifiedLaunch } from './lti-launch.service';
import { CLAIM, DEEP_LINK_CONTEXT_TTL_S, DEEP_LINKING_RESPONSE, LTI_VERSION, TOOL_PATHS } from './lti.constants';
import { ToolKeysService } from './tool-keys.service';

const CONTEXT_AUDIENCE = '/lti/deep-link';
const RESPONSE_TTL_S = 10 * 60;
export const SCORE_MAXIMUM = 100;

/** What the chooser page carries between the platform's request and the instructor's choice. */
interface ChooserContext {
  platformId: number;
  deploymentId: string;
  returnUrl: string;
  data?: string;
}

export interface DeepLinkingResponse {
  returnUrl: string;
  jwt: string;
}

const record = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/**
 * Deep Linking 2.0: an instructor in the LMS picks one of our published courses, and the
 * platform gets back a signed LtiDeepLinkingResponse with one ltiResourceLink to it (a
 * gradebook column of 100 points included). The chooser page is shown inside the LMS, where
 * our session cookie is not sent (SameSite=Lax, third-party frame): its form carries the
 * request's settings in a short-lived JWT signed by the tool key instead.
 */
@Injectable()
export class LtiDeepLinkingService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly keys: ToolKeysService,
    private readonly platforms: LtiPlatformsService,
    private readonly courses: CoursesService,
  ) {}

  /** The chooser: the published courses and the signed context its form posts back. */
  async chooser(launch: VerifiedLaunch): Promise<{ courses: Course[]; context: string; returnOrigin: string }> {
    const settings = record(launch.claims[CLAIM.deepLinkingSettings]);
    const returnUrl = typeof settings.deep_link_return_url === 'string' ? settings.deep_link_return_url : '';
    if (!/^https?:\/\//.test(returnUrl)) throw new LtiLaunchError('deep linking request without a usable deep_link_return_url');
    const acceptTypes = Array.isArray(settings.accept_types) ? settings.accept_types : [];
    if (!acceptTypes.includes('ltiResourceLink')) throw new LtiLaunchError('the platform does not accept ltiResourceLink items here');
    const context: ChooserContext = { platformId: launch.platform.id, deploymentId: launch.deploymentId, returnUrl };
    if (typeof settings.data === 'string') context.data = settings.data;
    const token = await this.keys.sign({ iss: this.config.baseUrl, aud: this.audience, ctx: context }, DEEP_LINK_CONTEXT_TTL_S);
    return { courses: await this.courses.listPublishedCourses(), context: token, returnOrigin: new URL(returnUrl).origin };
  }

  /** The instructor chose a course: the signed response and where to post it. */
  async respond(contextToken: unknown, slug: unknown): Promise<DeepLinkingResponse> {
    let context: ChooserContext;
    try {
      context = (await this.keys.verifyOwn(String(contextToken ?? ''), this.audience)).ctx as ChooserContext;
    } catch {
      throw new LtiLaunchError('deep linking choice with a bad or expired context');
    }
    const platform = await this.platforms.findById(context.platformId);
    if (!platform) throw new LtiLaunchError('the platform of this deep linking request was removed');
    const course = typeof slug === 'string' ? await this.courses.findCourseBySlug(slug) : null;
    if (!course || course.status !== 'published') throw new LtiCourseNotFoundError();
    const item = {
      type: 'ltiResourceLink',
      title: course.title,
      text: course.summary,
      url: `${this.config.baseUrl}${TOOL_PATHS.launch}`,
      custom: { course: course.slug },
      lineItem: { scoreMaximum: SCORE_MAXIMUM, label: course.title, resourceId: course.slug },
    };
    const payload: Record<string, unknown> = {
      iss: platform.clientId,
      aud: platform.issuer,
      nonce: randomBytes(16).toString('base64url'),
      [CLAIM.deploymentId]: context.deploymentId,
      [CLAIM.messageType]: DEEP_LINKING_RESPONSE,
      [CLAIM.version]: LTI_VERSION,
      [CLAIM.contentItems]: [item],
    };
    if (context.data !== undefined) payload[CLAIM.deepLinkingData] = context.data;
    return { returnUrl: context.returnUrl, jwt: await this.keys.sign(payload, RESPONSE_TTL_S) };
  }

  private get audience(): string {
    return `${this.config.baseUrl}${CONTEXT_AUDIENCE}`;
  }
}
