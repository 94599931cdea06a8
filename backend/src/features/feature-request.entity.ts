import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const FEATURES = ['failover'] as const;
export type Feature = (typeof FEATURES)[number];
export const REQUEST_STATUSES = ['pending', 'granted', 'rejected'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

@Entity('feature_requests')
export class FeatureRequest {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  @Column({ type: 'text' })
  feature!: Feature;

  @Column({ type: 'text', default: 'pending' })
  status!: RequestStatus;

  @Column({ type: 'text', default: '' })
  message!: string;

  @Column({ name: 'requested_by', type: 'text' })
  requestedBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  @Column({ name: 'decided_by', type: 'text', nullable: true })
  decidedBy!: string | null;
}
