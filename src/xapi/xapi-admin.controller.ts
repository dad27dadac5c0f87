import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { RequireRole } from '../auth/roles.decorator';
import { XapiDeliveryService } from './xapi-delivery.service';

/** Where an admin sees whether statements reach the LRS, and why it refused the ones it did. */
@Controller('admin/xapi')
@RequireRole('admin')
export class XapiAdminController {
  constructor(private readonly delivery: XapiDeliveryService) {}

  @Get()
  async status(@Res() res: Response) {
    const status = await this.delivery.status();
    const rows = (list: typeof status.failed) =>
      list.map((row) => ({
        statementId: row.statementId,
        verb: row.verb,
        createdAt: row.createdAt,
        attempts: row.attempts,
        lastError: row.lastError,
      }));
    res.render('admin/xapi', { ...status, failed: rows(status.failed), retrying: rows(status.retrying) });
  }
}
