import { IsConsumerGroupId, IsSessionTimeoutMs, PlatformConfig } from '@loyalty/platform';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsString, Max, Min, MinLength } from 'class-validator';
import { TransactionRules } from '@loyalty/domain';

export class PosIngestConfig extends PlatformConfig {
  override PORT = 3001;
  override APP_NAME = 'pos-ingest';

  // Intake and projector scale apart: a process may run only the HTTP intake.
  @IsIn(['true', 'false'], { message: 'PROJECTOR_ENABLED must be true or false' })
  PROJECTOR_ENABLED: 'true' | 'false' = 'true';

  /** The projectors' consumer group; a new one replays the topic from its start (idempotently). */
  @IsConsumerGroupId()
  PROJECTOR_GROUP_ID = 'pos-ingest.projector';

  /**
   * The group that keeps the copy of the terminal keys (every pos-ingest process is a member: the
   * intake needs the copy); a new group reads the topic from its start.
   */
  @IsConsumerGroupId()
  TERMINAL_KEYS_GROUP_ID = 'pos-ingest.terminal-keys';

  /** The group that keeps the copy of loyalty-api's households and applies erasures. */
  @IsConsumerGroupId()
  HOUSEHOLDS_GROUP_ID = 'pos-ingest.households';

  /** The group that applies loyalty-api's erasures (`shopper-erased`). */
  @IsConsumerGroupId()
  ERASURES_GROUP_ID = 'pos-ingest.erasures';

  /**
   * The key of the HMAC-SHA256 under which erased cards are remembered (`ingest.erased_cards`):
   * a leaked table gives no card number. Changing it forgets every erasure, so it is kept forever.
   */
  @IsString()
  @MinLength(32, { message: 'CARD_HASH_KEY must be at least 32 characters' })
  CARD_HASH_KEY!: string;

  /** How long the projector group waits for a silent member (crashed, paused, cut off). */
  @IsSessionTimeoutMs()
  PROJECTOR_SESSION_TIMEOUT_MS: number = 30_000;

  /** Points a sale earns per currency unit (100 cents), rounded down per transaction. */
  @Type(() => Number)
  @IsNumber({}, { message: 'POINTS_PER_CURRENCY_UNIT must be a number' })
  @Min(0)
  @Max(100)
  POINTS_PER_CURRENCY_UNIT: number = 1;

  /** How far ahead of our clock a POS clock may run before its transactions are refused. */
  @Type(() => Number)
  @IsInt({ message: 'CLOCK_SKEW_SECONDS must be a whole number' })
  @Min(0)
  CLOCK_SKEW_SECONDS: number = 300;

  /** Intake requests (single or bulk) one store may make per minute, all its lanes together. */
  @Type(() => Number)
  @IsInt({ message: 'STORE_REQUESTS_PER_MINUTE must be a whole number' })
  @Min(1)
  STORE_REQUESTS_PER_MINUTE: number = 6_000;

  /**
   * How long the intake remembers a transaction's body to refuse its id reused with another body:
   * longer than any POS stays offline. Older receipts are deleted hourly; the projector still
   * never counts a store's transaction id twice.
   */
  @Type(() => Number)
  @IsInt({ message: 'INTAKE_RECEIPT_RETENTION_DAYS must be a whole number of days' })
  @Min(1)
  INTAKE_RECEIPT_RETENTION_DAYS: number = 30;

  get pointsPerCurrencyUnit(): number {
    return this.POINTS_PER_CURRENCY_UNIT;
  }

  get transactionRules(): TransactionRules {
    return {
      loyaltyCardPrefix: this.LOYALTY_CARD_PREFIX,
      clockSkewMs: this.CLOCK_SKEW_SECONDS * 1000,
    };
  }
}
