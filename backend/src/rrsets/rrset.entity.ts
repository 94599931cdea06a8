import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Picker, RecordType, RrsetBody, StoredOverride } from '@vigil/contract';

@Entity('rrsets')
export class Rrset {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'zone_id', type: 'uuid' })
  zoneId!: string;

  /** Fully qualified, normalised, no trailing dot. */
  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  type!: RecordType;

  @Column({ type: 'integer' })
  ttl!: number;

  @Column({ name: 'resource_records', type: 'jsonb' })
  resourceRecords!: RrsetBody['resource_records'];

  @Column({ type: 'jsonb', default: () => `'[]'` })
  pickers!: Picker[];

  @Column({ type: 'jsonb', default: () => `'{}'` })
  meta!: RrsetBody['meta'];

  /** The owner's drains, forced-ups and maintenance windows of its addresses (see contract's overrides.ts). */
  @Column({ type: 'jsonb', default: () => `'[]'` })
  overrides!: StoredOverride[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
