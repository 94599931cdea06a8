import { Body, Controller, Delete, Get, Param, Patch, Query } from '@nestjs/common';
import { ApiCookieAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentPrincipal, type Principal, Requires } from '../auth/principal';
import { PageQuerySchema, type PageQuery } from '../common/pagination';
import { existingId } from '../common/params';
import {
  DecideFeatureRequestSchema,
  FeatureRequestListSchema,
  FeatureRequestQuerySchema,
  FeatureRequestSchema,
  UpdateFeaturesSchema,
  type DecideFeatureRequest,
  type UpdateFeatures,
} from '../features/dto/feature.dto';
import { FeaturesService } from '../features/features.service';
import type { RequestStatus } from '../features/feature-request.entity';
import { AdminService, AdminAccountListSchema, AdminAccountSchema } from './admin.service';
import { AdminSiteListSchema, ForgottenSiteSchema, SitesService } from './sites.service';

const AccountQuerySchema = PageQuerySchema.extend({ search: z.string().max(254).optional() });

/** The support console's API. Support staff sign in to the panel; there are no support API tokens. */
@ApiTags('admin')
@ApiCookieAuth()
@Controller('v2/admin')
@Requires('support')
export class AdminController {
  constructor(
    private readonly admin: AdminService,
    private readonly features: FeaturesService,
    private readonly sites: SitesService,
  ) {}

  @Get('accounts')
  @ApiOperation({ summary: 'Accounts with their features and owners; `search` matches name or user e-mail' })
  @ApiOkResponse({ standardSchema: AdminAccountListSchema })
  accounts(@Query({ schema: AccountQuerySchema }) q: PageQuery & { search?: string }): Promise<z.output<typeof AdminAccountListSchema>> {
    return this.admin.listAccounts(q, q.search);
  }

  @Get('accounts/:id')
  @ApiOperation({ summary: 'One account' })
  @ApiOkResponse({ standardSchema: AdminAccountSchema })
  account(@Param('id') id: string): Promise<z.output<typeof AdminAccountSchema>> {
    return this.admin.getAccount(existingId(id, 'account'));
  }

  @Patch('accounts/:id')
  @ApiOperation({ summary: 'Grant or revoke features, e.g. {"features": {"failover": true}}' })
  @ApiOkResponse({ standardSchema: AdminAccountSchema })
  async updateAccount(
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Body({ schema: UpdateFeaturesSchema }) body: UpdateFeatures,
  ): Promise<z.output<typeof AdminAccountSchema>> {
    const accountId = existingId(id, 'account');
    await this.features.setFeatures(p, accountId, body.features);
    return this.admin.getAccount(accountId);
  }

  @Get('feature-requests')
  @ApiOperation({ summary: 'Feature requests, oldest first; filter with status=pending' })
  @ApiOkResponse({ standardSchema: FeatureRequestListSchema })
  requests(
    @Query({ schema: PageQuerySchema.extend(FeatureRequestQuerySchema.shape) }) q: PageQuery & { status?: RequestStatus },
  ): Promise<z.output<typeof FeatureRequestListSchema>> {
    return this.features.listAll(q.status, q);
  }

  @Patch('feature-requests/:id')
  @ApiOperation({ summary: 'Grant or reject a pending request; granting turns the feature on' })
  @ApiOkResponse({ standardSchema: FeatureRequestSchema })
  decide(
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Body({ schema: DecideFeatureRequestSchema }) body: DecideFeatureRequest,
  ): Promise<z.output<typeof FeatureRequestSchema>> {
    return this.features.decide(p, existingId(id, 'feature request'), body.status);
  }

  @Get('sites')
  @ApiOperation({
    summary: 'Every probe site that announced itself, with its last heartbeat, state (reporting, stale, gone) and scheduled checks',
  })
  @ApiOkResponse({ standardSchema: AdminSiteListSchema })
  siteList(): Promise<z.output<typeof AdminSiteListSchema>> {
    return this.sites.list();
  }

  @Delete('sites/:name')
  @ApiOperation({
    summary: "Forget a decommissioned site: its heartbeat, its queue's schedulers and its last results; 409 while it is still reporting",
  })
  @ApiOkResponse({ standardSchema: ForgottenSiteSchema })
  forgetSite(@CurrentPrincipal() p: Principal, @Param('name') name: string): Promise<z.output<typeof ForgottenSiteSchema>> {
    return this.sites.forget(p, name);
  }
}
