import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { bullPrefix, NOTIFY_QUEUE, TargetPolicy } from '@vigil/contract';
import { type Job, type JobsOptions, UnrecoverableError, Worker } from 'bullmq';
import { redisOptions } from '@vigil/contract/redis';
import Redis from 'ioredis';
import { createHmac } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SecretBox } from '../common/secret-box';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { NotificationChannel } from './channel.entity';
import { NotificationDelivery } from './delivery.entity';
import { discordBody, emailMessage, type Notice, noticeFirstAt, noticeTitle, pagerdutyEvents, slackBody, webhookBody } from './message';
import { notificationMetrics } from './metrics';
import { postJson } from './senders/http';
import { Mailer } from './senders/mail';

export interface DeliveryJob {
  channelId: string;
  /** A message of health transitions, or of certificate changes (notice.certs). */
  kind: 'transitions' | 'certificates';
  notice: Notice;
}

/** The secrets of a channel, sealed in its row. */
export interface ChannelSecrets {
  /** webhook */
  signing_secret?: string;
  /** slack, discord */
  url?: string;
  /** pagerduty */
  routing_key?: string;
}

/** One job per message and channel: its id is the idempotency key, so it is queued once. */
export const deliveryJobOptions = (config: AppConfig, channelId: string, key: string): JobsOptions => ({
  // BullMQ refuses ":" in a custom id.
  jobId: `${channelId}.${key}`,
  attempts: config.NOTIFY_ATTEMPTS,
  backoff: { type: 'exponential', delay: config.NOTIFY_RETRY_MS },
  // Kept for a week, so a batch taken over after a crash finds its job and queues nothing twice.
  removeOnComplete: { age: 7 * 86_400 },
  removeOnFail: { age: 7 * 86_400 },
});

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: receivers check it and refuse an old `t`. */
export function webhookSignature(secret: string, body: string, at = Date.now()): string {
  const t = Math.floor(at / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/** Why a send failed, and whether trying again can help. */
const permanentOf = (e: unknown) => (e as { permanent?: unknown }).permanent === true;

/**
 * Sends messages: the delivery jobs of the pipeline (retried with exponential backoff, kept in
 * Redis across restarts) and the "send test" of the API, one attempt, through the same senders.
 * Every attempt is in the channel's delivery log.
 */
@Injectable()
export class DeliveryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeliveryService.name);
  private worker: Worker<DeliveryJob> | null = null;
  private connection: Redis | null = null;
  readonly box: SecretBox;
  readonly policy: TargetPolicy;
  readonly mailer: Mailer | null;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.box = SecretBox.load(config, (m) => this.logger.warn(m));
    this.policy = TargetPolicy.parse(config.ALLOW_PRIVATE_TARGETS);
    this.mailer = Mailer.fromConfig(config);
  }

  async onApplicationBootstrap() {
    if (this.mailer) {
      await this.mailer.verify().catch((e: Error) => this.logger.warn(`e-mail notifications: ${e.message}`));
    }
    if (!this.config.NOTIFICATIONS) return;
    this.connection = new Redis(redisOptions(this.config.redis, 'primary', { maxRetriesPerRequest: null }));
    this.connection.on('error', () => undefined);
    this.worker = new Worker<DeliveryJob>(NOTIFY_QUEUE, (job) => this.run(job), {
      connection: this.connection,
      prefix: bullPrefix(this.config.REDIS_KEY_PREFIX),
      concurrency: 8,
    });
    this.worker.on('error', (e) => this.logger.warn(`notification deliveries: ${e.message}`));
  }

  async onApplicationShutdown() {
    await this.worker?.close();
    this.connection?.disconnect();
    this.mailer?.close();
  }

  private async run(job: Job<DeliveryJob>): Promise<void> {
    const channel = await this.ds.getRepository(NotificationChannel).findOneBy({ id: job.data.channelId });
    // Deleted or turned off since: nothing to send.
    if (!channel || !channel.enabled) return;
    const attempt = job.attemptsMade + 1;
    const attempts = job.opts.attempts ?? 1;
    const notice = job.data.notice;
    const kind = notice.certs ? 'certificates' : 'transitions';
    const started = Date.now();
    try {
      await this.send(channel, notice);
      notificationMetrics.latency.observe({ channel_type: channel.type }, Math.max(0, Date.now() - noticeFirstAt(notice)) / 1000);
      await this.logged(channel, notice.key, kind, noticeTitle(notice), attempt, { status: 'sent', ms: Date.now() - started });
    } catch (e) {
      const error = (e as Error).message;
      const last = permanentOf(e) || attempt >= attempts;
      const next = last ? null : new Date(Date.now() + this.config.NOTIFY_RETRY_MS * 2 ** (attempt - 1));
      await this.logged(channel, notice.key, kind, noticeTitle(notice), attempt, {
        status: last ? 'failed' : 'retrying',
        ms: Date.now() - started,
        error,
        next,
        // A channel that failed for good, or three times running, is shown as failing.
        failing: last || attempt >= 3,
      });
      if (permanentOf(e)) throw new UnrecoverableError(error);
      throw e;
    }
  }

  /** One attempt of "send test": the result, and a line in the log. */
  async test(channel: NotificationChannel): Promise<{ status: 'sent' | 'failed'; error: string | null; latency_ms: number }> {
    const notice: Notice = {
      key: `test-${Date.now().toString(36)}`,
      accountId: channel.accountId,
      items: [],
      createdAt: Date.now(),
      test: true,
    };
    const started = Date.now();
    try {
      await this.send(channel, notice);
      const ms = Date.now() - started;
      await this.logged(channel, notice.key, 'test', noticeTitle(notice), 1, { status: 'sent', ms });
      return { status: 'sent', error: null, latency_ms: ms };
    } catch (e) {
      const ms = Date.now() - started;
      const error = (e as Error).message;
      await this.logged(channel, notice.key, 'test', noticeTitle(notice), 1, { status: 'failed', ms, error, failing: true });
      return { status: 'failed', error, latency_ms: ms };
    }
  }

  /** Renders the message for the channel's type and sends it; throws what the sender threw. */
  private async send(channel: NotificationChannel, notice: Notice): Promise<void> {
    const secrets: ChannelSecrets = channel.secret ? (JSON.parse(this.box.open(channel.secret)) as ChannelSecrets) : {};
    const http = { policy: this.policy, timeoutMs: this.config.NOTIFY_TIMEOUT_MS };
    switch (channel.type) {
      case 'webhook': {
        const body = JSON.stringify(webhookBody(notice));
        await postJson(
          channel.config.url!,
          body,
          { 'x-vigil-signature': webhookSignature(secrets.signing_secret!, body), 'x-vigil-delivery': notice.key },
          http,
        );
        return;
      }
      case 'slack':
        await postJson(secrets.url!, JSON.stringify(slackBody(notice)), {}, http);
        return;
      case 'discord':
        await postJson(secrets.url!, JSON.stringify(discordBody(notice)), {}, http);
        return;
      case 'pagerduty':
        // One event per request (Events API v2); a retry resends them all, which PagerDuty's dedup keys make harmless.
        for (const event of pagerdutyEvents(notice, secrets.routing_key!)) {
          await postJson(this.config.PAGERDUTY_EVENTS_URL, JSON.stringify(event), {}, http);
        }
        return;
      case 'email': {
        if (!this.mailer) throw Object.assign(new Error('e-mail is not set up on this server (SMTP_HOST)'), { permanent: true });
        const m = emailMessage(notice);
        await this.mailer.send({
          to: channel.config.to ?? [],
          subject: m.subject,
          text: m.text,
          html: m.html,
          headers: { 'X-Vigil-Delivery': notice.key },
        });
        return;
      }
    }
  }

  private async logged(
    channel: NotificationChannel,
    key: string,
    kind: string,
    summary: string,
    attempt: number,
    r: { status: 'sent' | 'retrying' | 'failed'; ms: number; error?: string; next?: Date | null; failing?: boolean },
  ): Promise<void> {
    notificationMetrics.deliveries.inc({ channel_type: channel.type, outcome: r.status });
    await this.ds.transaction(async (tx) => {
      await tx
        .createQueryBuilder()
        .insert()
        .into(NotificationDelivery)
        .values({
          channelId: channel.id,
          messageKey: key,
          kind,
          summary,
          attempt,
          status: r.status,
          error: r.error ?? null,
          latencyMs: r.ms,
          nextRetryAt: r.next ?? null,
          at: new Date(),
        })
        .orIgnore()
        .execute();
      if (r.status === 'sent') {
        await tx.update(NotificationChannel, { id: channel.id }, { failingSince: null, lastError: null });
      } else if (r.failing) {
        await tx.query(`UPDATE notification_channels SET failing_since = COALESCE(failing_since, now()), last_error = $2 WHERE id = $1`, [
          channel.id,
          r.error ?? null,
        ]);
      }
    });
  }
}
