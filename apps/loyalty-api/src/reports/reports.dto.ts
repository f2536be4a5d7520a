import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsISO8601, IsInt, Matches, Max, Min } from 'class-validator';
import { IsOmittable, IsStoreId } from '../shoppers/identity-fields';

export const REPORT_FORMATS = ['json', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const IsDay = (required: boolean, description: string): PropertyDecorator =>
  applyDecorators(
    (required ? ApiProperty : ApiPropertyOptional)({
      example: '2026-11-01',
      format: 'date',
      description,
    }),
    ...(required ? [] : [IsOmittable()]),
    Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '$property must be a date YYYY-MM-DD' }),
    IsISO8601({ strict: true }, { message: '$property must be a calendar date' }),
  );

class FormatQueryDto {
  @ApiPropertyOptional({ enum: REPORT_FORMATS, default: 'json', description: 'csv: a download' })
  @IsOmittable()
  @IsIn(REPORT_FORMATS)
  format: ReportFormat = 'json';
}

export const SALES_DIMENSIONS = ['store', 'region', 'day', 'hour', 'weekday'] as const;
export type SalesDimension = (typeof SALES_DIMENSIONS)[number];

/** A range of business days. */
class BusinessDaysQueryDto extends FormatQueryDto {
  @IsDay(true, 'The first business day, inclusive')
  from!: string;

  @IsDay(true, 'The last business day, inclusive; at most 366 days after from')
  to!: string;
}

export class SalesReportQueryDto extends BusinessDaysQueryDto {
  @ApiProperty({
    enum: SALES_DIMENSIONS,
    description:
      "One row per store, region (of the store register; 'unknown' for a store not registered), business day, hour of the POS clock, or ISO weekday (1 Monday)",
  })
  @IsIn(SALES_DIMENSIONS)
  by!: SalesDimension;

  @IsStoreId()
  storeId?: string;
}

/** Sales and returns of some transactions, and what they came to. */
export class SalesSumsDto {
  @ApiProperty({ description: 'Sales (visits)' })
  sales!: number;

  @ApiProperty({ description: 'What the sales took, minor units' })
  salesCents!: number;

  @ApiProperty()
  returns!: number;

  @ApiProperty({ description: 'What returns refunded, minor units' })
  returnsCents!: number;

  @ApiProperty({ description: 'salesCents less returnsCents' })
  netCents!: number;

  @ApiProperty({ nullable: true, type: Number, description: 'salesCents / sales' })
  averageBasketCents!: number | null;
}

export class SalesRowDto extends SalesSumsDto {
  @ApiProperty({
    example: 'store-42',
    description: 'The store, region, day, hour (0-23) or weekday (1-7)',
  })
  key!: string;

  @ApiProperty({ description: 'Sales with a loyalty card' })
  cardedSales!: number;

  @ApiProperty({ description: 'What sales with a card took, minor units' })
  cardedSalesCents!: number;

  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Loyalty penetration: the share of sales with a card (0 to 1); null without sales',
  })
  cardedShare!: number | null;
}

export class SalesReportDto {
  @ApiProperty()
  from!: string;

  @ApiProperty()
  to!: string;

  @ApiProperty({ enum: SALES_DIMENSIONS })
  by!: string;

  @ApiProperty({ type: [SalesRowDto] })
  rows!: SalesRowDto[];

  @ApiProperty({ type: SalesRowDto, description: 'The whole range' })
  total!: SalesRowDto;
}

export const BAND_DIMENSIONS = ['ageBand', 'householdSize', 'incomeBand'] as const;
export type BandDimension = (typeof BAND_DIMENSIONS)[number];

export class DemographicsReportQueryDto extends BusinessDaysQueryDto {
  @ApiProperty({
    enum: BAND_DIMENSIONS,
    description: "One row per band the households declared, and 'unknown'",
  })
  @IsIn(BAND_DIMENSIONS)
  by!: BandDimension;
}

export class BandRowDto extends SalesSumsDto {
  @ApiProperty({
    example: '35-44',
    description:
      "The age band, household size (1-9, 9: nine or more) or income band; 'unknown': not declared (or a card never enrolled)",
  })
  band!: string;

  @ApiProperty({ description: 'Enrolled households that declare this band today' })
  households!: number;

  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Of the net sales with a card, 0 to 1; null without any',
  })
  shareOfNet!: number | null;
}

export class DemographicsReportDto {
  @ApiProperty()
  from!: string;

  @ApiProperty()
  to!: string;

  @ApiProperty({ enum: BAND_DIMENSIONS })
  by!: string;

  @ApiProperty({ type: [BandRowDto], description: "In the band's order, 'unknown' last" })
  rows!: BandRowDto[];
}

export class SegmentsQueryDto extends FormatQueryDto {
  @IsDay(false, 'The day of the snapshot (the latest on or before it); default: the latest')
  asOf?: string;
}

export class SegmentRowDto {
  @ApiProperty({
    enum: ['lifecycle', 'r', 'f', 'm'],
    description: 'Lifecycle segment, or recency, frequency or monetary score',
  })
  dimension!: string;

