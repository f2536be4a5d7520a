import { AudienceCondition, Reward, RuleStatus } from '@loyalty/domain';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Marketing's coupon rule; coupon-engine reads it to issue offers. */
@Entity({ schema: 'loyalty', name: 'coupon_rules' })
export class Rule {
  @PrimaryColumn('uuid')
  id!: string;

  @Column()
  name!: string;

  @Column('text')
  status!: RuleStatus;

  @Column('jsonb')
  audience!: AudienceCondition[];

  @Column('jsonb')
  reward!: Reward;

  @Column('timestamptz')
  validFrom!: Date;

  @Column('timestamptz')
  validUntil!: Date;

  @Column()
  offerValidDays!: number;

  @Column()
  perShopperLimit!: number;

  @Column()
  createdBy!: string;

  @Column({ type: 'timestamptz', insert: false })
  createdAt!: Date;
}
