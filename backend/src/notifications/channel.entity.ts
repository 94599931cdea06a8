import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { ChannelConfig, ChannelType, NotifyEvent } from './dto/channel.dto';

/** Where an account's notifications go. */
@Entity('notification_channels')
export class NotificationChannel {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  type!: ChannelType;

  /** What may be shown again: the webhook's URL, the e-mail recipients, a masked Slack URL. */
  @Column({ type: 'jsonb', default: () => `'{}'` })
  config!: ChannelConfig;

  /** The channel's secrets, sealed (SecretBox); never returned. */
  @Column({ type: 'text', nullable: true })
  secret!: string | null;

  @Column({ type: 'text', array: true })
  events!: NotifyEvent[];

  /** Only transitions in these zones / record sets (empty: every one of the account). */
  @Column({ name: 'zone_ids', type: 'uuid', array: true, default: () => `'{}'` })
  zoneIds!: string[];

  @Column({ name: 'rrset_ids', type: 'uuid', array: true, default: () => `'{}'` })
  rrsetIds!: string[];

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  /** Set when a delivery failed for good or keeps failing; cleared by the next one that is sent. */
  @Column({ name: 'failing_since', type: 'timestamptz', nullable: true })
  failingSince!: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
