import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

const bigintNumber = { to: (v: number) => v, from: (v: string) => Number(v) };

@Entity('zones')
export class Zone {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** The zone's id in the API (Gcore's clients decode it as an integer); PostgreSQL numbers zones 1, 2, … */
  @Column({ name: 'numeric_id', type: 'bigint', insert: false, update: false, transformer: bigintNumber })
  numericId!: number;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  /** Normalised (lower-case punycode, no trailing dot); unique across all accounts. */
  @Column({ type: 'text', unique: true })
  name!: string;

  /** SOA serial; grows with every change of the zone or its record sets. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  serial!: number;

  /** Publish version: a new value from zone_version_seq with every change (see publishing/). */
  @Column({ type: 'bigint', insert: false, update: false, transformer: bigintNumber })
  version!: number;

  @Column({ type: 'text' })
  contact!: string;

  @Column({ name: 'primary_server', type: 'text' })
  primaryServer!: string;

  @Column({ type: 'integer' })
  refresh!: number;

  @Column({ type: 'integer' })
  retry!: number;

  @Column({ type: 'integer' })
  expiry!: number;

  @Column({ name: 'nx_ttl', type: 'integer' })
  nxTtl!: number;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  /** Free JSON kept for the customer, as Gcore's zone `meta` (e.g. `webhook`); Vigil does not act on it. */
  @Column({ type: 'jsonb', default: () => `'{}'` })
  meta!: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
