import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notification channels of an account and the log of their deliveries. A channel's secrets (the
 * webhook's signing secret, a Slack or Discord URL, a PagerDuty routing key) are sealed with the
 * api's SECRETS_KEY (AES-256-GCM) in `secret`; what may be shown again is in `config`.
 */
export class Notifications1764130000000 implements MigrationInterface {
  name = 'Notifications1764130000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notification_channels (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        name text NOT NULL,
        type text NOT NULL CHECK (type IN ('webhook', 'email', 'slack', 'pagerduty', 'discord')),
        config jsonb NOT NULL DEFAULT '{}',
        secret text,
        events text[] NOT NULL,
        zone_ids uuid[] NOT NULL DEFAULT '{}',
        rrset_ids uuid[] NOT NULL DEFAULT '{}',
        enabled boolean NOT NULL DEFAULT true,
        failing_since timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (account_id, name)
      )`);
    await q.query(`
      CREATE TABLE notification_deliveries (
        id bigserial PRIMARY KEY,
        channel_id uuid NOT NULL REFERENCES notification_channels(id) ON DELETE CASCADE,
        message_key text NOT NULL,
        kind text NOT NULL,
        summary text NOT NULL,
        attempt integer NOT NULL,
        status text NOT NULL CHECK (status IN ('sent', 'retrying', 'failed')),
        error text,
        latency_ms integer,
        next_retry_at timestamptz,
        at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (channel_id, message_key, attempt)
      )`);
    await q.query(`CREATE INDEX notification_deliveries_channel_idx ON notification_deliveries (channel_id, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notification_deliveries`);
    await q.query(`DROP TABLE notification_channels`);
  }
}
