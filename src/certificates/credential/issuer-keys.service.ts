import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { join } from 'node:path';
import { readOrCreateKeyFile } from '../../common/key-file';
import { calculateJwkThumbprint, CompactSign, compactVerify, CryptoKey, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, JWK } from 'jose';
import { DataSource, EntityManager, IsNull, Repository } from 'typeorm';
import { AppConfig, IssuerJwk } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { TransactionRunner } from '../../database/transaction-runner';
import { IssuerKey } from './issuer-key.entity';
import { didWebFor, ed25519Multibase, linkedDataLibraries, offlineDocumentLoader } from './linked-data';

const KEY_FILE = 'issuer-key.json';
/** VC-JOSE-COSE: a credential secured as a JWS carries these media types in its header. */
const CREDENTIAL_TYP = 'vc+jwt';
const CREDENTIAL_CTY = 'vc';
export const DID_CONTEXT = 'https://www.w3.org/ns/did/v1';
/** How long a process trusts its copy of the key list before reading it again (a rotation elsewhere). */
const KEYS_TTL_MS = 30_000;
/** A key id we do not know makes us read the list again (a rotation elsewhere), once per id in this time. */
const UNKNOWN_KID_RELOAD_MS = 5_000;
const UNKNOWN_KIDS_REMEMBERED = 1_000;

export type SignatureCheck =
  | { valid: true; credential: unknown; kid: string }
  | { valid: false; reason: 'malformed' | 'unknown_key' | 'bad_signature' };

/** A key as this process holds it: public half always, private half when it may sign. */
interface HeldKey {
  kid: string;
  publicJwk: JWK;
  publicKey: CryptoKey;
  multibase: string;
  privateJwk: IssuerJwk | null;
  createdAt: Date;
  retiredAt: Date | null;
}

async function newPrivateJwk(): Promise<IssuerJwk> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x as string, d: jwk.d as string };
}

const publicHalf = (jwk: { kty: string; crv?: string; x?: string }): JWK => ({ kty: jwk.kty, crv: jwk.crv, x: jwk.x });

/**
 * The issuer's Ed25519 keys, kept in the issuer_keys table: the newest key that is not retired
 * signs, every key stays published so credentials signed before a rotation still verify.
 * Credentials are signed twice from one unsigned document: VC-JOSE (a compact JWS whose payload
 * is the credential JSON) and a Data Integrity proof (eddsa-rdfc-2022). The issuer is the site's
 * did:web; a key's id is that DID with the key's RFC 7638 thumbprint as fragment.
 *
 * The first key comes from ISSUER_KEY, or from DATA_DIR/issuer-key.json (created if missing),
 * so a site upgraded from the single-key days keeps its key and its certificates.
 */
@Injectable()
export class IssuerKeysService implements OnModuleInit {
  private readonly logger = new Logger('IssuerKeys');
  private readonly rows: Repository<IssuerKey>;
  private keys: HeldKey[] = [];
  private loadedAt = 0;
  private reloading: Promise<void> | null = null;
  /** Key ids looked for in vain, and when: a forger repeating one costs no query. */
  private readonly missed = new Map<string, number>();

  constructor(
    dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.rows = dataSource.getRepository(IssuerKey);
  }

  async onModuleInit(): Promise<void> {
    await this.adoptConfiguredKey();
    await this.reload();
  }

  /**
   * With an empty table, the key of the single-key days becomes the first row. A key given in
   * ISSUER_KEY that the table does not know yet is added as the newest (it signs from now on),
   * with its private half left in the environment. Two processes doing this at once insert the
   * same key; the unique kid makes the second insert a no-op.
   */
  private async adoptConfiguredKey(): Promise<void> {
    const configured = this.config.issuerKey;
    if (configured) {
      const kid = await calculateJwkThumbprint(publicHalf(configured));
      if (!(await this.rows.existsBy({ kid }))) await this.insertKey(kid, configured, false);
      return;
    }
    if ((await this.rows.count()) > 0) return;
    const jwk = await readOrCreateKeyFile(join(this.config.dataDir, KEY_FILE), newPrivateJwk);
    await this.insertKey(await calculateJwkThumbprint(publicHalf(jwk)), jwk, true);
  }

  private async insertKey(kid: string, jwk: IssuerJwk, storePrivate: boolean): Promise<void> {
    await this.rows
      .createQueryBuilder()
      .insert()
      .into(IssuerKey)
      .values({ kid, publicJwk: JSON.stringify(publicHalf(jwk)), privateJwk: storePrivate ? JSON.stringify(jwk) : null, createdAt: new Date(), retiredAt: null })
      .orIgnore()
      .execute();
  }

