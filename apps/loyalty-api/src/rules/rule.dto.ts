import { MAX_ABS_AMOUNT_CENTS, RULE_STATUSES, RuleStatus } from '@loyalty/domain';
import { DATE_TIME_WITH_OFFSET, IsCents, IsPrintableText } from '@loyalty/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

// A field that may be left out (its default applies), but `null` is no value for it: IsOptional
// would let null through to a NOT NULL column.
const IsOmittable = (): PropertyDecorator => ValidateIf((_object, value) => value !== undefined);

const FACTS = ['lifetimeSpendCents', 'visits', 'departmentSpendCents'] as const;
const REWARD_KINDS = ['percentOff', 'amountOff'] as const;
const TARGET_SCOPES = ['basket', 'department'] as const;

export class AudienceConditionDto {
  @ApiProperty({ enum: FACTS })
  @IsIn(FACTS)
  fact!: (typeof FACTS)[number];

  @ApiPropertyOptional({ example: 'DAIRY', description: 'Required for departmentSpendCents' })
  @ValidateIf(
    (c: AudienceConditionDto) => c.fact === 'departmentSpendCents' || c.department !== undefined,
  )
  @IsString()
  @Length(1, 64)
  @IsPrintableText()
  department?: string;

  @ApiProperty({ example: 2000, description: 'The fact must be at least this (cents or count)' })
  @IsInt()
  @Min(0)
  @Max(MAX_ABS_AMOUNT_CENTS)
  atLeast!: number;
}

export class RewardTargetDto {
  @ApiProperty({ enum: TARGET_SCOPES })
  @IsIn(TARGET_SCOPES)
  scope!: (typeof TARGET_SCOPES)[number];

  @ApiPropertyOptional({ example: 'DAIRY', description: 'Required when scope is department' })
  @ValidateIf((t: RewardTargetDto) => t.scope === 'department' || t.department !== undefined)
  @IsString()
  @Length(1, 64)
  @IsPrintableText()
  department?: string;
}

export class RewardDto {
  @ApiProperty({ enum: REWARD_KINDS })
  @IsIn(REWARD_KINDS)
  kind!: (typeof REWARD_KINDS)[number];

  @ApiPropertyOptional({ example: 10, description: 'Whole percent, 1-100; for percentOff' })
  @ValidateIf((r: RewardDto) => r.kind === 'percentOff' || r.percent !== undefined)
  @IsInt()
  @Min(1)
  @Max(100)
  percent?: number;

  @ApiPropertyOptional({ example: 200, description: 'For amountOff, in cents' })
  @ValidateIf((r: RewardDto) => r.kind === 'amountOff' || r.amountCents !== undefined)
  @IsCents({ min: 1 })
  amountCents?: number;

  @ApiProperty({ type: RewardTargetDto })
  @IsObject()
  @ValidateNested()
  @Type(() => RewardTargetDto)
  target!: RewardTargetDto;
}

/** `POST /v1/rules`. Offers are issued when a shopper's profile changes and matches the audience. */
export class CreateRuleDto {
  @ApiProperty({ example: 'Dairy lovers: 10% off dairy' })
  @IsString()
  @Length(1, 120)
  @IsPrintableText()
  name!: string;

  @ApiPropertyOptional({ enum: RULE_STATUSES, default: 'active' })
  @IsOmittable()
  @IsIn(RULE_STATUSES)
  status: RuleStatus = 'active';

  @ApiProperty({ type: [AudienceConditionDto], description: 'All conditions must hold' })
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => AudienceConditionDto)
  audience!: AudienceConditionDto[];

  @ApiProperty({ type: RewardDto })
  @IsObject()
  @ValidateNested()
  @Type(() => RewardDto)
  reward!: RewardDto;

  @ApiProperty({ example: '2026-11-01T00:00:00-05:00' })
  @IsISO8601({ strict: true })
  @Matches(DATE_TIME_WITH_OFFSET, { message: '$property must be a date-time with a UTC offset' })
  validFrom!: string;

  @ApiProperty({ example: '2026-12-31T23:59:59-05:00' })
  @IsISO8601({ strict: true })
  @Matches(DATE_TIME_WITH_OFFSET, { message: '$property must be a date-time with a UTC offset' })
  @ValidateBy({
    name: 'isAfterValidFrom',
    validator: {
      validate: (value: string, args) =>
        !(Date.parse(value) <= Date.parse((args?.object as CreateRuleDto).validFrom)),
      defaultMessage: () => 'validUntil must be after validFrom',
    },
  })
  validUntil!: string;

  @ApiProperty({
    example: 14,
    description: 'Days an issued offer stays valid (capped by validUntil)',
  })
  @IsInt()
  @Min(1)
  @Max(365)
  offerValidDays!: number;

  @ApiPropertyOptional({
    example: 1,
    default: 1,
    description: 'Offers of this rule one shopper can get',
  })
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(100)
  perShopperLimit: number = 1;
}

/** `PATCH /v1/rules/:id/status`. */
export class RuleStatusDto {
  @ApiProperty({ enum: RULE_STATUSES })
  @IsIn(RULE_STATUSES)
  status!: RuleStatus;
}

export class RuleDto extends CreateRuleDto {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  createdBy!: string;

  @ApiProperty()
  createdAt!: string;

  @ApiProperty({ example: 1, description: 'Grows by one with every change' })
  version!: number;

  @ApiProperty()
  updatedAt!: string;
}
