import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { notFound } from '../common/errors';
import type { PageQuery } from '../common/pagination';

export const AdminAccountSchema = z.object({
  id: z.string(),
  name: z.string(),
  features: z.object({ failover: z.boolean() }),
  owners: z.array(z.string()),
  zones_amount: z.number(),
  pending_requests: z.number(),
  created_at: z.string(),
});
export const AdminAccountListSchema = z.object({ accounts: z.array(AdminAccountSchema), total_amount: z.number() });

interface Row {
  id: string;
  name: string;
  features: { failover?: boolean };
  created_at: Date;
  owners: string[] | null;
  zones_amount: string;
  pending_requests: string;
  total: string;
}

@Injectable()
export class AdminService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async listAccounts(page: PageQuery, search?: string) {
    const pattern = search ? `%${search.toLowerCase().replace(/[\\%_]/g, '\\$&')}%` : null;
    const rows = await this.query(pattern, null, page);
    const total = rows[0]?.total ?? (page.offset > 0 ? (await this.query(pattern, null, { limit: 1, offset: 0 }))[0]?.total : 0);
    return { accounts: rows.map(view), total_amount: Number(total ?? 0) };
  }

  async getAccount(id: string) {
    const [row] = await this.query(null, id, { limit: 1, offset: 0 });
    if (!row) throw notFound('account');
    return view(row);
  }

  private query(pattern: string | null, id: string | null, page: PageQuery): Promise<Row[]> {
    return this.ds.query(
      `SELECT a.id, a.name, a.features, a.created_at,
              (SELECT array_agg(u.email ORDER BY u.email) FROM memberships m JOIN users u ON u.id = m.user_id
                WHERE m.account_id = a.id AND m.role = 'owner') AS owners,
              (SELECT count(*) FROM zones z WHERE z.account_id = a.id) AS zones_amount,
              (SELECT count(*) FROM feature_requests r WHERE r.account_id = a.id AND r.status = 'pending') AS pending_requests,
              count(*) OVER () AS total
         FROM accounts a
        WHERE ($1::text IS NULL OR lower(a.name) LIKE $1 OR EXISTS (
                SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.account_id = a.id AND u.email LIKE $1))
          AND ($2::uuid IS NULL OR a.id = $2)
        ORDER BY a.created_at DESC, a.id
        LIMIT $3 OFFSET $4`,
      [pattern, id, page.limit, page.offset],
    );
  }
}

function view(r: Row) {
  return {
    id: r.id,
    name: r.name,
    features: { failover: r.features.failover === true },
    owners: r.owners ?? [],
    zones_amount: Number(r.zones_amount),
    pending_requests: Number(r.pending_requests),
    created_at: new Date(r.created_at).toISOString(),
  };
}
