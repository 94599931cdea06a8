import type { MigrationInterface, QueryRunner } from 'typeorm';

/** History of address health transitions, filled from the change feed. */
export class HealthEvents1764080000000 implements MigrationInterface {
  name = 'HealthEvents1764080000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE health_events (
        id bigserial PRIMARY KEY,
        rrset_id uuid NOT NULL REFERENCES rrsets(id) ON DELETE CASCADE,
        address text NOT NULL,
        state text NOT NULL CHECK (state IN ('available', 'unavailable')),
        at timestamptz NOT NULL,
        reasons jsonb NOT NULL DEFAULT '{}',
        feed_id text NOT NULL UNIQUE
      )`);
    await q.query(`CREATE INDEX health_events_rrset_idx ON health_events (rrset_id, at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE health_events`);
  }
}