  /** Reads the key list again; concurrent callers share one read. */
  async reload(): Promise<void> {
    this.reloading ??= (async () => {
      try {
        const rows = await this.rows.find({ order: { id: 'ASC' } });
        const keys: HeldKey[] = [];
        for (const row of rows) {
          const publicJwk = JSON.parse(row.publicJwk) as JWK;
          const fromEnv = this.config.issuerKey && this.config.issuerKey.x === publicJwk.x ? this.config.issuerKey : null;
          keys.push({
            kid: row.kid,
            publicJwk,
            publicKey: (await importJWK({ ...publicJwk, alg: 'EdDSA' }, 'EdDSA')) as CryptoKey,
            multibase: ed25519Multibase(publicJwk.x as string),
            privateJwk: row.privateJwk ? (JSON.parse(row.privateJwk) as IssuerJwk) : fromEnv,
            createdAt: row.createdAt,
            retiredAt: row.retiredAt,
          });
        }
        this.keys = keys;
        this.loadedAt = Date.now();
      } finally {
        this.reloading = null;
      }
    })();
    return this.reloading;
  }

  private async current(): Promise<HeldKey[]> {
    if (Date.now() - this.loadedAt > KEYS_TTL_MS) await this.reload();
    return this.keys;
  }

  /** The key that signs now: the newest one not retired whose private half this process holds. */
  private async signingKey(fresh = true): Promise<HeldKey> {
    if (fresh) await this.reload();
    else await this.current();
    const key = [...this.keys].reverse().find((k) => !k.retiredAt && k.privateJwk);
    if (!key) throw new Error('no issuer key can sign: the newest key has no private half here (is ISSUER_KEY missing?)');
    return key;
  }

  /** The issuer's DID: did:web for the site's base URL. */
  get did(): string {
    return didWebFor(this.config.baseUrl);
  }

  /** Every key, oldest first, for the admins' page. */
  async list(): Promise<{ kid: string; createdAt: Date; retiredAt: Date | null; signing: boolean }[]> {
    await this.reload();
    const signing = [...this.keys].reverse().find((k) => !k.retiredAt && k.privateJwk)?.kid;
    return this.keys.map((k) => ({ kid: k.kid, createdAt: k.createdAt, retiredAt: k.retiredAt, signing: k.kid === signing }));
  }

  verificationMethodId(kid: string): string {
    return `${this.did}#${kid}`;
  }

  /** The id of the key that signs now (its thumbprint), as this process last read the list. */
  async signingKid(): Promise<string> {
    return (await this.signingKey(false)).kid;
  }

  /**
   * A new key signs from now on; the ones before are retired (still published, still verifying).
   * `record` runs in the same transaction (the admin page's audit entry).
   */
  async rotate(record?: (manager: EntityManager, rotation: { kid: string; retired: string[] }) => Promise<void>): Promise<{ kid: string; retired: string[] }> {
    const jwk = await newPrivateJwk();
    const kid = await calculateJwkThumbprint(publicHalf(jwk));
    const retired = await this.transactions.run(async (manager) => {
      const repository = manager.getRepository(IssuerKey);
      const active = (await repository.findBy({ retiredAt: IsNull() })).map((row) => row.kid);
      await repository.update({ retiredAt: IsNull() }, { retiredAt: new Date() });
      await repository.insert({ kid, publicJwk: JSON.stringify(publicHalf(jwk)), privateJwk: JSON.stringify(jwk), createdAt: new Date(), retiredAt: null });
      await record?.(manager, { kid, retired: active });
      return active;
    });
    await this.reload();
    this.logger.log(`issuer key rotated: ${kid} signs now; retired ${retired.join(', ') || '-'}`);
    return { kid, retired };
  }

  /** The public keys as a JWK set (/.well-known/jwks.json, also /issuer/keys.json), oldest first. */
  async publicKeySet(): Promise<{ keys: JWK[] }> {
    return { keys: (await this.current()).map((k) => ({ ...k.publicJwk, kid: this.verificationMethodId(k.kid), alg: 'EdDSA', use: 'sig' })) };
  }

  private verificationMethod(key: HeldKey, withContext: boolean) {
    return {
      ...(withContext ? { '@context': 'https://w3id.org/security/multikey/v1' } : {}),
      id: this.verificationMethodId(key.kid),
      type: 'Multikey',
      controller: this.did,
      publicKeyMultibase: key.multibase,
    };
  }

  /** The did:web DID document (/.well-known/did.json): every key, each one allowed to assert credentials. */
  async didDocument() {
    const keys = await this.current();
    return {
      '@context': [DID_CONTEXT, 'https://w3id.org/security/multikey/v1'],
      id: this.did,
      verificationMethod: keys.map((k) => this.verificationMethod(k, false)),
      assertionMethod: keys.map((k) => this.verificationMethodId(k.kid)),
    };
  }

  /** A key by its id (a DID URL, or any URL ending in #<thumbprint>); an unknown id reads the list again once. */
  private async keyFor(id: string): Promise<HeldKey | null> {
    const kid = id.slice(id.lastIndexOf('#') + 1);
    if (!id.includes('#') || !kid) return null;
    const find = () => this.keys.find((k) => k.kid === kid) ?? null;
    await this.current();
    if (find()) return find();
    const lastMiss = this.missed.get(kid);
    if (lastMiss !== undefined && Date.now() - lastMiss < UNKNOWN_KID_RELOAD_MS) return null;
    await this.reload();
    if (find()) return find();
    if (this.missed.size >= UNKNOWN_KIDS_REMEMBERED) this.missed.clear();
    this.missed.set(kid, Date.now());
    return null;
  }

