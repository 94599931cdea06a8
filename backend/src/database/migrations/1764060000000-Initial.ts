import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1764060000000 implements MigrationInterface {
  name = 'Initial1764060000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        features jsonb NOT NULL DEFAULT '{"failover": false}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL UNIQUE CHECK (email = lower(email)),
        password_hash text NOT NULL,
        is_support boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE memberships (
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role IN ('owner', 'member')),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_id, user_id)
      )`);
    await q.query(`CREATE INDEX memberships_user_idx ON memberships (user_id)`);
    await q.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX sessions_expires_idx ON sessions (expires_at)`);
    await q.query(`
      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        name text NOT NULL,
        prefix text NOT NULL,
        token_hash text NOT NULL UNIQUE,
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX api_tokens_account_idx ON api_tokens (account_id)`);
    await q.query(`
      CREATE TABLE feature_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        feature text NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'granted', 'rejected')),
        message text NOT NULL DEFAULT '',
        requested_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        decided_at timestamptz,
        decided_by text
      )`);
    // At most one open request per account and feature.
    await q.query(`CREATE UNIQUE INDEX feature_requests_one_pending ON feature_requests (account_id, feature) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX feature_requests_status_idx ON feature_requests (status, created_at)`);
    await q.query(`
      CREATE TABLE audit_events (
        id bigserial PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        actor text NOT NULL,
        action text NOT NULL,
        target text NOT NULL,
        details jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX audit_events_account_idx ON audit_events (account_id, id DESC)`);
    await q.query(`
      CREATE TABLE zones (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        name text NOT NULL UNIQUE,
        serial bigint NOT NULL,
        contact text NOT NULL,
        primary_server text NOT NULL,
        refresh integer NOT NULL,
        retry integer NOT NULL,
        expiry integer NOT NULL,
        nx_ttl integer NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX zones_account_idx ON zones (account_id, name)`);
    await q.query(`
      CREATE TABLE rrsets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        zone_id uuid NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
        name text NOT NULL,
        type text NOT NULL,
        ttl integer NOT NULL,
        resource_records jsonb NOT NULL,
        pickers jsonb NOT NULL DEFAULT '[]',
        meta jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (zone_id, name, type)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['rrsets', 'zones', 'audit_events', 'feature_requests', 'api_tokens', 'sessions', 'memberships', 'users', 'accounts']) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
