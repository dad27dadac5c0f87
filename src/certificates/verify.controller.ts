import { Body, Controller, Get, Header, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { csrfToken } from '../auth/csrf';
import { Public } from '../auth/roles.decorator';
import { CertificateVerificationService } from './certificate-verification.service';
import { SERIAL_PATTERN } from './credential/credential-input';

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
      const wanted = serial.trim().toUpperCase();
      if (SERIAL_PATTERN.test(wanted)) return res.redirect(303, `/verify/${wanted}`);
      return res.status(404).render('verify/not-found', { serial: serial.trim() });
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
  async credential(@Param('serial') serial: string) {
    return this.verification.signedCredential(serial);
  }

  @Public()
  @Get('verify/:serial')
  async page(@Param('serial') serial: string, @Res() res: Response) {
    // Typed by hand from paper, a serial may come in lower case.
    if (serial !== serial.toUpperCase() && SERIAL_PATTERN.test(serial.toUpperCase())) return res.redirect(301, `/verify/${serial.toUpperCase()}`);
    const verification = await this.verification.verification(serial);
    if (!verification) return res.status(404).render('verify/not-found', { serial });
    res.render('verify/show', { v: verification, jsonUrl: `/verify/${serial}.json` });
  }
}
