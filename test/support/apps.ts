import { JwtService } from '@nestjs/jwt';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { JWT_ISSUER, Role, createHttpApp, loadConfig, postgresOptions } from '@loyalty/platform';
import { TOPICS } from '@loyalty/domain';
import { DataSource } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppModule as CouponEngineModule } from '../../apps/coupon-engine/src/app.module';
import { CouponEngineConfig } from '../../apps/coupon-engine/src/config';
import { couponEngineEventGroups } from '../../apps/coupon-engine/src/event-groups';
import { AppModule as LoyaltyApiModule } from '../../apps/loyalty-api/src/app.module';
import { settlementGroup } from '../../apps/loyalty-api/src/checkout/settlement.consumer';
import { LoyaltyApiConfig } from '../../apps/loyalty-api/src/config';
import { loyaltyApiDatabase } from '../../apps/loyalty-api/src/database/data-source';
import { loyaltyApiEventGroups } from '../../apps/loyalty-api/src/offers/offer-wallet.consumer';
import { pointsEventGroup } from '../../apps/loyalty-api/src/points/points-earned.consumer';
import { AppModule as PosIngestModule } from '../../apps/pos-ingest/src/app.module';
import { PosIngestConfig } from '../../apps/pos-ingest/src/config';
import { startGroupAtEnd } from './kafka';

export { createTerminal } from './terminals';

// Each app starts as its own Nest application, configured from the environment of the global setup.
const env = (overrides: Record<string, string> = {}) => ({
  ...process.env,
  PORT: '0',
  ...overrides,
});

/**
 * Starts a pos-ingest. Its copy of the terminal keys is kept by a consumer group of its own: the
 * mock broker makes a member wait for the session timeout of members that left a group before it,
 * and the app starts only once that consumer has joined. (Tests seed the copy themselves:
 * `createTerminal`.)
 */
export function startPosIngest(
  overrides: Record<string, string> = {},
): Promise<NestFastifyApplication> {
  const settings = {
    TERMINAL_KEYS_GROUP_ID: `pos-ingest.terminal-keys.test-${randomUUID()}`,
    HOUSEHOLDS_GROUP_ID: `pos-ingest.households.test-${randomUUID()}`,
    ERASURES_GROUP_ID: `pos-ingest.erasures.test-${randomUUID()}`,
    ...overrides,
  };
  return createHttpApp(PosIngestModule.register(loadConfig(PosIngestConfig, env(settings))), {
    title: 'pos-ingest',
    description: '',
  });
}

/**
 * Starts a loyalty-api with consumer groups of its own: the mock broker makes a member wait for
 * the session timeout of members that left a group before it. The wallet's group reads its topic
 * from the start (it ignores offers it already holds); the points group only what is earned from
 * now on.
 */
export async function startLoyaltyApi(): Promise<NestFastifyApplication> {
  const overrides = {
    LOYALTY_API_GROUP_PREFIX: `loyalty-api.test-${randomUUID()}`,
    LOYALTY_API_SESSION_TIMEOUT_MS: '6000',
  };
  // Its points and offers are taken from what is produced from now on: read from their start, the
  // topics hold every earlier suite's points and offers (a campaign test's tens of thousands),
  // which the app would work through before the test's own. The groups are independent: each
  // joins at once (a join waits on the broker, not on this process).
  const prefix = overrides.LOYALTY_API_GROUP_PREFIX;
  await Promise.all(
    [
      pointsEventGroup(prefix),
      settlementGroup(prefix),
      ...Object.values(loyaltyApiEventGroups(prefix)),
    ].map(({ groupId, topic }) => startGroupAtEnd(groupId, topic)),
  );
  return createHttpApp(LoyaltyApiModule.register(loadConfig(LoyaltyApiConfig, env(overrides))), {
    title: 'loyalty-api',
    description: '',
  });
}

/**
 * Starts a pos-ingest whose projector has a consumer group of its own that reads only what is
 * produced from now on (see startCouponEngine for why), so that a test can wait for exactly its
 * own messages to be projected: `waitForDrain(groupId, TOPICS.transactionRecorded)`.
 */
export async function startPosIngestWithOwnGroup(
  overrides: Record<string, string> = {},
): Promise<{ app: NestFastifyApplication; groupId: string }> {
  const groupId = `pos-ingest.test-${randomUUID()}`;
  await startGroupAtEnd(groupId, TOPICS.transactionRecorded);
  const app = await startPosIngest({
    PROJECTOR_GROUP_ID: groupId,
    PROJECTOR_SESSION_TIMEOUT_MS: '6000',
    ...overrides,
  });
  return { app, groupId };
}

/**
 * Starts a coupon engine with groups of its own; its household facts groups read only what is
 * produced from now on. Read from their start, those topics hold every profile and household
 * change earlier test files produced, which the engine would work through before the test's own;
 * and the mock broker makes a member wait for the session timeout of members that left a group
 * before it. A test that waits for the groups to drain passes its own `prefix` and finds them with
 * `couponEngineEventGroups(prefix)`.
 */
export async function startCouponEngine(
  prefix = `coupon-engine.test-${randomUUID()}`,
  settings: Record<string, string> = {},
): Promise<NestFastifyApplication> {
  // Rule changes are read from the start: the engine's copy of the rules must be complete.
  const groups = couponEngineEventGroups(prefix);
  await Promise.all(
    [groups.profileFacts, groups.lifecycles, groups.households].map(({ groupId, topic }) =>
      startGroupAtEnd(groupId, topic),
    ),
  );
  const overrides = {
    COUPON_ENGINE_GROUP_PREFIX: prefix,
    COUPON_ENGINE_SESSION_TIMEOUT_MS: '6000',
    ...settings,
  };
  return createHttpApp(
    CouponEngineModule.register(loadConfig(CouponEngineConfig, env(overrides))),
    {
      title: 'coupon-engine',
      description: '',
    },
  );
}

/** A connection for the test's own queries, to the run's database unless told another. */
export async function openDatabase(
  databaseUrl = process.env.DATABASE_URL as string,
): Promise<DataSource> {
  return new DataSource(
    postgresOptions({
      ...loyaltyApiDatabase,
      databaseUrl,
      applicationName: 'test',
    }),
  ).initialize();
}

export function tokenFor(role: Role, subject = `${role}-1`): string {
  return new JwtService({ secret: process.env.JWT_SECRET }).sign(
    { roles: [role] },
    { subject, issuer: JWT_ISSUER, expiresIn: '1h' },
  );
}

/**
 * Polls until `probe` returns something other than undefined/null/false, or fails after `timeoutMs`
 * saying what it awaited (`awaited`, else the probe's source) and the probe's last error.
 */
export async function eventually<T>(
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
  awaited = probe.toString().replace(/\s+/g, ' '),
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== null && value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await sleep(100);
  }
  throw new Error(
    `Not met within ${timeoutMs} ms: ${awaited}${last ? ` (last error: ${String(last)})` : ''}`,
  );
}
