import { createParamDecorator, type ExecutionContext, type HttpException, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { Role } from '../accounts/membership.entity';

/** Who is calling: a signed-in panel user, or an account's API token. */
export interface Principal {
  kind: 'session' | 'token';
  /** The account the request acts on; null for support staff who belong to none. */
  accountId: string | null;
  /** Role in that account; API tokens act with the `token` role (no token or member management). */
  role: Role | 'token' | null;
  userId: string | null;
  tokenId: string | null;
  sessionId: string | null;
  isSupport: boolean;
  /** How the audit log names the caller, e.g. `user:alice@example.com` or `token:deploy`. */
  actor: string;
}

export interface AuthedRequest extends Request {
  principal?: Principal;
  /** Credentials were refused: answered once the rate limit has counted the request. */
  authFailure?: HttpException;
}

export const IS_PUBLIC = 'vigil:public';
export const REQUIRES = 'vigil:requires';

export const SIGNIN_LIMITED = 'vigil:signin-limited';
/** Routes that guess passwords or create users get the tighter sign-in rate limit. */
export const SigninLimited = () => SetMetadata(SIGNIN_LIMITED, true);

/** Routes anyone may call (sign-up, sign-in, health). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

export type Requirement = 'account' | 'owner' | 'session' | 'support';
/**
 * What a route needs beyond being signed in: `account` (acts on an account), `owner` (an owner's
 * session), `session` (a panel session, not an API token), `support` (support staff).
 */
export const Requires = (...what: Requirement[]) => SetMetadata(REQUIRES, what);

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const req = ctx.switchToHttp().getRequest<AuthedRequest>();
  if (!req.principal) throw new Error('CurrentPrincipal used on a public route');
  return req.principal;
});

/** The principal of a route that `@Requires('account')`: accountId is set. */
export type AccountPrincipal = Principal & { accountId: string };
