import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One attempt to deliver one message to one channel. */
@Entity('notification_deliveries')
export class NotificationDelivery {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'channel_id', type: 'uuid' })
  channelId!: string;

  /** The message's idempotency key: the same for every attempt, and sent to receivers. */
  @Column({ name: 'message_key', type: 'text' })
  messageKey!: string;

  /** `transitions` or `test`. */
  @Column({ type: 'text' })
  kind!: string;

  @Column({ type: 'text' })
  summary!: string;

  @Column({ type: 'integer' })
  attempt!: number;

  @Column({ type: 'text' })
  status!: 'sent' | 'retrying' | 'failed';

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'latency_ms', type: 'integer', nullable: true })
  latencyMs!: number | null;

  @Column({ name: 'next_retry_at', type: 'timestamptz', nullable: true })
  nextRetryAt!: Date | null;

  @Column({ type: 'timestamptz' })
  at!: Date;
}
