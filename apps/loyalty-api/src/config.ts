import { IsConsumerGroupId, IsSessionTimeoutMs, PlatformConfig } from '@loyalty/platform';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsTimeZone, Matches, Max, Min, MinLength } from 'class-validator';
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

  /** The programme's time zone (IANA): the days of scheduled jobs. */
  @IsTimeZone({ message: 'PROGRAMME_TIME_ZONE must be an IANA time zone such as Europe/London' })
  PROGRAMME_TIME_ZONE = 'Europe/London';

  /** When the daily points expiry runs, local time (HH:MM) in the programme's time zone. */
  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'POINTS_EXPIRY_AT must be HH:MM' })
  POINTS_EXPIRY_AT = '03:00';

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
}
