import { RuleStatusV2 } from '@loyalty/domain';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A coupon rule's state; its definitions are its `RuleVersion`s, the current one `version`. */
@Entity({ schema: 'loyalty', name: 'rules' })
export class Rule {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  status!: RuleStatusV2;

  @Column()
  version!: number;

  /** Grows by one with every change (a new version or a status change). */
  @Column()
  revision!: number;

  /** The current version's name, for lists. */
  @Column()
  name!: string;

  @Column()
  createdBy!: string;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz')
  updatedAt!: Date;
}
