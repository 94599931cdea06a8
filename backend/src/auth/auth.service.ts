import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import * as argon2 from 'argon2';
import { DataSource, LessThan, MoreThan } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { Membership } from '../accounts/membership.entity';
import { AuditService } from '../audit/audit.service';
import { apiError, conflict } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { ApiToken } from '../tokens/api-token.entity';
import { User } from '../users/user.entity';
import type { Principal } from './principal';
import { hashSecret, newSecret } from './secrets';
import { Session } from './session.entity';

export const SESSION_COOKIE = 'vigil_session';
/** Tokens whose lookups are kept at once; past it the cache starts over (it is only a shortcut). */
const TOKEN_CACHE_ENTRIES = 10_000;

interface CachedToken {
  principal: Principal;
  expiresAt: Date | null;
  /** Until when (ms since the epoch) this lookup is reused. */
  until: number;
}

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  /**
   * Verified against when the e-mail is unknown, so sign-in takes as long either way. Made at the
   * first such sign-in, whose request gets its failure: made eagerly, a rejection would have
   * nobody awaiting it and would end the process.
   */
  private dummyHash: Promise<string> | null = null;
  /**
   * Token hash → its principal, for API_TOKEN_CACHE_MS: every API call authenticates, and the
   * query was a round trip to PostgreSQL per request. Only valid tokens are kept.
   */
  private readonly tokens = new Map<string, CachedToken>();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  private dummy(): Promise<string> {
    this.dummyHash ??= argon2.hash('not-a-real-password').catch((e: unknown) => {
      this.dummyHash = null;
      throw e;
    });
    return this.dummyHash;
  }

  hashPassword(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id });
  }

  /** Creates a user, their account and the owner membership, in one transaction. */
  async signUp(email: string, password: string, accountName: string): Promise<{ user: User; account: Account }> {
    const passwordHash = await this.hashPassword(password);
    try {
      return await this.ds.transaction(async (tx) => {
        const user = await tx.save(tx.create(User, { email, passwordHash }));
        const account = await tx.save(tx.create(Account, { name: accountName, features: { failover: false } }));
        await tx.insert(Membership, { accountId: account.id, userId: user.id, role: 'owner' });
        await this.audit.record(tx, { accountId: account.id, actor: `user:${email}`, action: 'account.create', target: accountName });
        return { user, account };
      });
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw conflict('a user with this e-mail address already exists');
      throw e;
    }
  }

  /** Returns the user when the password matches; the same error either way otherwise. */
  async verifyPassword(email: string, password: string): Promise<User> {
    const user = await this.ds.getRepository(User).findOneBy({ email });
    const ok = user
      ? await argon2.verify(user.passwordHash, password)
      : await argon2.verify(await this.dummy(), password).then(() => false);
    if (!user || !ok) throw apiError(HttpStatus.UNAUTHORIZED, 'wrong e-mail address or password');
    return user;
  }

  async createSession(userId: string): Promise<{ token: string; expiresAt: Date }> {
    const token = newSecret('vss_');
    const expiresAt = new Date(Date.now() + this.config.SESSION_TTL_HOURS * 3600_000);
    await this.ds.getRepository(Session).insert({ userId, tokenHash: hashSecret(token), expiresAt });
    // Expired sessions are useless; sweeping here keeps the table small without a timer.
    await this.ds.getRepository(Session).delete({ userId, expiresAt: LessThan(new Date()) });
    return { token, expiresAt };
  }

  async deleteSession(sessionId: string): Promise<void> {
    await this.ds.getRepository(Session).delete({ id: sessionId });
  }

  /** Resolves a session cookie to a principal; `accountId` picks one of the user's accounts. */
  async principalFromSession(token: string, accountId: string | undefined): Promise<Principal | null> {
    const session = await this.ds.getRepository(Session).findOneBy({ tokenHash: hashSecret(token), expiresAt: MoreThan(new Date()) });
    if (!session) return null;
    const user = await this.ds.getRepository(User).findOneBy({ id: session.userId });
    if (!user) return null;
    const memberships = await this.ds
      .getRepository(Membership)
      .find({ where: { userId: user.id }, order: { createdAt: 'ASC', accountId: 'ASC' } });
    const chosen = accountId ? memberships.find((m) => m.accountId === accountId) : memberships[0];
    if (accountId && !chosen) throw apiError(HttpStatus.NOT_FOUND, 'account not found');
    return {
      kind: 'session',
      accountId: chosen?.accountId ?? null,
      role: chosen?.role ?? null,
      userId: user.id,
      tokenId: null,
      sessionId: session.id,
      isSupport: user.isSupport,
      actor: `${user.isSupport && !chosen ? 'support' : 'user'}:${user.email}`,
    };
  }

  async principalFromToken(secret: string): Promise<Principal | null> {
    const hash = hashSecret(secret);
    const now = Date.now();
    const cached = this.tokens.get(hash);
    if (cached && cached.until > now) return cached.expiresAt && cached.expiresAt.getTime() <= now ? null : cached.principal;
    this.tokens.delete(hash);
    // Plain SQL, without the query builder's cost per call.
    const [token] = (await this.ds.query(
      `SELECT id, account_id AS "accountId", name, expires_at AS "expiresAt", last_used_at AS "lastUsedAt"
         FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL`,
      [hash],
    )) as Pick<ApiToken, 'id' | 'accountId' | 'name' | 'expiresAt' | 'lastUsedAt'>[];
    if (!token || (token.expiresAt && token.expiresAt <= new Date())) return null;
    // At most one write a minute per token, off the request's path.
    if (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() > 60_000) {
      this.ds
        .getRepository(ApiToken)
        .update({ id: token.id }, { lastUsedAt: new Date() })
        .catch((e: Error) => this.logger.warn(`could not record token use: ${e.message}`));
    }
    const principal: Principal = {
      kind: 'token',
      accountId: token.accountId,
      role: 'token',
      userId: null,
      tokenId: token.id,
      sessionId: null,
      isSupport: false,
      actor: `token:${token.name}`,
    };
    if (this.config.API_TOKEN_CACHE_MS > 0) {
      if (this.tokens.size >= TOKEN_CACHE_ENTRIES) this.tokens.clear();
      this.tokens.set(hash, { principal, expiresAt: token.expiresAt, until: now + this.config.API_TOKEN_CACHE_MS });
    }
    return principal;
  }

  /** A token revoked through this process stops working here at once, whatever the cache holds. */
  forgetToken(tokenId: string): void {
    for (const [hash, t] of this.tokens) if (t.principal.tokenId === tokenId) this.tokens.delete(hash);
  }

  /** Creates or updates the support user named by SUPPORT_EMAIL / SUPPORT_PASSWORD, or by the CLI. */
  async ensureSupportUser(email: string, password: string): Promise<User> {
    const passwordHash = await this.hashPassword(password);
    const repo = this.ds.getRepository(User);
    await repo.upsert({ email: email.toLowerCase(), passwordHash, isSupport: true }, ['email']);
    return repo.findOneByOrFail({ email: email.toLowerCase() });
  }
}
