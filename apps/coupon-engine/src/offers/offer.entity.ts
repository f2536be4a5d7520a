import { MatchedFact, OfferState, Reward } from '@loyalty/domain';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A rule's reward issued to one shopper; loyalty-api reads it at the checkout. */
@Entity({ schema: 'coupons', name: 'offers' })
export class Offer {
  @PrimaryColumn('uuid')
  id!: string;

  @Column()
  code!: string;

  @Column('uuid')
  shopperId!: string;

  @Column('uuid')
  ruleId!: string;

  @Column('jsonb')
  reward!: Reward;

  @Column('timestamptz')
  validFrom!: Date;

  @Column('timestamptz')
  validUntil!: Date;

  @Column('text')
  state!: OfferState;

  /** The profile facts that matched the rule's audience when the offer was issued. */
  @Column('jsonb')
  reason!: MatchedFact[];

  @Column()
  triggerEventId!: string;

  @Column('timestamptz')
  issuedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  redeemedAt!: Date | null;
}
