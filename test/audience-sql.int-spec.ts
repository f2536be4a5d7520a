import {
  AGE_BANDS,
  Audience,
  AudienceFacts,
  AudienceNode,
  Condition,
  INCOME_BANDS,
  ItemSelector,
  LIFECYCLE_SEGMENTS,
  PRODUCT_FACTS,
  ProductFactsRow,
  RANGE_FACTS,
  Range,
  ReasonTree,
  TIERS,
  WINDOWS,
  WINDOW_FACTS,
  addDays,
  evaluateAudience,
} from '@loyalty/domain';
import { postgresOptions } from '@loyalty/platform';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import {
  compileAudience,
  compileAudienceValues,
} from '../apps/coupon-engine/src/audiences/compile-audience';
import { couponEngineDatabase } from '../apps/coupon-engine/src/database/data-source';
import { loyaltyApiDatabase } from '../apps/loyalty-api/src/database/data-source';
import { posIngestDatabase } from '../apps/pos-ingest/src/database/data-source';
import { createTestDatabase, dropTestDatabase } from './support/test-database';

// The compiled audience against the pure evaluator: over a few hundred generated households,
// the SQL selects exactly the households `evaluateAudience` holds for. Facts and audiences are
// drawn from the same small vocabularies (and dates near the days judged) so that conditions
// bite: the domain's rule generator draws ids and bounds from the whole space, where almost
// every condition would hold for nobody. The households are the only ones in this database.
jest.setTimeout(120_000);

// A plain day, a 29 February birthday falling on the 28th, a leap day and the day after it.
const DAYS_JUDGED = ['2026-12-02', '2027-02-28', '2028-02-29', '2028-03-01'];
const STORES = ['store-1', 'store-2', 'store-3'];
// The engine's copy of the store register: store-3 is not registered (no region).
const STORE_REGIONS: Record<string, string> = { 'store-1': 'north', 'store-2': 'south' };
const REGIONS = ['north', 'south'];
const SKUS = ['sku-1', 'sku-2', 'sku-3', 'sku-4', 'sku-5', 'sku-6'];
const DEPARTMENTS = ['bakery', 'dairy', 'produce'];
const CATEGORIES = ['bread', 'milk', 'fruit'];
const BRANDS = ['acme', 'globex'];
const LISTS = ['0b5f3c1e-8d2a-4c7b-9e1f-2a3b4c5d6e7f', '5d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a'];
const NOBODY_LIST = 'e3c2b1a0-9f8e-4d7c-8b6a-5f4e3d2c1b0a';
// Days between a purchase and a day judged around the `withinDays` drawn below.
const DAYS_AGO = [-1, 0, 1, 2, 6, 7, 8, 13, 14, 15, 29, 30, 31, 364, 365, 366];
const WITHIN_DAYS = [1, 2, 7, 14, 30, 365];
const MONTH_DAYS = ['02-29', '02-28', '03-01', '03-02', '12-02', '12-03', '12-31', '01-01'];
// What goes with what, as coupon-engine's item insight keeps it: the same for every household.
// Two antecedents of bread share a lift (the tie is broken by name); a department stands in for
// products without a category.
const ASSOCIATIONS = [
  { consequent: 'milk', category: 'bread', lift: 2 },
  { consequent: 'milk', category: 'fruit', lift: 3 },
  { consequent: 'milk', category: 'department:dairy', lift: 1.5 },
  { consequent: 'bread', category: 'milk', lift: 2.5 },
  { consequent: 'bread', category: 'fruit', lift: 2.5 },
  { consequent: 'fruit', category: 'department:produce', lift: 1.2 },
  { consequent: 'department:bakery', category: 'milk', lift: 4 },
];
const BOUGHT_WITH = new Map<string, { category: string; lift: number }[]>();
for (const { consequent, ...association } of ASSOCIATIONS)
  BOUGHT_WITH.set(consequent, [...(BOUGHT_WITH.get(consequent) ?? []), association]);
const ENROLMENTS = [
  '2024-02-29',
  '2025-03-01',
  '2026-12-02',
  '2027-02-28',
  '2028-02-29',
  '2029-01-01',
];

