import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { readOrCreateKeyFile } from '../common/key-file';
import { calculateJwkThumbprint, CryptoKey, exportJWK, generateKeyPair, importJWK, JWK, JWTPayload, jwtVerify, SignJWT } from 'jose';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { TOOL_ALG } from './lti.constants';

const KEY_FILE = 'lti-tool-key.json';

/** A new RSA key for the tool; every process then reads the one file (see readOrCreateKeyFile). */
async function newToolJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(TOOL_ALG, { modulusLength: 2048, extractable: true });
  return exportJWK(privateKey);
}

/** The tool's RSA key: signs deep-linking responses and the client assertions for grade tokens. */
@Injectable()
export class ToolKeysService implements OnModuleInit {
  private privateKey: CryptoKey;
  private publicKey: CryptoKey;
  private publicJwk: JWK;
  private kid: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    const jwk = await readOrCreateKeyFile(join(this.config.dataDir, KEY_FILE), newToolJwk);
    this.publicJwk = { kty: jwk.kty, n: jwk.n, e: jwk.e };
    this.kid = await calculateJwkThumbprint(this.publicJwk);
    this.privateKey = (await importJWK({ ...jwk, alg: TOOL_ALG }, TOOL_ALG)) as CryptoKey;
    this.publicKey = (await importJWK({ ...this.publicJwk, alg: TOOL_ALG }, TOOL_ALG)) as CryptoKey;
  }

  /** Published at /lti/jwks.json; platforms pick the key by kid. */
  publicKeySet(): { keys: JWK[] } {
    return { keys: [{ ...this.publicJwk, kid: this.kid, alg: TOOL_ALG, use: 'sig' }] };
  }

  /** A JWT signed with the tool key, valid for `ttlSeconds`, with a fresh jti. */
  sign(payload: JWTPayload, ttlSeconds: number): Promise<string> {
    return new SignJWT(payload)
      .setProtectedHeader({ alg: TOOL_ALG, typ: 'JWT', kid: this.kid })
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .setJti(randomUUID())
      .sign(this.privateKey);
  }

  /** Checks a JWT this tool signed for itself (the deep-linking chooser's context); throws if it is not. */
  async verifyOwn(token: string, audience: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, this.publicKey, { algorithms: [TOOL_ALG], issuer: this.config.baseUrl, audience });
    return payload;
  }
}
