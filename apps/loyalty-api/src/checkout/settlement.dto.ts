import { MAX_ABS_AMOUNT_CENTS, TRANSACTION_TYPES, TransactionType } from '@loyalty/domain';
import {
  DATE_TIME_WITH_OFFSET,
  ID_PATTERN,
  IsCardNumber,
  parseJsonObject,
  parseMessage,
} from '@loyalty/platform';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

// `pos.transaction-recorded.v1` as the checkout's settlement reads it: only what a sale, void or
// return tells of the offers used (pos-ingest's intake judged the whole transaction before
// recording it). Unknown fields are tolerated; a message breaking these is poison.

class AppliedOfferDto {
  @IsString()
  @Matches(/^[0-9A-Z]{1,32}$/)
  code!: string;

  /** Any id the POS kept; ours are UUIDs, another names no redemption of ours. */
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @Matches(ID_PATTERN)
  redemptionId?: string;

  @IsInt()
  @Min(0)
  @Max(MAX_ABS_AMOUNT_CENTS)
  discountCents!: number;
}

export class SettlementTransactionDto {
  @IsString()
  @Length(1, 32)
  @Matches(ID_PATTERN)
  storeId!: string;

  @IsString()
  @Length(1, 100)
  @Matches(ID_PATTERN)
  posTransactionId!: string;

  @IsString()
  @Length(1, 32)
  @Matches(ID_PATTERN)
  terminalId!: string;

  @IsIn(TRANSACTION_TYPES)
  type!: TransactionType;

  @IsOptional()
  @IsString()
  @Length(1, 100)
  @Matches(ID_PATTERN)
  originalPosTransactionId?: string;

  @IsOptional()
  @IsCardNumber()
  cardNumber?: string;

  @IsISO8601({ strict: true })
  @Matches(DATE_TIME_WITH_OFFSET)
  occurredAt!: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => AppliedOfferDto)
  appliedOffers?: AppliedOfferDto[];

  @IsInt()
  @Min(0)
  @Max(MAX_ABS_AMOUNT_CENTS)
  totalCents!: number;
}

// Words only a message the settlement may act on holds (JSON.stringify writes keys and values
// without spaces): a sale naming no offer holds none of them, and is passed over unparsed.
const MAYBE_SETTLED = ['"appliedOffers"', '"void"', '"return"'];

/**
 * The transactions the settlement acts on: voids, returns, and sales carrying an offer the lane
 * applied without a redemption (offline). Every other sale is null, without a full parse: most
 * of the stream is plain sales, most of them without a glance at their JSON.
 */
export function parseSettlementTransaction(value: Buffer | null): SettlementTransactionDto | null {
  if (value !== null && !MAYBE_SETTLED.some((word) => value.includes(word))) return null;
  const json = parseJsonObject(value) as { type?: unknown; appliedOffers?: unknown };
  if (json.type === 'sale') {
    const offers = Array.isArray(json.appliedOffers) ? (json.appliedOffers as unknown[]) : [];
    const offline = offers.some(
      (o) => typeof o !== 'object' || o === null || !('redemptionId' in o),
    );
    if (!offline) return null;
  }
  return parseMessage(SettlementTransactionDto, value);
}
