import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What Gcore's zone object has and Vigil's lacked: a numeric id (its clients decode `id` as an
 * integer; the UUID stays the key every table refers to) and `meta`, free JSON such as `webhook`.
 */
export class ZoneGcoreFields1764110000000 implements MigrationInterface {
  name = 'ZoneGcoreFields1764110000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE zones ADD COLUMN numeric_id bigint GENERATED ALWAYS AS IDENTITY`);
    await q.query(`ALTER TABLE zones ADD CONSTRAINT zones_numeric_id_key UNIQUE (numeric_id)`);
    await q.query(`ALTER TABLE zones ADD COLUMN meta jsonb NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE zones DROP COLUMN meta`);
    await q.query(`ALTER TABLE zones DROP COLUMN numeric_id`);
  }
}
