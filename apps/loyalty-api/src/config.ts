import { IsConsumerGroupId, IsSessionTimeoutMs, PlatformConfig } from '@loyalty/platform';

export class LoyaltyApiConfig extends PlatformConfig {
  override PORT = 3000;
  override APP_NAME = 'loyalty-api';

  /**
   * Names its consumer groups, `<prefix>.offer-wallet`. A new prefix starts new groups, which read
   * their topics from the start (the wallet ignores offers it already holds).
   */
  @IsConsumerGroupId()
  LOYALTY_API_GROUP_PREFIX = 'loyalty-api';

  /** How long each of its groups waits for a silent member (crashed, frozen, cut off). */
  @IsSessionTimeoutMs()
  LOYALTY_API_SESSION_TIMEOUT_MS: number = 30_000;
}
