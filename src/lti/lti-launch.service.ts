import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { errors as joseErrors, JWTPayload, jwtVerify } from 'jose';
import { DataSource, EntityManager, IsNull, LessThan, MoreThan } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { Course } from '../courses/course.entity';
import { CoursesService } from '../courses/courses.service';
import { TransactionRunner } from '../database/transaction-runner';
import { EnrollmentsService } from '../enrollments/enrollments.service';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { LtiAccount } from './entities/lti-account.entity';
import { LtiLaunchState } from './entities/lti-launch-state.entity';
import { LtiPlatform } from './entities/lti-platform.entity';
import { LtiLinkLearner, LtiResourceLink } from './entities/lti-resource-link.entity';
import { LtiCourseNotFoundError, LtiLaunchError } from './lti-errors';
import { LtiPlatformsService } from './lti-platforms.service';
import { CLAIM, CLOCK_TOLERANCE_S, DEEP_LINKING_REQUEST, LAUNCH_STATE_TTL_MS, LTI_VERSION, RESOURCE_LINK_REQUEST, TOOL_ALG, TOOL_PATHS } from './lti.constants';

export type LoginParams = Record<string, unknown>;

export interface VerifiedLaunch {
  platform: LtiPlatform;
  claims: JWTPayload & Record<string, unknown>;
  messageType: typeof RESOURCE_LINK_REQUEST | typeof DEEP_LINKING_REQUEST;
  deploymentId: string;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const record = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const token = () => randomBytes(32).toString('base64url');

/**
 * The tool side of an LTI 1.3 launch: the OIDC third-party login (a state and nonce stored,
 * then off to the platform's authorisation endpoint), the id_token's checks, and what a
 * resource-link launch leads to (an account linked by platform and sub, an enrolment, the
 * resource link and its gradebook column recorded).
 */
@Injectable()
export class LtiLaunchService {
  private readonly logger = new Logger('LtiLaunch');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly platforms: LtiPlatformsService,
    private readonly courses: CoursesService,
    private readonly enrollments: EnrollmentsService,
    private readonly users: UsersService,
  ) {}

  get launchUrl(): string {
    return `${this.config.baseUrl}${TOOL_PATHS.launch}`;
  }

  /** Step 1 of the launch: returns the platform authorisation URL to redirect the browser to. */
  async login(params: LoginParams): Promise<string> {
    const issuer = text(params.iss);
    const loginHint = text(params.login_hint);
    const clientId = text(params.client_id) || undefined;
    const platform = await this.platforms.findByIssuer(issuer, clientId);
    if (!platform) throw this.refuse(`login from an unregistered issuer ${JSON.stringify(issuer)} / client ${JSON.stringify(clientId ?? '')}`);
    if (!loginHint) throw this.refuse('login without login_hint');
    const deploymentId = text(params.lti_deployment_id);
    if (deploymentId && !platform.deploymentIds.includes(deploymentId)) throw this.refuse(`login for unknown deployment ${JSON.stringify(deploymentId)}`);
    const now = new Date();
    const state = token();
    const nonce = token();
    await this.transactions.run(async (manager) => {
      const states = manager.getRepository(LtiLaunchState);
      // Logins that never came back are forgotten as new ones arrive.
      await states.delete({ expiresAt: LessThan(new Date(now.getTime() - LAUNCH_STATE_TTL_MS)) });
      await states.insert({ state, nonce, platformId: platform.id, expiresAt: new Date(now.getTime() + LAUNCH_STATE_TTL_MS), usedAt: null, createdAt: now });
    });
    const url = new URL(platform.authLoginUrl);
    const query: Record<string, string> = {
      scope: 'openid',
      response_type: 'id_token',
      response_mode: 'form_post',
      prompt: 'none',
      client_id: platform.clientId,
      redirect_uri: this.launchUrl,
      login_hint: loginHint,
      state,
      nonce,
    };
    const messageHint = text(params.lti_message_hint);
    if (messageHint) query.lti_message_hint = messageHint;
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    return url.toString();
  }

