import { PlatformConfig } from '@loyalty/platform';
import { Type } from 'class-transformer';
import { IsInt, Matches, Max, Min } from 'class-validator';

export class CouponEngineConfig extends PlatformConfig {
  override PORT = 3002;
  override APP_NAME = 'coupon-engine';

  /**
   * Names the engine's consumer groups, `<prefix>.profile-triggers` and `<prefix>.offer-redemptions`.
   * A new prefix starts new groups, which read both topics from their start.
   */
  @Matches(/^[A-Za-z0-9._-]+$/, { message: 'COUPON_ENGINE_GROUP_PREFIX must be a Kafka group id' })
  COUPON_ENGINE_GROUP_PREFIX = 'coupon-engine';

  /** How long a group waits for a silent member before its partitions move to the others. */
  @Type(() => Number)
  @IsInt({ message: 'COUPON_ENGINE_SESSION_TIMEOUT_MS must be a whole number of milliseconds' })
  @Min(6_000)
  @Max(1_800_000)
  COUPON_ENGINE_SESSION_TIMEOUT_MS: number = 30_000;
}
