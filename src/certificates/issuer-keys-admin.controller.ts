import { Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuditService } from '../audit/audit.service';
import { CurrentUser } from '../auth/current-user.decorator';
import { csrfToken } from '../auth/csrf';
import { RequireRole } from '../auth/roles.decorator';
import type { User } from '../users/user.entity';
import { IssuerKeysService } from './credential/issuer-keys.service';

/** The issuer's signing keys for admins: which one signs, which are retired, and a rotation (audited). */
@Controller('admin/issuer-keys')
@RequireRole('admin')
export class IssuerKeysAdminController {
  constructor(
    private readonly keys: IssuerKeysService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  async page(@Req() req: Request, @Res() res: Response, @Query('rotated') rotated?: string) {
    const keys = (await this.keys.list()).map((key) => ({ ...key, id: this.keys.verificationMethodId(key.kid) })).reverse();
    res.render('certificates/issuer-keys', { keys, did: this.keys.did, rotated: rotated === '1', csrfToken: csrfToken(req) });
  }

  @Post('rotate')
  async rotate(@CurrentUser() user: User, @Res() res: Response) {
    await this.keys.rotate((manager, { kid, retired }) =>
      this.audit.record(manager, { actor: { id: user.id, email: user.email }, action: 'issuer_key_rotated', courseId: null, target: kid, detail: retired.length ? `retired ${retired.join(', ')}` : null }),
    );
    res.redirect(303, '/admin/issuer-keys?rotated=1');
  }
}
