import { HouseholdChangedV1, OfferWithdrawnV1, Rule, RuleChangedV2, TOPICS } from '@loyalty/domain';
import { JobRunner } from '@loyalty/platform';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { eventually, openDatabase, startCouponEngine } from '../../../test/support/apps';
import { makeRule, publishRule } from '../../../test/support/fixtures';
import { produce, readUntil } from '../../../test/support/kafka';
import { RulesCopyService } from '../src/rules/rules-copy.service';
import { HouseholdFactsService } from '../src/shoppers/household-facts.service';

// Offers are seeded for households and rules of each test's own; the rules select a home store no
// household has (the database is shared), so they issue nothing themselves. The expiry job is run
// for instants long past, when only the test's own offers were due: run for today, it would expire
// every earlier test's offers (tens of thousands) and the test would wait for their events.
describe('coupon-engine withdraws offers and tells the wallet', () => {
  let app: NestFastifyApplication;
  let db: DataSource;

  beforeAll(async () => {
    db = await openDatabase();
    app = await startCouponEngine();
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  /** A rule that matches no household: its audience is a home store of its own. */
  const lonelyRule = (overrides: Partial<Rule> = {}) =>
    makeRule({ audience: { fact: 'homeStore', in: [`store-${randomUUID()}`] }, ...overrides });

  /** An offer as the engine issued it, valid until `validUntil`. */
  async function seedOffer(
    householdId: string,
    ruleId: string,
    ruleVersion: number,
    validUntil: string,
  ): Promise<string> {
    const id = randomUUID();
    await db.query(
      `INSERT INTO coupons.offers (id, code, shopper_id, rule_id, rule_version, period_key, reward,
                                   valid_from, valid_until, reason, issued_at)
       VALUES ($1, $2, $3, $4, $5, $6, '{}', '2000-01-01T00:00:00Z', $7, '{}', '2000-01-01T00:00:00Z')`,
      [
        id,
        randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase(),
        householdId,
        ruleId,
        ruleVersion,
        randomUUID(),
        validUntil,
      ],
    );
    return id;
  }

  const withdrawalOf = async (offerId: string) => {
    const [row]: { withdrawn: string | null; withdrawn_at: Date | null }[] = await db.query(
      `SELECT withdrawn, withdrawn_at FROM coupons.offers WHERE id = $1`,
      [offerId],
    );
    return row;
  };

  /** The household's withdrawal events, in order, up to and including `lastOfferId`'s. */
  async function eventsOf(householdId: string, lastOfferId: string): Promise<OfferWithdrawnV1[]> {
    const read = await readUntil(TOPICS.offerWithdrawn, (m) => {
      const e = JSON.parse(String(m.value)) as OfferWithdrawnV1;
      return e.householdId === householdId && e.offerId === lastOfferId;
    });
    return read
      .filter((m) => String(m.key) === householdId)
      .map((m) => JSON.parse(String(m.value)) as OfferWithdrawnV1);
  }

  /** Runs the app's offer-expiry job for `period` (an instant), waiting out other runs. */
  const expireAt = (period: string) =>
    eventually(async () => (await app.get(JobRunner).trigger('offer-expiry', period)) === 'done');

  it('expires what ended its validity once, however often the job runs', async () => {
    const householdId = randomUUID();
    const ruleId = randomUUID();
    const due = await seedOffer(householdId, ruleId, 1, '2001-06-01T00:00:00Z');
    const valid = await seedOffer(householdId, ruleId, 1, '2099-01-01T00:00:00Z');
    // Runs of 2001: the test's own offers are the only ones of the shared database due then.
    await expireAt('2001-06-15T00:00:00.000Z');
    expect(await withdrawalOf(due)).toEqual({
      withdrawn: 'expired',
      withdrawn_at: new Date('2001-06-01T00:00:00Z'),
    });
    expect(await withdrawalOf(valid)).toEqual({ withdrawn: null, withdrawn_at: null });

    // A later run expires what fell due since, and nothing twice.
    const later = await seedOffer(householdId, ruleId, 2, '2001-07-01T00:00:00Z');
    await expireAt('2001-07-15T00:00:00.000Z');
    expect((await withdrawalOf(due)).withdrawn_at).toEqual(new Date('2001-06-01T00:00:00Z'));
    expect((await withdrawalOf(later)).withdrawn).toBe('expired');
    expect(await eventsOf(householdId, later)).toEqual([
      {
        offerId: due,
        householdId,
        ruleId,
        ruleVersion: 1,
        kind: 'expired',
        cause: 'validity-ended',
        withdrawnAt: '2001-06-01T00:00:00.000Z',
      },
      {
        offerId: later,
        householdId,
        ruleId,
        ruleVersion: 2,
        kind: 'expired',
        cause: 'validity-ended',
        withdrawnAt: '2001-07-01T00:00:00.000Z',
      },
    ]);
  });

  it('revokes the valid offers of every version of a rule that ends, none of one paused', async () => {
    const rule = lonelyRule();
    const other = lonelyRule();
    await publishRule(db, rule);
    await publishRule(db, rule, { version: 2 });
    await publishRule(db, other);
    const householdId = randomUUID();
    const v1 = await seedOffer(householdId, rule.id, 1, '2099-01-01T00:00:00Z');
    const v2 = await seedOffer(householdId, rule.id, 2, '2099-01-01T00:00:00Z');
    const ended = await seedOffer(householdId, rule.id, 1, '2026-06-01T00:00:00Z');
    const kept = await seedOffer(householdId, other.id, 1, '2099-01-01T00:00:00Z');

    await publishRule(db, rule, { version: 2, revision: 3, status: 'paused' });
    expect(await withdrawalOf(v1)).toEqual({ withdrawn: null, withdrawn_at: null });
    expect(await withdrawalOf(v2)).toEqual({ withdrawn: null, withdrawn_at: null });

    await publishRule(db, rule, { version: 2, revision: 4, status: 'ended' });
    expect((await withdrawalOf(v1)).withdrawn).toBe('revoked');
    expect((await withdrawalOf(v2)).withdrawn).toBe('revoked');
    // Its validity had ended: left to expire.
    expect((await withdrawalOf(ended)).withdrawn).not.toBe('revoked');
    expect(await withdrawalOf(kept)).toEqual({ withdrawn: null, withdrawn_at: null });
    const revokedAt = (await withdrawalOf(v1)).withdrawn_at;

    // Redelivered, the end revokes nothing again; the other rule's end comes after it.
    const endOf = (r: Rule, revision: number): RuleChangedV2 => ({
      ruleId: r.id,
      version: revision === 4 ? 2 : 1,
      revision,
      status: 'ended',
      rule: r,
      changedAt: new Date().toISOString(),
    });
    await app.get(RulesCopyService).apply([endOf(rule, 4)], new Date());
    await app.get(RulesCopyService).apply([endOf(other, 2)], new Date());
    expect((await withdrawalOf(v1)).withdrawn_at).toEqual(revokedAt);
    expect((await withdrawalOf(kept)).withdrawn).toBe('revoked');
    const events = await eventsOf(householdId, kept);
    expect(events.map((e) => [e.offerId, e.kind, e.cause]).sort()).toEqual(
      [
        [v1, 'revoked', 'rule-ended'],
        [v2, 'revoked', 'rule-ended'],
        [kept, 'revoked', 'rule-ended'],
      ].sort(),
    );
    expect(events.find((e) => e.offerId === v1)?.withdrawnAt).toBe(
      (revokedAt as Date).toISOString(),
    );
  });

  it('revokes the personalised offers of a household that withdraws its consent', async () => {
    const householdId = randomUUID();
    const household = (version: number, personalisedOffers: boolean): HouseholdChangedV1 => ({
      householdId,
      version,
      changedAt: new Date().toISOString(),
      cards: [],
      mergedInto: null,
      registered: true,
      enrolledOn: '2025-03-01',
      birthday: null,
      homeStoreId: null,
      consent: { email: false, sms: false, personalisedOffers, profiling: true },
    });
    const copied = (version: number) =>
      eventually(async () => {
        const rows = await db.query(
          `SELECT 1 FROM coupons.household_facts WHERE household_id = $1 AND household_version = $2`,
          [householdId, version],
        );
        return rows.length > 0;
      });
    const personalised = lonelyRule();
    // A draft: an offer to everyone, issuing nothing in the shared database.
    const toEveryone = makeRule({ audience: 'everyone' });
    await publishRule(db, personalised);
    await publishRule(db, toEveryone, { status: 'draft' });
    await produce(TOPICS.householdChanged, [
      { key: householdId, value: JSON.stringify(household(1, true)) },
    ]);
    await copied(1);
    const mine = await seedOffer(householdId, personalised.id, 1, '2099-01-01T00:00:00Z');
    const everyones = await seedOffer(householdId, toEveryone.id, 1, '2099-01-01T00:00:00Z');

    await produce(TOPICS.householdChanged, [
      { key: householdId, value: JSON.stringify(household(2, false)) },
    ]);
    await copied(2);
    expect((await withdrawalOf(mine)).withdrawn).toBe('revoked');
    expect(await withdrawalOf(everyones)).toEqual({ withdrawn: null, withdrawn_at: null });
    const [event] = await eventsOf(householdId, mine);
    expect(event).toMatchObject({
      offerId: mine,
      householdId,
      ruleId: personalised.id,
      ruleVersion: 1,
      kind: 'revoked',
      cause: 'consent-withdrawn',
    });

    // Redelivered, the change revokes nothing: an offer issued since stays.
    const since = await seedOffer(householdId, personalised.id, 1, '2099-01-01T00:00:00Z');
    await app.get(HouseholdFactsService).applyHouseholds([household(2, false)], new Date());
    expect(await withdrawalOf(since)).toEqual({ withdrawn: null, withdrawn_at: null });
  });
});
