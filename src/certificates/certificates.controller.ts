import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { RequireRole } from '../auth/roles.decorator';
import { User } from '../users/user.entity';
import { CertificatesService } from './certificates.service';

/** The holder's side: their PDF, and the "your certificate is ready" notice. */
@Controller('certificates')
@RequireRole()
export class CertificatesController {
  constructor(private readonly certificates: CertificatesService) {}

  @Get(':serial.pdf')
  async pdf(@Param('serial') serial: string, @Req() req: Request, @Res() res: Response) {
    const { pdf } = await this.certificates.pdfFor(serial, req.user as User);
    res.set({
      'Content-Type': 'application/pdf',
      'Content-Disposition': `inline; filename="${serial}.pdf"`,
      'Cache-Control': 'private, max-age=0, must-revalidate',
    });
    res.send(pdf);
  }

  @Post('notices/dismiss')
  async dismissNotices(@Req() req: Request, @Res() res: Response) {
    await this.certificates.dismissNotices((req.user as User).id);
    res.redirect(303, '/dashboard');
  }
}
