import { once } from 'node:events';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { createRemoteJWKSet, CryptoKey, exportJWK, generateKeyPair, JWK, JWTPayload, jwtVerify, SignJWT } from 'jose';

export interface ReceivedScore {
  path: string;
  contentType: string | undefined;
  body: Record<string, unknown>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * A stand-in LMS (an LTI 1.3 platform) for the tests, on its own port with its own RSA keys:
 * it signs id_tokens, publishes its key set, hands out AGS tokens only for a client assertion
 * that verifies against the tool's published /lti/jwks.json, and records the scores posted to
 * its line items (only with a token it issued).
 */
export class TestPlatform {
  readonly clientId = 'exportready-tool';
  readonly deploymentId = 'deployment-1';
  readonly kid = 'platform-key-1';
  readonly scores: ReceivedScore[] = [];
  readonly tokenRequests: { accepted: boolean; reason?: string }[] = [];
  /** Dynamic registration: the token the platform puts in the tool's registration URL, and the requests it got. */
  readonly registrationToken = 'registration-token-1';
  readonly registrations: Record<string, unknown>[] = [];
  /** Answer this many score posts with 503 before accepting (a platform having a bad minute). */
  failScores = 0;
  private readonly issuedTokens = new Set<string>();
  private toolKeys: ReturnType<typeof createRemoteJWKSet>;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly privateKey: CryptoKey,
    private readonly publicJwk: JWK,
    /** A key of the same type this platform never published: tokens signed with it must be refused. */
    readonly strangerKey: CryptoKey,
  ) {}

  /**
   * For browser tests: the claims its /auth endpoint signs (with the nonce the tool sent) and
   * form-posts to the tool, as a real platform's authorisation endpoint does; the pages it serves;
   * and the deep-linking answers posted back to it.
   */
  pendingClaims: (JWTPayload & Record<string, unknown>) | null = null;
  readonly pages = new Map<string, string>();
  readonly deepLinkAnswers: string[] = [];

