import { Module } from '@nestjs/common';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { SigninLockout } from './signin-lockout';

@Module({ controllers: [AuthController], providers: [AuthService, AuthGuard, SigninLockout], exports: [AuthService, AuthGuard] })
export class AuthModule {}
