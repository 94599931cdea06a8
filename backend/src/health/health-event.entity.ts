import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { HealthStateName } from '@vigil/contract';

/** One transition of one address of a failover record set. */
@Entity('health_events')
export class HealthEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'rrset_id', type: 'uuid' })
  rrsetId!: string;

  @Column({ type: 'text' })
  address!: string;

  @Column({ type: 'text' })
  state!: HealthStateName;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  reasons!: Record<string, string>;

  /** Id of the feed entry it came from: consuming the feed twice stores it once. */
  @Column({ name: 'feed_id', type: 'text', unique: true })
  feedId!: string;
}
