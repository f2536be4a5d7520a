import {
  LEFT_OUT_REASONS,
  LeftOutReason,
  MAX_ABS_AMOUNT_CENTS,
  MAX_QUANTITY,
  RECEIPT_MESSAGE_KINDS,
  TIERS,
  Tier,
  ReceiptMessageKind,
} from '@loyalty/domain';
import { ID_PATTERN, IsCardNumber, IsCents, IsPrintableText } from '@loyalty/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

export class BasketLineDto {
  @ApiProperty({ example: '1082185' })
  @IsString()
  @Length(1, 64)
  @IsPrintableText()
  sku!: string;

  @ApiProperty({ example: 'DAIRY' })
  @IsString()
  @Length(1, 64)
  @IsPrintableText()
  department!: string;

  @ApiPropertyOptional({
    example: 'CHEESE',
    description: "The product's category, for offers on it",
  })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @IsPrintableText()
  category?: string;

  @ApiPropertyOptional({ example: 'PRIVATE', description: "The product's brand, for offers on it" })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @IsPrintableText()
  brand?: string;

  @ApiProperty({ example: 2 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-MAX_QUANTITY)
  @Max(MAX_QUANTITY)
  quantity!: number;

  @ApiProperty({ example: 398, description: 'Line amount in cents, as the POS computed it' })
  @IsCents({ min: -MAX_ABS_AMOUNT_CENTS })
  amountCents!: number;
}

/** Points one checkout may spend: far above any balance, a bound on the number. */
export const MAX_POINTS_TO_SPEND = 100_000_000;

/** A card and its basket, as the quote and the redemption take them. */
export class BasketRequestDto {
  @ApiProperty({
    example: '9800000000009061',
    pattern: '^\\d{12,19}$',
    description:
      'Our loyalty card: 12-19 digits with a Luhn check digit, starting LOYALTY_CARD_PREFIX (any other Luhn-valid number is a payment card: 400 PAYMENT_CARD_DATA)',
  })
  @IsCardNumber()
  cardNumber!: string;

  @ApiProperty({ type: [BasketLineDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1_000)
  @ValidateNested({ each: true })
  @Type(() => BasketLineDto)
  lines!: BasketLineDto[];
}

/** `POST /v1/checkout/quote`: what the shopper's offers give on this basket. */
export class QuoteRequestDto extends BasketRequestDto {
  @ApiPropertyOptional({
    description:
      "Hold the offers that apply for this sale (posTransactionId) for CHECKOUT_RESERVATION_SECONDS (120 s by default): no other checkout may use them meanwhile, and they count against their rules' budgets and caps. Quoting the sale again with reserve replaces its holds; the redemption uses them; DELETE /v1/checkout/reservations/{posTransactionId} or the time frees them",
  })
  @IsOptional()
  @IsBoolean()
  reserve?: boolean;

  @ApiPropertyOptional({
    example: 'store-42:lane-3:000124',
    description: 'The sale the offers are held for: required with reserve',
  })
  @ValidateIf((dto: QuoteRequestDto) => dto.reserve === true || dto.posTransactionId !== undefined)
  @IsString()
  @Length(1, 100)
  @Matches(ID_PATTERN)
  posTransactionId?: string;
}

/** `DELETE /v1/checkout/reservations/{posTransactionId}`. */
export class ReservationParamsDto {
  @ApiProperty({ example: 'store-42:lane-3:000124', description: 'The sale whose holds to free' })
  @IsString()
  @Length(1, 100)
  @Matches(ID_PATTERN)
  posTransactionId!: string;
}

/** `POST /v1/checkout/redemptions`: use these offers on this basket, at most once each. */
export class RedeemRequestDto extends BasketRequestDto {
  @ApiProperty({
    example: 'store-42:lane-3:000124',
    description: 'The sale the offers are used on',
  })
  @IsString()
  @Length(1, 100)
  @Matches(ID_PATTERN)
  posTransactionId!: string;

  @ApiProperty({
    example: ['K7Q2M9XD4T'],
    description: 'The offers to use; may be empty when the basket is paid in part with points',
  })
  @IsArray()
  @ValidateBy({
    name: 'offersOrPoints',
    validator: {
      validate: (codes: unknown, args) =>
        !Array.isArray(codes) ||
        codes.length > 0 ||
        (args?.object as RedeemRequestDto).pointsToSpend !== undefined,
      defaultMessage: () => 'offerCodes must name an offer, unless pointsToSpend is given',
    },
  })
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsString({ each: true })
  @Matches(/^[0-9A-Z]{1,32}$/, {
    each: true,
    message: 'each of $property must be an offer code (A-Z, 0-9)',
  })
  offerCodes!: string[];

  @ApiPropertyOptional({
    example: 500,
    minimum: 1,
    maximum: MAX_POINTS_TO_SPEND,
    description:
      "Points the shopper pays with, at the programme's rate (POINT_VALUE_CENTS_PER_100_POINTS): never worth more than the total after the offers, never more than the household's balance",
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_POINTS_TO_SPEND)
  pointsToSpend?: number;
}

export class LineDiscountDto {
  @ApiProperty()
  lineIndex!: number;

  @ApiProperty()
  discountCents!: number;
}

export class AppliedOfferDto {
  @ApiProperty()
  code!: string;

  @ApiProperty()
  discountCents!: number;

  @ApiProperty({ type: [LineDiscountDto] })
  lines!: LineDiscountDto[];

  @ApiProperty({ description: 'Points the offer adds (points rewards); booked when redeemed' })
  bonusPoints!: number;

  @ApiProperty()
  validUntil!: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      "A redemption's answer only: the redemption, for the POS transaction's appliedOffers[].redemptionId (a void or return names it)",
  })
  redemptionId?: string;
}

export class NotAppliedOfferDto {
  @ApiProperty()
  code!: string;

