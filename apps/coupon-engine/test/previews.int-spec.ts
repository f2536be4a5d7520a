import { HouseholdChangedV1, ProfileChangedV2, TOPICS, isHeldOut } from '@loyalty/domain';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { eventually, openDatabase, startCouponEngine, tokenFor } from '../../../test/support/apps';
import { makeRule, publishRule } from '../../../test/support/fixtures';
import { produce } from '../../../test/support/kafka';

describe('coupon-engine previews a rule over its copy of the household facts', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  const store = `store-${randomUUID().slice(0, 8)}`;
  const households = Array.from({ length: 12 }, (_, i) => ({
    id: randomUUID(),
    consent: i % 4 !== 0,
  }));

  beforeAll(async () => {
    db = await openDatabase();
    app = await startCouponEngine();
    await produce(
      TOPICS.householdChanged,
      households.map(({ id, consent }) => ({
        key: id,
        value: JSON.stringify({
          householdId: id,
          version: 1,
          changedAt: new Date().toISOString(),
          cards: [],
          mergedInto: null,
          registered: true,
          enrolledOn: '2025-03-01',
          birthday: null,
          homeStoreId: store,
          consent: { email: false, sms: false, personalisedOffers: consent, profiling: true },
        } satisfies HouseholdChangedV1),
      })),
    );
    await produce(
      TOPICS.profileChangedV2,
      households.map(({ id }) => ({
        key: id,
        value: JSON.stringify({
          eventId: randomUUID(),
          householdId: id,
          factsAsOf: '2026-12-01',
          facts: {
            spend4wCents: 20_000,
            visits4w: 4,
            spend13wCents: 65_000,
            visits13w: 13,
            spend52wCents: 260_000,
            visits52w: 52,
            averageBasket52wCents: 5_000,
            cadenceDays: 7,
            nextVisitDueOn: '2026-12-08',
            rScore: 5,
            fScore: 5,
            mScore: 5,
            lifecycle: 'active',
            lifecycleSince: '2026-01-01',
            tier: 'gold',
            tierSince: '2026-01-01',
            daysSinceLastVisit: 1,
            birthdayInDays: null,
          },
        } satisfies ProfileChangedV2),
      })),
    );
    await eventually(async () => {
      const [{ n }] = await db.query(
        `SELECT count(*)::int AS n FROM coupons.household_facts
          WHERE household_id = ANY($1::uuid[]) AND facts_as_of IS NOT NULL AND household_version = 1`,
        [households.map((h) => h.id)],
      );
      return n === households.length;
    });
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const preview = (id: string, role: Parameters<typeof tokenFor>[0] = 'marketer', sample = 5) =>
    request(app.getHttpServer())
      .post(`/v1/rules/${id}/preview?sample=${sample}`)
      .set('Authorization', `Bearer ${tokenFor(role)}`);

  it('sizes the audience and its control group, samples it with reasons, and forecasts the cost', async () => {
    const rule = makeRule({
      audience: {
        all: [
          { fact: 'homeStore', in: [store] },
          { fact: 'tier', in: ['gold'] },
        ],
      },
      reward: { kind: 'amountOff', amountCents: 200, target: { basket: true } },
      offerValidDays: 14,
      controlShare: 0.5,
    });
    await publishRule(db, rule, { status: 'draft' });
    const { body } = await preview(rule.id).expect(200);

    const consenting = households.filter((h) => h.consent).map((h) => h.id);
    const heldOut = consenting.filter((id) => isHeldOut(id, rule.id, 0.5));
    expect(body).toMatchObject({
      ruleId: rule.id,
      version: 1,
      audienceSize: consenting.length,
      controlGroupSize: heldOut.length,
      // Each treated household shops weekly with a 50.00 basket: it redeems within 14 days.
      forecast: {
        expectedRedemptions: consenting.length - heldOut.length,
        expectedDiscountCents: 200 * (consenting.length - heldOut.length),
      },
    });
    expect(body.sample).toHaveLength(5);
    for (const entry of body.sample) {
      expect(consenting).toContain(entry.householdId);
      expect(entry.heldOut).toBe(heldOut.includes(entry.householdId));
      expect(entry.reason).toMatchObject({ held: true });
      expect(Object.keys(entry)).toEqual(['householdId', 'heldOut', 'reason']);
    }
  });

  it('answers 404 for a rule it does not hold, 400 for a bad id or sample, 403 for other roles', async () => {
    await preview(randomUUID()).expect(404);
    await preview('not-a-uuid').expect(400);
    await preview(randomUUID(), 'marketer', 101).expect(400);
    await preview(randomUUID(), 'support').expect(403);
    await preview(randomUUID(), 'shopper').expect(403);
  });
});
