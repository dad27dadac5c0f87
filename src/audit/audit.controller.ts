import { Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { RequireRole } from '../auth/roles.decorator';
import { AuditService } from './audit.service';

const PAGE_SIZE = 100;

@Controller('admin/audit')
@RequireRole('admin')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  async list(@Res() res: Response, @Query('page') page = '1', @Query('course') course = '') {
    const current = Math.max(1, Number.parseInt(String(page), 10) || 1);
    const courseId = Number.parseInt(String(course), 10) || undefined;
    const { entries, total } = await this.audit.list(current, PAGE_SIZE, courseId);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const query = courseId ? `course=${courseId}&` : '';
    res.render('admin/audit', {
      entries: entries.map((entry) => ({
        ...entry,
        actionKey: `audit.actions.${entry.action}`,
        isoTime: `${entry.createdAt.toISOString().slice(11, 16)} UTC`,
      })),
      total,
      courseId,
      page: current,
      pages,
      prevLink: current > 1 ? `/admin/audit?${query}page=${current - 1}` : null,
      nextLink: current < pages ? `/admin/audit?${query}page=${current + 1}` : null,
    });
  }
}
