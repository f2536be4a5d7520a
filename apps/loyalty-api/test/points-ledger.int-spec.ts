import {
  InsufficientPointsError,
  PointsCauseReusedError,
  PointsMovement,
  expiryCutoff,
  householdIdForCard,
  expiryDay,
  pointsToExpire,
  unconsumedCredits,
} from '@loyalty/domain';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { JobRunner } from '@loyalty/platform';
import { PointsExpiryService } from '../src/points/points-expiry.service';
import { PointsLedger } from '../src/points/points-ledger';
import { PointsService } from '../src/points/points.service';
import { makeCardNumber } from '../../../test/support/factories';
import { startLoyaltyApi } from '../../../test/support/apps';

// The ledger's moves inside a caller's transaction (redeem, its reversal, transfers) and the
// expiry pass, against the real database, through the app's own providers.
describe('the points ledger', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let ledger: PointsLedger;
  const at = new Date('2026-11-25T12:00:00Z');

  beforeAll(async () => {
    app = await startLoyaltyApi();
    db = app.get(DataSource);
    ledger = app.get(PointsLedger);
  });

  afterAll(async () => {
    await app.close();
  });

  async function seedEntries(
    entries: { points: number; occurredAt: string }[],
    householdId: string = randomUUID(),
  ): Promise<string> {
    for (const e of entries)
      await db.query(
        `INSERT INTO loyalty.points_ledger (household_id, kind, points, source_type, source_id, occurred_at)
         VALUES ($1, $2, $3, 'seed', $4, $5)`,
        [householdId, e.points > 0 ? 'earn' : 'redeem', e.points, randomUUID(), e.occurredAt],
      );
    await db.query(
      `INSERT INTO loyalty.points_accounts (household_id, balance) VALUES ($1, $2)
       ON CONFLICT (household_id) DO UPDATE SET balance = loyalty.points_accounts.balance + $2`,
      [householdId, entries.reduce((total, e) => total + e.points, 0)],
    );
    return householdId;
  }

  const balanceOf = async (householdId: string): Promise<number | null> => {
    const [row] = await db.query(
      `SELECT balance::int AS balance FROM loyalty.points_accounts WHERE household_id = $1`,
      [householdId],
    );
    return row ? row.balance : null;
  };

  const entriesOf = (householdId: string, sourceType?: string) =>
    db.query(
      `SELECT kind, points::int AS points, source_type, source_id, occurred_at
         FROM loyalty.points_ledger
        WHERE household_id = $1 AND ($2::text IS NULL OR source_type = $2) ORDER BY id`,
      [householdId, sourceType ?? null],
    ) as Promise<
      { kind: string; points: number; source_type: string; source_id: string; occurred_at: Date }[]
    >;

  /** The sum of the entries is the cached balance. */
  async function expectBalanceMatchesLedger(householdId: string): Promise<void> {
    const [{ sum }] = await db.query(
      `SELECT coalesce(sum(points), 0)::int AS sum FROM loyalty.points_ledger WHERE household_id = $1`,
      [householdId],
    );
    expect(await balanceOf(householdId)).toBe(sum);
  }

  describe('redeem', () => {
    it('lets exactly one of two concurrent redemptions of the whole balance win', async () => {
      const household = await seedEntries([{ points: 100, occurredAt: '2026-10-01T10:00:00Z' }]);
      const results = await Promise.allSettled(
        ['lane-1', 'lane-2'].map((lane) =>
          db.transaction((m) => ledger.redeem(m, household, 100, `store-1:${lane}:1`, at)),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toBeInstanceOf(InsufficientPointsError);
      expect(await balanceOf(household)).toBe(0);
      expect(await entriesOf(household, 'redemption')).toHaveLength(1);
      await expectBalanceMatchesLedger(household);
    });

    it('spends no point twice among many concurrent lanes', async () => {
      const household = await seedEntries([{ points: 350, occurredAt: '2026-10-01T10:00:00Z' }]);
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) =>
          db.transaction((m) => ledger.redeem(m, household, 100, `store-1:lane:${i}`, at)),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
      expect(await balanceOf(household)).toBe(50);
      await expectBalanceMatchesLedger(household);
    });

    it('answers a repeated cause without spending again, and refuses it with other points', async () => {
      const household = await seedEntries([{ points: 100, occurredAt: '2026-10-01T10:00:00Z' }]);
      const redeem = (points: number) =>
        db.transaction((m) => ledger.redeem(m, household, points, 'store-1:lane-1:7', at));
      expect(await redeem(40)).toEqual({ balance: 60 });
      expect(await redeem(40)).toEqual({ balance: 60 });
      await expect(redeem(41)).rejects.toBeInstanceOf(PointsCauseReusedError);
      expect(await balanceOf(household)).toBe(60);
    });

    it('refuses more than the balance, and a household with no points at all', async () => {
      const household = await seedEntries([{ points: 10, occurredAt: '2026-10-01T10:00:00Z' }]);
      await expect(
        db.transaction((m) => ledger.redeem(m, household, 11, 'store-1:lane-1:8', at)),
      ).rejects.toBeInstanceOf(InsufficientPointsError);
      await expect(
        db.transaction((m) => ledger.redeem(m, randomUUID(), 1, 'store-1:lane-1:9', at)),
      ).rejects.toBeInstanceOf(InsufficientPointsError);
      expect(await entriesOf(household, 'redemption')).toEqual([]);
      expect(await balanceOf(household)).toBe(10);
    });

    it('gives points a redemption spent back once per cause', async () => {
      const household = await seedEntries([{ points: 100, occurredAt: '2026-10-01T10:00:00Z' }]);
      await db.transaction((m) => ledger.redeem(m, household, 70, 'store-1:lane-1:10', at));
      const giveBack = (points: number, cause: string) =>
        db.transaction((m) =>
          ledger.giveBackSpent(m, household, points, 'store-1:lane-1:10', cause, at),
        );
      expect(await Promise.all([giveBack(30, 'return-1'), giveBack(30, 'return-1')])).toEqual(
        expect.arrayContaining([30, 0]),
      );
      expect(await giveBack(30, 'return-1')).toBe(0);
      expect(await giveBack(40, 'void-1')).toBe(40);
      expect(
        await db.transaction((m) =>
          ledger.giveBackSpent(m, household, 10, 'no-such-cause', 'void-2', at),
        ),
      ).toBe(0);
      expect(await balanceOf(household)).toBe(100);
      await expectBalanceMatchesLedger(household);
    });
  });

  describe('transferBalance', () => {
    it('moves the whole balance once, dated by the oldest points it carries', async () => {
      const from = await seedEntries([
        { points: 100, occurredAt: '2025-01-01T00:00:00Z' },
        { points: 50, occurredAt: '2025-06-01T00:00:00Z' },
        { points: -120, occurredAt: '2025-07-01T00:00:00Z' },
        { points: 40, occurredAt: '2025-09-01T00:00:00Z' },
      ]);
      const to = await seedEntries([{ points: 5, occurredAt: '2026-01-01T00:00:00Z' }]);
      const cause = `merge-${randomUUID()}`;
      const transfer = () => db.transaction((m) => ledger.transferBalance(m, from, to, cause, at));
      expect(await Promise.all([transfer(), transfer()])).toEqual([70, 70]);
      expect(await transfer()).toBe(70);
      expect(await balanceOf(from)).toBe(0);
      expect(await balanceOf(to)).toBe(75);
      expect(await entriesOf(from, 'transfer')).toEqual([
        expect.objectContaining({
          kind: 'transfer',
          points: -70,
          source_id: cause,
          occurred_at: at,
        }),
      ]);
      // What is left after FIFO: 30 of 1 June 2025 and 40 of 1 September 2025.
      expect(await entriesOf(to, 'transfer')).toEqual([
        expect.objectContaining({
          kind: 'transfer',
          points: 70,
          source_id: cause,
          occurred_at: new Date('2025-06-01T00:00:00Z'),
        }),
      ]);
      await expectBalanceMatchesLedger(from);
      await expectBalanceMatchesLedger(to);
    });

    it('moves nothing from an empty household, and crosswise transfers never deadlock', async () => {
      const a = await seedEntries([{ points: 10, occurredAt: '2026-01-01T00:00:00Z' }]);
      const b = await seedEntries([{ points: 20, occurredAt: '2026-01-01T00:00:00Z' }]);
      expect(
        await db.transaction((m) => ledger.transferBalance(m, randomUUID(), a, 'empty', at)),
      ).toBe(0);
      const moved = await Promise.all([
        db.transaction((m) => ledger.transferBalance(m, a, b, `x-${randomUUID()}`, at)),
        db.transaction((m) => ledger.transferBalance(m, b, a, `y-${randomUUID()}`, at)),
      ]);
      expect(moved).toHaveLength(2);
      expect(((await balanceOf(a)) ?? 0) + ((await balanceOf(b)) ?? 0)).toBe(30);
      await expectBalanceMatchesLedger(a);
      await expectBalanceMatchesLedger(b);
    });
  });

  describe('a card registered while its points are booked', () => {
    it('leaves no point behind on the household derived from the card', async () => {
      const service = app.get(PointsService);
      const cards = Array.from({ length: 15 }, () => makeCardNumber());
      const owners = new Map(cards.map((card) => [card, randomUUID()]));
      // As registering a card does: lock the card, record it, take over its points.
      const register = (card: string) =>
        db.transaction(async (m) => {
          await ledger.lockCards(m, [card]);
          const household = owners.get(card) as string;
          await m.query(`INSERT INTO loyalty.households (id, registered) VALUES ($1, true)`, [
            household,
          ]);
          await m.query(`INSERT INTO loyalty.cards (card_number, household_id) VALUES ($1, $2)`, [
            card,
            household,
          ]);
          await ledger.transferBalance(m, householdIdForCard(card), household, `claim:${card}`, at);
        });
      const book = (card: string, n: number) =>
        service.bookEarned([
          {
            cause: `store-1:race-${card}-${n}`,
            householdId: householdIdForCard(card),
            cardNumber: card,
            kind: 'earn',
            points: 10,
            occurredAt: '2026-11-20T10:00:00Z',
          },
        ]);
      await Promise.all(
        cards.flatMap((card) => [book(card, 1), register(card), book(card, 2), book(card, 3)]),
      );
      for (const card of cards) {
        expect({ card, derived: await balanceOf(householdIdForCard(card)) }).toEqual({
          card,
          derived: 0,
        });
        expect(await balanceOf(owners.get(card) as string)).toBe(30);
        await expectBalanceMatchesLedger(householdIdForCard(card));
      }
    });
  });

  describe('the daily expiry job', () => {
    it('runs the pass once per day through the job runner, whichever process claims it', async () => {
      const household = await seedEntries([{ points: 40, occurredAt: '2020-01-01T00:00:00Z' }]);
      const runner = app.get(JobRunner);
      const day = new Date().toISOString().slice(0, 10);
      expect(await runner.trigger('points-expiry', day)).toBe('done');
      expect((await entriesOf(household, 'expiry')).map((e) => e.points)).toEqual([-40]);
      await expectBalanceMatchesLedger(household);
      // The same day again is done already: nothing runs, nothing more is booked.
      expect(await runner.trigger('points-expiry', day)).toBe('not-claimed');
      expect(await entriesOf(household, 'expiry')).toHaveLength(1);
    });
  });

  describe('the expiry pass', () => {
    // With 24 months, 2026-03-15T12:00Z expires what was earned up to 2024-03-15T12:00Z.
    const asOf = new Date('2026-03-15T12:00:00Z');
    const cutoff = expiryCutoff(asOf, 24);
    const cases: [string, { points: number; occurredAt: string }[]][] = [
      ['nothing old', [{ points: 100, occurredAt: '2025-01-01T00:00:00Z' }]],
      ['all old', [{ points: 100, occurredAt: '2024-01-01T00:00:00Z' }]],
      [
        'earned at the exact instant of the cutoff',
        [{ points: 7, occurredAt: '2024-03-15T12:00:00Z' }],
      ],
      ['earned a millisecond after it', [{ points: 7, occurredAt: '2024-03-15T12:00:00.001Z' }]],
      [
        'the cutoff instant written with an offset',
        [{ points: 9, occurredAt: '2024-03-15T14:00:00+02:00' }],
      ],
      [
        'old points partly redeemed',
        [
          { points: 100, occurredAt: '2024-01-01T00:00:00Z' },
          { points: -30, occurredAt: '2024-02-01T00:00:00Z' },
        ],
      ],
      [
        'a later redemption consumed the old points first',
        [
          { points: 100, occurredAt: '2024-01-01T00:00:00Z' },
          { points: 80, occurredAt: '2025-01-01T00:00:00Z' },
          { points: -120, occurredAt: '2025-06-01T00:00:00Z' },
        ],
      ],
      [
        'a return took back part of the old points',
        [
          { points: 100, occurredAt: '2024-01-01T00:00:00Z' },
          { points: -25, occurredAt: '2024-01-03T00:00:00Z' },
          { points: 60, occurredAt: '2025-02-01T00:00:00Z' },
        ],
      ],
      [
        'an earlier expiry already took them',
        [
          { points: 100, occurredAt: '2024-01-01T00:00:00Z' },
          { points: -100, occurredAt: '2026-01-02T00:00:00Z' },
          { points: 10, occurredAt: '2026-01-05T00:00:00Z' },
        ],
      ],
      [
        'in debt',
        [
          { points: 20, occurredAt: '2024-01-01T00:00:00Z' },
          { points: -50, occurredAt: '2024-01-02T00:00:00Z' },
        ],
      ],
    ];

    it('books for every household what the domain rule says, once per cutoff day', async () => {
      const households = new Map<string, [string, PointsMovement[]]>();
      for (const [name, entries] of cases)
        households.set(await seedEntries(entries), [
          name,
          entries.map((e) => ({ points: e.points, occurredAt: new Date(e.occurredAt) })),
        ]);
      const service = app.get(PointsExpiryService);
      await service.expirePoints(asOf);
      const booked = async () =>
        Object.fromEntries(
          await Promise.all(
            [...households].map(async ([id, [name]]) => [
              name,
              (await entriesOf(id, 'expiry')).map((e) => ({ points: e.points, day: e.source_id })),
            ]),
          ),
        );
      const expected = Object.fromEntries(
        [...households.values()].map(([name, entries]) => {
          const points = pointsToExpire(entries, cutoff);
          return [name, points > 0 ? [{ points: -points, day: expiryDay(cutoff) }] : []];
        }),
      );
      expect(await booked()).toEqual(expected);
      expect(expected['all old']).toEqual([{ points: -100, day: '2024-03-15' }]);
      expect(expected['earned at the exact instant of the cutoff']).toHaveLength(1);
      expect(expected['earned a millisecond after it']).toEqual([]);
      for (const id of households.keys()) await expectBalanceMatchesLedger(id);

      // Again: nothing more. What is left is exactly the unexpired lots.
      await service.expirePoints(asOf);
      expect(await booked()).toEqual(expected);
      for (const [id, [, entries]] of households) {
        const left = unconsumedCredits(entries)
          .filter((lot) => lot.occurredAt > cutoff)
          .reduce((total, lot) => total + lot.points, 0);
        expect(await balanceOf(id)).toBe(
          Math.min(
            left,
            entries.reduce((t, e) => t + e.points, 0),
          ),
        );
      }
    });
  });
});
