import { MAX_ABS_AMOUNT_CENTS } from '@loyalty/domain';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsISO8601,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

// The parts of `coupon-engine.offer-issued.v1` the wallet relies on; anything else makes the
// message poison (dead-lettered), so nothing the checkout cannot price enters the wallet.

class RewardTargetDto {
  @IsIn(['basket', 'department'])
  scope!: 'basket' | 'department';

  @ValidateIf((t: RewardTargetDto) => t.scope === 'department')
  @IsString()
  @Length(1, 64)
  department?: string;
}

class RewardDto {
  @IsIn(['percentOff', 'amountOff'])
  kind!: 'percentOff' | 'amountOff';

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

export class OfferIssuedDto {
  @IsUUID()
  offerId!: string;

  @IsString()
  @Matches(/^[0-9A-Z]{1,32}$/)
  code!: string;

  @IsUUID()
  shopperId!: string;

  @IsUUID()
  ruleId!: string;

  @IsObject()
  @ValidateNested()
  @Type(() => RewardDto)
  reward!: RewardDto;

  @IsISO8601({ strict: true })
  validFrom!: string;

  @IsISO8601({ strict: true })
  validUntil!: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  issuedAt?: string;

  @IsArray()
  reason!: unknown[];
}
