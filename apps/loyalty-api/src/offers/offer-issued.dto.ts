import {
  OfferIssuedV2,
  RULE_LIMITS,
  STACKING_MODES,
  StackingMode,
  parseReward,
} from '@loyalty/domain';
import { PoisonMessageError } from '@loyalty/kafka';
import { parseMessage } from '@loyalty/platform';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Min,
  ValidateNested,
} from 'class-validator';

// `coupon-engine.offer-issued.v2` as the wallet relies on it: the envelope here, the reward judged
// by the domain's parser, as in the rule it came from. Anything else is poison (dead-lettered).

class OfferTermsDto {
  @IsInt()
  @Min(1)
  usesPerOffer!: number;

  @IsOptional()
  @ArrayMaxSize(RULE_LIMITS.maxStores)
  @IsString({ each: true })
  @Length(1, RULE_LIMITS.maxIdLength, { each: true })
  stores!: string[] | null;

  @IsInt()
  priority!: number;

  @IsIn(STACKING_MODES)
  stacking!: StackingMode;

  @IsOptional()
  @IsString()
  @Length(1, RULE_LIMITS.maxIdLength)
  stackingGroup!: string | null;

  @IsOptional()
  @IsInt()
  @Min(0)
  budgetCents!: number | null;

  @IsOptional()
  @IsBoolean()
  clipRequired?: boolean;
}

class OfferIssuedEnvelopeDto {
  @IsUUID()
  offerId!: string;

  @IsString()
  @Matches(/^[0-9A-Z]{1,32}$/)
  code!: string;

  @IsUUID()
  householdId!: string;

  @IsUUID()
  ruleId!: string;

  @IsInt()
  @Min(1)
  ruleVersion!: number;

  @IsObject()
  reward!: object;

  @IsISO8601({ strict: true })
  validFrom!: string;

  @IsISO8601({ strict: true })
  validUntil!: string;

  @IsISO8601({ strict: true })
  issuedAt!: string;

  @IsObject()
  @ValidateNested()
  @Type(() => OfferTermsDto)
  terms!: OfferTermsDto;

  @IsObject()
  reason!: object;
}

export function parseOfferIssued(value: Buffer | null): OfferIssuedV2 {
  const offer = parseMessage(OfferIssuedEnvelopeDto, value) as unknown as OfferIssuedV2;
  const reward = parseReward(offer.reward);
  if (!reward.ok)
    throw new PoisonMessageError(
      reward.violations.map((v) => `reward${v.field ? `.${v.field}` : ''}: ${v.rule}`).join('; '),
    );
  return offer;
}
