import { Type } from 'class-transformer';
import {
  IsISO8601,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Min,
  ValidateNested,
} from 'class-validator';

// The parts of the event contracts this app relies on; anything else makes a message poison.
class ProfileDto {
  @IsUUID()
  shopperId!: string;

  @IsInt()
  lifetimeSpendCents!: number;

  @IsInt()
  @Min(0)
  visits!: number;

  @IsOptional()
  @IsISO8601()
  firstVisitAt!: string | null;

  @IsOptional()
  @IsISO8601()
  lastVisitAt!: string | null;

  @IsObject()
  spendByDepartmentCents!: Record<string, number>;

  @IsInt()
  pointsBalance!: number;
}

export class ProfileChangedDto {
  @IsString()
  eventId!: string;

  @IsISO8601()
  changedAt!: string;

  @ValidateNested()
  @Type(() => ProfileDto)
  profile!: ProfileDto;
}
