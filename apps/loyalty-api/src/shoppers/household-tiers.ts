import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { TIERS, Tier } from '@loyalty/domain';
import { EventConsumer, EventProducer, PoisonMessageError } from '@loyalty/kafka';
import { parseJsonObject } from '@loyalty/platform';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { LoyaltyApiConfig } from '../config';
import { loyaltyApiEventGroups } from '../offers/offer-wallet.consumer';

/** What loyalty-api keeps of `pos-ingest.profile-changed.v2`: a household's tier. */
export interface TierChange {
  householdId: string;
  factsAsOf: string;
  tier: Tier;
  tierSince: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The tier of a `profile-changed.v2` message (a tolerant reader of the three fields it uses; the
 * stream carries one per purchase, so no validation library runs on it). Poison otherwise.
 */
export function parseTierChange(value: Buffer | null): TierChange {
  const json = parseJsonObject(value) as {
    householdId?: unknown;
    factsAsOf?: unknown;
    facts?: { tier?: unknown; tierSince?: unknown };
  };
  const { householdId, factsAsOf } = json;
  const tier = json.facts?.tier;
  const tierSince = json.facts?.tierSince ?? null;
  if (typeof householdId !== 'string' || !UUID.test(householdId))
    throw new PoisonMessageError('householdId must be a UUID');
  if (typeof factsAsOf !== 'string' || !DATE.test(factsAsOf))
    throw new PoisonMessageError('factsAsOf must be a date (YYYY-MM-DD)');
  if (!(TIERS as readonly unknown[]).includes(tier))
    throw new PoisonMessageError(`facts.tier must be one of ${TIERS.join(', ')}`);
  if (tierSince !== null && (typeof tierSince !== 'string' || !DATE.test(tierSince)))
    throw new PoisonMessageError('facts.tierSince must be a date (YYYY-MM-DD) or null');
  return { householdId, factsAsOf, tier: tier as Tier, tierSince };
}

/**
 * Keeps loyalty-api's copy of each household's tier (`loyalty.household_tiers`) from pos-ingest's
 * profile changes: a row is written only when the tier or its date moves, never by an older
 * change (a household's changes come in order on its partition; a replay repeats them in order).
 */
@Injectable()
export class HouseholdTiers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: EventConsumer<TierChange>;

  constructor(
    kafka: Kafka,
    producer: EventProducer,
    private readonly dataSource: DataSource,
    config: LoyaltyApiConfig,
  ) {
    this.consumer = new EventConsumer<TierChange>(kafka, producer, {
      ...loyaltyApiEventGroups(config.LOYALTY_API_GROUP_PREFIX).householdTiers,
      sessionTimeoutMs: config.LOYALTY_API_SESSION_TIMEOUT_MS,
      parse: parseTierChange,
      handleBatch: (changes) => this.record(changes),
    });
  }

  async record(changes: readonly TierChange[]): Promise<void> {
    // The latest change of each household in the batch (one row may change once per statement).
    const latest = [...new Map(changes.map((c) => [c.householdId, c])).values()];
    if (latest.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO loyalty.household_tiers (household_id, tier, tier_since, facts_as_of)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::date[], $4::date[])
       ON CONFLICT (household_id) DO UPDATE
          SET tier = excluded.tier, tier_since = excluded.tier_since,
              facts_as_of = excluded.facts_as_of, updated_at = now()
        WHERE loyalty.household_tiers.facts_as_of <= excluded.facts_as_of
          AND (loyalty.household_tiers.tier, loyalty.household_tiers.tier_since)
              IS DISTINCT FROM (excluded.tier, excluded.tier_since)`,
      [
        latest.map((c) => c.householdId),
        latest.map((c) => c.tier),
        latest.map((c) => c.tierSince),
        latest.map((c) => c.factsAsOf),
      ],
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