const orNull = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: null, freq: 4 });
const dayNear = fc
  .tuple(fc.constantFrom(...DAYS_JUDGED), fc.constantFrom(...DAYS_AGO))
  .map(([day, ago]) => addDays(day, -ago));

const product: fc.Arbitrary<ProductFactsRow> = fc.record({
  sku: fc.constantFrom(...SKUS),
  department: fc.constantFrom(...DEPARTMENTS),
  category: orNull(fc.constantFrom(...CATEGORIES)),
  brand: orNull(fc.constantFrom(...BRANDS)),
  spendCents: fc.integer({ min: 0, max: 5000 }),
  // Halves add up exactly in JavaScript as in numeric.
  units: fc.integer({ min: 0, max: 40 }).map((n) => n / 2),
  purchases: fc.integer({ min: 1, max: 20 }),
  // Derived by pos-ingest from the purchases' dates; audiences do not read it.
  repeatIntervalDays: fc.constant(null),
  lastBoughtOn: orNull(dayNear),
});

type Household = AudienceFacts & { householdId: string };

const household: fc.Arbitrary<Household> = fc
  .record({
    householdId: fc.uuid({ version: 4 }),
    factsAsOf: dayNear,
    spend4wCents: fc.integer({ min: 0, max: 20_000 }),
    visits4w: fc.integer({ min: 0, max: 10 }),
    spend13wCents: fc.integer({ min: 0, max: 60_000 }),
    visits13w: fc.integer({ min: 0, max: 30 }),
    spend52wCents: fc.integer({ min: 0, max: 200_000 }),
    visits52w: fc.integer({ min: 0, max: 100 }),
    averageBasket52wCents: orNull(fc.integer({ min: 0, max: 5000 })),
    cadenceDays: orNull(fc.integer({ min: 10, max: 300 }).map((n) => n / 10)),
    nextVisitDueOn: orNull(dayNear),
    rScore: orNull(fc.integer({ min: 1, max: 5 })),
    fScore: orNull(fc.integer({ min: 1, max: 5 })),
    mScore: orNull(fc.integer({ min: 1, max: 5 })),
    lifecycle: orNull(fc.constantFrom(...LIFECYCLE_SEGMENTS)),
    lifecycleSince: orNull(dayNear),
    tier: fc.constantFrom(...TIERS),
    tierSince: orNull(dayNear),
    daysSinceLastVisit: orNull(fc.constantFrom(0, 1, 29, 30, 31, 59, 60, 61, 365)),
    birthdayInDays: fc.constant(null),
    homeStoreId: orNull(fc.constantFrom(...STORES)),
    birthday: orNull(fc.constantFrom(...MONTH_DAYS)),
    enrolledOn: fc.oneof(fc.constantFrom(...ENROLMENTS), dayNear),
    demographics: fc.record({
      ageBand: orNull(fc.constantFrom(...AGE_BANDS)),
      householdSize: orNull(fc.integer({ min: 1, max: 9 })),
      incomeBand: orNull(fc.constantFrom(...INCOME_BANDS)),
    }),
    consent: fc.record({ personalisedOffers: fc.boolean() }),
    listIds: fc.subarray(LISTS).map((ids) => new Set(ids)),
    products: fc.uniqueArray(product, { maxLength: 5, selector: (p) => p.sku }),
    boughtWith: fc.constant(BOUGHT_WITH),
  })
  .map((h) => ({ ...h, region: STORE_REGIONS[h.homeStoreId ?? ''] ?? null }));

const some = <T>(values: readonly T[]) => fc.subarray([...values], { minLength: 1 });

function range(max: number): fc.Arbitrary<Range> {
  const bound = fc.integer({ min: 0, max });
  return fc.oneof(
    fc.record({ atLeast: bound }),
    fc.record({ atMost: bound }),
    fc.tuple(bound, bound).map(([a, b]) => ({ atLeast: Math.min(a, b), atMost: Math.max(a, b) })),
  );
}

