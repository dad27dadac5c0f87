import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '../auth/roles.decorator';
import { CertificateVerificationService } from './certificate-verification.service';

/** What the issuer publishes for verifiers: its profile, its public key, its revocations. Stable URLs. */
@Controller('issuer')
@Public()
export class IssuerController {
  constructor(private readonly verification: CertificateVerificationService) {}

  @Get()
  @Header('Cache-Control', 'public, max-age=300')
  profile() {
    return this.verification.issuerProfile();
  }

  @Get('keys.json')
  @Header('Cache-Control', 'public, max-age=300')
  keys() {
    return this.verification.publicKeys();
  }

  @Get('revocations.json')
  @Header('Cache-Control', 'no-cache')
  revocations() {
    return this.verification.revocationList();
  }
}
