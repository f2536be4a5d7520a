import { IsLuhnCardNumber } from '@loyalty/platform';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsInt,
  IsNumber,
  IsString,
  Length,
  ValidateNested,
} from 'class-validator';

export class BasketLineDto {
  @ApiProperty({ example: '1082185' })
  @IsString()
  @Length(1, 64)
  sku!: string;

  @ApiProperty({ example: 'DAIRY' })
  @IsString()
  @Length(1, 64)
  department!: string;

  @ApiProperty({ example: 2 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  quantity!: number;

  @ApiProperty({ example: 398, description: 'Line amount in cents, as the POS computed it' })
  @IsInt()
  amountCents!: number;
}

/** `POST /v1/checkout/quote`: what the shopper's offers give on this basket. */
export class QuoteRequestDto {
  @ApiProperty({ example: '9000000000019' })
  @IsLuhnCardNumber()
  cardNumber!: string;

  @ApiProperty({ type: [BasketLineDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1_000)
  @ValidateNested({ each: true })
  @Type(() => BasketLineDto)
  lines!: BasketLineDto[];
}

/** `POST /v1/checkout/redemptions`: use these offers on this basket, at most once each. */
export class RedeemRequestDto extends QuoteRequestDto {
  @ApiProperty({ example: 'store-42:lane-3:000124' })
  @IsString()
  @Length(1, 100)
  posTransactionId!: string;

  @ApiProperty({ example: ['K7Q2M9XD4T'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsString({ each: true })
  offerCodes!: string[];
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

  @ApiProperty()
  validUntil!: string;
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

  @ApiProperty({ type: [AppliedOfferDto] })
  offers!: AppliedOfferDto[];
}
