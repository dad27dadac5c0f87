import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { RequireRole } from '../auth/roles.decorator';
import { csrfToken } from '../auth/csrf';
import { ROLES } from './user.entity';
import { UsersService } from './users.service';

const PAGE_SIZE = 50;

@Controller('admin/users')
@RequireRole('admin')
export class AdminUsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  async list(@Req() req: Request, @Res() res: Response, @Query('q') q = '', @Query('page') page = '1') {
    const current = Math.max(1, Number.parseInt(page, 10) || 1);
    const { users, total } = await this.users.search(String(q), current, PAGE_SIZE);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    res.render('admin/users', {
      users: users.map((user) => ({ ...user, roleOptions: ROLES.map((role) => ({ role, selected: role === user.role })) })),
      q,
      total,
      page: current,
      pages,
      prevPage: current > 1 ? current - 1 : null,
      nextPage: current < pages ? current + 1 : null,
      updated: req.query.updated,
      unlocked: req.query.unlocked,
      csrfToken: csrfToken(req),
    });
  }

  @Post(':id/role')
  async changeRole(@Param('id', ParseIntPipe) id: number, @Body('role') role: string, @Body('q') q: string, @Res() res: Response) {
    const user = await this.users.setRole(id, role);
    res.redirect(303, `/admin/users?updated=${user.id}${q ? `&q=${encodeURIComponent(q)}` : ''}`);
  }
}
