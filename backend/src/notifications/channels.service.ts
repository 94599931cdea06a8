import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { z } from 'zod';
import { DataSource, type EntityManager, In } from 'typeorm';
import type { AccountPrincipal } from '../auth/principal';
import { newSecret } from '../auth/secrets';
import { AuditService } from '../audit/audit.service';
import { type FieldIssue, notFound, ValidationFailed } from '../common/errors';
import type { PageQuery } from '../common/pagination';
import { Rrset } from '../rrsets/rrset.entity';
import { Zone } from '../zones/zone.entity';
import { NotificationChannel } from './channel.entity';
import { type ChannelSecrets, DeliveryService } from './deliveries';
import { NotificationDelivery } from './delivery.entity';
import { type ChannelConfig, type ChannelSchema, type CreateChannel, NOTIFY_EVENTS, type UpdateChannel } from './dto/channel.dto';
import { validateWebhookUrl } from './senders/http';

/** Slack's, Discord's or PagerDuty's secret as the panel may show it: its start and its last four characters. */
function hintOf(secret: string): string {
  const url = URL.canParse(secret) ? new URL(secret) : null;
  return url ? `${url.origin}/…${secret.slice(-4)}` : `…${secret.slice(-4)}`;
}

@Injectable()
export class ChannelsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly deliveries: DeliveryService,
  ) {}

  async list(p: AccountPrincipal) {
    const rows = await this.ds.getRepository(NotificationChannel).find({ where: { accountId: p.accountId }, order: { createdAt: 'ASC' } });
    const zones = await this.zoneNames(rows.flatMap((c) => c.zoneIds));
    return { channels: rows.map((c) => this.view(c, zones)), email_available: this.deliveries.mailer !== null };
  }

  async get(p: AccountPrincipal, id: string) {
    const c = await this.find(this.ds.manager, p, id);
    return this.view(c, await this.zoneNames(c.zoneIds));
  }

  /** Creates a channel; a webhook's signing secret is in this answer only. */
  async create(p: AccountPrincipal, body: CreateChannel) {
    this.checkTarget('url' in body ? body.url : undefined);
    this.checkEmail(body.type);
    const signing = body.type === 'webhook' ? newSecret('whsec_') : undefined;
    const secrets: ChannelSecrets =
      body.type === 'webhook'
        ? { signing_secret: signing }
        : body.type === 'slack' || body.type === 'discord'
          ? { url: body.url }
          : body.type === 'pagerduty'
            ? { routing_key: body.routing_key }
            : {};
    const config: ChannelConfig =
      body.type === 'webhook'
        ? { url: body.url }
        : body.type === 'email'
          ? { to: body.to }
          : { hint: hintOf(secrets.url ?? secrets.routing_key!) };
    const saved = await this.ds.transaction(async (tx) => {
      const filter = await this.filter(tx, p, body);
      await this.assertNameFree(tx, p, body.name);
      const c = await tx.save(
        tx.create(NotificationChannel, {
          accountId: p.accountId,
          name: body.name,
          type: body.type,
          config,
          secret: Object.keys(secrets).length ? this.deliveries.box.seal(JSON.stringify(secrets)) : null,
          events: body.events ?? [...NOTIFY_EVENTS],
          zoneIds: filter.zoneIds ?? [],
          rrsetIds: filter.rrsetIds ?? [],
          enabled: body.enabled ?? true,
        }),
      );
      await this.audited(tx, p, 'create', c, { type: c.type });
      return c;
    });
    return { ...this.view(saved, await this.zoneNames(saved.zoneIds)), ...(signing ? { secret: signing } : {}) };
  }

  async update(p: AccountPrincipal, id: string, body: UpdateChannel) {
    let rotated: string | undefined;
    const saved = await this.ds.transaction(async (tx) => {
      const c = await this.find(tx, p, id, true);
      const issues: FieldIssue[] = [];
      const only = (field: keyof UpdateChannel, types: string[]) => {
        if (body[field] !== undefined && !types.includes(c.type)) issues.push({ field, reason: `is not a setting of a ${c.type} channel` });
      };
      only('url', ['webhook', 'slack', 'discord']);
      only('to', ['email']);
      only('routing_key', ['pagerduty']);
      only('rotate_secret', ['webhook']);
      if (issues.length) throw new ValidationFailed(issues);
      if (body.url !== undefined) this.checkTarget(body.url);
      if (body.name !== undefined && body.name !== c.name) await this.assertNameFree(tx, p, body.name);
      const filter = await this.filter(tx, p, body);
      const secrets: ChannelSecrets = c.secret ? (JSON.parse(this.deliveries.box.open(c.secret)) as ChannelSecrets) : {};
      const config = { ...c.config };
      if (body.url !== undefined && c.type === 'webhook') config.url = body.url;
      if (body.url !== undefined && c.type !== 'webhook') {
        secrets.url = body.url;
        config.hint = hintOf(body.url);
      }
      if (body.routing_key !== undefined) {
        secrets.routing_key = body.routing_key;
        config.hint = hintOf(body.routing_key);
      }
      if (body.to !== undefined) config.to = body.to;
      if (body.rotate_secret) secrets.signing_secret = rotated = newSecret('whsec_');
      Object.assign(c, {
        name: body.name ?? c.name,
        events: body.events ?? c.events,
        zoneIds: filter.zoneIds ?? c.zoneIds,
        rrsetIds: filter.rrsetIds ?? c.rrsetIds,
        enabled: body.enabled ?? c.enabled,
        config,
        secret: Object.keys(secrets).length ? this.deliveries.box.seal(JSON.stringify(secrets)) : null,
      });
      const out = await tx.save(c);
      // The fields named, never their values (a URL or key may be the secret).
      await this.audited(tx, p, 'update', out, { fields: Object.keys(body) });
      return out;
    });
    return { ...this.view(saved, await this.zoneNames(saved.zoneIds)), ...(rotated ? { secret: rotated } : {}) };
  }

  async remove(p: AccountPrincipal, id: string) {
    await this.ds.transaction(async (tx) => {
      const c = await this.find(tx, p, id, true);
      await tx.delete(NotificationChannel, { id: c.id });
      await this.audited(tx, p, 'delete', c);
    });
  }

  async test(p: AccountPrincipal, id: string) {
    const c = await this.find(this.ds.manager, p, id);
    const result = await this.deliveries.test(c);
    await this.audited(this.ds.manager, p, 'test', c, { status: result.status });
    return result;
  }

  async deliveriesOf(p: AccountPrincipal, id: string, page: PageQuery) {
    const c = await this.find(this.ds.manager, p, id);
    const [rows, total] = await this.ds.getRepository(NotificationDelivery).findAndCount({
      where: { channelId: c.id },
      order: { id: 'DESC' },
      take: page.limit,
      skip: page.offset,
    });
    return {
      deliveries: rows.map((d) => ({
        id: Number(d.id),
        message_key: d.messageKey,
        kind: d.kind,
        summary: d.summary,
        attempt: d.attempt,
        status: d.status,
        error: d.error,
        latency_ms: d.latencyMs,
        next_retry_at: d.nextRetryAt?.toISOString() ?? null,
        at: d.at.toISOString(),
      })),
      total_amount: total,
    };
  }

  /** The audit entry of a change to a channel, in the caller's transaction. */
  private audited(tx: EntityManager, p: AccountPrincipal, what: string, c: NotificationChannel, details: Record<string, unknown> = {}) {
    return this.audit.record(tx, {
      accountId: p.accountId,
      actor: p.actor,
      action: `notification_channel.${what}`,
      target: c.name,
      details: { channel_id: c.id, ...details },
    });
  }

  private view(c: NotificationChannel, zones: Map<string, string>): z.output<typeof ChannelSchema> {
    return {
      id: c.id,
      name: c.name,
      type: c.type,
      events: c.events,
      zones: c.zoneIds.map((id) => zones.get(id)).filter((n): n is string => n !== undefined),
      rrset_ids: c.rrsetIds,
      enabled: c.enabled,
      ...(c.config.url !== undefined ? { url: c.config.url } : {}),
      ...(c.config.to !== undefined ? { to: c.config.to } : {}),
      ...(c.config.hint !== undefined ? { hint: c.config.hint } : {}),
      status: c.failingSince ? 'failing' : 'ok',
      failing_since: c.failingSince?.toISOString() ?? null,
      last_error: c.lastError,
      created_at: c.createdAt.toISOString(),
      updated_at: c.updatedAt.toISOString(),
    };
  }

  private async find(tx: EntityManager, p: AccountPrincipal, id: string, lock = false): Promise<NotificationChannel> {
    const c = await tx.findOne(NotificationChannel, {
      where: { id, accountId: p.accountId },
      ...(lock ? { lock: { mode: 'pessimistic_write' } } : {}),
    });
    if (!c) throw notFound('notification channel');
    return c;
  }

  /** The zone names and record-set ids of a body as ids of the caller's account; 400 for one it does not have. */
  private async filter(tx: EntityManager, p: AccountPrincipal, body: { zones?: string[]; rrset_ids?: string[] }) {
    const issues: FieldIssue[] = [];
    let zoneIds: string[] | undefined;
    let rrsetIds: string[] | undefined;
    if (body.zones !== undefined) {
      const names = body.zones.map((n) => n.toLowerCase().replace(/\.$/, ''));
      const found = await tx.find(Zone, { where: { accountId: p.accountId, name: In(names) } });
      const byName = new Map(found.map((z) => [z.name, z.id]));
      names.forEach((n, i) => {
        if (!byName.has(n)) issues.push({ field: `zones[${i}]`, reason: `zone ${n} is not one of this account's` });
      });
      zoneIds = [...new Set(names.map((n) => byName.get(n)).filter((v): v is string => v !== undefined))];
    }
    if (body.rrset_ids !== undefined) {
      const ids = body.rrset_ids.map((id) => id.toLowerCase());
      const found = ids.length
        ? ((await tx.query(
            `SELECT r.id FROM rrsets r JOIN zones z ON z.id = r.zone_id WHERE z.account_id = $1 AND r.id = ANY($2::uuid[])`,
            [p.accountId, ids],
          )) as Pick<Rrset, 'id'>[])
        : [];
      const mine = new Set(found.map((r) => r.id));
      ids.forEach((id, i) => {
        if (!mine.has(id)) issues.push({ field: `rrset_ids[${i}]`, reason: "is not a record set of this account's" });
      });
      rrsetIds = [...new Set(ids)];
    }
    if (issues.length) throw new ValidationFailed(issues);
    return { zoneIds, rrsetIds };
  }

  private checkTarget(url: string | undefined) {
    if (url === undefined) return;
    const reason = validateWebhookUrl(url, this.deliveries.policy);
    if (reason) throw new ValidationFailed([{ field: 'url', reason }]);
  }

  private checkEmail(type: string) {
    if (type === 'email' && !this.deliveries.mailer) {
      throw new ValidationFailed([
        { field: 'type', reason: 'e-mail is not set up on this server: the operator sets SMTP_HOST and SMTP_FROM' },
      ]);
    }
  }

  private async assertNameFree(tx: EntityManager, p: AccountPrincipal, name: string) {
    if (await tx.exists(NotificationChannel, { where: { accountId: p.accountId, name } })) {
      throw new ValidationFailed([{ field: 'name', reason: 'another channel of this account has this name' }]);
    }
  }

  private async zoneNames(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const zones = await this.ds.getRepository(Zone).find({ where: { id: In([...new Set(ids)]) } });
    return new Map(zones.map((z) => [z.id, z.name]));
  }
}
