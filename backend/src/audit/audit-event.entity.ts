import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Who changed what in an account, and when. Written in the same transaction as the change. */
@Entity('audit_events')
export class AuditEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  /** e.g. `user:alice@example.com`, `token:ci-deploy`, `support:bob@vigil.example`. */
  @Column({ type: 'text' })
  actor!: string;

  /** e.g. `zone.create`, `rrset.update`, `token.revoke`, `feature.grant`. */
  @Column({ type: 'text' })
  action!: string;

  /** e.g. `example.com`, `www.example.com/A`, a token name. */
  @Column({ type: 'text' })
  target!: string;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  details!: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
