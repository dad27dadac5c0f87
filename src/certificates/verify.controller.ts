import { Body, Controller, Get, Header, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { csrfToken } from '../auth/csrf';
import { Public } from '../auth/roles.decorator';
import { CertificateNotFoundError } from './certificate-errors';
import { CertificateVerificationService } from './certificate-verification.service';
import { readSerial } from './serial';

/** The client's address; behind a trusted proxy (`trust proxy`), the one it forwarded. */
function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/**
 * The public side: anyone (a buyer abroad) checks a certificate by its serial, or checks a
 * credential file. The serial page needs no session, so it stays fast and cacheable-free.
 */
@Controller()
export class VerifyController {
  constructor(private readonly verification: CertificateVerificationService) {}

  /** The check form; `?serial=` (the small lookup form) goes straight to that certificate. */
  @Public()
  @Get('verify')
  checkPage(@Req() req: Request, @Res() res: Response, @Query('serial') serial?: string) {
    if (typeof serial === 'string') {
      const typed = readSerial(serial);
      if (typed.kind === 'serial') return res.redirect(303, `/verify/${typed.serial}`);
      return res.status(404).render('verify/not-found', { serial: serial.trim(), typo: typed.kind === 'typo' });
    }
    res.render('verify/check', { csrfToken: csrfToken(req) });
  }

  @Public()
  @Post('verify')
  async check(@Req() req: Request, @Res() res: Response, @Body() body: Record<string, unknown>) {
    const upload = typeof body.file === 'string' && body.file.trim() ? body.file : undefined;
    const pasted = typeof body.credential === 'string' ? body.credential : '';
    const result = await this.verification.checkCredential(upload ?? pasted);
    if (result.outcome === 'serial') return res.redirect(303, `/verify/${result.serial}`);
    const trusted = result.outcome === 'valid' || result.outcome === 'revoked';
    res.status(trusted ? 200 : 422).render('verify/check', { csrfToken: csrfToken(req), result, pasted: upload ? '' : pasted });
  }

  /** The signed credential (VC 2.0 JSON around the VC-JOSE JWS). Declared before :serial, which would match it too. */
  @Public()
  @Get('verify/:serial.json')
  @Header('Content-Type', 'application/json; charset=utf-8')
  async credential(@Param('serial') serial: string, @Req() req: Request) {
    const typed = readSerial(serial);
    if (typed.kind !== 'serial') throw new CertificateNotFoundError();
    return this.verification.signedCredentialFor(typed.serial, clientAddress(req));
  }

  /** The credential with a Data Integrity proof (eddsa-rdfc-2022), JSON-LD: "Open Badge (JSON-LD, Data Integrity)". */
  @Public()
  @Get('verify/:serial/credential.json')
  async dataIntegrityCredential(@Param('serial') serial: string, @Req() req: Request, @Res() res: Response) {
    const typed = readSerial(serial);
    if (typed.kind !== 'serial') throw new CertificateNotFoundError();
    const credential = await this.verification.dataIntegrityCredentialFor(typed.serial, clientAddress(req));
    res.attachment(`${typed.serial}.json`).type('application/vc+ld+json; charset=utf-8').send(JSON.stringify(credential, null, 2));
  }

  /** The credential as a VC-JOSE compact JWS: "Open Badge (VC-JOSE JWT)". */
  @Public()
  @Get('verify/:serial/credential.jwt')
  async jwtCredential(@Param('serial') serial: string, @Req() req: Request, @Res() res: Response) {
    const typed = readSerial(serial);
    if (typed.kind !== 'serial') throw new CertificateNotFoundError();
    const jws = await this.verification.jwtCredentialFor(typed.serial, clientAddress(req));
    res.attachment(`${typed.serial}.jwt`).type('application/vc+jwt').send(jws);
  }

  @Public()
  @Get('verify/:serial')
  async page(@Param('serial') serial: string, @Req() req: Request, @Res() res: Response) {
    // Typed by hand from paper, a serial may come in lower case, with spaces or without dashes.
    const typed = readSerial(serial);
    // A mistyped serial fails its check character: said so at once, without a lookup.
    if (typed.kind !== 'serial') return res.status(404).render('verify/not-found', { serial, typo: typed.kind === 'typo' });
    if (typed.serial !== serial) return res.redirect(301, `/verify/${typed.serial}`);
    const verification = await this.verification.lookUp(serial, clientAddress(req));
    if (!verification) return res.status(404).render('verify/not-found', { serial });
    res.render('verify/show', {
      v: verification,
      jsonUrl: `/verify/${serial}.json`,
      dataIntegrityUrl: verification.dataIntegrity ? `/verify/${serial}/credential.json` : null,
      jwtUrl: `/verify/${serial}/credential.jwt`,
    });
  }
}