const item: fc.Arbitrary<ItemSelector> = fc.oneof(
  fc.record({ department: fc.constantFrom(...DEPARTMENTS) }),
  fc.record({ category: fc.constantFrom(...CATEGORIES) }),
  fc.record({ brand: fc.constantFrom(...BRANDS) }),
  fc.record({ skus: some(SKUS) }),
);
const withinDays = fc.constantFrom(...WITHIN_DAYS);
const yearDays = fc.constantFrom(0, 1, 2, 30, 89, 90, 91, 365, 366);

const condition: fc.Arbitrary<Condition> = fc.oneof(
  fc
    .tuple(fc.constantFrom(...WINDOW_FACTS), fc.constantFrom(...WINDOWS), range(60_000))
    .map(([fact, window, r]) => ({ fact, window, ...r })),
  fc
    .tuple(fc.constantFrom(...RANGE_FACTS), fc.nat(3))
    .chain(([fact, scale]) => range(10 ** scale).map((r) => ({ fact, ...r }))),
  fc
    .tuple(fc.constantFrom(...PRODUCT_FACTS), item, range(8000))
    .map(([fact, selected, r]) => ({ fact, item: selected, ...r })),
  fc.record({ fact: fc.constant('bought' as const), item, withinDays }),
  fc.record({
    fact: fc.constant('boughtNotBought' as const),
    bought: item,
    notBought: item,
    withinDays,
  }),
  fc.record({
    fact: fc.constant('crossSell' as const),
    category: fc.constantFrom('milk', 'bread', 'fruit', 'department:bakery', 'cheese'),
    minLift: fc.constantFrom(1, 1.2, 1.5, 2, 2.5, 3, 3.5),
    withinDays,
  }),
  fc.record({ fact: fc.constant('lifecycle' as const), in: some(LIFECYCLE_SEGMENTS) }),
  fc.record({ fact: fc.constant('tier' as const), in: some(TIERS) }),
  fc.record({ fact: fc.constant('ageBand' as const), in: some(AGE_BANDS) }),
  fc.record({ fact: fc.constant('incomeBand' as const), in: some(INCOME_BANDS) }),
  fc.record({ fact: fc.constant('homeStore' as const), in: some(STORES) }),
  fc.record({ fact: fc.constant('region' as const), in: some(REGIONS) }),
  fc.record({ fact: fc.constant('birthday' as const), withinDays: yearDays }),
  fc.record({ fact: fc.constant('enrolmentAnniversary' as const), withinDays: yearDays }),
  fc.record({
    fact: fc.constant('inList' as const),
    listId: fc.constantFrom(...LISTS, NOBODY_LIST),
  }),
  fc.constant({ fact: 'consent' as const, purpose: 'personalisedOffers' as const }),
);

const { node } = fc.letrec<{ node: AudienceNode }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'node' },
    condition,
    fc.record({ all: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ not: tie('node') }),
  ),
}));
const audience: fc.Arbitrary<Audience> = fc.oneof(
  { arbitrary: fc.constant('everyone' as const), weight: 1 },
  { arbitrary: node, weight: 20 },
);

