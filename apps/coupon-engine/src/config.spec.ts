import { ConfigError, loadConfig } from '@loyalty/platform';
import { CouponEngineConfig } from './config';

describe('CouponEngineConfig', () => {
  const required = {
    DATABASE_URL: 'postgres://localhost/loyalty',
    KAFKA_BROKERS: 'localhost:9092',
    JWT_SECRET: 'a-secret-of-at-least-32-characters!',
  };

  it('names its groups coupon-engine.* with a 30 s session unless told otherwise', () => {
    const config = loadConfig(CouponEngineConfig, required);
    expect(config.COUPON_ENGINE_GROUP_PREFIX).toBe('coupon-engine');
    expect(config.COUPON_ENGINE_SESSION_TIMEOUT_MS).toBe(30_000);
  });

  it('takes another prefix and session timeout', () => {
    const config = loadConfig(CouponEngineConfig, {
      ...required,
      COUPON_ENGINE_GROUP_PREFIX: 'coupon-engine.blue',
      COUPON_ENGINE_SESSION_TIMEOUT_MS: '10000',
    });
    expect(config.COUPON_ENGINE_GROUP_PREFIX).toBe('coupon-engine.blue');
    expect(config.COUPON_ENGINE_SESSION_TIMEOUT_MS).toBe(10_000);
  });

  it.each([
    ['COUPON_ENGINE_GROUP_PREFIX', 'coupon engine'],
    ['COUPON_ENGINE_SESSION_TIMEOUT_MS', '5999'],
    ['COUPON_ENGINE_SESSION_TIMEOUT_MS', '30s'],
  ])('refuses %s=%s, naming it', (name, value) => {
    const load = () => loadConfig(CouponEngineConfig, { ...required, [name]: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(name);
  });
});