  /** `hostname` other than 127.0.0.1 (e.g. localhost) makes the platform another site than the tool. */
  static async start(toolJwksUrl: string, hostname = '127.0.0.1'): Promise<TestPlatform> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const stranger = await generateKeyPair('RS256');
    const ready: { platform?: TestPlatform } = {};
    const server = createServer((req, res) => {
      if (!ready.platform) return send(res, 503, { error: 'starting' });
      ready.platform.handle(req, res).catch((error: unknown) => send(res, 500, { error: String(error) }));
    });
    // By name, the browser may try ::1 first: listen on both stacks then.
    if (hostname === '127.0.0.1') server.listen(0, hostname);
    else server.listen(0);
    await once(server, 'listening');
    const url = `http://${hostname}:${(server.address() as AddressInfo).port}`;
    const platform = new TestPlatform(server, url, privateKey, await exportJWK(publicKey), stranger.privateKey);
    platform.toolKeys = createRemoteJWKSet(new URL(toolJwksUrl));
    ready.platform = platform;
    return platform;
  }

  get issuer(): string {
    return this.url;
  }

  get authLoginUrl(): string {
    return `${this.url}/auth`;
  }

  get tokenUrl(): string {
    return `${this.url}/token`;
  }

  get jwksUrl(): string {
    return `${this.url}/jwks`;
  }

  /** A line item URL with a query string, as Moodle's are: the tool must add /scores to the path. */
  lineitemUrl(n: number): string {
    return `${this.url}/lineitems/${n}/lineitem?type_id=7`;
  }

  /** An id_token as the platform would post it; `key` and `kid` let a test sign with a stranger's key. */
  idToken(claims: JWTPayload & Record<string, unknown>, options: { key?: CryptoKey; expiresIn?: string | number; issuedAt?: number } = {}): Promise<string> {
    return new SignJWT({ iss: this.issuer, aud: this.clientId, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: this.kid, typ: 'JWT' })
      .setIssuedAt(options.issuedAt)
      .setExpirationTime(options.expiresIn ?? '5m')
      .sign(options.key ?? this.privateKey);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', this.url).pathname;
    if (req.method === 'GET' && path === '/jwks') return send(res, 200, { keys: [{ ...this.publicJwk, kid: this.kid, alg: 'RS256', use: 'sig' }] });
    if (req.method === 'POST' && path === '/token') return this.token(req, res);
    if (req.method === 'GET' && path === '/auth') return this.authorize(req, res);
    if (req.method === 'POST' && path === '/deep-link-return') return this.deepLinkReturn(req, res);
    if (req.method === 'GET' && this.pages.has(path)) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return void res.end(this.pages.get(path));
    }
    if (req.method === 'GET' && path === '/.well-known/openid-configuration') return this.openidConfiguration(req, res);
    if (req.method === 'POST' && path === '/register') return this.registerTool(req, res);
    if (req.method === 'POST' && /^\/lineitems\/\d+\/lineitem\/scores$/.test(path)) return this.score(req, res, req.url ?? path);
    send(res, 404, { error: 'not found' });
  }

  /** The OIDC authorisation endpoint: checks the tool's request and form-posts a signed id_token back. */
  private async authorize(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const query = new URL(req.url ?? '/', this.url).searchParams;
    const expected = { scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none', client_id: this.clientId };
    for (const [name, value] of Object.entries(expected)) {
      if (query.get(name) !== value) return send(res, 400, { error: `bad ${name}` });
    }
    if (!this.pendingClaims) return send(res, 400, { error: 'no launch pending' });
    const idToken = await this.idToken({ ...this.pendingClaims, nonce: query.get('nonce') ?? '' });
    const escape = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><title>Platform</title><form method="post" action="${escape(query.get('redirect_uri') ?? '')}">` +
        `<input type="hidden" name="id_token" value="${escape(idToken)}"><input type="hidden" name="state" value="${escape(query.get('state') ?? '')}"></form>` +
        '<script>document.forms[0].submit()</script>',
    );
  }

  private async deepLinkReturn(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.deepLinkAnswers.push(new URLSearchParams(await readBody(req)).get('JWT') ?? '');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>Platform</title><p id="received">Content added</p>');
  }

  get openidConfigurationUrl(): string {
    return `${this.url}/.well-known/openid-configuration`;
  }

  private openidConfiguration(req: IncomingMessage, res: ServerResponse): void {
    if (req.headers.authorization !== `Bearer ${this.registrationToken}`) return send(res, 401, { error: 'unauthorized' });
    send(res, 200, {
      issuer: this.issuer,
      authorization_endpoint: this.authLoginUrl,
      token_endpoint: this.tokenUrl,
      jwks_uri: this.jwksUrl,
      registration_endpoint: `${this.url}/register`,
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      id_token_signing_alg_values_supported: ['RS256'],
      'https://purl.imsglobal.org/spec/lti-platform-configuration': { product_family_code: 'moodle', version: '4.5' },
    });
  }

  private async registerTool(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers.authorization !== `Bearer ${this.registrationToken}`) return send(res, 401, { error: 'unauthorized' });
    const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    this.registrations.push(body);
    const toolConfiguration = body['https://purl.imsglobal.org/spec/lti-tool-configuration'] as Record<string, unknown>;
    send(res, 200, { ...body, client_id: 'dynamic-client-1', 'https://purl.imsglobal.org/spec/lti-tool-configuration': { ...toolConfiguration, deployment_id: 'dynamic-deployment-1' } });
  }

  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const refuse = (reason: string) => {
      this.tokenRequests.push({ accepted: false, reason });
      send(res, 401, { error: 'invalid_client', error_description: reason });
    };
    if (form.get('grant_type') !== 'client_credentials') return refuse('grant_type');
    if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return refuse('client_assertion_type');
    try {
      await jwtVerify(form.get('client_assertion') ?? '', this.toolKeys, { issuer: this.clientId, subject: this.clientId, audience: this.tokenUrl, algorithms: ['RS256'] });
    } catch (error) {
      return refuse(`client_assertion: ${String(error)}`);
    }
    const scope = form.get('scope') ?? '';
    if (!scope.split(' ').includes('https://purl.imsglobal.org/spec/lti-ags/scope/score')) return refuse('scope');
    const token = randomBytes(16).toString('hex');
    this.issuedTokens.add(token);
    this.tokenRequests.push({ accepted: true });
    send(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 3600, scope });
  }

  private async score(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const body = await readBody(req);
    if (!bearer || !this.issuedTokens.has(bearer)) return send(res, 401, { error: 'unauthorized' });
    if (this.failScores > 0) {
      this.failScores--;
      return send(res, 503, { error: 'try later' });
    }
    this.scores.push({ path, contentType: req.headers['content-type'], body: JSON.parse(body) as Record<string, unknown> });
    send(res, 200, {});
  }
}
