import { CanActivate, ExecutionContext, HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { apiError, forbidden } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { AuthService, SESSION_COOKIE } from './auth.service';
import { refuseCrossSiteWrite } from './origin';
import { type AuthedRequest, IS_PUBLIC, REQUIRES, type Requirement } from './principal';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Authenticates every route that is not @Public: `Authorization: APIKey <token>` (or `Bearer <token>`) for integrators,
 * the session cookie for the panel (with an optional `X-Account-Id` to pick an account), whose writes
 * must come from the panel's or the api's own origin (see refuseCrossSiteWrite).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    try {
      await this.authenticate(req);
    } catch (e) {
      // Refused credentials are answered after the rate limit has counted the request against its
      // address (AuthFailureGuard), so guessing tokens or replaying dead sessions is limited too.
      if (!(e instanceof HttpException) || e.getStatus() !== HttpStatus.UNAUTHORIZED) throw e;
      req.authFailure = e;
      return true;
    }

    const p = req.principal!;
    for (const need of this.reflector.getAllAndMerge<Requirement[]>(REQUIRES, targets) ?? []) {
      if (need === 'support' && !p.isSupport) throw forbidden('this is for support staff only');
      if (need === 'account' && !p.accountId) throw forbidden('this user belongs to no account');
      if (need === 'session' && p.kind !== 'session') throw forbidden('API tokens cannot do this; use the panel');
      if (need === 'owner' && p.role !== 'owner') throw forbidden('only an owner of the account can do this');
    }
    return true;
  }

  /** Sets req.principal from the request's credentials; throws 401 (or 403, 404) when they do not do. */
  private async authenticate(req: AuthedRequest): Promise<void> {
    const header = req.headers.authorization;
    if (header !== undefined) {
      // Gcore's SDK also sends Bearer; Vigil has no JWT login, so a Bearer credential is an API token too.
      const m = /^(?:APIKey|Bearer)\s+(\S+)$/i.exec(header);
      if (!m) throw apiError(HttpStatus.UNAUTHORIZED, 'Authorization must be "APIKey <token>" (or "Bearer <token>")');
      req.principal = (await this.auth.principalFromToken(m[1]!)) ?? undefined;
      if (!req.principal) throw apiError(HttpStatus.UNAUTHORIZED, 'API token is invalid, expired or revoked');
    } else {
      const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
      if (!cookie) throw apiError(HttpStatus.UNAUTHORIZED, 'sign in, or send "Authorization: APIKey <token>"');
      // The browser sends the cookie by itself, so a session's writes must show they come from the panel.
      refuseCrossSiteWrite(req, this.config.PANEL_ORIGIN);
      const accountHeader = req.headers['x-account-id'];
      const accountId = typeof accountHeader === 'string' && accountHeader !== '' ? accountHeader : undefined;
      if (accountId !== undefined && !UUID.test(accountId)) throw apiError(HttpStatus.NOT_FOUND, 'account not found');
      req.principal = (await this.auth.principalFromSession(cookie, accountId)) ?? undefined;
      if (!req.principal) throw apiError(HttpStatus.UNAUTHORIZED, 'session expired; sign in again');
    }
  }
}

/** Answers the 401 AuthGuard kept for after the rate limit (registered after the throttler's guard). */
@Injectable()
export class AuthFailureGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    const failure = ctx.switchToHttp().getRequest<AuthedRequest>().authFailure;
    if (failure) throw failure;
    return true;
  }
}
