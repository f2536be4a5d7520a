import {
  LINE_DISCOUNT_SOURCES,
  LineDiscountSource,
  MAX_QUANTITY,
  TENDER_TYPES,
  TRANSACTION_TYPES,
  TenderType,
  TransactionType,
} from '@loyalty/domain';
import {
  DATE_TIME_WITH_OFFSET,
  ID_PATTERN,
  IsCardNumber,
  IsCents,
  IsPrintable,
} from '@loyalty/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  Length,
  Matches,
  Max,
  ValidateNested,
} from 'class-validator';

/** A business date (the store's trading day), `YYYY-MM-DD`. */
export const BUSINESS_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
/** An offer code as the coupon engine issues them. */
export const OFFER_CODE_PATTERN = /^[0-9A-Z]{1,32}$/;

// The shape of the v1 transaction contract. Its business rules (totals add up, no payment card
// data, no future timestamps, returns and voids name their original) are `validateTransaction`
// in libs/domain, checked by the intake after this. `record-transaction.schema.ts` compiles the
// same contract for the hot path: keep the two in step.

export class LineDiscountDto {
  @ApiProperty({ enum: LINE_DISCOUNT_SOURCES })
  @IsIn(LINE_DISCOUNT_SOURCES)
  source!: LineDiscountSource;

  @ApiProperty({ example: 50, description: 'Discount on this line, in cents (positive)' })
  @IsCents({ min: 1 })
  amountCents!: number;

  @ApiPropertyOptional({ example: 'PROMO-2FOR1' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @IsPrintable()
  reference?: string;
}

export class TransactionLineDto {
  @ApiProperty({ example: '1082185' })
  @IsString()
  @Length(1, 64)
  @IsPrintable()
  sku!: string;

  @ApiPropertyOptional({ example: 'Gouda, sliced' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @IsPrintable()
  description?: string;

  @ApiProperty({ example: 'DAIRY' })
  @IsString()
  @Length(1, 64)
  @IsPrintable()
  department!: string;

  @ApiPropertyOptional({ example: 'CHEESE' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @IsPrintable()
  category?: string;

  @ApiPropertyOptional({ example: 'National' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @IsPrintable()
  brand?: string;

  @ApiProperty({
    example: 0.532,
    description: 'Positive, also on returns; may be fractional for weighed goods',
  })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(MAX_QUANTITY)
  quantity!: number;

  @ApiProperty({ example: 846, description: 'Shelf price per unit, in cents' })
  @IsCents()
  unitPriceCents!: number;

  @ApiProperty({
    example: 450,
    description: 'What the line costs after its discounts, in cents; authoritative',
  })
  @IsCents()
  amountCents!: number;

  @ApiPropertyOptional({ type: [LineDiscountDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => LineDiscountDto)
  discounts?: LineDiscountDto[];
}

export class TenderDto {
  @ApiProperty({ enum: TENDER_TYPES })
  @IsIn(TENDER_TYPES)
  type!: TenderType;

  @ApiProperty({ example: 450 })
  @IsCents()
  amountCents!: number;
}

export class AppliedOfferDto {
  @ApiProperty({ example: 'K7Q2M9XD4T' })
  @Matches(OFFER_CODE_PATTERN)
  code!: string;

  @ApiPropertyOptional({ description: 'The loyalty API redemption, if the POS made one' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @Matches(ID_PATTERN)
  redemptionId?: string;

  @ApiProperty({ example: 45 })
  @IsCents()
  discountCents!: number;
}

/** `POST /v1/transactions`: a finished transaction as the POS reports it (contract v1). */
export class RecordTransactionDto {
  @ApiProperty({
    example: 'lane-3:000123',
    description: 'Unique within the store: the idempotency key',
  })
  @IsString()
  @Length(1, 100)
  @Matches(ID_PATTERN)
  posTransactionId!: string;

  @ApiProperty({ example: 'store-42' })
  @IsString()
  @Length(1, 32)
  @Matches(ID_PATTERN)
  storeId!: string;

  @ApiProperty({ example: 'lane-3' })
  @IsString()
  @Length(1, 32)
  @Matches(ID_PATTERN)
  terminalId!: string;

  @ApiProperty({ example: 'cashier-17' })
  @IsString()
  @Length(1, 32)
  @Matches(ID_PATTERN)
  cashierId!: string;

  @ApiProperty({ example: '2026-11-20', description: "The store's trading day" })
  @IsISO8601({ strict: true })
  @Matches(BUSINESS_DATE_PATTERN, { message: '$property must be a date (YYYY-MM-DD)' })
  businessDate!: string;

  @ApiProperty({
    example: '2026-11-20T17:42:10-05:00',
    description: 'POS clock time with its UTC offset',
  })
  @IsISO8601({ strict: true })
  @Matches(DATE_TIME_WITH_OFFSET, { message: '$property must be a date-time with a UTC offset' })
  occurredAt!: string;

  @ApiProperty({ enum: TRANSACTION_TYPES })
  @IsIn(TRANSACTION_TYPES)
  type!: TransactionType;

  @ApiPropertyOptional({
    example: 'lane-3:000100',
    description: 'Required for a return or void: what it refers to',
  })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @Matches(ID_PATTERN)
  originalPosTransactionId?: string;

  @ApiPropertyOptional({
    example: '9800000000009061',
    description: 'Our loyalty card; absent for anonymous sales',
  })
  @IsOptional()
  @IsCardNumber()
  cardNumber?: string;

  @ApiProperty({ type: [TransactionLineDto] })
  @IsArray()
  @ArrayMaxSize(1_000)
  @ValidateNested({ each: true })
  @Type(() => TransactionLineDto)
  lines!: TransactionLineDto[];

  @ApiProperty({ type: [TenderDto] })
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => TenderDto)
  tenders!: TenderDto[];

  @ApiPropertyOptional({ type: [AppliedOfferDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => AppliedOfferDto)
  appliedOffers?: AppliedOfferDto[];

  @ApiProperty({ example: 450, description: 'Sum of the line amounts, in cents' })
  @IsCents()
  totalCents!: number;
}

/** The `pos.transaction-recorded.v1` message: the accepted transaction and when it was received. */
export class TransactionRecordedDto extends RecordTransactionDto {
  @IsISO8601({ strict: true })
  receivedAt!: string;
}

export class TransactionAcceptedDto {
  @ApiProperty()
  posTransactionId!: string;

  @ApiProperty({ enum: ['accepted'] })
  status!: 'accepted';
}

export class BulkLineErrorDto {
  @ApiProperty({ example: 'lines[0].amountCents' })
  field!: string;

  @ApiProperty({ type: [String] })
  messages!: string[];
}

export class BulkLineResultDto {
  @ApiProperty({ description: 'Line number in the upload, from 1' })
  line!: number;

  @ApiPropertyOptional()
  posTransactionId?: string;

  @ApiProperty({ enum: ['accepted', 'rejected'] })
  status!: 'accepted' | 'rejected';

  @ApiPropertyOptional({ example: 'VALIDATION_FAILED' })
  code?: string;

  @ApiPropertyOptional({ type: [BulkLineErrorDto] })
  errors?: BulkLineErrorDto[];
}

export class BulkResultDto {
  @ApiProperty()
  accepted!: number;

  @ApiProperty()
  rejected!: number;

  @ApiProperty({ type: [BulkLineResultDto] })
  results!: BulkLineResultDto[];
}
