import { IsPrintableText } from '@loyalty/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  NotEquals,
} from 'class-validator';

/** The most points one adjustment may move, whatever the agent's daily limit. */
export const MAX_ADJUSTMENT_POINTS = 1_000_000;

export class HouseholdParamsDto {
  @ApiProperty({ format: 'uuid', description: 'The household' })
  @IsUUID()
  id!: string;
}

/** A page of the ledger, newest first: pass the previous page's `nextCursor` as `before`. */
export class LedgerPageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({
    pattern: '^[1-9][0-9]{0,17}$',
    description: "The previous page's nextCursor: entries older than it",
  })
  @IsOptional()
  @IsString()
  @Matches(/^[1-9][0-9]{0,17}$/, { message: '$property must be a cursor from a previous page' })
  before?: string;
}

export class PointsAdjustmentRequestDto {
  @ApiProperty({
    format: 'uuid',
    description:
      'Chosen by the client for this adjustment: a retry with the same id gets the original answer; another body with it is 409 POINTS_CAUSE_REUSED',
  })
  @IsUUID()
  adjustmentId!: string;

  @ApiProperty({
    minimum: -MAX_ADJUSTMENT_POINTS,
    maximum: MAX_ADJUSTMENT_POINTS,
    example: 250,
    description:
      'Points to give (goodwill, within your daily limit) or, negative, to take back (never below a balance of 0); not 0',
  })
  @IsInt()
  @Min(-MAX_ADJUSTMENT_POINTS)
  @Max(MAX_ADJUSTMENT_POINTS)
  @NotEquals(0)
  points!: number;

  @ApiProperty({ minLength: 3, maxLength: 500, example: 'Missing points for a receipt from 3 May' })
  @IsString()
  @Length(3, 500)
  @IsPrintableText()
  @Matches(/\S/, { message: '$property must not be blank' })
  reason!: string;
}

export class PointsAdjustmentDto {
  @ApiProperty({ format: 'uuid' })
  adjustmentId!: string;

  @ApiProperty({ format: 'uuid' })
  householdId!: string;

  @ApiProperty()
  points!: number;

  @ApiProperty()
  reason!: string;

  @ApiProperty({ description: 'The subject of the agent who made it' })
  agent!: string;

  @ApiProperty({ format: 'date-time' })
  occurredAt!: string;
}

export class PointsEntryDto {
  @ApiProperty({ description: 'Also the cursor of the entries older than it' })
  id!: string;

  @ApiProperty({ enum: ['earn', 'reverse', 'adjust', 'expire', 'redeem', 'transfer'] })
  kind!: string;

  @ApiProperty({ description: 'Positive adds to the balance, negative takes from it' })
  points!: number;

  @ApiProperty({ format: 'date-time', description: 'When its cause happened' })
  occurredAt!: string;

  @ApiProperty({ format: 'date-time' })
  recordedAt!: string;
}

/** What support sees of an entry: its cause, and for an adjustment who made it and why. */
export class SupportPointsEntryDto extends PointsEntryDto {
  @ApiProperty({ example: 'transaction' })
  sourceType!: string;

  @ApiProperty({ example: 'store-42:000124' })
  sourceId!: string;

  @ApiProperty({ type: String, nullable: true })
  agent!: string | null;

  @ApiProperty({ type: String, nullable: true })
  reason!: string | null;
}

export class PointsStatementDto {
  @ApiProperty({ format: 'uuid' })
  householdId!: string;

  @ApiProperty()
  balance!: number;

  @ApiProperty({ type: [PointsEntryDto], description: 'Newest first' })
  entries!: PointsEntryDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `before` for the next page; null on the last',
  })
  nextCursor!: string | null;
}

export class SupportPointsStatementDto extends PointsStatementDto {
  @ApiProperty({ type: [SupportPointsEntryDto], description: 'Newest first' })
  declare entries: SupportPointsEntryDto[];
}

export class PointsLiabilityDto {
  @ApiProperty({ format: 'date-time' })
  asOf!: string;

  @ApiProperty({ description: 'Points held by households (a household in debt counts 0)' })
  outstandingPoints!: number;

  @ApiProperty({ description: 'What they are worth, in cents' })
  outstandingValueCents!: number;

  @ApiProperty({ description: 'POINT_VALUE_CENTS_PER_100_POINTS' })
  centsPer100Points!: number;

  @ApiProperty({
    description:
      'Points that will have expired 30 days from now (also those already due that the daily pass has not booked yet)',
  })
  expiringWithin30Days!: number;

  @ApiProperty({ description: 'The same for 90 days' })
  expiringWithin90Days!: number;
}
