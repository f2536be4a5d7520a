import {
  AudienceCondition,
  Reward,
  RuleChangedV1,
  RuleStatus,
  TOPICS,
  householdIdForCard,
} from '@loyalty/domain';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { eventually } from './apps';
import { makeCardNumber } from './factories';
import { produce } from './kafka';

// Rows that other apps would have written, seeded directly so one app can be tested alone.

/**
 * A registered card and its household, as loyalty-api holds them (the household takes the card's
 * derived id, as enrolment with that card does), and pos-ingest's copy of them.
 */
export async function seedShopper(
  db: DataSource,
  cardNumber = makeCardNumber(),
): Promise<{ shopperId: string; cardNumber: string }> {
  const shopperId = householdIdForCard(cardNumber);
  await db.query(`INSERT INTO loyalty.households (id, registered) VALUES ($1, true)`, [shopperId]);
  await db.query(`INSERT INTO loyalty.cards (card_number, household_id) VALUES ($1, $2)`, [
    cardNumber,
    shopperId,
  ]);
  await db.query(`INSERT INTO ingest.shoppers (id) VALUES ($1)`, [shopperId]);
  await db.query(`INSERT INTO ingest.cards (card_number, shopper_id) VALUES ($1, $2)`, [
    cardNumber,
    shopperId,
  ]);
  return { shopperId, cardNumber };
}

/** An offer in the shopper's wallet, as loyalty-api stores it when coupon-engine issued it. */
export async function seedOffer(
  db: DataSource,
  shopperId: string,
  reward: Reward,
  validity: { validFrom?: string; validUntil?: string } = {},
): Promise<{ offerId: string; code: string }> {
  const offerId = randomUUID();
  const code = randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase();
  await db.query(
    `INSERT INTO loyalty.offers (id, code, shopper_id, rule_id, reward, valid_from, valid_until, issued_at, state)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now(), 'issued')`,
    [
      offerId,
      code,
      shopperId,
      randomUUID(),
      JSON.stringify(reward),
      validity.validFrom ?? '2026-01-01T00:00:00Z',
      validity.validUntil ?? '2099-01-01T00:00:00Z',
    ],
  );
  return { offerId, code };
}

/**
 * A coupon rule as loyalty-api publishes it (`loyalty-api.rule-changed.v1`), once a running coupon
 * engine holds it in its copy: a profile change produced after this meets the rule.
 */
export async function publishRule(
  db: DataSource,
  rule: {
    audience: AudienceCondition[];
    reward: Reward;
    perShopperLimit?: number;
    status?: RuleStatus;
  },
  version = 1,
  id: string = randomUUID(),
): Promise<string> {
  const event: RuleChangedV1 = {
    rule: {
      id,
      name: `rule ${id}`,
      status: rule.status ?? 'active',
      audience: rule.audience,
      reward: rule.reward,
      validFrom: '2026-01-01T00:00:00.000Z',
      validUntil: '2099-01-01T00:00:00.000Z',
      offerValidDays: 14,
      perShopperLimit: rule.perShopperLimit ?? 1,
    },
    version,
    changedAt: new Date().toISOString(),
  };
  await produce(TOPICS.ruleChanged, [{ key: id, value: JSON.stringify(event) }]);
  await eventually(async () => {
    const rows = await db.query(`SELECT 1 FROM coupons.rules WHERE id = $1 AND version >= $2`, [
      id,
      version,
    ]);
    return rows.length > 0;
  });
  return id;
}
