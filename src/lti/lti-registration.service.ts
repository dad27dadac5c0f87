import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { FormInvalidError } from '../common/domain-error';
import { LtiPlatform } from './entities/lti-platform.entity';
import { LtiLaunchError } from './lti-errors';
import { LtiPlatformsService } from './lti-platforms.service';
import { AGS_SCORE_SCOPE, DEEP_LINKING_REQUEST, TOOL_PATHS } from './lti.constants';
import { ToolKeysService } from './tool-keys.service';

const KEY_AUDIENCE = '/lti/register';
/** How long a registration URL from /admin/lti may be used. */
const KEY_TTL_S = 24 * 3600;
const HTTP_TIMEOUT_MS = 10_000;
const TOOL_CONFIGURATION = 'https://purl.imsglobal.org/spec/lti-tool-configuration';
const PLATFORM_CONFIGURATION = 'https://purl.imsglobal.org/spec/lti-platform-configuration';

type Json = Record<string, unknown>;
const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const record = (value: unknown): Json => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});

/**
 * LTI Dynamic Registration 1.0: the LMS administrator pastes our registration URL, the LMS opens
 * it with its OpenID configuration URL and a registration token, and we register ourselves with
 * it and store the platform. The LMS shows the page in its own frame, where our session cookie is
 * not sent, so the URL carries a key (a JWT the tool signed, from /admin/lti, valid a day) instead:
 * without it anybody could register a platform and make accounts.
 */
@Injectable()
export class LtiRegistrationService {
  private readonly logger = new Logger('LtiRegistration');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly keys: ToolKeysService,
    private readonly platforms: LtiPlatformsService,
  ) {}

  /** The URL an administrator gives the LMS. */
  async registrationUrl(): Promise<string> {
    const key = await this.keys.sign({ iss: this.config.baseUrl, aud: this.audience }, KEY_TTL_S);
    return `${this.config.baseUrl}${TOOL_PATHS.register}?key=${encodeURIComponent(key)}`;
  }

  async register(params: Record<string, unknown>): Promise<LtiPlatform> {
    try {
      await this.keys.verifyOwn(text(params.key), this.audience);
    } catch {
      throw this.refuse('registration without a valid key from /admin/lti');
    }
    const configUrl = text(params.openid_configuration);
    const registrationToken = text(params.registration_token);
    if (!/^https?:\/\//.test(configUrl)) throw this.refuse('registration without an openid_configuration URL');
    const auth: Record<string, string> = registrationToken ? { authorization: `Bearer ${registrationToken}` } : {};

    const configuration = await this.fetchJson(configUrl, { headers: { accept: 'application/json', ...auth } });
    const issuer = text(configuration.issuer);
    // The issuer must be on the host the configuration came from (LTI-DR 1.0, 3.5.1).
    if (!issuer || !this.sameHost(issuer, configUrl)) throw this.refuse(`issuer ${JSON.stringify(issuer)} is not on the host of ${configUrl}`);
    const registrationEndpoint = text(configuration.registration_endpoint);
    if (!/^https?:\/\//.test(registrationEndpoint)) throw this.refuse('the platform has no registration_endpoint');

    const base = this.config.baseUrl;
    const client = await this.fetchJson(registrationEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...auth },
      body: JSON.stringify({
        application_type: 'web',
        response_types: ['id_token'],
        grant_types: ['implicit', 'client_credentials'],
        initiate_login_uri: `${base}${TOOL_PATHS.login}`,
        redirect_uris: [`${base}${TOOL_PATHS.launch}`],
        client_name: 'ExportReady',
        jwks_uri: `${base}${TOOL_PATHS.jwks}`,
        token_endpoint_auth_method: 'private_key_jwt',
        scope: AGS_SCORE_SCOPE,
        [TOOL_CONFIGURATION]: {
          domain: new URL(base).host,
          target_link_uri: `${base}${TOOL_PATHS.launch}`,
          claims: ['iss', 'sub', 'name', 'given_name', 'family_name', 'email', 'locale'],
          messages: [{ type: DEEP_LINKING_REQUEST, target_link_uri: `${base}${TOOL_PATHS.deepLink}`, label: 'ExportReady' }],
        },
      }),
    });
    const deploymentId = text(record(client[TOOL_CONFIGURATION]).deployment_id);
    const family = text(record(configuration[PLATFORM_CONFIGURATION]).product_family_code) || 'LMS';
    try {
      return await this.platforms.register({
        name: `${family} (${new URL(issuer).host})`.slice(0, 120),
        issuer,
        clientId: text(client.client_id),
        deploymentIds: deploymentId,
        authLoginUrl: text(configuration.authorization_endpoint),
        tokenUrl: text(configuration.token_endpoint),
        jwksUrl: text(configuration.jwks_uri),
      });
    } catch (error) {
      if (error instanceof FormInvalidError) throw this.refuse(`the platform's answers do not make a registration: ${JSON.stringify(error.fields)}`);
      throw error;
    }
  }

  private async fetchJson(url: string, init: RequestInit): Promise<Json> {
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
    } catch (error) {
      throw this.refuse(`${url}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!response.ok) throw this.refuse(`${url} answered ${response.status}`);
    try {
      return record(await response.json());
    } catch {
      throw this.refuse(`${url} did not answer JSON`);
    }
  }

  private sameHost(a: string, b: string): boolean {
    try {
      return new URL(a).host === new URL(b).host;
    } catch {
      return false;
    }
  }

  private get audience(): string {
    return `${this.config.baseUrl}${KEY_AUDIENCE}`;
  }

  private refuse(reason: string): LtiLaunchError {
    this.logger.warn(`LTI registration refused: ${reason}`);
    return new LtiLaunchError(reason);
  }
}
