import { IsConsumerGroupId, IsSessionTimeoutMs, PlatformConfig } from '@loyalty/platform';
import { Type } from 'class-transformer';
import { IsInt, Matches, Max, Min } from 'class-validator';

export class CouponEngineConfig extends PlatformConfig {
  override PORT = 3002;
  override APP_NAME = 'coupon-engine';

  /**
   * Names the engine's consumer groups (`<prefix>.profile-facts`, `.households`, `.rules`,
   * `.erasures`). A new prefix starts new groups, which read their topics from the start.
   */
  @IsConsumerGroupId()
  COUPON_ENGINE_GROUP_PREFIX = 'coupon-engine';

  /** How long each of its groups waits for a silent member (crashed, frozen, cut off). */
  @IsSessionTimeoutMs()
  COUPON_ENGINE_SESSION_TIMEOUT_MS: number = 30_000;

  /**
   * When the daily campaigns (birthday, enrolment anniversary, lapse, lifecycle transition) run,
   * local time (HH:MM) in the programme's time zone: after pos-ingest's nightly profile facts have
   * reached the engine's copy, so the day's lifecycle changes and day counters are in it.
   */
  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'CAMPAIGNS_DAILY_AT must be HH:MM' })
  CAMPAIGNS_DAILY_AT = '06:00';

  /**
   * Households per transaction of a campaign's pass; each chunk saves the job's cursor. Household
   * ids are random, so every chunk reads pages from all over the facts table: fewer, larger chunks
   * read it fewer times (a million households: 25 s in chunks of 200,000, 38 s in chunks of 50,000).
   */
  @Type(() => Number)
  @IsInt({ message: 'CAMPAIGNS_CHUNK must be a whole number' })
  @Min(100)
  @Max(1_000_000)
  CAMPAIGNS_CHUNK: number = 200_000;

  /**
   * Offers a household gets from profile changes in any 7 days; when more rules match than that
   * leaves room for, the offers with the highest expected saving for the household are kept.
   */
  @Type(() => Number)
  @IsInt({ message: 'OFFERS_PER_HOUSEHOLD_PER_WEEK must be a whole number' })
  @Min(1)
  @Max(1_000)
  OFFERS_PER_HOUSEHOLD_PER_WEEK: number = 10;

  /** When the item insight job mines the baskets, local time (HH:MM) in the programme's time zone. */
  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'INSIGHT_DAILY_AT must be HH:MM' })
  INSIGHT_DAILY_AT = '03:00';

  /** The days of baskets, up to the run's day, that the item insight is mined from. */
  @Type(() => Number)
  @IsInt({ message: 'INSIGHT_WINDOW_DAYS must be a whole number' })
  @Min(7)
  @Max(730)
  INSIGHT_WINDOW_DAYS: number = 91;

  /** A pair of items is an association only when found together in at least this many baskets. */
  @Type(() => Number)
  @IsInt({ message: 'INSIGHT_MIN_TOGETHER must be a whole number' })
  @Min(2)
  @Max(1_000_000)
  INSIGHT_MIN_TOGETHER: number = 5;

  /** The associations kept per item, the strongest by lift. */
  @Type(() => Number)
  @IsInt({ message: 'INSIGHT_TOP_PER_ITEM must be a whole number' })
  @Min(1)
  @Max(100)
  INSIGHT_TOP_PER_ITEM: number = 10;
}