async function insertHouseholds(db: DataSource, households: readonly Household[]): Promise<void> {
  const facts = households.map((h) => ({
    household_id: h.householdId,
    facts_as_of: h.factsAsOf,
    spend_4w_cents: h.spend4wCents,
    visits_4w: h.visits4w,
    spend_13w_cents: h.spend13wCents,
    visits_13w: h.visits13w,
    spend_52w_cents: h.spend52wCents,
    visits_52w: h.visits52w,
    average_basket_52w_cents: h.averageBasket52wCents,
    cadence_days: h.cadenceDays,
    next_visit_due_on: h.nextVisitDueOn,
    days_since_last_visit: h.daysSinceLastVisit,
    r_score: h.rScore,
    f_score: h.fScore,
    m_score: h.mScore,
    lifecycle: h.lifecycle,
    lifecycle_since: h.lifecycleSince,
    tier: h.tier,
    tier_since: h.tierSince,
    birthday: h.birthday,
    birthday_in_days: h.birthdayInDays,
    enrolled_on: h.enrolledOn,
    home_store_id: h.homeStoreId,
    age_band: h.demographics.ageBand,
    household_size: h.demographics.householdSize,
    income_band: h.demographics.incomeBand,
    consent_personalised_offers: h.consent.personalisedOffers,
  }));
  // Columns and types come from the table itself: one statement a table.
  await db.query(
    `INSERT INTO coupons.household_facts (${Object.keys(facts[0]).join(', ')})
     SELECT ${Object.keys(facts[0]).join(', ')}
       FROM jsonb_populate_recordset(null::coupons.household_facts, $1::jsonb)`,
    [JSON.stringify(facts)],
  );
  await db.query(
    `INSERT INTO coupons.store_regions (store_id, region, version)
     SELECT key, value, 1 FROM jsonb_each_text($1::jsonb)`,
    [JSON.stringify(STORE_REGIONS)],
  );
  // pos-ingest's sums, which the audience reads in place.
  await db.query(`INSERT INTO ingest.shoppers (id, registered) SELECT unnest($1::uuid[]), true`, [
    households.map((h) => h.householdId),
  ]);
  const products = households.flatMap((h) =>
    h.products.map((p) => ({
      shopper_id: h.householdId,
      sku: p.sku,
      department: p.department,
      category: p.category,
      brand: p.brand,
      spend_cents: p.spendCents,
      units: p.units,
      purchases: p.purchases,
      last_bought_on: p.lastBoughtOn,
    })),
  );
  await db.query(
    `INSERT INTO ingest.shopper_products (${Object.keys(products[0]).join(', ')})
     SELECT ${Object.keys(products[0]).join(', ')}
       FROM jsonb_populate_recordset(null::ingest.shopper_products, $1::jsonb)`,
    [JSON.stringify(products)],
  );
  const members = households.flatMap((h) =>
    [...h.listIds].map((listId) => ({ list_id: listId, household_id: h.householdId })),
  );
  // loyalty-api's static lists, which the audience reads in place.
  await db.query(
    `INSERT INTO loyalty.audience_lists (id, name, members_hash, created_by)
     SELECT DISTINCT list_id, 'list', ''::bytea, 'test'
       FROM jsonb_to_recordset($1::jsonb) AS m(list_id uuid)`,
    [JSON.stringify(members)],
  );
  await db.query(
    `INSERT INTO loyalty.audience_list_members (list_id, household_id)
     SELECT list_id, household_id FROM jsonb_to_recordset($1::jsonb) AS m(list_id uuid, household_id uuid)`,
    [JSON.stringify(members)],
  );
}