  @ApiProperty({ enum: LEFT_OUT_REASONS })
  reason!: LeftOutReason;
}

export class ReceiptMessageDto {
  @ApiProperty({ enum: RECEIPT_MESSAGE_KINDS })
  kind!: ReceiptMessageKind;

  @ApiProperty({ example: 'Next visit: 10% off DAIRY with code K7Q2M9XD4T, until 2026-12-31.' })
  text!: string;

  @ApiPropertyOptional({ description: 'The offer it is about' })
  code?: string;
}

export class ShopperAtTillDto {
  @ApiPropertyOptional({
    nullable: true,
    example: 'Maria S.',
    description:
      "The account holder's given name and family initial, to greet them; null without a name on file",
  })
  name!: string | null;

  @ApiProperty({ example: '****9061', description: 'The card, its last four digits' })
  card!: string;

  @ApiPropertyOptional({
    enum: TIERS,
    nullable: true,
    description: "The household's tier; null before its first purchase was profiled",
  })
  tier!: Tier | null;
}

export class QuoteDto {
  @ApiProperty({
    description: 'False when the card is unknown or inactive: no offers, not an error',
  })
  cardKnown!: boolean;

  @ApiProperty()
  subtotalCents!: number;

  @ApiProperty()
  discountCents!: number;

  @ApiProperty()
  totalCents!: number;

  @ApiProperty({ description: "The offers' bonus points together" })
  bonusPoints!: number;

  @ApiProperty({
    description:
      "Points the basket earns: the programme's points on the total (POINTS_PER_CURRENCY_UNIT per currency unit, rounded down) and the offers' bonus points",
  })
  pointsEarned!: number;

  @ApiProperty({ description: 'Points spent in payment (a redemption with pointsToSpend)' })
  pointsSpent!: number;

  @ApiProperty({ description: 'What the points spent pay of the total, in cents' })
  pointsPaidCents!: number;

  @ApiProperty({ description: 'What is left to pay: the total less what the points pay' })
  dueCents!: number;

  @ApiPropertyOptional({
    nullable: true,
    description: "The household's points balance before this checkout; null for an unknown card",
  })
  pointsBalance!: number | null;

  @ApiPropertyOptional({
    type: ShopperAtTillDto,
    nullable: true,
    description: "A quote's answer: who the card's shopper is, masked; null for an unknown card",
  })
  shopper?: ShopperAtTillDto | null;

  @ApiPropertyOptional({
    nullable: true,
    description:
      'A quote with reserve: until when the applied offers are held for the sale; null when nothing is held',
  })
  reservedUntil?: string | null;

  @ApiProperty({ type: [AppliedOfferDto] })
  offers!: AppliedOfferDto[];

  @ApiProperty({
    type: [NotAppliedOfferDto],
    description: "The shopper's usable offers that give nothing on this basket, each with why",
  })
  notApplied!: NotAppliedOfferDto[];

  @ApiProperty({
    type: [ReceiptMessageDto],
    description:
      'What to print at the end of the receipt: the points earned, and up to 3 offers kept for another visit (the soonest to expire first)',
  })
  receiptMessages!: ReceiptMessageDto[];
}