  /** Our own DID document and keys for the offline document loader; nothing else. */
  private async resolveOwn(url: string): Promise<object | null> {
    if (url === this.did) return this.didDocument();
    if (!url.startsWith(`${this.did}#`)) return null;
    const key = await this.keyFor(url);
    return key ? this.verificationMethod(key, true) : null;
  }

  async documentLoader() {
    const { contexts } = await linkedDataLibraries();
    return offlineDocumentLoader(contexts, (url) => this.resolveOwn(url));
  }

  /** The VC-JOSE compact JWS of a credential, signed with the current key. */
  async sign(credential: object): Promise<string> {
    return this.signJws(credential, await this.signingKey());
  }

  private async signJws(credential: object, key: HeldKey): Promise<string> {
    const privateKey = (await importJWK({ ...(key.privateJwk as IssuerJwk), alg: 'EdDSA' }, 'EdDSA')) as CryptoKey;
    return new CompactSign(Buffer.from(JSON.stringify(credential), 'utf8'))
      .setProtectedHeader({ alg: 'EdDSA', typ: CREDENTIAL_TYP, cty: CREDENTIAL_CTY, kid: this.verificationMethodId(key.kid) })
      .sign(privateKey);
  }

  /** The credential with a Data Integrity proof (eddsa-rdfc-2022), signed with the current key. */
  async signDataIntegrity(credential: object): Promise<Record<string, unknown>> {
    return this.signLd(credential, await this.signingKey());
  }

  private async signLd(credential: object, key: HeldKey): Promise<Record<string, unknown>> {
    const { vc, DataIntegrityProof, cryptosuite, multikey } = await linkedDataLibraries();
    const keyPair = await multikey.fromJwk({ jwk: key.privateJwk as IssuerJwk, secretKey: true });
    keyPair.id = this.verificationMethodId(key.kid);
    keyPair.controller = this.did;
    return vc.issue({ credential: structuredClone(credential), suite: new DataIntegrityProof({ signer: keyPair.signer(), cryptosuite }), documentLoader: await this.documentLoader() });
  }

  /** Both forms of one credential, by one key: what the worker stores at issue time. */
  async signBoth(credential: object): Promise<{ jws: string; dataIntegrity: Record<string, unknown>; kid: string }> {
    const key = await this.signingKey();
    return { jws: await this.signJws(credential, key), dataIntegrity: await this.signLd(credential, key), kid: key.kid };
  }

  /**
   * Checks a compact JWS against this issuer's keys. A key id naming a key we never had is
   * refused before any signature maths (a credential from another issuer is not ours to vouch
   * for); only the fragment is compared, so credentials signed when the key id was a URL of the
   * site (before did:web) or under another BASE_URL still verify.
   */
  async verify(jws: string): Promise<SignatureCheck> {
    let kid: unknown;
    try {
      const header = decodeProtectedHeader(jws);
      if (header.alg !== 'EdDSA' || header.typ !== CREDENTIAL_TYP) return { valid: false, reason: 'malformed' };
      kid = header.kid;
    } catch {
      return { valid: false, reason: 'malformed' };
    }
    const key = typeof kid === 'string' ? await this.keyFor(kid) : null;
    if (!key) return { valid: false, reason: 'unknown_key' };
    try {
      const { payload } = await compactVerify(jws, key.publicKey, { algorithms: ['EdDSA'] });
      return { valid: true, credential: JSON.parse(Buffer.from(payload).toString('utf8')), kid: key.kid };
    } catch {
      return { valid: false, reason: 'bad_signature' };
    }
  }

  /**
   * Checks a credential's Data Integrity proof against our DID document, offline. Only the proof:
   * the library insists on a status check when there is a credentialStatus, and ours passes,
   * because whether one of our certificates is revoked is read from our records by the caller.
   */
  async verifyDataIntegrity(credential: object): Promise<SignatureCheck> {
    const proof = (credential as { proof?: { verificationMethod?: unknown } }).proof;
    const method = typeof proof?.verificationMethod === 'string' ? proof.verificationMethod : null;
    if (!method) return { valid: false, reason: 'malformed' };
    const key = method.startsWith(`${this.did}#`) ? await this.keyFor(method) : null;
    if (!key) return { valid: false, reason: 'unknown_key' };
    const { vc, DataIntegrityProof, cryptosuite } = await linkedDataLibraries();
    try {
      const result = await vc.verifyCredential({
        credential,
        suite: new DataIntegrityProof({ cryptosuite }),
        documentLoader: await this.documentLoader(),
        checkStatus: async () => ({ verified: true }),
      });
      if (result.verified) return { valid: true, credential, kid: key.kid };
      return { valid: false, reason: 'bad_signature' };
    } catch {
      return { valid: false, reason: 'malformed' };
    }
  }
}