  /**
   * Step 2: the platform posts the id_token back with our state. The state is spent first
   * (a conditional update), so a replayed post finds it used whatever else it carries; the
   * nonce in the signed token must be the one stored with that state.
   */
  async verifyLaunch(idToken: unknown, stateValue: unknown): Promise<VerifiedLaunch> {
    if (typeof idToken !== 'string' || !idToken || typeof stateValue !== 'string' || !stateValue) throw this.refuse('launch without id_token or state');
    const now = new Date();
    const state = await this.transactions.run(async (manager) => {
      const states = manager.getRepository(LtiLaunchState);
      const found = await states.findOneBy({ state: stateValue });
      if (!found) return null;
      const spent = await states.update({ id: found.id, usedAt: IsNull(), expiresAt: MoreThan(now) }, { usedAt: now });
      return spent.affected === 1 ? found : null;
    });
    if (!state) throw this.refuse('unknown, used or expired state');
    const platform = await this.platforms.findById(state.platformId);
    if (!platform) throw this.refuse('the platform of this login was removed');

    let claims: JWTPayload & Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(idToken, this.platforms.keySetOf(platform), {
        algorithms: [TOOL_ALG],
        issuer: platform.issuer,
        audience: platform.clientId,
        clockTolerance: CLOCK_TOLERANCE_S,
        maxTokenAge: `${LAUNCH_STATE_TTL_MS / 1000}s`,
        requiredClaims: ['iat', 'exp', 'sub', 'nonce'],
      }));
    } catch (error) {
      const why = error instanceof joseErrors.JOSEError ? `${error.code}: ${error.message}` : String(error);
      throw this.refuse(`id_token refused (${why})`);
    }
    // Several audiences: the authorised party must be us (OIDC Core 3.1.3.7).
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if ((audiences.length > 1 || claims.azp !== undefined) && claims.azp !== platform.clientId) throw this.refuse('azp is not our client id');
    if (claims.nonce !== state.nonce) throw this.refuse('nonce does not match the login');
    const deploymentId = text(claims[CLAIM.deploymentId]);
    if (!platform.deploymentIds.includes(deploymentId)) throw this.refuse(`unknown deployment ${JSON.stringify(deploymentId)}`);
    if (claims[CLAIM.version] !== LTI_VERSION) throw this.refuse(`LTI version ${JSON.stringify(claims[CLAIM.version])}`);
    const messageType = claims[CLAIM.messageType];
    if (messageType !== RESOURCE_LINK_REQUEST && messageType !== DEEP_LINKING_REQUEST) throw this.refuse(`message type ${JSON.stringify(messageType)}`);
    if (!text(claims.sub)) throw this.refuse('anonymous launch (no sub)');
    return { platform, claims, messageType, deploymentId };
  }

  /** The course a resource link opens: its custom `course` parameter, else a /courses/<slug> target link. */
  async courseOf(launch: VerifiedLaunch): Promise<Course> {
    let slug = text(record(launch.claims[CLAIM.custom]).course);
    if (!slug) {
      try {
        slug = /^\/courses\/([a-z0-9-]+)\/?$/.exec(new URL(text(launch.claims[CLAIM.targetLinkUri])).pathname)?.[1] ?? '';
      } catch {
        slug = '';
      }
    }
    const course = slug ? await this.courses.findCourseBySlug(slug) : null;
    if (!course || course.status !== 'published') throw new LtiCourseNotFoundError();
    return course;
  }

  /**
   * A resource-link launch: the platform's user gets (or is) a learner account here, enrolled in
   * the course, and the link with its gradebook column is recorded, all in one transaction.
   */
  async acceptResourceLink(launch: VerifiedLaunch): Promise<{ user: User; course: Course }> {
    const resourceLinkId = text(record(launch.claims[CLAIM.resourceLink]).id);
    if (!resourceLinkId || resourceLinkId.length > 191) throw this.refuse('resource link launch without a resource_link id');
    const course = await this.courseOf(launch);
    const attempt = () =>
      this.transactions.run(async (manager) => {
        const account = await this.linkedAccount(manager, launch);
        const now = new Date();
        await this.enrollments.enrolWithin(manager, account.userId, course.id, now);
        const link = await this.recordResourceLink(manager, launch, resourceLinkId, course.id, now);
        await manager.createQueryBuilder().insert().into(LtiLinkLearner).values({ resourceLinkId: link.id, accountId: account.id, createdAt: now }).orIgnore().execute();
        return account.userId;
      });
    let userId: number;
    try {
      userId = await attempt();
    } catch (error) {
      if (error instanceof DomainError) throw error;
      // Two first launches of one person at once: the unique index lets one create the account; the other links to it.
      this.logger.warn(`launch retried after ${error instanceof Error ? error.message : String(error)}`);
      userId = await attempt();
    }
    const user = await this.users.findById(userId);
    if (!user) throw this.refuse('linked account vanished');
    return { user, course };
  }

  private async linkedAccount(manager: EntityManager, launch: VerifiedLaunch): Promise<LtiAccount> {
    const sub = text(launch.claims.sub);
    if (sub.length > 191) throw this.refuse('sub longer than 191 characters');
    const accounts = manager.getRepository(LtiAccount);
    const existing = await accounts.findOneBy({ platformId: launch.platform.id, sub });
    if (existing) return existing;
    const user = await this.users.createInvited(manager, {
      name: this.displayName(launch.claims),
      email: await this.freeEmail(manager, launch),
      locale: text(launch.claims.locale).toLowerCase().startsWith('ur') ? 'ur' : 'en',
    });
    return accounts.save(accounts.create({ platformId: launch.platform.id, sub, userId: user.id, createdAt: new Date() }));
  }

  private displayName(claims: Record<string, unknown>): string {
    const name = text(claims.name).trim() || [text(claims.given_name), text(claims.family_name)].join(' ').trim();
    return (name || 'Learner').slice(0, 120);
  }

  /**
   * The platform's email for the new account when no account here uses it; otherwise (or with
   * none) a placeholder address. A platform's word is never enough to take over an account.
   */
  private async freeEmail(manager: EntityManager, launch: VerifiedLaunch): Promise<string> {
    const email = text(launch.claims.email).trim().toLowerCase();
    if (email && email.length <= 191 && this.users.isValidEmail(email) && !(await manager.getRepository(User).existsBy({ email }))) return email;
    const digest = createHash('sha256').update(`${launch.platform.id}\n${text(launch.claims.sub)}`).digest('hex').slice(0, 24);
    return `lti-${launch.platform.id}-${digest}@lti.invalid`;
  }

  private async recordResourceLink(manager: EntityManager, launch: VerifiedLaunch, resourceLinkId: string, courseId: number, now: Date): Promise<LtiResourceLink> {
    const endpoint = record(launch.claims[CLAIM.agsEndpoint]);
    const lineitem = text(endpoint.lineitem);
    const lineitemUrl = lineitem && lineitem.length <= 1000 && /^https?:\/\//.test(lineitem) ? lineitem : null;
    const scopes = Array.isArray(endpoint.scope) ? endpoint.scope.filter((s): s is string => typeof s === 'string') : null;
    const links = manager.getRepository(LtiResourceLink);
    const key = { platformId: launch.platform.id, deploymentId: launch.deploymentId, resourceLinkId };
    const existing = await links.findOneBy(key);
    if (existing) {
      await links.update({ id: existing.id }, { courseId, lineitemUrl, scopes, updatedAt: now });
      return { ...existing, courseId, lineitemUrl, scopes, updatedAt: now };
    }
    return links.save(links.create({ ...key, courseId, lineitemUrl, scopes, createdAt: now, updatedAt: now }));
  }

  private refuse(reason: string): LtiLaunchError {
    this.logger.warn(`LTI launch refused: ${reason}`);
    return new LtiLaunchError(reason);
  }
}
