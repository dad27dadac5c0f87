import { Body, Controller, Param, ParseIntPipe, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { NotFoundError } from '../common/domain-error';
import { AuthService } from './auth.service';
import { RequireRole } from './roles.decorator';

/** The "Unlock sign-in" button on /admin/users: lifts every failed-login lock on the account. */
@Controller('admin/users')
@RequireRole('admin')
export class AdminUnlockController {
  constructor(private readonly auth: AuthService) {}

  @Post(':id/unlock')
  async unlock(@Param('id', ParseIntPipe) id: number, @Body('q') q: string, @Res() res: Response) {
    const user = await this.auth.unlock(id);
    if (!user) throw new NotFoundError();
    res.redirect(
      303,
      `/admin/users?unlocked=${encodeURIComponent(user.email)}${q ? `&q=${encodeURIComponent(q)}` : ''}`,
    );
  }
}
