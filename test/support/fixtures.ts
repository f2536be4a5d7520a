import {
  OfferIssuedV2,
  Reward,
  Rule,
  RuleChangedV2,
  RuleStatusV2,
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

/** `points` earned by the household, in its ledger and its balance. */
export async function seedPoints(db: DataSource, householdId: string, points: number) {
  await db.query(
    `INSERT INTO loyalty.points_ledger (household_id, kind, points, source_type, source_id, occurred_at)
     VALUES ($1, 'earn', $2, 'test', $3, now())`,
    [householdId, points, randomUUID()],
  );
  await db.query(`INSERT INTO loyalty.points_accounts (household_id, balance) VALUES ($1, $2)`, [
    householdId,
    points,
  ]);
}

/** An offer's terms as `offer-issued.v2` carries them: single use, everywhere, stackable. */
export function makeOfferTerms(
  overrides: Partial<OfferIssuedV2['terms']> = {},
): OfferIssuedV2['terms'] {
  return {
    usesPerOffer: 1,
    stores: null,
    priority: 10,
    stacking: 'stackable',
    stackingGroup: null,
    budgetCents: null,
    ...overrides,
  };
}

/** An offer in the shopper's wallet, as loyalty-api stores it when coupon-engine issued it. */
export async function seedOffer(
  db: DataSource,
  shopperId: string,
  reward: Reward,
  options: { validFrom?: string; validUntil?: string; ruleId?: string } = {},
  terms: Partial<OfferIssuedV2['terms']> | null = null,
): Promise<{ offerId: string; code: string }> {
  const offerId = randomUUID();
  const code = randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase();
  await db.query(
    `INSERT INTO loyalty.offers (id, code, shopper_id, rule_id, reward, valid_from, valid_until, issued_at, state, terms)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now(), 'issued', $8)`,
    [
      offerId,
      code,
      shopperId,
      options.ruleId ?? randomUUID(),
      JSON.stringify(reward),
      options.validFrom ?? '2026-01-01T00:00:00Z',
      options.validUntil ?? '2099-01-01T00:00:00Z',
      terms === null ? null : JSON.stringify(makeOfferTerms(terms)),
    ],
  );
  return { offerId, code };
}

/** `rule` as loyalty-api's active rule, version 1, as the marketing API would store it. */
export async function seedRule(db: DataSource, rule: Rule): Promise<Rule> {
  await db.query(
    `INSERT INTO loyalty.rules (id, status, version, revision, name, created_by, created_at, updated_at)
     VALUES ($1, 'active', 1, 1, $2, 'test', now(), now())`,
    [rule.id, rule.name],
  );
  await db.query(
    `INSERT INTO loyalty.rule_versions (rule_id, version, definition, created_by, created_at)
     VALUES ($1, 1, $2, 'test', now())`,
    [rule.id, JSON.stringify(rule)],
  );
  return rule;
}

/** A valid rule of the versioned model (`rules/rule-model.ts`), each field overridable. */
export function makeRule(overrides: Partial<Rule> = {}): Rule {
  return {
    schemaVersion: 1,
    id: randomUUID(),
    name: 'Regulars',
    trigger: { kind: 'profileChange' },
    audience: { fact: 'spend', window: '4w', atLeast: 1_000 },
    reward: { kind: 'amountOff', amountCents: 200, target: { basket: true } },
    validity: { from: '2026-01-01T00:00:00Z', until: '2099-01-01T00:00:00Z' },
    offerValidDays: 14,
    usesPerOffer: 1,
    priority: 10,
    stacking: 'stackable',
    controlShare: 0,
    ...overrides,
  };
}

/**
 * A coupon rule as loyalty-api publishes it (`loyalty-api.rule-changed.v2`), once a running coupon
 * engine holds it in its copy: a profile change produced after this meets the rule.
 */
export async function publishRule(
  db: DataSource,
  rule: Rule,
  change: { version?: number; revision?: number; status?: RuleStatusV2 } = {},
): Promise<string> {
  const version = change.version ?? 1;
  const revision = change.revision ?? version;
  const event: RuleChangedV2 = {
    ruleId: rule.id,
    version,
    revision,
    status: change.status ?? 'active',
    rule,
    changedAt: new Date().toISOString(),
  };
  await produce(TOPICS.ruleChangedV2, [{ key: rule.id, value: JSON.stringify(event) }]);
  await eventually(async () => {
    const rows = await db.query(
      `SELECT 1 FROM coupons.rule_states WHERE rule_id = $1 AND revision >= $2`,
      [rule.id, revision],
    );
    return rows.length > 0;
  });
  return rule.id;
}
