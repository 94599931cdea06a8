import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One record set written in one statement (`SELECT rrset_put(...)`), so that a PUT holds its zone's
 * row lock only while PostgreSQL runs this function and commits, never across round trips to the
 * api: writers of one zone serialise on that lock, so its length bounds their writes per second.
 *
 * It locks the zone row first; in READ COMMITTED every statement after that sees all that the
 * zone's earlier writers committed (each of them held the lock). Then, as a transaction of several
 * statements did before: the CNAME exclusivity check (`forbidden`: the types that may not be beside
 * this one, from the api's rule), the 409 of a create, the upsert, the zone's new version and
 * serial, and the audit entry. A refusal returns before anything is written. Returns a jsonb
 * `{status: 'ok' | 'no zone' | 'conflict' | 'exists', others?, before?, rrset?, zone?, features?}`:
 * what was committed, so the api publishes it without reading it again.
 */
export class RrsetPut1764090000000 implements MigrationInterface {
  name = 'RrsetPut1764090000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION rrset_put(
        p_zone text, p_account uuid, p_name text, p_type text, p_ttl integer, p_records jsonb, p_pickers jsonb,
        p_meta jsonb, p_create boolean, p_forbidden text[], p_actor text
      ) RETURNS jsonb LANGUAGE plpgsql AS $$
      DECLARE
        z zones;
        old rrsets;
        r rrsets;
        others text[];
      BEGIN
        SELECT * INTO z FROM zones WHERE name = p_zone AND account_id = p_account FOR UPDATE;
        IF NOT FOUND THEN RETURN jsonb_build_object('status', 'no zone'); END IF;
        SELECT array_agg(type ORDER BY type) INTO others FROM rrsets WHERE zone_id = z.id AND name = p_name AND type <> p_type;
        IF others && p_forbidden THEN RETURN jsonb_build_object('status', 'conflict', 'others', to_jsonb(others)); END IF;
        SELECT * INTO old FROM rrsets WHERE zone_id = z.id AND name = p_name AND type = p_type;
        IF old.id IS NOT NULL AND p_create THEN RETURN jsonb_build_object('status', 'exists'); END IF;
        IF old.id IS NULL THEN
          INSERT INTO rrsets (zone_id, name, type, ttl, resource_records, pickers, meta)
            VALUES (z.id, p_name, p_type, p_ttl, p_records, p_pickers, p_meta) RETURNING * INTO r;
        ELSE
          UPDATE rrsets SET ttl = p_ttl, resource_records = p_records, pickers = p_pickers, meta = p_meta, updated_at = now()
            WHERE id = old.id RETURNING * INTO r;
        END IF;
        UPDATE zones SET version = nextval('zone_version_seq'),
            serial = GREATEST(serial + 1, extract(epoch from now())::bigint), updated_at = now()
          WHERE id = z.id RETURNING * INTO z;
        INSERT INTO audit_events (account_id, actor, action, target, details) VALUES (
          p_account, p_actor,
          CASE WHEN old.id IS NULL THEN 'rrset.create' ELSE 'rrset.update' END,
          p_name || '/' || p_type,
          CASE WHEN old.id IS NULL
            THEN jsonb_build_object('after', jsonb_build_object('ttl', r.ttl, 'resource_records', r.resource_records, 'pickers', r.pickers, 'meta', r.meta))
            ELSE jsonb_build_object(
              'before', jsonb_build_object('ttl', old.ttl, 'resource_records', old.resource_records, 'pickers', old.pickers, 'meta', old.meta),
              'after', jsonb_build_object('ttl', r.ttl, 'resource_records', r.resource_records, 'pickers', r.pickers, 'meta', r.meta))
          END);
        RETURN jsonb_build_object(
          'status', 'ok',
          'before', CASE WHEN old.id IS NULL THEN NULL ELSE to_jsonb(old) END,
          'rrset', to_jsonb(r),
          'zone', to_jsonb(z),
          'features', (SELECT features FROM accounts WHERE id = p_account));
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION rrset_put`);
  }
}
