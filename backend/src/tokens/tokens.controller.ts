import type { z } from 'zod';
import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCookieAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AccountPrincipal, CurrentPrincipal, Requires } from '../auth/principal';
import { existingId } from '../common/params';
import { CreatedTokenSchema, CreateTokenSchema, TokenListSchema, type CreateToken } from './dto/token.dto';
import { TokensService } from './tokens.service';

/** Tokens are managed by owners in the panel; a token cannot mint or revoke tokens. */
@ApiTags('tokens')
@ApiCookieAuth()
@Controller('v2/account/tokens')
@Requires('account', 'session', 'owner')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Get()
  @ApiOperation({ summary: "The account's API tokens (never their secrets)" })
  @ApiOkResponse({ standardSchema: TokenListSchema })
  list(@CurrentPrincipal() p: AccountPrincipal): Promise<z.output<typeof TokenListSchema>> {
    return this.tokens.list(p.accountId);
  }

  @Post()
  @ApiOperation({ summary: 'Create an API token; its secret is shown in this response only' })
  @ApiCreatedResponse({ standardSchema: CreatedTokenSchema })
  create(
    @CurrentPrincipal() p: AccountPrincipal,
    @Body({ schema: CreateTokenSchema }) body: CreateToken,
  ): Promise<z.output<typeof CreatedTokenSchema>> {
    return this.tokens.create(p, body.name, body.expires_at ? new Date(body.expires_at) : null);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API token at once' })
  async revoke(@CurrentPrincipal() p: AccountPrincipal, @Param('id') id: string) {
    await this.tokens.revoke(p, existingId(id, 'token'));
  }
}
