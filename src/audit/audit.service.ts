import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEntry } from './audit-entry.entity';

export interface AuditActor {
  id: number;
  email: string;
}

export interface AuditRecord {
  /** Null when nobody signed in did it (content/ imported at start-up or from the command line). */
  actor: AuditActor | null;
  action: string;
  courseId: number | null;
  target: string;
  detail?: string | null;
}

export interface AuditPage {
  entries: AuditEntry[];
  total: number;
}

/** The trail of authoring actions. Written in the same transaction as the change it records. */
@Injectable()
export class AuditService {
  constructor(private readonly dataSource: DataSource) {}

  async record(manager: EntityManager, record: AuditRecord, now = new Date()): Promise<void> {
    await manager.getRepository(AuditEntry).insert({
      userId: record.actor?.id ?? null,
      actor: record.actor?.email ?? null,
      action: record.action.slice(0, 60),
      courseId: record.courseId,
      target: record.target.slice(0, 255),
      detail: record.detail?.slice(0, 2000) ?? null,
      createdAt: now,
    });
  }

  /** Newest first; optionally only one course's entries. */
  async list(page: number, pageSize: number, courseId?: number): Promise<AuditPage> {
    const [entries, total] = await this.dataSource.getRepository(AuditEntry).findAndCount({
      where: courseId ? { courseId } : {},
      order: { createdAt: 'DESC', id: 'DESC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return { entries, total };
  }
}