  @ApiProperty({
    example: 'active',
    description: 'The segment (`none` before a first visit), or the score (1-5; 0: none yet)',
  })
  value!: string;

  @ApiProperty()
  households!: number;

  @ApiProperty({ description: 'Of the households profiled, 0 to 1' })
  share!: number;

  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'A week before; null without a snapshot then',
  })
  previousHouseholds!: number | null;

  @ApiProperty({ nullable: true, type: Number, description: 'households less previousHouseholds' })
  change!: number | null;
}

export class MoveRowDto {
  @ApiProperty({ example: 'active' })
  from!: string;

  @ApiProperty({ example: 'lapsing' })
  to!: string;

  @ApiProperty({ description: 'Households that moved so in the 7 days up to asOf' })
  households!: number;
}

export class SegmentsReportDto {
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The snapshot shown; null before the first',
  })
  asOf!: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'The snapshot a week before, if any' })
  comparedWith!: string | null;

  @ApiProperty({ type: [SegmentRowDto] })
  rows!: SegmentRowDto[];

  @ApiProperty({ type: [MoveRowDto], description: 'Lifecycle moves in the 7 days up to asOf' })
  moves!: MoveRowDto[];
}

export class CampaignsQueryDto extends FormatQueryDto {
  @IsDay(true, 'Offers issued from this day (programme time), inclusive')
  from!: string;

  @IsDay(true, 'To this day, inclusive; at most 366 days after from')
  to!: string;

  @ApiPropertyOptional({ enum: [0.9, 0.95, 0.99], default: 0.95 })
  @IsOmittable()
  @Type(() => Number)
  @IsIn([0.9, 0.95, 0.99])
  confidence: 0.9 | 0.95 | 0.99 = 0.95;
}

export class CampaignRowDto {
  @ApiProperty({ format: 'uuid' })
  ruleId!: string;

  @ApiProperty({ nullable: true, type: String })
  name!: string | null;

  @ApiProperty({ description: 'Offers issued in the range' })
  issued!: number;

  @ApiProperty()
  clipped!: number;

  @ApiProperty({ description: 'Of those offers, redeemed and not cancelled by a void or return' })
  redeemed!: number;

  @ApiProperty({ description: 'The discount given, less what returns gave back, minor units' })
  discountCents!: number;

  @ApiProperty({ nullable: true, type: Number, description: 'redeemed / issued' })
  redemptionRate!: number | null;

  @ApiProperty({ description: 'Households that got an offer' })
  treatedHouseholds!: number;

  @ApiProperty({ description: 'Households held out of the rule (its control group)' })
  controlHouseholds!: number;

  @ApiProperty({
    description: 'Spend per treated household from the first issue to `to`, minor units',
  })
  treatedSpendCents!: number;

  @ApiProperty({ description: 'The same of the control group' })
  controlSpendCents!: number;

  @ApiProperty({ description: 'treatedSpendCents less controlSpendCents' })
  incrementalSpendCentsPerHousehold!: number;

  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Its confidence interval; null without two households in each group',
  })
  incrementalLowCents!: number | null;

  @ApiProperty({ nullable: true, type: Number })
  incrementalHighCents!: number | null;

  @ApiProperty({ description: 'The incremental spend times the treated households' })
  incrementalSpendCents!: number;
}

export class CampaignsReportDto {
  @ApiProperty()
  from!: string;

  @ApiProperty()
  to!: string;

  @ApiProperty()
  confidence!: number;

  @ApiProperty({ type: [CampaignRowDto], description: 'The 100 rules with the most offers issued' })
  rows!: CampaignRowDto[];
}

export class ForecastQueryDto extends FormatQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 13, default: 4, description: 'Weeks to forecast' })
  @IsOmittable()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(13)
  weeks: number = 4;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 13,
    default: 4,
    description: 'Weeks held out to judge the model',
  })
  @IsOmittable()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(13)
  heldOut: number = 4;

  @IsStoreId()
  storeId?: string;
}

export class ForecastRowDto {
  @ApiProperty()
  storeId!: string;

  @ApiProperty({
    type: [Number],
    description:
      'Net sales of the last 52 full weeks (Monday to Sunday), oldest first, minor units',
  })
  history!: number[];

  @ApiProperty({ type: [Number], description: 'The next weeks, minor units' })
  forecast!: number[];

  @ApiProperty({
    nullable: true,
    type: Number,
    description: "The model's mean absolute error on the held-out weeks",
  })
  heldOutMaeCents!: number | null;

  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Its mean absolute percentage error (0.1: 10 %)',
  })
  heldOutMape!: number | null;

  @ApiProperty({
    nullable: true,
    type: Number,
    description: "The naive forecast's (last week again), for comparison",
  })
  naiveMape!: number | null;
}

export class ForecastReportDto {
  @ApiProperty({ description: 'The Monday of the first forecast week' })
  firstWeek!: string;

  @ApiProperty({ type: [ForecastRowDto] })
  rows!: ForecastRowDto[];
}
