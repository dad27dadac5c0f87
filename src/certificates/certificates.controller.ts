import { Controller, Get, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CurrentUser } from '../auth/current-user.decorator';
import { RequireRole } from '../auth/roles.decorator';
import { User } from '../users/user.entity';
import { CertificatesService } from './certificates.service';

/** The holder's side: their PDF, and the "your certificate is ready" notice. */
@Controller('certificates')
@RequireRole()
export class CertificatesController {
  constructor(private readonly certificates: CertificatesService) {}

  @Get(':serial.pdf')
  async pdf(@Param('serial') serial: string, @CurrentUser() user: User, @Res() res: Response) {
    const { pdf } = await this.certificates.pdfFor(serial, user);
    res.set({
      'Content-Type': 'application/pdf',
      'Content-Disposition': `inline; filename="${serial}.pdf"`,
      'Cache-Control': 'private, max-age=0, must-revalidate',
    });
    res.send(pdf);
  }

  @Post('notices/dismiss')
  async dismissNotices(@CurrentUser() user: User, @Res() res: Response) {
    await this.certificates.dismissNotices(user.id);
    res.redirect(303, '/dashboard');
  }
}
