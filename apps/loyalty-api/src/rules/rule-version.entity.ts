import { Rule } from '@loyalty/domain';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One definition of a rule, as `parseRule` returned it; written once, never updated. */
@Entity({ schema: 'loyalty', name: 'rule_versions' })
export class RuleVersion {
  @PrimaryColumn('uuid')
  ruleId!: string;

  @PrimaryColumn()
  version!: number;

  @Column('jsonb')
  definition!: Rule;

  @Column()
  createdBy!: string;

  @Column('timestamptz')
  createdAt!: Date;
}
