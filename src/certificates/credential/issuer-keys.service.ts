import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, CompactSign, compactVerify, CryptoKey, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, JWK } from 'jose';
import { AppConfig, IssuerJwk } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';

const KEY_FILE = 'issuer-key.json';
/** VC-JOSE-COSE: a credential secured as a JWS carries these media types in its header. */
const CREDENTIAL_TYP = 'vc+jwt';
const CREDENTIAL_CTY = 'vc';

export type SignatureCheck =
  | { valid: true; credential: unknown }
  | { valid: false; reason: 'malformed' | 'unknown_key' | 'bad_signature' };

/**
 * Reads a private key from a file, creating it first if there is none. Two processes starting
 * together on one data dir must end up with the same key: the new key is written to a temp
 * file and linked into place, which fails if the other process got there first.
 */
async function keyFromFile(path: string): Promise<IssuerJwk> {
  if (!existsSync(path)) {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const jwk = await exportJWK(privateKey);
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(temp, JSON.stringify({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d }, null, 2), { mode: 0o600 });
    try {
      linkSync(temp, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(temp);
    }
  }
  return JSON.parse(readFileSync(path, 'utf8')) as IssuerJwk;
}

/**
 * The issuer's Ed25519 key: signs credentials as VC-JOSE (a compact JWS whose payload is the
 * credential JSON) and verifies them. The key comes from ISSUER_KEY or is generated once into
 * DATA_DIR; every web and worker process of a site must share it.
 */
@Injectable()
export class IssuerKeysService implements OnModuleInit {
  private privateKey: CryptoKey;
  private publicKey: CryptoKey;
  private publicJwk: JWK;
  private thumbprint: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    const jwk = this.config.issuerKey ?? (await keyFromFile(join(this.config.dataDir, KEY_FILE)));
    this.publicJwk = { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
    this.thumbprint = await calculateJwkThumbprint(this.publicJwk);
    this.privateKey = (await importJWK({ ...jwk, alg: 'EdDSA' }, 'EdDSA')) as CryptoKey;
    this.publicKey = (await importJWK({ ...this.publicJwk, alg: 'EdDSA' }, 'EdDSA')) as CryptoKey;
  }

  /** The key id in every signature: the key set's URL with the key's RFC 7638 thumbprint as fragment. */
  get keyId(): string {
    return `${this.config.baseUrl}/issuer/keys.json#${this.thumbprint}`;
  }

  /** The public key set published at /issuer/keys.json. */
  publicKeySet(): { keys: JWK[] } {
    return { keys: [{ ...this.publicJwk, kid: this.keyId, alg: 'EdDSA', use: 'sig' }] };
  }

  async sign(credential: object): Promise<string> {
    return new CompactSign(Buffer.from(JSON.stringify(credential), 'utf8'))
      .setProtectedHeader({ alg: 'EdDSA', typ: CREDENTIAL_TYP, cty: CREDENTIAL_CTY, kid: this.keyId })
      .sign(this.privateKey);
  }

  /**
   * Checks a compact JWS against this issuer's key. A key id naming another key is refused
   * before any signature maths (a credential from another issuer is not ours to vouch for);
   * the URL part of the id may differ, so certificates survive a change of BASE_URL.
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
    if (typeof kid !== 'string' || !kid.endsWith(`#${this.thumbprint}`)) return { valid: false, reason: 'unknown_key' };
    try {
      const { payload } = await compactVerify(jws, this.publicKey, { algorithms: ['EdDSA'] });
      return { valid: true, credential: JSON.parse(Buffer.from(payload).toString('utf8')) };
    } catch {
      return { valid: false, reason: 'bad_signature' };
    }
  }
}
