import { CARD_STATUSES, CardStatus } from '@loyalty/domain';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsUUID,
  Matches,
  Min,
  ValidateNested,
} from 'class-validator';

// loyalty-api's household events as pos-ingest relies on them; anything else is poison.

class HouseholdCardDto {
  @Matches(/^\d{12,19}$/)
  cardNumber!: string;

  @IsIn(CARD_STATUSES)
  status!: CardStatus;
}

class ConsentDto {
  @IsBoolean()
  email!: boolean;

  @IsBoolean()
  sms!: boolean;

  @IsBoolean()
  personalisedOffers!: boolean;

  @IsBoolean()
  profiling!: boolean;
}

export class HouseholdChangedDto {
  @IsUUID()
  householdId!: string;

  @IsInt()
  @Min(1)
  version!: number;

  @IsISO8601({ strict: true })
  changedAt!: string;

  @ValidateNested({ each: true })
  @ArrayMaxSize(100)
  @Type(() => HouseholdCardDto)
  cards!: HouseholdCardDto[];

  @IsOptional()
  @IsUUID()
  mergedInto!: string | null;

  @IsBoolean()
  registered!: boolean;

  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  enrolledOn!: string | null;

  @IsOptional()
  @Matches(/^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/)
  birthday!: string | null;

  @IsOptional()
  @Matches(/^[A-Za-z0-9._:-]{1,32}$/)
  homeStoreId!: string | null;

  @ValidateNested()
  @Type(() => ConsentDto)
  consent!: ConsentDto;
}

export class ShopperErasedDto {
  @IsUUID()
  householdId!: string;

  @IsISO8601({ strict: true })
  erasedAt!: string;
}
