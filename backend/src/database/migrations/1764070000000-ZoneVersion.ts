import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A publish version per zone, from one sequence: every change of a zone (or of what is compiled
 * into it) takes a new value inside its transaction, so versions grow in commit order and a
 * deleted zone's tombstone is older than any later re-creation.
 */
export class ZoneVersion1764070000000 implements MigrationInterface {
  name = 'ZoneVersion1764070000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE zone_version_seq`);
    await q.query(`ALTER TABLE zones ADD COLUMN version bigint NOT NULL DEFAULT nextval('zone_version_seq')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE zones DROP COLUMN version`);
    await q.query(`DROP SEQUENCE zone_version_seq`);
  }
}
