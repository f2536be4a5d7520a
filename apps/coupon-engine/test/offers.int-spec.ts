import {
  HouseholdChangedV1,
  ProfileChangedV2,
  ProfileFacts,
  Rule,
  ShopperErasedV1,
  StoreChangedV1,
  TOPICS,
  deadLetterTopic,
  isHeldOut,
} from '@loyalty/domain';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { eventually, openDatabase, startCouponEngine } from '../../../test/support/apps';
import { makeRule, publishRule } from '../../../test/support/fixtures';
import { findMessage, produce } from '../../../test/support/kafka';

// Each test's rules name a home store of its own, so they reach only its own households (the
// topics and tables are shared with every other suite).
describe('coupon-engine issues offers when household facts change', () => {
  let app: NestFastifyApplication;
  let db: DataSource;

  beforeAll(async () => {
    db = await openDatabase();
    app = await startCouponEngine(undefined, { OFFERS_PER_HOUSEHOLD_PER_WEEK: '3' });
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const makeStore = () => `store-${randomUUID().slice(0, 8)}`;

  /**
   * A household of `store`, enrolled, with consent to personalised offers unless said, and the
   * demographics it declared (none given: an event from before they travelled).
   */
  const householdEvent = (
    householdId: string,
    store: string,
    personalisedOffers = true,
    demographics?: HouseholdChangedV1['demographics'],
  ): HouseholdChangedV1 => ({
    ...(demographics && { demographics }),
    householdId,
    version: 1,
    changedAt: new Date().toISOString(),
    cards: [],
    mergedInto: null,
    registered: true,
    enrolledOn: '2025-03-01',
    birthday: null,
    homeStoreId: store,
    consent: { email: false, sms: false, personalisedOffers, profiling: true },
  });

  const enrol = (...args: Parameters<typeof householdEvent>) =>
    produce(TOPICS.householdChanged, [
      { key: args[0], value: JSON.stringify(householdEvent(...args)) },
    ]);

  const facts = (overrides: Partial<ProfileFacts> = {}): ProfileFacts => ({
    spend4wCents: 0,
    visits4w: 0,
    spend13wCents: 0,
    visits13w: 0,
    spend52wCents: 0,
    visits52w: 0,
    averageBasket52wCents: null,
    cadenceDays: null,
    nextVisitDueOn: null,
    rScore: null,
    fScore: null,
    mScore: null,
    lifecycle: 'new',
    lifecycleSince: '2026-12-01',
    tier: 'bronze',
    tierSince: null,
    daysSinceLastVisit: 0,
    birthdayInDays: null,
    ...overrides,
  });

  const profileChanged = (householdId: string, overrides: Partial<ProfileFacts>) =>
    ({
      eventId: randomUUID(),
      householdId,
      factsAsOf: '2026-12-01',
      facts: facts(overrides),
    }) satisfies ProfileChangedV2;

  const publish = (...events: ProfileChangedV2[]) =>
    produce(
      TOPICS.profileChangedV2,
      events.map((e) => ({ key: e.householdId, value: JSON.stringify(e) })),
    );

  const offersOf = (householdId: string) =>
    db.query(`SELECT * FROM coupons.offers WHERE shopper_id = $1 ORDER BY issued_at, code`, [
      householdId,
    ]) as Promise<Record<string, unknown>[]>;

  /** A rule for the households of `store` who spent at least 10.00 in 4 weeks. */
  const storeRule = (store: string, overrides: Partial<Rule> = {}) =>
    makeRule({
      audience: {
        all: [
          { fact: 'homeStore', in: [store] },
          { fact: 'spend', window: '4w', atLeast: 1_000 },
        ],
      },
      ...overrides,
    });

  /** Waits until the copy holds `householdId`'s household event. */
  const copied = (householdId: string) =>
    eventually(async () => {
      const rows = await db.query(
        `SELECT 1 FROM coupons.household_facts WHERE household_id = $1 AND household_version > 0`,
        [householdId],
      );
      return rows.length > 0;
    });

  /** Waits until the copy holds the profile facts of every one of `householdIds`. */
  const factsCopied = (...householdIds: string[]) =>
    eventually(async () => {
      const [{ n }] = await db.query(
        `SELECT count(*)::int AS n FROM coupons.household_facts
          WHERE household_id = ANY($1::uuid[]) AND facts_as_of IS NOT NULL`,
        [householdIds],
      );
      return n === householdIds.length;
    });

  it('issues an offer of the rule version, with the reason tree, and sends it to the wallet', async () => {
    const store = makeStore();
    const rule = storeRule(store);
    await publishRule(db, rule, { version: 3 });
    const householdId = randomUUID();
    await enrol(householdId, store);
    await copied(householdId);
    await publish(profileChanged(householdId, { spend4wCents: 1_500 }));

    const [offer] = await eventually(async () => {
      const offers = await offersOf(householdId);
      return offers.length > 0 && offers;
    });
    expect(offer).toMatchObject({
      rule_id: rule.id,
      rule_version: 3,
      period_key: 'campaign',
      reward: rule.reward,
      reason: {
        held: true,
        all: [
          { fact: 'consent', held: true, actual: true },
          {
            held: true,
            all: [
              { fact: 'homeStore', actual: store, held: true },
              { fact: 'spend', window: '4w', atLeast: 1_000, actual: 1_500, held: true },
            ],
          },
        ],
      },
    });
    expect(offer.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}$/);
    const issued = await findMessage(
      TOPICS.offerIssuedV2,
      (m) => m.key?.toString() === householdId,
    );
    expect(JSON.parse(issued.value!.toString())).toMatchObject({
      offerId: offer.id,
      code: offer.code,
      householdId,
      ruleId: rule.id,
      ruleVersion: 3,
      issuedAt: (offer.issued_at as Date).toISOString(),
      terms: { usesPerOffer: 1, stores: null, priority: 10, stacking: 'stackable' },
    });
  });

  it('targets the demographics households declared; an undeclared band never holds', async () => {
    const store = makeStore();
    const rule = storeRule(store, {
      audience: {
        all: [
          { fact: 'homeStore', in: [store] },
          { fact: 'ageBand', in: ['35-44', '45-54'] },
          { fact: 'householdSize', atLeast: 3 },
          { fact: 'incomeBand', in: ['40k-60k'] },
        ],
      },
    });
    await publishRule(db, rule);
    const [family, single, undeclared, older] = [
      randomUUID(),
      randomUUID(),
      randomUUID(),
      randomUUID(),
    ];
    await enrol(family, store, true, { ageBand: '35-44', householdSize: 4, incomeBand: '40k-60k' });
    await enrol(single, store, true, { ageBand: '35-44', householdSize: 1, incomeBand: '40k-60k' });
    await enrol(undeclared, store, true, { ageBand: null, householdSize: null, incomeBand: null });
    await enrol(older, store);
    for (const id of [family, single, undeclared, older]) await copied(id);
    const [copy] = await db.query(
      `SELECT age_band, household_size, income_band FROM coupons.household_facts
        WHERE household_id = $1`,
      [family],
    );
    expect(copy).toEqual({ age_band: '35-44', household_size: 4, income_band: '40k-60k' });
    await publish(...[family, single, undeclared, older].map((id) => profileChanged(id, {})));

    await eventually(async () => (await offersOf(family)).length === 1);
    const others = [single, undeclared, older];
    await factsCopied(...others);
    for (const id of others) expect(await offersOf(id)).toEqual([]);

    // A band the contract does not know is poison: dead-lettered, never copied.
    const strange = randomUUID();
    const poison = JSON.stringify({
      ...householdEvent(strange, store),
      demographics: { ageBand: 'teen', householdSize: 2.5, incomeBand: null },
    });
    await produce(TOPICS.householdChanged, [{ key: strange, value: poison }]);
    const dead = await findMessage(
      deadLetterTopic(TOPICS.householdChanged),
      (m) => m.key?.toString() === strange,
    );
    expect(dead.headers?.['dlq-reason']?.toString()).toMatch(
      /demographics\.ageBand.*demographics\.householdSize/,
    );
  });

  it('targets the region of the home store, from its newest store-changed event', async () => {
    const [store, unregistered] = [makeStore(), makeStore()];
    const region = `north-${randomUUID().slice(0, 8)}`;
    await publishRule(db, storeRule(store, { audience: { fact: 'region', in: [region] } }));
    const storeChanged = (version: number, storeRegion: string) =>
      JSON.stringify({
        storeId: store,
        version,
        region: storeRegion,
        changedAt: new Date().toISOString(),
      } satisfies StoreChangedV1);
    const poison = JSON.stringify({ storeId: store, version: 0, region, changedAt: 'today' });
    await produce(TOPICS.storeChanged, [
      { key: store, value: poison },
      { key: store, value: storeChanged(2, region) },
      // Older: never overwrites the newer copy.
      { key: store, value: storeChanged(1, 'south') },
    ]);
    await eventually(async () => {
      const rows = await db.query(
        `SELECT region, version FROM coupons.store_regions WHERE store_id = $1`,
        [store],
      );
      return rows.length === 1 && rows[0].version === 2;
    });
    const dead = await findMessage(
      deadLetterTopic(TOPICS.storeChanged),
      (m) => m.key?.toString() === store,
    );
    expect(dead.value?.toString()).toBe(poison);
    expect(dead.headers?.['dlq-reason']?.toString()).toContain('version');

    const [local, elsewhere] = [randomUUID(), randomUUID()];
    await enrol(local, store);
    await enrol(elsewhere, unregistered);
    for (const id of [local, elsewhere]) await copied(id);
    await publish(profileChanged(local, {}), profileChanged(elsewhere, {}));
    await eventually(async () => (await offersOf(local)).length === 1);
    const [offer] = await offersOf(local);
    expect(offer.reason).toMatchObject({
      held: true,
      all: [{ fact: 'consent' }, { fact: 'region', in: [region], actual: region, held: true }],
    });
    await factsCopied(elsewhere);
    expect(await offersOf(elsewhere)).toEqual([]);
  });

  it('targets a cross-sell from what goes with what, with the category that went with it', async () => {
    const store = makeStore();
    const [fruit, cheese] = [`fruit-${store}`, `cheese-${store}`];
    await db.query(
      `INSERT INTO coupons.item_associations (level, antecedent, consequent, together, support, confidence, lift)
       VALUES ('category', $1, $2, 40, 0.02, 0.3, 3)`,
      [fruit, cheese],
    );
    const rule = storeRule(store, {
      audience: {
        all: [
          { fact: 'homeStore', in: [store] },
          { fact: 'crossSell', category: cheese, minLift: 2, withinDays: 30 },
        ],
      },
    });
    await publishRule(db, rule);
    const [target, hasIt] = [randomUUID(), randomUUID()];
    for (const [id, categories] of [
      [target, [fruit]],
      [hasIt, [fruit, cheese]],
    ] as const) {
      await enrol(id, store);
      await copied(id);
      await db.query(`INSERT INTO ingest.shoppers (id) VALUES ($1)`, [id]);
      for (const category of categories)
        await db.query(
          `INSERT INTO ingest.shopper_products (shopper_id, sku, department, category, spend_cents, units, purchases, last_bought_on)
           VALUES ($1, $2, 'deli', $3, 500, 1, 1, current_date - 2)`,
          [id, `sku-${category}`, category],
        );
    }
    await publish(profileChanged(target, {}), profileChanged(hasIt, {}));

    const [offer] = await eventually(async () => {
      const offers = await offersOf(target);
      return offers.length > 0 && offers;
    });
    expect((offer.reason as { all: { all: object[] }[] }).all[1].all[1]).toEqual({
      fact: 'crossSell',
      category: cheese,
      minLift: 2,
      withinDays: 30,
      actual: { boughtWith: fruit, daysSinceBought: null },
      held: true,
    });
    await factsCopied(hasIt);
    expect(await offersOf(hasIt)).toEqual([]);
  });

  it('issues once per rule version, household and period, however often the facts change', async () => {
    const store = makeStore();
    const once = storeRule(store);
    const weekly = storeRule(store, { perHouseholdCap: { count: 1, period: 'week' } });
    await publishRule(db, once);
    await publishRule(db, weekly);
    const householdId = randomUUID();
    await enrol(householdId, store);
    await copied(householdId);
    const changed = profileChanged(householdId, { spend4wCents: 2_000 });
    await publish(changed, changed, profileChanged(householdId, { spend4wCents: 3_000 }));
    await eventually(async () => (await offersOf(householdId)).length === 2);
    // A new version of the first rule issues once more.
    await publishRule(db, once, { version: 2 });
    await publish(profileChanged(householdId, { spend4wCents: 3_500 }));
    await eventually(async () => (await offersOf(householdId)).length === 3);
    const offers = await offersOf(householdId);
    expect(offers.map((o) => [o.rule_id, o.rule_version, o.period_key]).sort()).toEqual(
      [
        [once.id, 1, 'campaign'],
        [once.id, 2, 'campaign'],
        [weekly.id, 1, expect.stringMatching(/^\d{4}-W\d{2}$/)],
      ].sort(),
    );
  });

  it('holds out the control group, deterministically by household and rule, with the reason', async () => {
    const store = makeStore();
    const rule = storeRule(store, { controlShare: 0.5 });
    await publishRule(db, rule);
    const households = Array.from({ length: 16 }, () => randomUUID());
    for (const id of households) await enrol(id, store);
    for (const id of households) await copied(id);
    await publish(...households.map((id) => profileChanged(id, { spend4wCents: 5_000 })));
    const decided = async () => {
      const [{ offers, holdouts }] = await db.query(
        `SELECT (SELECT count(*)::int FROM coupons.offers WHERE shopper_id = ANY($1::uuid[])) AS offers,
                (SELECT count(*)::int FROM coupons.holdouts WHERE household_id = ANY($1::uuid[])) AS holdouts`,
        [households],
      );
      return offers + holdouts === households.length;
    };
    await eventually(decided);
    const held: { household_id: string; reason: { held: boolean } }[] = await db.query(
      `SELECT household_id, reason FROM coupons.holdouts WHERE rule_id = $1`,
      [rule.id],
    );
    expect(held.map((h) => h.household_id).sort()).toEqual(
      households.filter((id) => isHeldOut(id, rule.id, 0.5)).sort(),
    );
    expect(held.every((h) => h.reason.held)).toBe(true);
  });

  it('keeps, beyond the weekly limit, the offers that save the household most, saying why', async () => {
    const store = makeStore();
    const percentOff = (percent: number) =>
      storeRule(store, { reward: { kind: 'percentOff', percent, target: { basket: true } } });
    const [small, big, middle, large] = [5, 20, 10, 15].map(percentOff);
    for (const rule of [small, big, middle, large]) await publishRule(db, rule);
    const householdId = randomUUID();
    await enrol(householdId, store);
    await copied(householdId);
    // A weekly shopper with a 50.00 basket: each offer would be used within its 14 days.
    await publish(
      profileChanged(householdId, {
        spend4wCents: 20_000,
        averageBasket52wCents: 5_000,
        cadenceDays: 7,
      }),
    );
    await eventually(async () => (await offersOf(householdId)).length === 3);
    const offers = await offersOf(householdId);
    expect(offers.map((o) => [o.rule_id, o.ranking]).sort()).toEqual(
      [
        [big.id, { expectedSavingCents: 1_000, rank: 1, candidates: 4, room: 3 }],
        [large.id, { expectedSavingCents: 750, rank: 2, candidates: 4, room: 3 }],
        [middle.id, { expectedSavingCents: 500, rank: 3, candidates: 4, room: 3 }],
      ].sort(),
    );
    // The week is full: a later change issues nothing more, however it matches.
    await publish(
      profileChanged(householdId, { spend4wCents: 30_000, averageBasket52wCents: 5_000 }),
    );
    const marker = randomUUID();
    await enrol(marker, store);
    await copied(marker);
    await publish(profileChanged(marker, { spend4wCents: 2_000 }));
    await eventually(async () => (await offersOf(marker)).length === 3);
    expect(await offersOf(householdId)).toHaveLength(3);
  });

  it('issues nothing without consent, outside the audience, or from a paused rule', async () => {
    const store = makeStore();
    await publishRule(db, storeRule(store));
    const paused = makeStore();
    await publishRule(db, storeRule(paused), { status: 'paused' });
    const [noConsent, tooLittle, pausedHousehold, marker] = [1, 2, 3, 4].map(() => randomUUID());
    await enrol(noConsent, store, false);
    await enrol(tooLittle, store);
    await enrol(pausedHousehold, paused);
    await enrol(marker, store);
    for (const id of [noConsent, tooLittle, pausedHousehold, marker]) await copied(id);
    await publish(
      profileChanged(noConsent, { spend4wCents: 5_000 }),
      profileChanged(tooLittle, { spend4wCents: 999 }),
      profileChanged(pausedHousehold, { spend4wCents: 5_000 }),
      profileChanged(marker, { spend4wCents: 5_000 }),
    );
    await eventually(async () => (await offersOf(marker)).length === 1);
    // Handled in the same batch or before: each of its households in one partition's order.
    await factsCopied(noConsent, tooLittle, pausedHousehold);
    for (const id of [noConsent, tooLittle, pausedHousehold])
      expect(await offersOf(id)).toEqual([]);
  });

  it('forgets an erased household’s facts and the reason of its offers, and keeps the offers', async () => {
    const store = makeStore();
    await publishRule(db, storeRule(store));
    const householdId = randomUUID();
    await enrol(householdId, store);
    await copied(householdId);
    await publish(profileChanged(householdId, { spend4wCents: 1_500 }));
    await eventually(async () => (await offersOf(householdId)).length === 1);
    const erased: ShopperErasedV1 = { householdId, erasedAt: new Date().toISOString() };
    await produce(TOPICS.shopperErased, [{ key: householdId, value: JSON.stringify(erased) }]);
    const [offer] = await eventually(async () => {
      const offers = await offersOf(householdId);
      return Array.isArray(offers[0].reason) && offers;
    });
    expect(offer.reason).toEqual([]);
    expect(
      await db.query(`SELECT 1 FROM coupons.household_facts WHERE household_id = $1`, [
        householdId,
      ]),
    ).toEqual([]);
  });

  it('dead-letters a poison profile event with the reason and keeps consuming', async () => {
    const store = makeStore();
    await publishRule(db, storeRule(store));
    const householdId = randomUUID();
    await enrol(householdId, store);
    await copied(householdId);
    const poison = JSON.stringify({ householdId, factsAsOf: 'yesterday', facts: {} });
    const [landed] = await produce(TOPICS.profileChangedV2, [{ key: householdId, value: poison }]);
    await publish(profileChanged(householdId, { spend4wCents: 2_000 }));
    await eventually(async () => (await offersOf(householdId)).length === 1);
    const dead = await findMessage(
      deadLetterTopic(TOPICS.profileChangedV2),
      (m) => m.key?.toString() === householdId,
    );
    expect(dead.value?.toString()).toBe(poison);
    expect(dead.headers?.['dlq-reason']?.toString()).toContain('factsAsOf');
    expect(dead.headers?.['dlq-original-offset']?.toString()).toBe(landed.baseOffset);
  });

  describe('keeps its own copy of the rules from rule-changed events', () => {
    const stateOf = async (id: string) => {
      const [row] = await db.query(
        `SELECT s.status, s.version, s.revision, v.definition ->> 'name' AS name
           FROM coupons.rule_states s JOIN coupons.rule_versions v USING (rule_id, version)
          WHERE s.rule_id = $1`,
        [id],
      );
      return row as { name: string; status: string; version: number; revision: number } | undefined;
    };
    const change = (rule: Rule, version: number, revision: number, status = 'active') =>
      JSON.stringify({
        ruleId: rule.id,
        version,
        revision,
        status,
        rule,
        changedAt: new Date().toISOString(),
      });

    it('never lets an older revision overwrite a newer copy, and keeps every version', async () => {
      const rule = makeRule({ audience: { fact: 'homeStore', in: [makeStore()] } });
      const marker = makeRule();
      await produce(TOPICS.ruleChangedV2, [
        { key: rule.id, value: change({ ...rule, name: 'second' }, 2, 3, 'paused') },
        { key: rule.id, value: change({ ...rule, name: 'first' }, 1, 1) },
        { key: rule.id, value: change({ ...rule, name: 'second' }, 2, 2) },
        // Same key, so handled after the others: once it is in, so were they.
        { key: rule.id, value: change(marker, 1, 1, 'draft') },
      ]);
      await eventually(async () => (await stateOf(marker.id)) !== undefined);
      expect(await stateOf(rule.id)).toEqual({
        name: 'second',
        status: 'paused',
        version: 2,
        revision: 3,
      });
      const [{ versions }] = await db.query(
        `SELECT count(*)::int AS versions FROM coupons.rule_versions WHERE rule_id = $1`,
        [rule.id],
      );
      expect(versions).toBe(2);
    });

    it('dead-letters a rule the domain parser refuses, naming the path, and keeps consuming', async () => {
      const rule = makeRule({ audience: { fact: 'homeStore', in: [makeStore()] } });
      const poison = change(
        { ...rule, reward: { kind: 'percentOff', percent: 500, target: { basket: true } } },
        1,
        1,
      );
      await produce(TOPICS.ruleChangedV2, [
        { key: rule.id, value: poison },
        { key: rule.id, value: change(rule, 2, 2) },
      ]);
      await eventually(async () => (await stateOf(rule.id))?.version === 2);
      const dead = await findMessage(
        deadLetterTopic(TOPICS.ruleChangedV2),
        (m) => m.key?.toString() === rule.id,
      );
      expect(dead.value?.toString()).toBe(poison);
      expect(dead.headers?.['dlq-reason']?.toString()).toContain('rule.reward.percent');
    });
  });

  it('reports ready with database and Kafka', async () => {
    const ready = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(ready.body.status).toBe('ok');
  });
});
