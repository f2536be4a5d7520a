import { IsConsumerGroupId, IsSessionTimeoutMs, PlatformConfig } from '@loyalty/platform';

export class CouponEngineConfig extends PlatformConfig {
  override PORT = 3002;
  override APP_NAME = 'coupon-engine';

  /**
   * Names the engine's consumer groups, `<prefix>.profile-triggers` and `<prefix>.rules`. A new
   * prefix starts new groups, which read their topics from the start.
   */
  @IsConsumerGroupId()
  COUPON_ENGINE_GROUP_PREFIX = 'coupon-engine';

  /** How long each of its groups waits for a silent member (crashed, frozen, cut off). */
  @IsSessionTimeoutMs()
  COUPON_ENGINE_SESSION_TIMEOUT_MS: number = 30_000;
}