describe('an audience compiled to SQL', () => {
  const databaseName = `loyalty_test_audience_${process.pid}_${Date.now()}`;
  const households = fc.sample(household, { seed: 20261202, numRuns: 300 });
  let db: DataSource;

  beforeAll(async () => {
    const url = await createTestDatabase(databaseName);
    // pos-ingest's and loyalty-api's schemas too: the audience reads product sums and lists.
    for (const database of [posIngestDatabase, loyaltyApiDatabase])
      await (
        await new DataSource(
          postgresOptions({ ...database, databaseUrl: url, applicationName: 'test' }),
        ).initialize()
      ).destroy();
    db = await new DataSource(
      postgresOptions({ ...couponEngineDatabase, databaseUrl: url, applicationName: 'test' }),
    ).initialize();
    await insertHouseholds(db, households);
    await db.query(
      `INSERT INTO coupons.item_associations (level, antecedent, consequent, together, support, confidence, lift)
       SELECT 'category', category, consequent, 10, 0.1, 0.5, lift
         FROM jsonb_to_recordset($1::jsonb) AS a(consequent text, category text, lift float8)`,
      [JSON.stringify(ASSOCIATIONS)],
    );
  });

  afterAll(async () => {
    await db?.destroy();
    await dropTestDatabase(databaseName);
  });

  async function selected(chosen: Audience, asOf: string) {
    const { where, params } = compileAudience(chosen, asOf);
    const rows: { household_id: string }[] = await db.query(
      `SELECT household_id FROM coupons.household_facts f WHERE ${where}`,
      params,
    );
    return {
      sql: rows.map((row) => row.household_id).sort(),
      evaluator: households
        .filter((h) => evaluateAudience(chosen, h, asOf).held)
        .map((h) => h.householdId)
        .sort(),
    };
  }

  /** Each condition's `actual` in the evaluator's reason tree, by its path in the rule. */
  function actuals(chosen: Audience, facts: Household, asOf: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const visit = (tree: ReasonTree, path: string): void => {
      if ('all' in tree) tree.all.forEach((child, i) => visit(child, `${path}.all[${i}]`));
      else if ('any' in tree) tree.any.forEach((child, i) => visit(child, `${path}.any[${i}]`));
      else if ('not' in tree) visit(tree.not, `${path}.not`);
      else if ('actual' in tree) out[path] = tree.actual;
    };
    const tree = evaluateAudience(chosen, facts, asOf);
    // Below the root: the consent the evaluator ANDs with any audience, then the rule's audience.
    if ('all' in tree) visit(tree.all[1], 'audience');
    return out;
  }

  it("gives every condition the household's value the evaluator reports, for any audience", async () => {
    await fc.assert(
      fc.asyncProperty(audience, fc.constantFrom(...DAYS_JUDGED), async (chosen, asOf) => {
        const { values, params } = compileAudienceValues(chosen, asOf);
        const rows: { household_id: string; values: Record<string, unknown> }[] = await db.query(
          `SELECT household_id, ${values} AS values FROM coupons.household_facts f`,
          params,
        );
        const byHousehold = new Map(households.map((h) => [h.householdId, h]));
        for (const row of rows)
          expect({ household: row.household_id, values: row.values }).toEqual({
            household: row.household_id,
            values: actuals(chosen, byHousehold.get(row.household_id) as Household, asOf),
          });
      }),
      { seed: 20261203, numRuns: 100 },
    );
  });

  it.each<[string, AudienceNode, string]>([
    [
      'bought exactly at the window edge',
      { fact: 'bought', item: { department: 'dairy' }, withinDays: 7 },
      '2028-02-29',
    ],
    ['not of a fact some lack', { not: { fact: 'daysSinceLastVisit', atMost: 30 } }, '2026-12-02'],
    [
      'a 29 February birthday in a year without one',
      { fact: 'birthday', withinDays: 0 },
      '2027-02-28',
    ],
    [
      'an anniversary, never on the enrolment day',
      { fact: 'enrolmentAnniversary', withinDays: 366 },
      '2028-02-29',
    ],
    [
      'lifetime units of SKUs, 0 when never bought',
      { fact: 'productUnits', item: { skus: ['sku-1'] }, atMost: 0 },
      '2026-12-02',
    ],
  ])('selects what the evaluator holds: %s', async (_name, chosen, asOf) => {
    const { sql, evaluator } = await selected(chosen, asOf);
    expect(sql).toEqual(evaluator);
    // Some households in, some out: the case says something.
    expect(evaluator.length).toBeGreaterThan(0);
    expect(evaluator.length).toBeLessThan(households.length);
  });

  it("selects everyone for 'everyone', consent or not", async () => {
    const { sql } = await selected('everyone', '2026-12-02');
    expect(sql).toHaveLength(households.length);
  });

  it('selects some households and leaves some out for a cross-sell, as the evaluator does', async () => {
    const { sql, evaluator } = await selected(
      { fact: 'crossSell', category: 'milk', minLift: 2, withinDays: 30 },
      '2026-12-02',
    );
    expect(sql).toEqual(evaluator);
    expect(sql.length).toBeGreaterThan(0);
    expect(sql.length).toBeLessThan(households.length / 2);
  });

  it('selects exactly the households the evaluator holds for, for any audience', async () => {
    await fc.assert(
      fc.asyncProperty(audience, fc.constantFrom(...DAYS_JUDGED), async (chosen, asOf) => {
        const { sql, evaluator } = await selected(chosen, asOf);
        expect(sql).toEqual(evaluator);
      }),
      { seed: 20261202, numRuns: 150 },
    );
  });
});
