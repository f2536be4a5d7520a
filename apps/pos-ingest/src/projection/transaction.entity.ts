import { TransactionLine } from '@loyalty/domain';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber } from './bigint.transformer';

@Entity({ schema: 'ingest', name: 'transactions' })
export class Transaction {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column()
  posTransactionId!: string;

  @Column()
  storeId!: string;

  @Column()
  terminalId!: string;

  @Column()
  cardNumber!: string;

  @Column('uuid')
  shopperId!: string;

  @Column('timestamptz')
  occurredAt!: Date;

  /** The POS clock's offset, e.g. `-05:00`, so local time can be rebuilt. */
  @Column()
  utcOffset!: string;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  totalCents!: number;

  @Column('jsonb')
  lines!: TransactionLine[];

  @Column('timestamptz')
  receivedAt!: Date;

  @Column({ type: 'timestamptz', insert: false })
  projectedAt!: Date;
}
