import { IsConsumerGroupId, IsSessionTimeoutMs, PlatformConfig } from '@loyalty/platform';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';
import { CountryCode, getCountries } from 'libphonenumber-js';

export class LoyaltyApiConfig extends PlatformConfig {
  override PORT = 3000;
  override APP_NAME = 'loyalty-api';

  /**
   * Names its consumer groups, `<prefix>.offer-wallet` and `<prefix>.points`. A new prefix starts
   * new groups, which read their topics from the start (the wallet ignores offers it already
   * holds, the ledger causes it already booked).
   */
  @IsConsumerGroupId()
  LOYALTY_API_GROUP_PREFIX = 'loyalty-api';

  /** How long each of its groups waits for a silent member (crashed, frozen, cut off). */
  @IsSessionTimeoutMs()
  LOYALTY_API_SESSION_TIMEOUT_MS: number = 30_000;

  /** Phone numbers written without a country code are read as numbers of this region (ISO 3166). */
  @IsIn(getCountries(), {
    message: 'DEFAULT_PHONE_REGION must be an ISO 3166 country code, e.g. GB',
  })
  DEFAULT_PHONE_REGION: CountryCode = 'GB';

  /**
   * Keys the hashes kept of erased households' cards and subjects. Without it JWT_SECRET keys
   * them; set it before the first erasure and never change it (older hashes would stop matching).
   */
  @IsOptional()
  @MinLength(32, { message: 'ERASURE_HASH_KEY must be at least 32 characters' })
  ERASURE_HASH_KEY?: string;

  get erasureHashKey(): string {
    return this.ERASURE_HASH_KEY ?? this.JWT_SECRET;
  }

  /** Points expire this many months after the sale that earned them (on the UTC calendar). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(240)
  POINTS_EXPIRY_MONTHS = 24;

  /** When the daily points expiry runs, local time (HH:MM) in the programme's time zone. */
  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'POINTS_EXPIRY_AT must be HH:MM' })
  POINTS_EXPIRY_AT = '03:00';

  /**
   * Points a sale earns per currency unit (100 cents): the programme's rate, the same setting as
   * pos-ingest's, which books them. The checkout prices points multipliers with it.
   */
  @Type(() => Number)
  @IsNumber({}, { message: 'POINTS_PER_CURRENCY_UNIT must be a number' })
  @Min(0)
  @Max(100)
  POINTS_PER_CURRENCY_UNIT: number = 1;

  /** How long a quote with `reserve: true` holds its offers for the lane (seconds). */
  @Type(() => Number)
  @IsInt({ message: 'CHECKOUT_RESERVATION_SECONDS must be a whole number' })
  @Min(5)
  @Max(900)
  CHECKOUT_RESERVATION_SECONDS = 120;

  get earnRate(): { pointsPerCurrencyUnit: number } {
    return { pointsPerCurrencyUnit: this.POINTS_PER_CURRENCY_UNIT };
  }

  /** What 100 points are worth in cents, for the finance liability. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  POINT_VALUE_CENTS_PER_100_POINTS = 100;

  /** Goodwill points a support agent may give per UTC day, across all households. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  SUPPORT_GOODWILL_POINTS_PER_DAY = 500;

  /** The same for an admin: higher, still bounded so a slip of the keyboard stays small. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  ADMIN_GOODWILL_POINTS_PER_DAY = 10_000;

  /** Support may give back an offer that expired at most this many days ago (once per offer). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(365)
  SUPPORT_REISSUE_WITHIN_DAYS = 30;

  /** How often the reports' sums are brought up to date (reports-refresh job), in minutes. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_440)
  REPORTS_REFRESH_MINUTES = 60;

  /** The business days each refresh recomputes: sales arriving later than this are not counted. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(92)
  REPORTS_RECOMPUTE_DAYS = 7;

  /** An offer support gave back is valid this many days more. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(365)
  SUPPORT_REISSUE_VALID_DAYS = 7;

  /**
   * A marketer creates and edits only rules whose `budgetCents` is set and at most this; a rule
   * without a budget, or above it, needs an admin. 500000 is 5,000.00.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10_000_000_000)
  RULE_BUDGET_ADMIN_ABOVE_CENTS = 500_000;

  /**
   * The SMTP server messages to shoppers go through, e.g. `smtp://mail.example.com:587` or
   * `smtps://user:password@mail.example.com:465`. Unset: nothing is sent, messages stay queued.
   */
  @IsOptional()
  @Matches(/^smtps?:\/\/\S+$/, {
    message: 'SMTP_URL must be smtp://host:port or smtps://host:port',
  })
  SMTP_URL?: string;

  /** The sender of messages to shoppers, e.g. `Our Shop <loyalty@example.com>`. */
  @IsString()
  @MinLength(3)
  SMTP_FROM = 'Loyalty <loyalty@localhost>';

  /** Messages sent per delivery run (every minute). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  MESSAGES_BATCH_SIZE = 100;

  /** Attempts at sending one message before it is marked `failed`. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  MESSAGES_MAX_ATTEMPTS = 5;

  /** The wait after a first failed attempt; it doubles with each further one (capped at a day). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86_400)
  MESSAGES_RETRY_AFTER_SECONDS = 60;

  /** When the daily messages (birthdays, purchase anniversaries, expiring offers) are queued. */
  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'MESSAGES_DAILY_AT must be HH:MM' })
  MESSAGES_DAILY_AT = '08:00';

  /** A usable offer is announced as expiring soon when it ends within this many days. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(60)
  OFFER_EXPIRING_NOTICE_DAYS = 3;
}
