import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from './bigint.transformer';

@Entity({ schema: 'ingest', name: 'shopper_profiles' })
export class Profile {
  @PrimaryColumn('uuid')
  shopperId!: string;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  lifetimeSpendCents!: number;

  @Column()
  visits!: number;

  @Column({ type: 'timestamptz', nullable: true })
  firstVisitAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastVisitAt!: Date | null;

  @Column('jsonb')
  spendByDepartmentCents!: Record<string, number>;

  @Column('timestamptz')
  updatedAt!: Date;
}
