import { MatchedFact, Reward } from '@loyalty/domain';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The issuance record: a rule's reward issued to one shopper, and why. Its state from then on is
 * kept by loyalty-api's wallet, which received it as `coupon-engine.offer-issued.v1`.
 */
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

  /** The profile facts that matched the rule's audience when the offer was issued. */
  @Column('jsonb')
  reason!: MatchedFact[];

  @Column()
  triggerEventId!: string;

  @Column('timestamptz')
  issuedAt!: Date;
}
