import { MAX_ABS_AMOUNT_CENTS, MAX_QUANTITY, sumLineAmounts } from '@loyalty/domain';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsISO8601,
  IsNumber,
  IsPositive,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { DATE_TIME_WITH_OFFSET, ID_PATTERN, IsCardNumber, IsPrintable } from '@loyalty/platform';

export class TransactionLineDto {
  @ApiProperty({ example: '1082185' })
  @IsString()
  @Length(1, 64)
  @IsPrintable()
  sku!: string;

  @ApiProperty({ example: 'PRODUCE' })
  @IsString()
  @Length(1, 64)
  @IsPrintable()
  department!: string;

  @ApiProperty({ example: 0.532, description: 'May be fractional for weighed goods' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(MAX_QUANTITY)
  quantity!: number;

  @ApiProperty({ example: 299, description: 'Shelf price per unit, in cents' })
  @IsInt()
  @Min(0)
  @Max(MAX_ABS_AMOUNT_CENTS)
  unitPriceCents!: number;

  @ApiProperty({ example: 159, description: 'What the line costs, in cents; authoritative' })
  @IsInt()
  @Min(-MAX_ABS_AMOUNT_CENTS)
  @Max(MAX_ABS_AMOUNT_CENTS)
  amountCents!: number;
}

/** `POST /v1/transactions`: a finished sale as the POS reports it. */
export class RecordTransactionDto {
  @ApiProperty({
    example: 'store-42:lane-3:000123',
    description: 'Unique per transaction: the idempotency key',
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

  @ApiProperty({
    example: '9000000000019',
    description: 'Loyalty card, 12-19 digits with a Luhn check digit',
  })
  @IsCardNumber()
  cardNumber!: string;

  @ApiProperty({
    example: '2026-11-20T17:42:10-05:00',
    description: 'POS clock time with its UTC offset',
  })
  @IsISO8601({ strict: true })
  @Matches(DATE_TIME_WITH_OFFSET, {
    message: '$property must be a date-time with a UTC offset',
  })
  occurredAt!: string;

  @ApiProperty({ type: [TransactionLineDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1_000)
  @ValidateNested({ each: true })
  @Type(() => TransactionLineDto)
  lines!: TransactionLineDto[];

  @ApiProperty({ example: 159, description: 'Sum of the line amounts, in cents' })
  @IsInt()
  @Min(-MAX_ABS_AMOUNT_CENTS)
  @Max(MAX_ABS_AMOUNT_CENTS)
  @ValidateBy({
    name: 'equalsSumOfLines',
    validator: {
      validate: (value, args) => {
        const lines = (args?.object as RecordTransactionDto).lines;
        return (
          !Array.isArray(lines) ||
          lines.some((l) => !Number.isInteger(l?.amountCents)) ||
          value === sumLineAmounts(lines)
        );
      },
      defaultMessage: () => 'totalCents must equal the sum of the line amounts',
    },
  })
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
