import { Inject, Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { DomainError, ErrorCode } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { RatePolicy, RequestThrottleService } from '../database/request-throttle.service';
import { Certificate, CertificateStatus } from './certificate.entity';
import { CertificateNotFoundError } from './certificate-errors';
import { studyHours } from './certificates.service';
import { envelope, readCredentialInput } from './credential/credential-input';
import { isLegacySerial, SERIAL_PATTERN } from './serial';
import { IssuerKeysService } from './credential/issuer-keys.service';
import { CredentialSummary, issuerProfile, revocationListUrl, summarizeCredential, VC_CONTEXT, OB_CONTEXT } from './credential/open-badge';
import { StatusListService } from './credential/status-list.service';

/** What /verify/<serial> shows. `valid` means: signature verified now, matches our record, not revoked. */
export interface Verification {
  serial: string;
  status: 'valid' | 'revoked' | 'pending' | 'invalid';
  signatureVerified: boolean;
  credential: CredentialSummary | null;
  hours: number;
  issuedAt: Date | null;
  revokedAt: Date | null;
  revokedReason: string | null;
  replacedBySerial: string | null;
  /** Whether the credential can also be downloaded with a Data Integrity proof (issued since it exists). */
  dataIntegrity: boolean;
}

export type CredentialCheck =
  | { outcome: 'serial'; serial: string }
  | { outcome: 'unreadable' | 'unsigned' | 'not-ours' | 'forged' | 'unknown' }
  | { outcome: 'valid' | 'revoked'; serial: string; credential: CredentialSummary; verification: Verification };

/**
 * Lookups by serial, per client address. Misses (no such certificate) are what guessing
 * produces; a buyer checking real certificates makes none. The old sequential serials can be
 * counted through without a single miss, so lookups of them are limited as such.
 */
export const VERIFY_MISS_POLICY: RatePolicy = { limit: 10, windowMs: 15 * 60_000 };
export const VERIFY_LEGACY_POLICY: RatePolicy = { limit: 20, windowMs: 15 * 60_000 };

export class VerifyThrottledError extends DomainError {
  constructor() {
    super(ErrorCode.Throttled, 'certificates.errors.verify_throttled');
  }
}

function serialFromCredentialId(id: string): string | null {
  const serial = /\/verify\/([^/?#]+)$/.exec(id)?.[1] ?? null;
  return serial && SERIAL_PATTERN.test(serial) ? serial : null;
}

/**
 * Public checking of certificates: the verification page, the signed credential, the check of
 * a pasted credential, and what the issuer publishes (profile, public key, revocation list).
 */
@Injectable()
export class CertificateVerificationService {
  private readonly certificates: Repository<Certificate>;

  constructor(
    dataSource: DataSource,
    private readonly issuerKeys: IssuerKeysService,
    private readonly statusLists: StatusListService,
    private readonly throttle: RequestThrottleService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.certificates = dataSource.getRepository(Certificate);
  }

  /** The verification page's lookup by someone at `client` (their address): throttled, misses counted. */
  async lookUp(serial: string, client: string): Promise<Verification | null> {
    return this.throttled(serial, client, () => this.verification(serial));
  }

  /** The signed credential for /verify/<serial>.json, throttled like the page. */
  async signedCredentialFor(serial: string, client: string): Promise<ReturnType<typeof envelope>> {
    const found = await this.throttled(serial, client, async () => {
      try {
        return await this.signedCredential(serial);
      } catch (error) {
        if (error instanceof CertificateNotFoundError) return null;
        throw error;
      }
    });
    if (!found) throw new CertificateNotFoundError();
    return found;
  }

  private async throttled<T>(serial: string, client: string, lookUp: () => Promise<T | null>): Promise<T | null> {
    const legacy = isLegacySerial(serial);
    const missKey = `verify-miss:${client}`;
    const legacyKey = `verify-legacy:${client}`;
    if ((await this.throttle.isOver(missKey, VERIFY_MISS_POLICY)) || (legacy && (await this.throttle.isOver(legacyKey, VERIFY_LEGACY_POLICY)))) {
      throw new VerifyThrottledError();
    }
    if (legacy) await this.throttle.count(legacyKey, VERIFY_LEGACY_POLICY);
    const found = await lookUp();
    if (!found) await this.throttle.count(missKey, VERIFY_MISS_POLICY);
    return found;
  }

  /** Null for an unknown serial (the page says so with a 404). The signature is checked on every call. */
  async verification(serial: string): Promise<Verification | null> {
    if (!SERIAL_PATTERN.test(serial)) return null;
    const certificate = await this.certificates.findOneBy({ serial });
    if (!certificate) return null;
    const base = {
      serial,
      hours: studyHours(certificate.studyMinutes),
      issuedAt: certificate.issuedAt,
      revokedAt: certificate.revokedAt,
      revokedReason: certificate.revokedReason,
      replacedBySerial: certificate.replacedBy ? ((await this.certificates.findOneBy({ id: certificate.replacedBy }))?.serial ?? null) : null,
      dataIntegrity: !!certificate.credentialLd,
    };
    if (!certificate.credential) {
      const status: Verification['status'] = certificate.status === 'revoked' ? 'revoked' : 'pending';
      return { ...base, status, signatureVerified: false, credential: null };
    }
    const check = await this.issuerKeys.verify(certificate.credential);
    const credential = check.valid ? summarizeCredential(check.credential) : null;
    // The signed content must be this certificate's: a valid signature over other data proves nothing here.
    const matches =
      !!credential &&
      serialFromCredentialId(credential.id) === serial &&
      credential.holderName === certificate.holderName &&
      credential.courseTitle === certificate.courseTitle;
    return { ...base, status: this.statusOf(certificate.status, matches), signatureVerified: matches, credential: matches ? credential : null };
  }

  private statusOf(status: CertificateStatus, matches: boolean): Verification['status'] {
    if (status === 'revoked') return 'revoked';
    return matches ? 'valid' : 'invalid';
  }

  /** The credential as VC 2.0 JSON (an envelope around the VC-JOSE JWS), for /verify/<serial>.json. */
  async signedCredential(serial: string): Promise<ReturnType<typeof envelope>> {
    const certificate = SERIAL_PATTERN.test(serial) ? await this.certificates.findOneBy({ serial }) : null;
    if (!certificate?.credential) throw new CertificateNotFoundError();
    return envelope(certificate.credential);
  }

  /** The credential secured with a Data Integrity proof (JSON-LD), for /verify/<serial>/credential.json; throttled like the page. */
  async dataIntegrityCredentialFor(serial: string, client: string): Promise<Record<string, unknown>> {
    const found = await this.throttled(serial, client, async () => {
      const certificate = SERIAL_PATTERN.test(serial) ? await this.certificates.findOneBy({ serial }) : null;
      return certificate?.credentialLd ? (JSON.parse(certificate.credentialLd) as Record<string, unknown>) : null;
    });
    if (!found) throw new CertificateNotFoundError();
    return found;
  }

  /** The credential as a bare VC-JOSE compact JWS, for /verify/<serial>/credential.jwt; throttled like the page. */
  async jwtCredentialFor(serial: string, client: string): Promise<string> {
    const found = await this.throttled(serial, client, async () => {
      const certificate = SERIAL_PATTERN.test(serial) ? await this.certificates.findOneBy({ serial }) : null;
      return certificate?.credential ?? null;
    });
    if (!found) throw new CertificateNotFoundError();
    return found;
  }

  /** Checks what someone pasted or uploaded: our signature first, then our records (revoked?). */
  async checkCredential(raw: string): Promise<CredentialCheck> {
    const input = readCredentialInput(raw);
    if (input.kind === 'serial') return { outcome: 'serial', serial: input.serial };
    if (input.kind !== 'jws' && input.kind !== 'data-integrity') return { outcome: input.kind };
    const check = input.kind === 'jws' ? await this.issuerKeys.verify(input.jws) : await this.issuerKeys.verifyDataIntegrity(input.credential);
    if (!check.valid) return { outcome: check.reason === 'bad_signature' ? 'forged' : check.reason === 'unknown_key' ? 'not-ours' : 'unreadable' };
    const credential = summarizeCredential(check.credential);
    const serial = serialFromCredentialId(credential.id);
    const verification = serial ? await this.verification(serial) : null;
    if (!serial || !verification) return { outcome: 'unknown' };
    return { outcome: verification.status === 'revoked' ? 'revoked' : 'valid', serial, credential, verification };
  }

  issuerProfile() {
    const profile = issuerProfile(this.config.baseUrl, this.config.issuerName, this.issuerKeys.did);
    return { '@context': [VC_CONTEXT, OB_CONTEXT], ...profile };
  }

  publicKeys() {
    return this.issuerKeys.publicKeySet();
  }

  didDocument() {
    return this.issuerKeys.didDocument();
  }

  /** The signed BitstringStatusListCredential at /credentials/status/<list>, or null for a list that does not exist. */
  statusList(list: number) {
    return this.statusLists.signedList(list);
  }

  /** The 1EdTech revocation list named in the credentialStatus of credentials issued before the Bitstring Status List. */
  async revocationList() {
    const revoked = await this.certificates.find({ where: { status: 'revoked' }, order: { id: 'ASC' }, select: { id: true, serial: true, revokedReason: true, revokedAt: true } });
    return {
      id: revocationListUrl(this.config.baseUrl),
      issuer: this.issuerKeys.did,
      revokedCredentials: revoked.map((c) => ({ id: `${this.config.baseUrl}/verify/${c.serial}`, revocationReason: c.revokedReason ?? undefined, revokedAt: c.revokedAt?.toISOString() })),
    };
  }
}
