import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('zones')
export class Zone {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  /** Normalised (lower-case punycode, no trailing dot); unique across all accounts. */
  @Column({ type: 'text', unique: true })
  name!: string;

  /** SOA serial; grows with every change of the zone or its record sets. */
  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  serial!: number;

  /** Publish version: a new value from zone_version_seq with every change (see publishing/). */
  @Column({ type: 'bigint', insert: false, update: false, transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
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

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
