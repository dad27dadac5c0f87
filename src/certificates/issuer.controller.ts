import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../auth/roles.decorator';
import { CertificateVerificationService } from './certificate-verification.service';

/** What the issuer publishes for verifiers: its profile, its public keys, its revocations. Stable URLs. */
@Controller('issuer')
@Public()
export class IssuerController {
  constructor(private readonly verification: CertificateVerificationService) {}

  @Get()
  @Header('Cache-Control', 'public, max-age=300')
  profile() {
    return this.verification.issuerProfile();
  }

  /** The key set of the single-key days, kept for verifiers that remember it: the same as /.well-known/jwks.json. */
  @Get('keys.json')
  @Header('Cache-Control', 'public, max-age=300')
  keys() {
    return this.verification.publicKeys();
  }

  /** The 1EdTech revocation list named by credentials issued before the Bitstring Status List. */
  @Get('revocations.json')
  @Header('Cache-Control', 'no-cache')
  revocations() {
    return this.verification.revocationList();
  }
}

/** The did:web DID document and the JWK set: the issuer's keys, every one ever used to sign. */
@Controller('.well-known')
@Public()
export class WellKnownController {
  constructor(private readonly verification: CertificateVerificationService) {}

  @Get('did.json')
  @Header('Cache-Control', 'public, max-age=300')
  @Header('Content-Type', 'application/did+json; charset=utf-8')
  did() {
    return this.verification.didDocument();
  }

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  @Header('Content-Type', 'application/jwk-set+json; charset=utf-8')
  jwks() {
    return this.verification.publicKeys();
  }
}

/** The signed Bitstring Status Lists named in every credential's credentialStatus. */
@Controller('credentials/status')
@Public()
export class StatusListController {
  constructor(private readonly verification: CertificateVerificationService) {}

  /** A revocation shows within a minute: the cache lifetime is kept short. */
  @Get(':list')
  async list(@Param('list') list: string, @Res({ passthrough: true }) res: Response) {
    const signed = /^[1-9]\d{0,5}$/.test(list) ? await this.verification.statusList(Number(list)) : null;
    if (!signed) throw new NotFoundException();
    // Set here, not with @Header: the 404 page must not claim to be a credential.
    res.set({ 'Cache-Control': 'public, max-age=60', 'Content-Type': 'application/vc+ld+json; charset=utf-8' });
    return signed;
  }
}
