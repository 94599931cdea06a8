import type { z } from 'zod';
import type { AccountSchema } from './dto/account.dto';
import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { AccountPrincipal } from '../auth/principal';
import { AuditService } from '../audit/audit.service';
import { apiError, conflict, notFound } from '../common/errors';
import { User } from '../users/user.entity';
import { Account } from './account.entity';
import { Membership, type Role } from './membership.entity';

export function accountView(a: Account, role: AccountPrincipal['role'] | null): z.output<typeof AccountSchema> {
  return { id: a.id, name: a.name, features: { failover: a.features.failover === true }, role, created_at: a.createdAt.toISOString() };
}

@Injectable()
export class AccountsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async get(p: AccountPrincipal) {
    const a = await this.ds.getRepository(Account).findOneBy({ id: p.accountId });
    if (!a) throw notFound('account');
    return accountView(a, p.role);
  }

  async rename(p: AccountPrincipal, name: string) {
    return this.ds.transaction(async (tx) => {
      const a = await tx.findOneByOrFail(Account, { id: p.accountId });
      await tx.update(Account, { id: a.id }, { name });
      await this.audit.record(tx, {
        accountId: a.id,
        actor: p.actor,
        action: 'account.update',
        target: name,
        details: { before: { name: a.name }, after: { name } },
      });
      return accountView({ ...a, name }, p.role);
    });
  }

  async members(accountId: string) {
    const rows = await this.ds
      .getRepository(Membership)
      .find({ where: { accountId }, relations: { user: true }, order: { createdAt: 'ASC' } });
    return {
      members: rows.map((m) => ({ user_id: m.userId, email: (m.user as User).email, role: m.role, created_at: m.createdAt.toISOString() })),
    };
  }

  /** Adds an existing user to the account (they sign up first), or changes their role. */
  async addMember(p: AccountPrincipal, email: string, role: Role) {
    const userId = await this.ds.transaction(async (tx) => {
      const user = await tx.findOneBy(User, { email });
      if (!user) throw notFound('user with this e-mail address (they must sign up first)');
      const existing = await tx.findOneBy(Membership, { accountId: p.accountId, userId: user.id });
      if (existing?.role === role) throw conflict('this user is already a member with that role');
      if (existing && existing.role === 'owner' && role !== 'owner') await this.assertAnotherOwner(tx, p.accountId, user.id);
      await tx.upsert(Membership, { accountId: p.accountId, userId: user.id, role }, ['accountId', 'userId']);
      await this.audit.record(tx, {
        accountId: p.accountId,
        actor: p.actor,
        action: existing ? 'member.update' : 'member.add',
        target: email,
        details: { role },
      });
      return user.id;
    });
    return (await this.members(p.accountId)).members.find((x) => x.user_id === userId)!;
  }

  async removeMember(p: AccountPrincipal, userId: string) {
    await this.ds.transaction(async (tx) => {
      const m = await tx.findOne(Membership, {
        where: { accountId: p.accountId, userId },
        relations: { user: true },
        lock: { mode: 'pessimistic_write', tables: ['memberships'] },
      });
      if (!m) throw notFound('member');
      if (m.role === 'owner') await this.assertAnotherOwner(tx, p.accountId, userId);
      await tx.delete(Membership, { accountId: p.accountId, userId });
      await this.audit.record(tx, { accountId: p.accountId, actor: p.actor, action: 'member.remove', target: (m.user as User).email });
    });
  }

  private async assertAnotherOwner(tx: EntityManager, accountId: string, userId: string) {
    const owners = await tx.find(Membership, { where: { accountId, role: 'owner' }, lock: { mode: 'pessimistic_write' } });
    if (!owners.some((o) => o.userId !== userId)) throw apiError(HttpStatus.CONFLICT, 'an account keeps at least one owner');
  }
}
