import {
  AGE_BANDS,
  CAP_PERIODS,
  CONDITION_FACTS,
  INCOME_BANDS,
  ITEM_ONLY_REWARDS,
  LIFECYCLE_SEGMENTS,
  PERSONAL_TRIGGERS,
  REWARD_KINDS,
  RULE_LIMITS,
  RULE_OPTIONAL_FIELDS,
  RULE_REQUIRED_FIELDS,
  RULE_SCHEMA_VERSION,
  RULE_STATUSES_V2,
  Rule,
  RuleStatusV2,
  STACKING_MODES,
  TIERS,
  TRIGGER_KINDS,
  WINDOWS,
} from '@loyalty/domain';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsUUID, Matches, Max, Min, ValidateIf } from 'class-validator';

// A field that may be left out, but `null` is no value for it.
const IsOmittable = (): PropertyDecorator => ValidateIf((_object, value) => value !== undefined);

const MAX_VERSION = 2_147_483_647;

const list = (values: readonly (string | number)[]) => values.join(', ');

/**
 * The body of `POST /v1/rules` and `PUT /v1/rules/{id}`, described from the domain's own
 * vocabularies so that the document follows the model without a DTO of its own.
 */
export const RULE_BODY_SCHEMA = {
  type: 'object',
  description: [
    `A coupon rule of schema version ${RULE_SCHEMA_VERSION} (the domain's rules/rule-model.ts), judged whole by its parser: every violation is answered with its path, e.g. \`audience.all[2].window\`.`,
    `Without \`id\` (the server assigns it; an edit may repeat its own); \`schemaVersion\` may be left out (${RULE_SCHEMA_VERSION}).`,
    `Required: ${list(RULE_REQUIRED_FIELDS.filter((f) => f !== 'id' && f !== 'schemaVersion'))}. Optional: ${list(RULE_OPTIONAL_FIELDS)} (usesPerOffer defaults to 1, controlShare to 0). No other key is taken.`,
    `trigger.kind: ${list(TRIGGER_KINDS)}.`,
    `audience: 'everyone' (not with the personal triggers ${list(PERSONAL_TRIGGERS)}) or a tree of {all: [...]}, {any: [...]}, {not: ...} and conditions (at most ${RULE_LIMITS.maxDepth} deep, ${RULE_LIMITS.maxConditions} conditions, no empty all/any).`,
    `Condition facts: ${list(CONDITION_FACTS)}; windows ${list(WINDOWS)}; lifecycle ${list(LIFECYCLE_SEGMENTS)}; tier ${list(TIERS)}; ageBand ${list(AGE_BANDS)}; incomeBand ${list(INCOME_BANDS)}; ranges take atLeast and/or atMost (inclusive).`,
    `Conditions on days (bought, boughtNotBought, crossSell) take withinDays 1–${RULE_LIMITS.maxDays}; crossSell takes a category and minLift 1–${RULE_LIMITS.maxLift} (a category bought within withinDays that often goes with it, at least that lift, and not the category itself).`,
    `reward.kind: ${list(REWARD_KINDS)}; reward.target: {basket: true} or one of department, category, brand, skus; ${list(ITEM_ONLY_REWARDS)} need an item target.`,
    `validity: {from, until} ISO 8601 instants with offset, from < until. offerValidDays 1–${RULE_LIMITS.maxOfferValidDays}; perHouseholdCap.period: ${list(CAP_PERIODS)}; stacking: ${list(STACKING_MODES)}; priority 0–${RULE_LIMITS.maxPriority}; controlShare 0–${RULE_LIMITS.maxControlShare}; budgetCents 1–${RULE_LIMITS.maxCents}.`,
    'No string may hold a control character, an unpaired surrogate or a payment card number.',
  ].join('\n\n'),
  additionalProperties: true,
  example: {
    name: 'Dairy lovers: 10% off dairy',
    trigger: { kind: 'profileChange' },
    audience: {
      all: [
        { fact: 'spend', window: '13w', atLeast: 5000 },
        { fact: 'tier', in: ['gold'] },
      ],
    },
    reward: { kind: 'percentOff', percent: 10, target: { department: 'DAIRY' } },
    validity: { from: '2027-01-01T00:00:00Z', until: '2027-03-31T23:59:59Z' },
    offerValidDays: 14,
    budgetCents: 250000,
    priority: 10,
    stacking: 'stackable',
  },
};

export const IDEMPOTENCY_KEY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description:
    '1 to 64 printable ASCII characters (no spaces). The same caller sending the same key and body again gets the first answer (also when both arrive at once); the same key with another body is refused (422)',
  schema: { type: 'string', pattern: '^[\\x21-\\x7E]{1,64}$' },
};

export class RuleParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id!: string;
}

export class RuleVersionParamsDto extends RuleParamsDto {
  @ApiProperty({ minimum: 1, maximum: MAX_VERSION })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_VERSION)
  version!: number;
}

/** `POST /v1/rules/{id}/status`. */
export class RuleStatusDto {
  @ApiProperty({
    enum: RULE_STATUSES_V2,
    description:
      'draft→active, active→paused, paused→active, draft|active|paused→ended; the current status answers 200 unchanged',
  })
  @IsIn(RULE_STATUSES_V2)
  status!: RuleStatusV2;
}

const CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,200}$/;

export class RuleListQueryDto {
  @ApiPropertyOptional({ enum: RULE_STATUSES_V2, description: 'Only rules with this status' })
  @IsOmittable()
  @IsIn(RULE_STATUSES_V2)
  status?: RuleStatusV2;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOmittable()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;

  @ApiPropertyOptional({
    description: 'The nextCursor of the page before',
    pattern: CURSOR_PATTERN.source,
  })
  @IsOmittable()
  @Matches(CURSOR_PATTERN, { message: '$property must be a nextCursor this route answered' })
  cursor?: string;
}

export class RuleVersionListQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOmittable()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: MAX_VERSION,
    description: 'Versions after this one (the nextCursor of the page before)',
  })
  @IsOmittable()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_VERSION)
  after?: number;
}

export class RuleDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: RULE_STATUSES_V2 })
  status!: RuleStatusV2;

  @ApiProperty({ example: 1, description: 'The current definition; an edit makes the next one' })
  version!: number;

  @ApiProperty({ example: 1, description: 'Grows by one with every change' })
  revision!: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The current definition, as the parser returned it (with id and defaults)',
  })
  rule!: Rule;

  @ApiProperty()
  createdBy!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class RuleListDto {
  @ApiProperty({ type: [RuleDto], description: 'Newest first' })
  rules!: RuleDto[];

  @ApiProperty({ nullable: true, type: String, description: 'For the next page; null at the end' })
  nextCursor!: string | null;
}

export class RuleVersionDto {
  @ApiProperty({ format: 'uuid' })
  ruleId!: string;

  @ApiProperty()
  version!: number;

  @ApiProperty({ type: 'object', additionalProperties: true })
  rule!: Rule;

  @ApiProperty()
  createdBy!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class RuleVersionSummaryDto {
  @ApiProperty()
  version!: number;

  @ApiProperty()
  name!: string;

  @ApiProperty()
  createdBy!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class RuleVersionListDto {
  @ApiProperty({ type: [RuleVersionSummaryDto], description: 'Oldest first' })
  versions!: RuleVersionSummaryDto[];

  @ApiProperty({ nullable: true, type: Number, description: 'Pass as `after`; null at the end' })
  nextCursor!: number | null;
}
