import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * An offer used at a checkout. A unique index on offer_id among the redemptions not cancelled
 * makes a single-use offer redeemable once (again after a void gave it back).
 */
@Entity({ schema: 'loyalty', name: 'redemptions' })
export class Redemption {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  offerId!: string;

  @Column()
  offerCode!: string;

  @Column('uuid')
  shopperId!: string;

  @Column()
  storeId!: string;

  @Column()
  terminalId!: string;

  @Column()
  posTransactionId!: string;

  @Column()
  discountCents!: number;

  /** Points a points reward booked with the redemption (`loyalty.points_ledger`, its id as cause). */
  @Column()
  bonusPoints!: number;

  @Column('timestamptz')
  redeemedAt!: Date;

  /** The offer's rule, and the period of its per-household cap the redemption counts in. */
  @Column('uuid', { nullable: true })
  ruleId!: string | null;

  @Column('text', { nullable: true })
  capPeriod!: string | null;

  /** `lane`: redeemed by the lane's call; `offline`: from the sale of a lane that was offline. */
  @Column({ default: 'lane' })
  source!: 'lane' | 'offline';
}
