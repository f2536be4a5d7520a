import { AudienceCondition, Reward, RuleStatus } from '@loyalty/domain';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Marketing's coupon rule; every change reaches coupon-engine as `loyalty-api.rule-changed.v1`. */
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

  /** Grows by one with every change; the events carry it so copies keep the newest. */
  @Column()
  version!: number;

  @Column('timestamptz')
  updatedAt!: Date;
}
