import { MAX_ABS_AMOUNT_CENTS, RULE_STATUSES } from '@loyalty/domain';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsISO8601,
  IsInt,
  IsObject,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

// The parts of `loyalty-api.rule-changed.v1` the engine relies on; anything else makes the
// message poison (dead-lettered), so no rule the engine cannot evaluate enters its copy.

class AudienceConditionDto {
  @IsIn(['lifetimeSpendCents', 'visits', 'departmentSpendCents'])
  fact!: string;

  @ValidateIf((c: AudienceConditionDto) => c.fact === 'departmentSpendCents')
  @IsString()
  @Length(1, 64)
  department?: string;

  @IsInt()
  @Min(0)
  atLeast!: number;
}

class RewardTargetDto {
  @IsIn(['basket', 'department'])
  scope!: string;

  @ValidateIf((t: RewardTargetDto) => t.scope === 'department')
  @IsString()
  @Length(1, 64)
  department?: string;
}

class RewardDto {
  @IsIn(['percentOff', 'amountOff'])
  kind!: string;

  @ValidateIf((r: RewardDto) => r.kind === 'percentOff')
  @IsInt()
  @Min(1)
  @Max(100)
  percent?: number;

  @ValidateIf((r: RewardDto) => r.kind === 'amountOff')
  @IsInt()
  @Min(1)
  @Max(MAX_ABS_AMOUNT_CENTS)
  amountCents?: number;

  @IsObject()
  @ValidateNested()
  @Type(() => RewardTargetDto)
  target!: RewardTargetDto;
}

class CouponRuleDto {
  @IsUUID()
  id!: string;

  @IsString()
  name!: string;

  @IsIn(RULE_STATUSES)
  status!: string;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => AudienceConditionDto)
  audience!: AudienceConditionDto[];

  @IsObject()
  @ValidateNested()
  @Type(() => RewardDto)
  reward!: RewardDto;

  @IsISO8601({ strict: true })
  validFrom!: string;

  @IsISO8601({ strict: true })
  validUntil!: string;

  @IsInt()
  @Min(1)
  offerValidDays!: number;

  @IsInt()
  @Min(1)
  perShopperLimit!: number;
}

export class RuleChangedDto {
  @IsObject()
  @ValidateNested()
  @Type(() => CouponRuleDto)
  rule!: CouponRuleDto;

  @IsInt()
  @Min(1)
  version!: number;

  @IsISO8601({ strict: true })
  changedAt!: string;
}
