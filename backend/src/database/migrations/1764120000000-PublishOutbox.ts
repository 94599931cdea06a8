import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox of publishing: every change of a zone's version or state (and its
 * deletion) leaves a row in the same transaction, written by a trigger so that no path that changes
 * zones (the api's statements, `rrset_put`, the CLI, a hand-run UPDATE) can forget it. The api
 * publishes after the commit as before; the relay (publishing/outbox.service.ts) deletes a row once
 * Redis holds that version, and publishes the zone itself when nobody else did: a publish that
 * failed after the commit, or an api that died between commit and publish. `owner` is the
 * writer's application_name, so a relay can tell a live writer's rows (whose publish may be in
 * flight) from a dead one's.
 */
export class PublishOutbox1764120000000 implements MigrationInterface {
  name = 'PublishOutbox1764120000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE publish_outbox (
        id bigserial PRIMARY KEY,
        zone_id uuid NOT NULL,
        zone_name text NOT NULL,
        version bigint NOT NULL,
        served boolean NOT NULL,
        owner text NOT NULL DEFAULT current_setting('application_name'),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`
      CREATE FUNCTION publish_outbox_note() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          INSERT INTO publish_outbox (zone_id, zone_name, version, served) VALUES (OLD.id, OLD.name, OLD.version, false);
        ELSIF TG_OP = 'INSERT' OR NEW.version IS DISTINCT FROM OLD.version OR NEW.enabled IS DISTINCT FROM OLD.enabled THEN
          INSERT INTO publish_outbox (zone_id, zone_name, version, served) VALUES (NEW.id, NEW.name, NEW.version, NEW.enabled);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER zones_publish_outbox AFTER INSERT OR UPDATE OR DELETE ON zones
        FOR EACH ROW EXECUTE FUNCTION publish_outbox_note()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER zones_publish_outbox ON zones`);
    await q.query(`DROP FUNCTION publish_outbox_note()`);
    await q.query(`DROP TABLE publish_outbox`);
  }
}
