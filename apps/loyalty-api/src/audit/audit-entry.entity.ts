import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One staff change, written in the same database transaction as the change itself. */
@Entity({ schema: 'loyalty', name: 'audit_log' })
export class AuditEntry {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column()
  actor!: string;

  @Column()
  action!: string;

  @Column()
  entity!: string;

  @Column()
  entityId!: string;

  @Column('jsonb')
  details!: unknown;

  @Column({ type: 'timestamptz', insert: false })
  at!: Date;
}
