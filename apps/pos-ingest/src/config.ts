import { IsConsumerGroupId, IsSessionTimeoutMs, PlatformConfig } from '@loyalty/platform';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, Matches, Max, Min, MinLength } from 'class-validator';
import { LifecycleRules, TierRules, TransactionRules } from '@loyalty/domain';

/** How the time-dependent profile facts are computed (see libs/domain/src/profile-facts.ts). */
export interface ProfileFactsSettings {
  timeZone: string;
  lifecycle: LifecycleRules;
  tiers: TierRules;
}

const WholeDays = (name: string) => IsInt({ message: `${name} must be a whole number of days` });

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
   * Keys the hashes under which erased cards are remembered (`ingest.erased_cards`): a leaked
   * table gives no card number. Without it JWT_SECRET keys them; set it before the first erasure
   * and never change it (older hashes would stop matching and a replay would link the cards again).
   */
  @IsOptional()
  @MinLength(32, { message: 'ERASURE_HASH_KEY must be at least 32 characters' })
  ERASURE_HASH_KEY?: string;

  get erasureHashKey(): string {
    return this.ERASURE_HASH_KEY ?? this.JWT_SECRET;
  }

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

  /** When the nightly profile facts run, local time (HH:MM) in the programme's time zone. */
  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'PROFILE_FACTS_AT must be HH:MM' })
  PROFILE_FACTS_AT = '02:30';

  /** Households per transaction of the nightly pass; each chunk saves the job's cursor. */
  @Type(() => Number)
  @IsInt({ message: 'PROFILE_FACTS_CHUNK must be a whole number' })
  @Min(100)
  @Max(1_000_000)
  PROFILE_FACTS_CHUNK: number = 50_000;

  /**
   * A projected batch after which its partition held at most this many transactions has its
   * households' facts refreshed at once (ProfileFactsRefresher): the projector is at the stream's
   * end, the swipes are live. A batch further behind (a catch-up, a replay) leaves them to the
   * recent profile facts job, within a minute. Judged by position, not by age: a projector slowed
   * down (or just joining its group) still refreshes what is live.
   */
  @Type(() => Number)
  @IsInt({ message: 'PROFILE_REFRESH_MAX_LAG must be a whole number' })
  @Min(0)
  @Max(10_000_000)
  PROFILE_REFRESH_MAX_LAG: number = 1_000;

  /** How often the product sums and top lists fold the projector's queued effects, in minutes. */
  @Type(() => Number)
  @IsInt({ message: 'PRODUCT_FACTS_EVERY_MINUTES must be a whole number of minutes' })
  @Min(1)
  @Max(1_440)
  PRODUCT_FACTS_EVERY_MINUTES: number = 1;

  /** Queued effects (transactions) per transaction of the product facts fold. */
  @Type(() => Number)
  @IsInt({ message: 'PRODUCT_FACTS_CHUNK must be a whole number' })
  @Min(1)
  @Max(100_000)
  PRODUCT_FACTS_CHUNK: number = 2_000;

  /** How often the time-dependent facts of the households changed since are refreshed, in minutes. */
  @Type(() => Number)
  @IsInt({ message: 'RECENT_PROFILE_FACTS_EVERY_MINUTES must be a whole number of minutes' })
  @Min(1)
  @Max(1_440)
  RECENT_PROFILE_FACTS_EVERY_MINUTES: number = 1;

  /** 52-week spend from which a household is silver, and gold. */
  @Type(() => Number)
  @IsInt({ message: 'TIER_SILVER_FROM_CENTS must be a whole number of cents' })
  @Min(0)
  TIER_SILVER_FROM_CENTS: number = 150_000;

  @Type(() => Number)
  @IsInt({ message: 'TIER_GOLD_FROM_CENTS must be a whole number of cents' })
  @Min(0)
  TIER_GOLD_FROM_CENTS: number = 400_000;

  /** The yearly day (MM-DD) on which tiers may go down; 02-29 is 28 February in other years. */
  @Matches(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, {
    message: 'TIER_REQUALIFICATION_DATE must be MM-DD',
  })
  TIER_REQUALIFICATION_DATE = '01-01';

  @Type(() => Number)
  @WholeDays('LIFECYCLE_NEW_DAYS')
  @Min(1)
  LIFECYCLE_NEW_DAYS: number = 28;

  /** Lapsing after this many purchase cadences without a visit, and at least ..._MIN_DAYS. */
  @Type(() => Number)
  @IsInt({ message: 'LIFECYCLE_LAPSING_CADENCES must be a whole number' })
  @Min(1)
  LIFECYCLE_LAPSING_CADENCES: number = 2;

  @Type(() => Number)
  @WholeDays('LIFECYCLE_LAPSING_MIN_DAYS')
  @Min(1)
  LIFECYCLE_LAPSING_MIN_DAYS: number = 21;

  @Type(() => Number)
  @WholeDays('LIFECYCLE_LAPSED_DAYS')
  @Min(1)
  LIFECYCLE_LAPSED_DAYS: number = 60;

  @Type(() => Number)
  @WholeDays('LIFECYCLE_WON_BACK_DAYS')
  @Min(1)
  LIFECYCLE_WON_BACK_DAYS: number = 28;

  get profileFacts(): ProfileFactsSettings {
    return {
      timeZone: this.PROGRAMME_TIME_ZONE,
      lifecycle: {
        newDays: this.LIFECYCLE_NEW_DAYS,
        lapsingCadences: this.LIFECYCLE_LAPSING_CADENCES,
        lapsingMinDays: this.LIFECYCLE_LAPSING_MIN_DAYS,
        lapsedDays: this.LIFECYCLE_LAPSED_DAYS,
        wonBackDays: this.LIFECYCLE_WON_BACK_DAYS,
      },
      tiers: {
        silverFromCents: this.TIER_SILVER_FROM_CENTS,
        goldFromCents: this.TIER_GOLD_FROM_CENTS,
        requalificationDate: this.TIER_REQUALIFICATION_DATE,
      },
    };
  }

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
