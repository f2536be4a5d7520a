import {
  AGE_BANDS,
  AgeBand,
  INCOME_BANDS,
  IncomeBand,
  LIFECYCLE_SEGMENTS,
  LifecycleSegment,
  RANGE_LIMITS,
  TIERS,
  Tier,
} from '@loyalty/domain';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsUUID,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

// The events the engine's copy of household facts is kept from, as far as it relies on them;
// anything else is poison.

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const HOUSEHOLD_SIZES = RANGE_LIMITS.householdSize;

class ProfileFactsDto {
  @IsInt() spend4wCents!: number;
  @IsInt() @Min(0) visits4w!: number;
  @IsInt() spend13wCents!: number;
  @IsInt() @Min(0) visits13w!: number;
  @IsInt() spend52wCents!: number;
  @IsInt() @Min(0) visits52w!: number;
  @IsOptional() @IsInt() averageBasket52wCents!: number | null;
  @IsOptional() @IsNumber() cadenceDays!: number | null;
  @IsOptional() @Matches(DATE) nextVisitDueOn!: string | null;
  @IsOptional() @IsInt() rScore!: number | null;
  @IsOptional() @IsInt() fScore!: number | null;
  @IsOptional() @IsInt() mScore!: number | null;
  @IsOptional() @IsIn(LIFECYCLE_SEGMENTS) lifecycle!: LifecycleSegment | null;
  @IsOptional() @Matches(DATE) lifecycleSince!: string | null;
  @IsIn(TIERS) tier!: Tier;
  @IsOptional() @Matches(DATE) tierSince!: string | null;
  @IsOptional() @IsInt() daysSinceLastVisit!: number | null;
  @IsOptional() @IsInt() birthdayInDays!: number | null;
}

export class ProfileChangedV2Dto {
  @IsUUID()
  householdId!: string;

  @Matches(DATE)
  factsAsOf!: string;

  @ValidateNested()
  @Type(() => ProfileFactsDto)
  facts!: ProfileFactsDto;
}

class ConsentDto {
  @IsBoolean()
  personalisedOffers!: boolean;
}

class DemographicsDto {
  @IsOptional()
  @IsIn(AGE_BANDS)
  ageBand!: AgeBand | null;

  @IsOptional()
  @IsInt()
  @Min(HOUSEHOLD_SIZES[0])
  @Max(HOUSEHOLD_SIZES[1])
  householdSize!: number | null;

  @IsOptional()
  @IsIn(INCOME_BANDS)
  incomeBand!: IncomeBand | null;
}

export class HouseholdChangedDto {
  @IsUUID()
  householdId!: string;

  @IsInt()
  @Min(1)
  version!: number;

  @IsOptional()
  @IsUUID()
  mergedInto!: string | null;

  @IsOptional()
  @Matches(DATE)
  enrolledOn!: string | null;

  @IsOptional()
  @Matches(/^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/)
  birthday!: string | null;

  @IsOptional()
  @Matches(/^[A-Za-z0-9._:-]{1,32}$/)
  homeStoreId!: string | null;

  /** Absent from events written before demographics travelled. */
  @IsOptional()
  @ValidateNested()
  @Type(() => DemographicsDto)
  demographics?: DemographicsDto;

  @ValidateNested()
  @Type(() => ConsentDto)
  consent!: ConsentDto;

  @IsISO8601({ strict: true })
  changedAt!: string;
}

export class LifecycleChangedDto {
  @IsUUID()
  householdId!: string;

  @IsOptional()
  @IsIn(LIFECYCLE_SEGMENTS)
  from!: LifecycleSegment | null;

  @IsIn(LIFECYCLE_SEGMENTS)
  to!: LifecycleSegment;

  @Matches(DATE)
  on!: string;
}
