import type { z } from 'zod';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCookieAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { type AccountPrincipal, CurrentPrincipal, Requires } from '../auth/principal';
import { AuditService } from '../audit/audit.service';
import { forbidden } from '../common/errors';
import { PageQuerySchema, type PageQuery } from '../common/pagination';
import { existingId } from '../common/params';
import {
  CreateFeatureRequestSchema,
  FeatureRequestListSchema,
  FeatureRequestSchema,
  type CreateFeatureRequest,
} from '../features/dto/feature.dto';
import { FeaturesService } from '../features/features.service';
import { AccountsService } from './accounts.service';
import {
  AccountSchema,
  AddMemberSchema,
  AuditListSchema,
  AuditQuerySchema,
  MemberListSchema,
  MemberSchema,
  UpdateAccountSchema,
  type AddMember,
  type UpdateAccount,
} from './dto/account.dto';

@ApiTags('account')
@ApiSecurity('APIKey')
@ApiCookieAuth()
@Controller('v2/account')
@Requires('account')
export class AccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly features: FeaturesService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The account: name, features (failover is a beta feature support grants), your role' })
  @ApiOkResponse({ standardSchema: AccountSchema })
  get(@CurrentPrincipal() p: AccountPrincipal): Promise<z.output<typeof AccountSchema>> {
    return this.accounts.get(p);
  }

  @Patch()
  @Requires('owner')
  @ApiOperation({ summary: 'Rename the account (owners)' })
  @ApiOkResponse({ standardSchema: AccountSchema })
  rename(
    @CurrentPrincipal() p: AccountPrincipal,
    @Body({ schema: UpdateAccountSchema }) body: UpdateAccount,
  ): Promise<z.output<typeof AccountSchema>> {
    return this.accounts.rename(p, body.name);
  }

  @Get('members')
  @Requires('session')
  @ApiOperation({ summary: 'Users of the account and their roles' })
  @ApiOkResponse({ standardSchema: MemberListSchema })
  members(@CurrentPrincipal() p: AccountPrincipal): Promise<z.output<typeof MemberListSchema>> {
    return this.accounts.members(p.accountId);
  }

  @Post('members')
  @Requires('owner')
  @ApiOperation({ summary: 'Add a signed-up user to the account, or change their role (owners)' })
  @ApiCreatedResponse({ standardSchema: MemberSchema })
  addMember(
    @CurrentPrincipal() p: AccountPrincipal,
    @Body({ schema: AddMemberSchema }) body: AddMember,
  ): Promise<z.output<typeof MemberSchema>> {
    return this.accounts.addMember(p, body.email, body.role);
  }

  @Delete('members/:userId')
  @HttpCode(204)
  @Requires('owner')
  @ApiOperation({ summary: 'Remove a user from the account (owners; the last owner stays)' })
  async removeMember(@CurrentPrincipal() p: AccountPrincipal, @Param('userId') userId: string) {
    await this.accounts.removeMember(p, existingId(userId, 'member'));
  }

  @Post('feature-requests')
  @ApiOperation({ summary: 'Ask support for a beta feature, e.g. {"feature": "failover"}' })
  @ApiCreatedResponse({ standardSchema: FeatureRequestSchema })
  requestFeature(
    @CurrentPrincipal() p: AccountPrincipal,
    @Body({ schema: CreateFeatureRequestSchema }) body: CreateFeatureRequest,
  ): Promise<z.output<typeof FeatureRequestSchema>> {
    return this.features.request(p, body.feature, body.message);
  }

  @Get('feature-requests')
  @ApiOperation({ summary: "The account's feature requests and their state" })
  @ApiOkResponse({ standardSchema: FeatureRequestListSchema })
  featureRequests(@CurrentPrincipal() p: AccountPrincipal): Promise<z.output<typeof FeatureRequestListSchema>> {
    return this.features.listForAccount(p.accountId);
  }

  @Get('audit-log')
  @ApiOperation({ summary: 'Who changed what, newest first (owners and API tokens)' })
  @ApiOkResponse({ standardSchema: AuditListSchema })
  auditLog(
    @CurrentPrincipal() p: AccountPrincipal,
    @Query({ schema: PageQuerySchema.extend(AuditQuerySchema.shape) }) q: PageQuery & { action?: string },
  ): Promise<z.output<typeof AuditListSchema>> {
    if (p.role === 'member') throw forbidden('only an owner of the account can read the audit log');
    return this.audit.list(p.accountId, q, q.action);
  }
}
