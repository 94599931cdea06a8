import type { z } from 'zod';
import type { TokenSchema } from './dto/token.dto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import type { AccountPrincipal } from '../auth/principal';
import { hashSecret, newSecret } from '../auth/secrets';
import { AuditService } from '../audit/audit.service';
import { AuthService } from '../auth/auth.service';
import { conflict, notFound } from '../common/errors';
import { ApiToken } from './api-token.entity';

const TOKEN_PREFIX = 'vgl_';

export function tokenView(t: ApiToken): z.output<typeof TokenSchema> {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    created_at: t.createdAt.toISOString(),
    expires_at: t.expiresAt?.toISOString() ?? null,
    last_used_at: t.lastUsedAt?.toISOString() ?? null,
    revoked_at: t.revokedAt?.toISOString() ?? null,
  };
}

@Injectable()
export class TokensService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly auth: AuthService,
  ) {}

  async list(accountId: string) {
    const rows = await this.ds.getRepository(ApiToken).find({ where: { accountId }, order: { createdAt: 'DESC' } });
    return { tokens: rows.map(tokenView) };
  }

  /** Creates a token; the secret is in this answer only, and only its hash is kept. */
  async create(p: AccountPrincipal, name: string, expiresAt: Date | null) {
    const secret = newSecret(TOKEN_PREFIX);
    const token = await this.ds.transaction(async (tx) => {
      const t = await tx.save(
        tx.create(ApiToken, {
          accountId: p.accountId,
          name,
          prefix: secret.slice(0, TOKEN_PREFIX.length + 6),
          tokenHash: hashSecret(secret),
          createdBy: p.userId,
          expiresAt,
        }),
      );
      await this.audit.record(tx, {
        accountId: p.accountId,
        actor: p.actor,
        action: 'token.create',
        target: name,
        details: { token_id: t.id },
      });
      return t;
    });
    return { ...tokenView(token), token: secret };
  }

  async revoke(p: AccountPrincipal, id: string) {
    await this.ds.transaction(async (tx) => {
      const t = await tx.findOne(ApiToken, { where: { id, accountId: p.accountId }, lock: { mode: 'pessimistic_write' } });
      if (!t) throw notFound('token');
      if (t.revokedAt) throw conflict('this token is already revoked');
      await tx.update(ApiToken, { id, revokedAt: IsNull() }, { revokedAt: new Date() });
      await this.audit.record(tx, {
        accountId: p.accountId,
        actor: p.actor,
        action: 'token.revoke',
        target: t.name,
        details: { token_id: t.id },
      });
    });
    this.auth.forgetToken(id);
  }
}
