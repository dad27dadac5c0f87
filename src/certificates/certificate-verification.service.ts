import { Inject, Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { Certificate, CertificateStatus } from './certificate.entity';
import { CertificateNotFoundError } from './certificate-errors';
import { studyHours } from './certificates.service';
import { envelope, readCredentialInput, SERIAL_PATTERN } from './credential/credential-input';
import { IssuerKeysService } from './credential/issuer-keys.service';
import { CredentialSummary, issuerProfile, revocationListUrl, summarizeCredential, VC_CONTEXT, OB_CONTEXT } from './credential/open-badge';

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
}

export type CredentialCheck =
  | { outcome: 'serial'; serial: string }
  | { outcome: 'unreadable' | 'unsigned' | 'not-ours' | 'forged' | 'unknown' }
  | { outcome: 'valid' | 'revoked'; serial: string; credential: CredentialSummary; verification: Verification };

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
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.certificates = dataSource.getRepository(Certificate);
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

  /** Checks what someone pasted or uploaded: our signature first, then our records (revoked?). */
  async checkCredential(raw: string): Promise<CredentialCheck> {
    const input = readCredentialInput(raw);
    if (input.kind === 'serial') return { outcome: 'serial', serial: input.serial };
    if (input.kind !== 'jws') return { outcome: input.kind };
    const check = await this.issuerKeys.verify(input.jws);
    if (!check.valid) return { outcome: check.reason === 'bad_signature' ? 'forged' : check.reason === 'unknown_key' ? 'not-ours' : 'unreadable' };
    const credential = summarizeCredential(check.credential);
    const serial = serialFromCredentialId(credential.id);
    const verification = serial ? await this.verification(serial) : null;
    if (!serial || !verification) return { outcome: 'unknown' };
    return { outcome: verification.status === 'revoked' ? 'revoked' : 'valid', serial, credential, verification };
  }

  issuerProfile() {
    const profile = issuerProfile(this.config.baseUrl, this.config.issuerName);
    return { '@context': [VC_CONTEXT, OB_CONTEXT], ...profile };
  }

  publicKeys() {
    return this.issuerKeys.publicKeySet();
  }

  /** The 1EdTech revocation list named in every credential's credentialStatus. */
  async revocationList() {
    const revoked = await this.certificates.find({ where: { status: 'revoked' }, order: { id: 'ASC' }, select: { id: true, serial: true, revokedReason: true, revokedAt: true } });
    return {
      id: revocationListUrl(this.config.baseUrl),
      issuer: `${this.config.baseUrl}/issuer`,
      revokedCredentials: revoked.map((c) => ({ id: `${this.config.baseUrl}/verify/${c.serial}`, revocationReason: c.revokedReason ?? undefined, revokedAt: c.revokedAt?.toISOString() })),
    };
  }
}
