import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drains, forced-ups and maintenance windows of a record set's addresses, kept with the record
 * set: they are published with it (the DNS server applies them by the clock), and rrset_put,
 * which sets only the record set's own columns, leaves them as they are.
 */
export class AddressOverrides1764140000000 implements MigrationInterface {
  name = 'AddressOverrides1764140000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rrsets ADD COLUMN overrides jsonb NOT NULL DEFAULT '[]'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rrsets DROP COLUMN overrides`);
  }
}
