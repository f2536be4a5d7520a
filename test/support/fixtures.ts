import { Reward } from '@loyalty/domain';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { makeCardNumber } from './factories';

// Rows that other apps would have written, seeded directly so one app can be tested alone.

export async function seedShopper(
  db: DataSource,
  cardNumber = makeCardNumber(),
): Promise<{ shopperId: string; cardNumber: string }> {
  const shopperId = randomUUID();
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

/** A coupon rule as loyalty-api would have stored it. */
export async function seedRule(
  db: DataSource,
  rule: { audience: unknown; reward: Reward; perShopperLimit?: number; status?: string },
): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO loyalty.coupon_rules (id, name, status, audience, reward, valid_from, valid_until, offer_valid_days,
                                       per_shopper_limit, created_by)
     VALUES ($1, $2, $3, $4, $5, '2026-01-01T00:00:00Z', '2099-01-01T00:00:00Z', 14, $6, 'test')`,
    [
      id,
      `rule ${id}`,
      rule.status ?? 'active',
      JSON.stringify(rule.audience),
      JSON.stringify(rule.reward),
      rule.perShopperLimit ?? 1,
    ],
  );
  return id;
}
