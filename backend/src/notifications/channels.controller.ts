import type { z } from 'zod';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCookieAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AccountPrincipal, CurrentPrincipal, Requires } from '../auth/principal';
import { type PageQuery, PageQuerySchema } from '../common/pagination';
import { existingId } from '../common/params';
import { ChannelsService } from './channels.service';
import {
  ChannelListSchema,
  ChannelSchema,
  CreateChannelSchema,
  CreatedChannelSchema,
  DeliveryListSchema,
  TestResultSchema,
  UpdateChannelSchema,
  type CreateChannel,
  type UpdateChannel,
} from './dto/channel.dto';

/** Where an account's health alerts go; owners manage them. */
@ApiTags('notifications')
@ApiCookieAuth()
@Controller('v2/account/notification-channels')
@Requires('account', 'owner')
export class ChannelsController {
  constructor(private readonly channels: ChannelsService) {}

  @Get()
  @ApiOperation({ summary: "The account's notification channels (never their secrets)" })
  @ApiOkResponse({ standardSchema: ChannelListSchema })
  list(@CurrentPrincipal() p: AccountPrincipal): Promise<z.output<typeof ChannelListSchema>> {
    return this.channels.list(p);
  }

  @Post()
  @ApiOperation({ summary: "Create a channel; a webhook's signing secret is shown in this response only" })
  @ApiCreatedResponse({ standardSchema: CreatedChannelSchema })
  create(
    @CurrentPrincipal() p: AccountPrincipal,
    @Body({ schema: CreateChannelSchema }) body: CreateChannel,
  ): Promise<z.output<typeof CreatedChannelSchema>> {
    return this.channels.create(p, body);
  }

  @Get(':id')
  @ApiOkResponse({ standardSchema: ChannelSchema })
  get(@CurrentPrincipal() p: AccountPrincipal, @Param('id') id: string): Promise<z.output<typeof ChannelSchema>> {
    return this.channels.get(p, existingId(id, 'notification channel'));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a channel; `rotate_secret` gives a webhook a new signing secret, shown in this response only' })
  @ApiOkResponse({ standardSchema: CreatedChannelSchema })
  update(
    @CurrentPrincipal() p: AccountPrincipal,
    @Param('id') id: string,
    @Body({ schema: UpdateChannelSchema }) body: UpdateChannel,
  ): Promise<z.output<typeof CreatedChannelSchema>> {
    return this.channels.update(p, existingId(id, 'notification channel'), body);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@CurrentPrincipal() p: AccountPrincipal, @Param('id') id: string) {
    await this.channels.remove(p, existingId(id, 'notification channel'));
  }

  @Post(':id/test')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a test message now, once, and say how it went (also in the delivery log)' })
  @ApiOkResponse({ standardSchema: TestResultSchema })
  test(@CurrentPrincipal() p: AccountPrincipal, @Param('id') id: string): Promise<z.output<typeof TestResultSchema>> {
    return this.channels.test(p, existingId(id, 'notification channel'));
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: "The channel's delivery log, newest first: every attempt, its status and error, the next retry" })
  @ApiOkResponse({ standardSchema: DeliveryListSchema })
  deliveries(
    @CurrentPrincipal() p: AccountPrincipal,
    @Param('id') id: string,
    @Query({ schema: PageQuerySchema }) q: PageQuery,
  ): Promise<z.output<typeof DeliveryListSchema>> {
    return this.channels.deliveriesOf(p, existingId(id, 'notification channel'), q);
  }
}
