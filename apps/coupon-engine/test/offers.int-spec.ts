import {
  ProfileChangedV1,
  RuleChangedV1,
  ShopperErasedV1,
  TOPICS,
  deadLetterTopic,
  emptyProfile,
} from '@loyalty/domain';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { eventually, openDatabase, startCouponEngine } from '../../../test/support/apps';
import { makeDepartment } from '../../../test/support/factories';
import { publishRule } from '../../../test/support/fixtures';
import { findMessage, produce } from '../../../test/support/kafka';

describe('coupon-engine issues offers on profile changes', () => {
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

  function profileChanged(
    shopperId: string,
    spendByDepartmentCents: Record<string, number>,
  ): ProfileChangedV1 {
    return {
      eventId: randomUUID(),
      changedAt: new Date().toISOString(),
      profile: { ...emptyProfile(shopperId), visits: 1, spendByDepartmentCents },
    };
  }

  const publish = (...events: ProfileChangedV1[]) =>
    produce(
      TOPICS.profileChanged,
      events.map((e) => ({ key: e.profile.shopperId, value: JSON.stringify(e) })),
    );

  const offersOf = (shopperId: string) =>
    db.query(`SELECT * FROM coupons.offers WHERE shopper_id = $1 ORDER BY issued_at`, [
      shopperId,
    ]) as Promise<Record<string, unknown>[]>;

  async function departmentRule(perShopperLimit = 1) {
    const department = makeDepartment();
    const ruleId = await publishRule(db, {
      audience: [{ fact: 'departmentSpendCents', department, atLeast: 1_000 }],
      reward: { kind: 'amountOff', amountCents: 200, target: { scope: 'department', department } },
      perShopperLimit,
    });
    return { department, ruleId };
  }

  it('issues an offer with a unique code and the matched facts as its reason', async () => {
    const { department, ruleId } = await departmentRule();
    const shopperId = randomUUID();
    await publish(profileChanged(shopperId, { [department]: 1_500 }));
    const [offer] = await eventually(async () => {
      const offers = await offersOf(shopperId);
      return offers.length > 0 && offers;
    });
    expect(offer).toMatchObject({
      rule_id: ruleId,
      reward: { kind: 'amountOff', amountCents: 200, target: { scope: 'department', department } },
      reason: [{ fact: 'departmentSpendCents', department, atLeast: 1_000, actual: 1_500 }],
    });
    expect(offer.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}$/);
    const issued = await findMessage(TOPICS.offerIssued, (m) => m.key?.toString() === shopperId);
    expect(JSON.parse(issued.value!.toString())).toMatchObject({
      offerId: offer.id,
      code: offer.code,
      ruleId,
      shopperId,
      issuedAt: (offer.issued_at as Date).toISOString(),
    });
  });

  it('removes the facts an offer was issued for when its household is erased, and keeps the offer', async () => {
    const { department } = await departmentRule();
    const shopperId = randomUUID();
    await publish(profileChanged(shopperId, { [department]: 1_500 }));
    await eventually(async () => (await offersOf(shopperId)).length === 1);
    const erased: ShopperErasedV1 = { householdId: shopperId, erasedAt: new Date().toISOString() };
    await produce(TOPICS.shopperErased, [{ key: shopperId, value: JSON.stringify(erased) }]);
    const [offer] = await eventually(async () => {
      const offers = await offersOf(shopperId);
      return (offers[0].reason as unknown[]).length === 0 && offers;
    });
    expect(offer.code).toEqual(expect.any(String));
  });

  it('issues nothing twice for a redelivered event, and respects the per-shopper limit', async () => {
    const { department } = await departmentRule(2);
    const shopperId = randomUUID();
    const first = profileChanged(shopperId, { [department]: 1_500 });
    const second = profileChanged(shopperId, { [department]: 2_500 });
    const third = profileChanged(shopperId, { [department]: 3_500 });
    await publish(first, first, first, second, third);
    // A marker on the same key is processed after everything before it (same partition).
    const { department: markerDepartment } = await departmentRule();
    await publish(profileChanged(shopperId, { [markerDepartment]: 5_000 }));
    await eventually(async () => (await offersOf(shopperId)).length === 3);
    const offers = await offersOf(shopperId);
    expect(
      offers.filter(
        (o) => (o.reward as { target: { department: string } }).target.department === department,
      ),
    ).toHaveLength(2);
    expect(offers.map((o) => o.trigger_event_id)).toEqual(
      expect.arrayContaining([first.eventId, second.eventId]),
    );
  });

  it('issues nothing when the audience does not match or the rule is paused', async () => {
    const { department } = await departmentRule();
    const paused = makeDepartment();
    await publishRule(db, {
      audience: [{ fact: 'departmentSpendCents', department: paused, atLeast: 1 }],
      reward: { kind: 'percentOff', percent: 5, target: { scope: 'basket' } },
      status: 'paused',
    });
    const shopperId = randomUUID();
    const { department: markerDepartment } = await departmentRule();
    await publish(profileChanged(shopperId, { [department]: 999, [paused]: 10_000 }));
    await publish(profileChanged(shopperId, { [markerDepartment]: 5_000 }));
    await eventually(async () => (await offersOf(shopperId)).length > 0);
    const offers = await offersOf(shopperId);
    expect(offers).toHaveLength(1);
    expect((offers[0].reward as { target: { department: string } }).target.department).toBe(
      markerDepartment,
    );
  });

  it('dead-letters a poison message with the reason and keeps consuming', async () => {
    const { department } = await departmentRule();
    const shopperId = randomUUID();
    const poison = JSON.stringify({ eventId: 'x', profile: { shopperId: 'not-a-uuid' } });
    const [landed] = await produce(TOPICS.profileChanged, [{ key: shopperId, value: poison }]);
    await publish(profileChanged(shopperId, { [department]: 2_000 }));
    await eventually(async () => (await offersOf(shopperId)).length === 1);
    const dead = await findMessage(
      deadLetterTopic(TOPICS.profileChanged),
      (m) => m.key?.toString() === shopperId,
    );
    expect(dead.value?.toString()).toBe(poison);
    expect(dead.headers?.['dlq-reason']?.toString()).toContain('profile.shopperId');
    expect(dead.headers?.['dlq-original-topic']?.toString()).toBe(TOPICS.profileChanged);
    expect(dead.headers?.['dlq-original-partition']?.toString()).toBe(String(landed.partition));
    expect(dead.headers?.['dlq-original-offset']?.toString()).toBe(landed.baseOffset);
  });

  describe('keeps its own copy of the rules from rule-changed events', () => {
    const ruleChanged = (id: string, version: number, overrides: Partial<RuleChangedV1['rule']>) =>
      JSON.stringify({
        rule: {
          id,
          name: `rule ${id}`,
          status: 'active',
          // A department nobody buys in: rules of this test must not reach other tests' shoppers.
          audience: [{ fact: 'departmentSpendCents', department: makeDepartment(), atLeast: 1 }],
          reward: { kind: 'percentOff', percent: 5, target: { scope: 'basket' } },
          validFrom: '2026-01-01T00:00:00.000Z',
          validUntil: '2099-01-01T00:00:00.000Z',
          offerValidDays: 14,
          perShopperLimit: 1,
          ...overrides,
        },
        version,
        changedAt: new Date().toISOString(),
      } satisfies RuleChangedV1);

    const copyOf = async (id: string) => {
      const [row] = await db.query(
        `SELECT name, status, version FROM coupons.rules WHERE id = $1`,
        [id],
      );
      return row as { name: string; status: string; version: number } | undefined;
    };

    it('never lets an older change overwrite a newer copy', async () => {
      const id = randomUUID();
      const marker = randomUUID();
      await produce(TOPICS.ruleChanged, [
        { key: id, value: ruleChanged(id, 2, { name: 'second', status: 'paused' }) },
        { key: id, value: ruleChanged(id, 1, { name: 'first' }) },
        { key: id, value: ruleChanged(id, 2, { name: 'second again' }) },
        // Same key, so handled after the others: once it is in, so were they.
        { key: id, value: ruleChanged(marker, 1, {}) },
      ]);
      await eventually(async () => (await copyOf(marker)) !== undefined);
      expect(await copyOf(id)).toEqual({ name: 'second', status: 'paused', version: 2 });
      await produce(TOPICS.ruleChanged, [
        { key: id, value: ruleChanged(id, 3, { name: 'third' }) },
      ]);
      await eventually(async () => (await copyOf(id))?.version === 3);
      expect(await copyOf(id)).toEqual({ name: 'third', status: 'active', version: 3 });
    });

    it('dead-letters a rule it cannot evaluate and keeps consuming', async () => {
      const id = randomUUID();
      const poison = ruleChanged(id, 1, {
        reward: { kind: 'percentOff', percent: 500, target: { scope: 'basket' } },
      });
      await produce(TOPICS.ruleChanged, [
        { key: id, value: poison },
        { key: id, value: ruleChanged(id, 2, { name: 'fixed' }) },
      ]);
      await eventually(async () => (await copyOf(id))?.version === 2);
      const dead = await findMessage(
        deadLetterTopic(TOPICS.ruleChanged),
        (m) => m.key?.toString() === id,
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
