import { IsCardNumber, IsPrintableText } from '@loyalty/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, IsUUID, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { ConsentChangeDto, ConsentDto, HouseholdDto } from './household.dto';
import { IsOmittable, IsReason } from './identity-fields';

/** A staff read of identity names why (audited). */
export class ReasonQueryDto {
  @IsReason()
  reason!: string;
}

/** `GET /v1/support/households`: exactly one of card, phone or email, and why. */
export class HouseholdLookupQueryDto extends ReasonQueryDto {
  @ApiPropertyOptional({ example: '9800000000009061', pattern: '^\\d{12,19}$' })
  @IsOmittable()
  @IsCardNumber()
  card?: string;

  @ApiPropertyOptional({
    example: '07911 123456',
    maxLength: 32,
    description: 'Normalised as stored (E.164, DEFAULT_PHONE_REGION without a +code)',
  })
  @IsOmittable()
  @IsString()
  @Length(3, 32)
  @IsPrintableText()
  phone?: string;

  @ApiPropertyOptional({ example: 'ann.lee@example.com', maxLength: 254 })
  @IsOmittable()
  @IsString()
  @Length(3, 254)
  @IsPrintableText()
  email?: string;
}

export class CardParamsDto {
  @ApiProperty({ example: '9800000000009061', pattern: '^\\d{12,19}$' })
  @IsCardNumber()
  cardNumber!: string;
}

export class TransactionsQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOmittable()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;

  @ApiPropertyOptional({ description: 'The nextCursor of the page before', maxLength: 200 })
  @IsOmittable()
  @IsString()
  @MaxLength(200)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: '$property must be a nextCursor this route answered' })
  cursor?: string;
}

export class TransactionLineDto {
  @ApiProperty()
  sku!: string;

  @ApiPropertyOptional()
  description?: string;

  @ApiProperty()
  department!: string;

  @ApiProperty()
  quantity!: number;

  @ApiProperty()
  unitPriceCents!: number;

  @ApiProperty()
  amountCents!: number;
}

export class TransactionDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  storeId!: string;

  @ApiProperty()
  posTransactionId!: string;

  @ApiProperty({ example: '2026-11-20' })
  businessDate!: string;

  @ApiProperty()
  occurredAt!: string;

  @ApiProperty({ enum: ['sale', 'return', 'void'] })
  type!: string;

  @ApiProperty({ nullable: true, type: String })
  originalPosTransactionId!: string | null;

  @ApiProperty()
  totalCents!: number;

  @ApiProperty({ description: 'Cancelled by a void' })
  voided!: boolean;

  @ApiProperty({ type: [TransactionLineDto] })
  lines!: TransactionLineDto[];
}

export class TransactionPageDto {
  @ApiProperty({ type: [TransactionDto], description: 'Newest first' })
  items!: TransactionDto[];

  @ApiProperty({ nullable: true, type: String, description: 'For the next page; null at the end' })
  nextCursor!: string | null;
}

export class HouseholdListDto {
  @ApiProperty({ type: [HouseholdDto] })
  households!: HouseholdDto[];
}

export class ConsentWithHistoryDto extends ConsentDto {
  @ApiProperty({ type: [ConsentChangeDto] })
  history!: ConsentChangeDto[];
}

export class HouseholdFactsDto {
  @ApiProperty({ format: 'uuid' })
  householdId!: string;

  @ApiProperty()
  registered!: boolean;

  @ApiProperty({ nullable: true, type: String })
  enrolledOn!: string | null;

  @ApiProperty({ nullable: true, type: String })
  homeStoreId!: string | null;

  @ApiProperty()
  cards!: number;

  @ApiProperty()
  members!: number;

  @ApiProperty({ type: ConsentDto })
  consent!: ConsentDto;

  @ApiProperty()
  pointsBalance!: number;

  @ApiProperty({
    type: Object,
    nullable: true,
    description:
      "pos-ingest's profile facts (tier, spend and visit windows, RFM, lifecycle, cadence, top departments, favourite stores); null without consent to profiling",
  })
  profile!: object | null;
}

export class HouseholdParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id!: string;
}

export class HouseholdCardParamsDto extends HouseholdParamsDto {
  @ApiProperty({ example: '9800000000009061', pattern: '^\\d{12,19}$' })
  @IsCardNumber()
  cardNumber!: string;
}

export class MergeParamsDto {
  @ApiProperty({ format: 'uuid', description: 'The household that stays' })
  @IsUUID()
  targetId!: string;
}
