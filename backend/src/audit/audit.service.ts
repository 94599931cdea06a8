import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { PageQuery } from '../common/pagination';
import { AuditEvent } from './audit-event.entity';

export interface AuditEntry {
  accountId: string;
  actor: string;
  action: string;
  target: string;
  details?: Record<string, unknown>;
}

@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Records an event inside the caller's transaction, so it exists exactly when the change does. */
  async record(tx: EntityManager, entry: AuditEntry): Promise<void> {
    await tx.insert(AuditEvent, { ...entry, details: (entry.details ?? {}) as object });
  }

  async list(accountId: string, page: PageQuery, action?: string) {
    const where = { accountId, ...(action ? { action } : {}) };
    const [rows, total] = await this.ds.getRepository(AuditEvent).findAndCount({
      where,
      order: { id: 'DESC' },
      take: page.limit,
      skip: page.offset,
    });
    return {
      events: rows.map((e) => ({
        id: Number(e.id),
        actor: e.actor,
        action: e.action,
        target: e.target,
        details: e.details,
        created_at: e.createdAt.toISOString(),
      })),
      total_amount: total,
    };
  }
}
