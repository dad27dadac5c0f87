/**
 * Names fixed by the IMS (1EdTech) specifications: LTI Core 1.3, Deep Linking 2.0 and
 * Assignment and Grade Services 2.0. Kept in one place so a typo cannot hide in a handler.
 */
const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const DL = 'https://purl.imsglobal.org/spec/lti-dl/claim/';

export const CLAIM = {
  messageType: `${LTI}message_type`,
  version: `${LTI}version`,
  deploymentId: `${LTI}deployment_id`,
  targetLinkUri: `${LTI}target_link_uri`,
  resourceLink: `${LTI}resource_link`,
  roles: `${LTI}roles`,
  custom: `${LTI}custom`,
  context: `${LTI}context`,
  deepLinkingSettings: `${DL}deep_linking_settings`,
  contentItems: `${DL}content_items`,
  deepLinkingData: `${DL}data`,
  deepLinkingMessage: `${DL}msg`,
  agsEndpoint: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
} as const;

export const LTI_VERSION = '1.3.0';
export const RESOURCE_LINK_REQUEST = 'LtiResourceLinkRequest';
export const DEEP_LINKING_REQUEST = 'LtiDeepLinkingRequest';
export const DEEP_LINKING_RESPONSE = 'LtiDeepLinkingResponse';

export const AGS_SCORE_SCOPE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';
export const SCORE_MEDIA_TYPE = 'application/vnd.ims.lis.v1.score+json';
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** What LMSs expect of a tool's keys (Moodle, Canvas, Blackboard all verify RS256). */
export const TOOL_ALG = 'RS256';

/** The tool's endpoints, relative to BASE_URL: what an administrator pastes into the LMS. */
export const TOOL_PATHS = {
  login: '/lti/login',
  launch: '/lti/launch',
  deepLink: '/lti/launch',
  jwks: '/lti/jwks.json',
  register: '/lti/register',
} as const;

/** A login's state waits this long for the platform to post the id_token back. */
export const LAUNCH_STATE_TTL_MS = 10 * 60_000;
/** How old an id_token's iat may be; clocks of LMS servers drift a little. */
export const CLOCK_TOLERANCE_S = 60;
/** The course chooser of a deep-linking launch stays usable this long. */
export const DEEP_LINK_CONTEXT_TTL_S = 60 * 60;
