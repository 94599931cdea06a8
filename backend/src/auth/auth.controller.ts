import type { z } from 'zod';
import { Body, Controller, Get, HttpCode, Inject, Post, Res } from '@nestjs/common';
import { ApiCookieAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { Membership } from '../accounts/membership.entity';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { User } from '../users/user.entity';
import { AuthService, SESSION_COOKIE } from './auth.service';
import { MeSchema, SignInSchema, SignUpSchema, type SignIn, type SignUp } from './dto/auth.dto';
import { CurrentPrincipal, Public, Requires, SigninLimited, type Principal } from './principal';
import { SigninLockout } from './signin-lockout';

@ApiTags('auth')
@Controller('v2/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly lockout: SigninLockout,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  @Public()
  @Post('signup')
  @SigninLimited()
  @ApiOperation({ summary: 'Create a user and their account, and sign in' })
  @ApiOkResponse({ standardSchema: MeSchema })
  async signUp(
    @Body({ schema: SignUpSchema }) body: SignUp,
    @Res({ passthrough: true }) res: Response,
  ): Promise<z.output<typeof MeSchema>> {
    const { user } = await this.auth.signUp(body.email, body.password, body.account_name ?? body.email);
    await this.startSession(user.id, res);
    res.status(201);
    return this.me(user.id, null);
  }

  @Public()
  @Post('signin')
  @HttpCode(200)
  @SigninLimited()
  @ApiOperation({ summary: 'Sign in to the panel (sets the session cookie)' })
  @ApiOkResponse({ standardSchema: MeSchema })
  async signIn(
    @Body({ schema: SignInSchema }) body: SignIn,
    @Res({ passthrough: true }) res: Response,
  ): Promise<z.output<typeof MeSchema>> {
    // Per e-mail address, over all client addresses (the throttler counts per client address).
    await this.lockout.begin(body.email);
    const user = await this.auth.verifyPassword(body.email, body.password);
    await this.lockout.succeeded(body.email);
    await this.startSession(user.id, res);
    return this.me(user.id, null);
  }

  @Post('signout')
  @HttpCode(204)
  @Requires('session')
  @ApiCookieAuth()
  @ApiOperation({ summary: 'End the current session' })
  async signOut(@CurrentPrincipal() p: Principal, @Res({ passthrough: true }) res: Response) {
    if (p.sessionId) await this.auth.deleteSession(p.sessionId);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  @Get('me')
  @Requires('session')
  @ApiCookieAuth()
  @ApiOperation({ summary: 'The signed-in user and their accounts' })
  @ApiOkResponse({ standardSchema: MeSchema })
  async whoAmI(@CurrentPrincipal() p: Principal): Promise<z.output<typeof MeSchema>> {
    return this.me(p.userId!, p.accountId);
  }

  private async startSession(userId: string, res: Response) {
    const { token, expiresAt } = await this.auth.createSession(userId);
    res.cookie(SESSION_COOKIE, token, {
      httpOnly: true,
      // Strict: the cookie never rides on a request another site starts (CSRF).
      sameSite: 'strict',
      secure: this.config.COOKIE_SECURE,
      path: '/',
      expires: expiresAt,
    });
  }

  private async me(userId: string, currentAccountId: string | null) {
    const user = await this.ds.getRepository(User).findOneByOrFail({ id: userId });
    const memberships = await this.ds.getRepository(Membership).find({
      where: { userId },
      relations: { account: true },
      order: { createdAt: 'ASC', accountId: 'ASC' },
    });
    return {
      user: { id: user.id, email: user.email, is_support: user.isSupport },
      accounts: memberships.map((m) => ({ id: m.accountId, name: (m.account as Account).name, role: m.role })),
      current_account_id: currentAccountId ?? memberships[0]?.accountId ?? null,
    };
  }
}
