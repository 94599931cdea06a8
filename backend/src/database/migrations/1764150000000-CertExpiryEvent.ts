import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The notification event `cert_expiry` (a certificate entering its check's cert_expiry_days
 * window): channels that were told of every event there was (the default) are told of it too;
 * channels that chose some events keep their choice.
 */
export class CertExpiryEvent1764150000000 implements MigrationInterface {
  name = 'CertExpiryEvent1764150000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE notification_channels SET events = array_append(events, 'cert_expiry')
        WHERE events @> ARRAY['down', 'up', 'all_down']::text[] AND NOT 'cert_expiry' = ANY(events)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE notification_channels SET events = array_remove(events, 'cert_expiry')`);
  }
}
