import { TOPICS, campaignLift, localDate } from '@loyalty/domain';
import { JobRunner } from '@loyalty/platform';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { eventually, openDatabase, startLoyaltyApi, tokenFor } from '../../../test/support/apps';
import { makeRule, seedRule } from '../../../test/support/fixtures';
import { findMessage } from '../../../test/support/kafka';
import { LoyaltyApiConfig } from '../src/config';
import { ReportSumsQueries } from '../src/reports/report-sums.queries';
import { recountSalesDays } from '../src/reports/reports-refresh.job';

// The reports over the test's own data: stores of its own, business days of March 2003 (no other
// test sells then) and a store selling weekly up to last week for the forecast. The segment
// snapshots count every profile of the shared database: the test compares two of its own
// snapshots, between which only it adds profiles.
describe('loyalty-api reports', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  const tag = randomUUID().slice(0, 8);
  const STORE_A = `store-rpt-a-${tag}`;
  const STORE_B = `store-rpt-b-${tag}`;
  const marketer = tokenFor('marketer');
  const http = () => request(app.getHttpServer());
  const get = (path: string, token = marketer) =>
    http()
      .get(path)
      .set({ Authorization: `Bearer ${token}` });

  async function seedHousehold(): Promise<string> {
    const id = randomUUID();
    await db.query(`INSERT INTO ingest.shoppers (id) VALUES ($1)`, [id]);
    return id;
  }

  async function sell(
    store: string,
    occurredAt: string,
    totalCents: number,
    options: { shopperId?: string | null; type?: 'sale' | 'return'; voided?: boolean } = {},
  ): Promise<void> {
    await db.query(
      `INSERT INTO ingest.transactions (pos_transaction_id, store_id, terminal_id, cashier_id, business_date,
                                        type, original_pos_transaction_id, shopper_id, occurred_at,
                                        utc_offset, total_cents, lines, tenders, applied_offers, voided,
                                        received_at)
       VALUES ($1, $2, 'lane-1', 'c-1', substr($3, 1, 10)::date, $4, $5, $6, $3::timestamptz, substr($3, 20),
               $7, '[]', '[]', '[]', $8, now())`,
      [
        `rpt-${randomUUID()}`,
        store,
        occurredAt,
        options.type ?? 'sale',
        options.type === 'return' ? 'original' : null,
        options.shopperId ?? null,
        totalCents,
        options.voided ?? false,
      ],
    );
  }

  // What the job and the CLI's reports-recount do, a month per transaction.
  const refresh = (from: string, to: string) =>
    recountSalesDays(db, app.get(ReportSumsQueries), from, to);
  const runJob = (period: string) =>
    eventually(
      async () => (await app.get(JobRunner).trigger('reports-refresh', period)) === 'done',
    );

  beforeAll(async () => {
    db = await openDatabase();
    app = await startLoyaltyApi();
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  describe('sales', () => {
    beforeAll(async () => {
      const shopper = await seedHousehold();
      // Monday 3 March 2003, on a POS clock an hour ahead of UTC: 09:xx local.
      await sell(STORE_A, '2003-03-03T09:15:00+01:00', 1_000, { shopperId: shopper });
      await sell(STORE_A, '2003-03-03T09:45:00+01:00', 3_000);
      await sell(STORE_A, '2003-03-03T17:05:00+01:00', 2_000, { shopperId: shopper });
      await sell(STORE_A, '2003-03-04T10:00:00+01:00', 500, { shopperId: shopper, type: 'return' });
      await sell(STORE_A, '2003-03-04T11:00:00+01:00', 9_999, { voided: true });
      await sell(STORE_B, '2003-03-05T23:30:00-05:00', 4_000, { shopperId: shopper });
      await runJob('2003-03-10T00:00:00.000Z');
    });

    const totals = {
      sales: 4,
      salesCents: 10_000,
      returns: 1,
      returnsCents: 500,
      netCents: 9_500,
      cardedSales: 3,
      cardedSalesCents: 7_000,
      cardedShare: 0.75,
      averageBasketCents: 2_500,
    };

    it('sums sales, returns and loyalty penetration by store, leaving voided sales out', async () => {
      const body = (
        await get(
          `/v1/reports/sales?from=2003-03-01&to=2003-03-09&by=store&storeId=${STORE_A}`,
        ).expect(200)
      ).body;
      expect(body.rows).toEqual([
        {
          key: STORE_A,
          sales: 3,
          salesCents: 6_000,
          returns: 1,
          returnsCents: 500,
          netCents: 5_500,
          cardedSales: 2,
          cardedSalesCents: 3_000,
          cardedShare: 2 / 3,
          averageBasketCents: 2_000,
        },
      ]);
    });

    it('by day, by the hour of the POS clock and by weekday', async () => {
      const rows = async (by: string, store: string) =>
        (
          await get(
            `/v1/reports/sales?from=2003-03-01&to=2003-03-09&by=${by}&storeId=${store}`,
          ).expect(200)
        ).body.rows.map((r: { key: string; sales: number; returns: number }) => [
          r.key,
          r.sales,
          r.returns,
        ]);
      expect(await rows('day', STORE_A)).toEqual([
        ['2003-03-03', 3, 0],
        ['2003-03-04', 0, 1],
      ]);
      expect(await rows('hour', STORE_A)).toEqual([
        ['9', 2, 0],
        ['10', 0, 1],
        ['17', 1, 0],
      ]);
      expect(await rows('hour', STORE_B)).toEqual([['23', 1, 0]]);
      expect(await rows('weekday', STORE_A)).toEqual([
        ['1', 3, 0],
        ['2', 0, 1],
      ]);
    });

    it('answers the rows as CSV, and the total over both stores', async () => {
      const csv = await get(
        `/v1/reports/sales?from=2003-03-01&to=2003-03-09&by=store&storeId=${STORE_B}&format=csv`,
      ).expect(200);
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(csv.text).toBe(
        'key,sales,salesCents,returns,returnsCents,netCents,cardedSales,cardedSalesCents,cardedShare,averageBasketCents\n' +
          `${STORE_B},1,4000,0,0,4000,1,4000,1,4000\n`,
      );
      const both = await Promise.all(
        [STORE_A, STORE_B].map(
          async (store) =>
            (
              await get(
                `/v1/reports/sales?from=2003-03-01&to=2003-03-09&by=day&storeId=${store}`,
              ).expect(200)
            ).body.total,
        ),
      );
      expect({
        sales: both[0].sales + both[1].sales,
        salesCents: both[0].salesCents + both[1].salesCents,
        cardedSales: both[0].cardedSales + both[1].cardedSales,
      }).toEqual({
        sales: totals.sales,
        salesCents: totals.salesCents,
        cardedSales: totals.cardedSales,
      });
    });

    it('recounts a day when its sales change, and refuses bad ranges and fields', async () => {
      await sell(STORE_A, '2003-03-03T12:00:00+01:00', 1_000);
      await refresh('2003-03-03', '2003-03-03');
      const body = (
        await get(
          `/v1/reports/sales?from=2003-03-03&to=2003-03-03&by=store&storeId=${STORE_A}`,
        ).expect(200)
      ).body;
      expect(body.total.sales).toBe(4);
      for (const [query, field] of [
        ['from=2003-03-09&to=2003-03-01&by=day', 'to'],
        ['from=2003-01-01&to=2004-01-03&by=day', 'to'],
        ['from=2003-02-30&to=2003-03-01&by=day', 'from'],
        ['from=2003-03-01&to=2003-03-02&by=month', 'by'],
        ['from=2003-03-01&to=2003-03-02&by=day&format=xml', 'format'],
        ['from=2003-03-01&to=2003-03-02&by=day&storeId=a%20b', 'storeId'],
        ['to=2003-03-02&by=day', 'from'],
      ]) {
        const response = await get(`/v1/reports/sales?${query}`).expect(400);
        expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
    });

    it('by the region of the store register; a store not registered is unknown', async () => {
      const admin = { Authorization: `Bearer ${tokenFor('admin')}` };
      const region = `north-${tag}`;
      const registered = (
        await http()
          .put(`/v1/stores/${STORE_A}`)
          .set(admin)
          .send({ name: 'Leeds', region })
          .expect(200)
      ).body;
      expect(registered).toEqual({
        storeId: STORE_A,
        name: 'Leeds',
        region,
        updatedAt: expect.any(String),
      });
      // The same details again change nothing; the change is audited once.
      expect(
        (
          await http()
            .put(`/v1/stores/${STORE_A}`)
            .set(admin)
            .send({ name: 'Leeds', region })
            .expect(200)
        ).body,
      ).toEqual(registered);
      expect(
        await db.query(
          `SELECT details FROM loyalty.audit_log WHERE action = 'store.changed' AND entity_id = $1`,
          [STORE_A],
        ),
      ).toEqual([{ details: { name: 'Leeds', region } }]);
      // The change goes out once, for the coupon engine's region fact.
      const published = await findMessage(
        TOPICS.storeChanged,
        (m) => m.key?.toString() === STORE_A,
      );
      expect(JSON.parse(published.value!.toString())).toEqual({
        storeId: STORE_A,
        version: 1,
        region,
        changedAt: registered.updatedAt,
      });
      const listed = (await get('/v1/stores').expect(200)).body.stores;
      expect(listed).toContainEqual(registered);

      const rows = (
        await get('/v1/reports/sales?from=2003-03-01&to=2003-03-09&by=region').expect(200)
      ).body.rows as { key: string; sales: number; netCents: number }[];
      const [storeRow] = (
        await get(
          `/v1/reports/sales?from=2003-03-01&to=2003-03-09&by=store&storeId=${STORE_A}`,
        ).expect(200)
      ).body.rows;
      expect(storeRow.sales).toBeGreaterThan(0);
      expect(rows.find((r) => r.key === region)).toEqual({ ...storeRow, key: region });
      // STORE_B is not registered: its sale is the unknown region's (with other tests' stores).
      expect(rows.find((r) => r.key === 'unknown')?.sales).toBeGreaterThanOrEqual(1);

      for (const [body, field] of [
        [{ name: 'Leeds' }, 'region'],
        [{ name: '', region }, 'name'],
        [{ name: 'Leeds', region: 'north east' }, 'region'],
        [{ name: 'Leeds', region, manager: 'Kim' }, 'manager'],
        // The reports' name for stores not registered.
        [{ name: 'Leeds', region: 'unknown' }, 'region'],
      ] as const) {
        const refused = await http().put(`/v1/stores/${STORE_B}`).set(admin).send(body).expect(400);
        expect(refused.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      await http().put('/v1/stores/store%20b').set(admin).send({ name: 'B', region }).expect(400);
      // Longer than any lane may send: it could never match a sale.
      await http()
        .put(`/v1/stores/${'s'.repeat(33)}`)
        .set(admin)
        .send({ name: 'B', region })
        .expect(400);
      // A payment card number is refused in a path as anywhere, never stored or echoed.
      const pan = await http()
        .put('/v1/stores/4111111111111111')
        .set(admin)
        .send({ name: 'B', region })
        .expect(400);
      expect(pan.body.code).toBe('PAYMENT_CARD_DATA');
      expect(pan.text).not.toContain('4111111111111111');
      expect(await db.query(`SELECT 1 FROM loyalty.stores WHERE id = '4111111111111111'`)).toEqual(
        [],
      );
      await http()
        .put(`/v1/stores/${STORE_B}`)
        .set({ Authorization: `Bearer ${marketer}` })
        .send({ name: 'B', region })
        .expect(403);
      await get('/v1/stores', tokenFor('support')).expect(403);
      expect(await db.query(`SELECT 1 FROM loyalty.stores WHERE id = $1`, [STORE_B])).toEqual([]);
    });

    it('is for marketers and admins', async () => {
      const path = '/v1/reports/sales?from=2003-03-01&to=2003-03-02&by=day';
      await http().get(path).expect(401);
      for (const role of ['support', 'shopper', 'finance'] as const)
        await get(path, tokenFor(role)).expect(403);
      await get(path, tokenFor('admin')).expect(200);
    });
  });

  it('sums card sales by the demographic bands households declared, with the households of each', async () => {
    const report = async (by: string) =>
      (await get(`/v1/reports/demographics?from=2003-07-07&to=2003-07-13&by=${by}`).expect(200))
        .body.rows as { band: string; households: number; netCents: number }[];
    const before = await report('ageBand');
    const enrolled = async (bands: [string | null, number | null, string | null]) => {
      const id = await seedHousehold();
      await db.query(
        `INSERT INTO loyalty.households (id, registered, enrolled_at, age_band, household_size, income_band)
         VALUES ($1, true, now(), $2, $3, $4)`,
        [id, ...bands],
      );
      return id;
    };
    const family = await enrolled(['35-44', 4, '40k-60k']);
    const single = await enrolled(['35-44', 1, null]);
    const undeclared = await enrolled([null, null, null]);
    const cardOnly = await seedHousehold();
    await sell(STORE_A, '2003-07-07T10:00:00+01:00', 1_000, { shopperId: family });
    await sell(STORE_A, '2003-07-08T10:00:00+01:00', 3_000, { shopperId: family });
    await sell(STORE_A, '2003-07-08T11:00:00+01:00', 400, { shopperId: family, type: 'return' });
    await sell(STORE_B, '2003-07-09T10:00:00+01:00', 2_000, { shopperId: single });
    await sell(STORE_B, '2003-07-09T12:00:00+01:00', 500, { shopperId: undeclared });
    await sell(STORE_B, '2003-07-10T12:00:00+01:00', 700, { shopperId: cardOnly });
    await sell(STORE_B, '2003-07-10T13:00:00+01:00', 9_999);
    await sell(STORE_B, '2003-07-10T14:00:00+01:00', 8_888, { shopperId: family, voided: true });
    await db.transaction((m) =>
      app.get(ReportSumsQueries).refreshBandDays(m, '2003-07-07', '2003-07-13'),
    );

    const ages = await report('ageBand');
    expect(ages.map((r) => r.band)).toEqual([
      '18-24',
      '25-34',
      '35-44',
      '45-54',
      '55-64',
      '65+',
      'unknown',
    ]);
    const added = (band: string) =>
      (ages.find((r) => r.band === band)?.households ?? 0) -
      (before.find((r) => r.band === band)?.households ?? 0);
    expect([added('35-44'), added('unknown'), added('18-24')]).toEqual([2, 1, 0]);
    expect(ages.find((r) => r.band === '35-44')).toEqual({
      band: '35-44',
      households: expect.any(Number),
      sales: 3,
      salesCents: 6_000,
      returns: 1,
      returnsCents: 400,
      netCents: 5_600,
      averageBasketCents: 2_000,
      shareOfNet: 5_600 / 6_800,
    });
    expect(ages.find((r) => r.band === 'unknown')).toMatchObject({
      sales: 2,
      salesCents: 1_200,
      netCents: 1_200,
      shareOfNet: 1_200 / 6_800,
    });
    expect(ages.find((r) => r.band === '18-24')).toMatchObject({ sales: 0, shareOfNet: 0 });

    const sizes = await report('householdSize');
    expect(sizes.map((r) => r.band)).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
      'unknown',
    ]);
    expect(
      sizes.filter((r) => ['1', '4', 'unknown'].includes(r.band)).map((r) => [r.band, r.netCents]),
    ).toEqual([
      ['1', 2_000],
      ['4', 3_600],
      ['unknown', 1_200],
    ]);
    const csv = await get(
      '/v1/reports/demographics?from=2003-07-07&to=2003-07-13&by=incomeBand&format=csv',
    ).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split(/\r?\n/);
    expect(lines[0]).toBe(
      'band,households,sales,salesCents,returns,returnsCents,netCents,averageBasketCents,shareOfNet',
    );
    expect(lines.find((line) => line.startsWith('40k-60k,'))).toMatch(
      /^40k-60k,\d+,2,4000,1,400,3600,2000,/,
    );
    expect(lines.find((line) => line.startsWith('unknown,'))).toMatch(
      /^unknown,\d+,3,3200,0,0,3200,1067,/,
    );

    await get('/v1/reports/demographics?from=2003-07-07&to=2003-07-13&by=postcode').expect(400);
    await get('/v1/reports/demographics?from=2003-07-13&to=2003-07-07&by=ageBand').expect(400);
    await get(
      '/v1/reports/demographics?from=2003-07-07&to=2003-07-13&by=ageBand',
      tokenFor('support'),
    ).expect(403);
  });

  it('shows the segments against a week before, and the week’s lifecycle moves', async () => {
    const segment = `test-${tag}`;
    await runJob('2003-04-07T00:00:00.000Z');
    const households = await Promise.all([1, 2, 3].map(() => seedHousehold()));
    for (const id of households) {
      await db.query(
        `INSERT INTO ingest.shopper_profiles (shopper_id, lifetime_spend_cents, visits, spend_by_department_cents,
                                              points_balance, lifecycle, r_score, f_score, m_score)
         VALUES ($1, 0, 1, '{}', 0, $2, 5, 1, 2)`,
        [id, segment],
      );
      await db.query(
        `INSERT INTO ingest.lifecycle_transitions (shopper_id, from_segment, to_segment, on_date)
         VALUES ($1, NULL, $2, '2003-04-12')`,
        [id, segment],
      );
    }
    await runJob('2003-04-14T00:00:00.000Z');
    const body = (await get('/v1/reports/segments?asOf=2003-04-14').expect(200)).body;
    expect(body.asOf).toBe('2003-04-14');
    expect(body.comparedWith).toBe('2003-04-07');
    const row = (dimension: string, value: string) =>
      body.rows.find(
        (r: { dimension: string; value: string }) => r.dimension === dimension && r.value === value,
      );
    expect(row('lifecycle', segment)).toMatchObject({
      households: 3,
      previousHouseholds: 0,
      change: 3,
    });
    expect(row('r', '5').change).toBe(3);
    expect(row('f', '1').change).toBe(3);
    const total = body.rows
      .filter((r: { dimension: string }) => r.dimension === 'lifecycle')
      .reduce((sum: number, r: { share: number }) => sum + r.share, 0);
    expect(total).toBeCloseTo(1, 9);
    expect(body.moves).toContainEqual({ from: 'none', to: segment, households: 3 });
    const csv = await get('/v1/reports/segments?asOf=2003-04-14&format=csv').expect(200);
    expect(csv.text).toContain(`lifecycle,${segment},3,`);
  });

  it('measures a campaign: issued, clipped, redeemed, cost, and the lift over its control group', async () => {
    const rule = await seedRule(db, makeRule({ name: `Report campaign ${tag}` }));
    const treated = await Promise.all(
      [400, 300, 200, 100].map(async (cents) => ({ id: await seedHousehold(), cents })),
    );
    const control = await Promise.all(
      [200, 150, 100].map(async (cents) => ({ id: await seedHousehold(), cents })),
    );
    const offers: string[] = [];
    for (const [i, { id }] of treated.entries()) {
      const offerId = randomUUID();
      offers.push(offerId);
      await db.query(
        `INSERT INTO loyalty.offers (id, code, shopper_id, rule_id, reward, valid_from, valid_until, issued_at,
                                     state, clipped_at)
         VALUES ($1, $2, $3, $4, '{}', '2003-05-05', '2003-06-01', '2003-05-05T10:00:00Z', $5, $6)`,
        [
          offerId,
          `RPT${tag}${i}`.toUpperCase(),
          id,
          rule.id,
          i === 0 ? 'clipped' : 'issued',
          i === 0 ? '2003-05-06' : null,
        ],
      );
    }
    await db.query(
      `INSERT INTO loyalty.redemptions (id, offer_id, offer_code, shopper_id, store_id, terminal_id,
                                        pos_transaction_id, discount_cents, redeemed_at, returned_cents)
       VALUES (gen_random_uuid(), $1, 'X', $2, 'store-1', 'lane-1', $3, 250, '2003-05-07', 50)`,
      [offers[0], treated[0].id, `rpt-${randomUUID()}`],
    );
    for (const { id } of control)
      await db.query(
        `INSERT INTO coupons.holdouts (rule_id, rule_version, household_id, period_key, reason, decided_at)
         VALUES ($1, 1, $2, 'p', '{}', '2003-05-05T10:00:00Z')`,
        [rule.id, id],
      );
    // Spend in the campaign's weeks (the week of 2003-05-05 on), and before it (not counted).
    for (const { id, cents } of [...treated, ...control]) {
      await db.query(
        `INSERT INTO ingest.shopper_weeks (shopper_id, week_start, spend_cents, visits)
         VALUES ($1, '2003-05-05', $2, 1), ($1, '2003-05-12', $2, 1), ($1, '2003-04-28', 99999, 1)`,
        [id, cents],
      );
    }
    const body = (await get('/v1/reports/campaigns?from=2003-05-01&to=2003-05-31').expect(200))
      .body;
    const row = body.rows.find((r: { ruleId: string }) => r.ruleId === rule.id);
    const summary = (cents: number[]) => ({
      households: cents.length,
      sumCents: cents.reduce((s, c) => s + 2 * c, 0),
      sumSquaresCents: cents.reduce((s, c) => s + (2 * c) ** 2, 0),
    });
    const lift = campaignLift(summary([400, 300, 200, 100]), summary([200, 150, 100]));
    expect(row).toEqual({
      ruleId: rule.id,
      name: rule.name,
      issued: 4,
      clipped: 1,
      redeemed: 1,
      discountCents: 200,
      redemptionRate: 0.25,
      treatedHouseholds: 4,
      controlHouseholds: 3,
      treatedSpendCents: 500,
      controlSpendCents: 300,
      incrementalSpendCentsPerHousehold: 200,
      incrementalLowCents: Math.round(lift.low as number),
      incrementalHighCents: Math.round(lift.high as number),
      incrementalSpendCents: 800,
    });
  });

  it('forecasts a store’s weekly sales and says its error on held-out weeks', async () => {
    const store = `store-rpt-f-${tag}`;
    // Twenty weeks, each Wednesday's sale 100 more than the week before, up to last week.
    // The programme's today, as the report takes it.
    const today = localDate(new Date(), app.get(LoyaltyApiConfig).PROGRAMME_TIME_ZONE);
    const monday = new Date(`${today}T00:00:00Z`);
    monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
    for (let i = 0; i < 20; i++) {
      const wednesday = new Date(monday.getTime() - (20 - i) * 7 * 86_400_000 + 2 * 86_400_000);
      await sell(store, `${wednesday.toISOString().slice(0, 10)}T12:00:00+00:00`, 10_000 + 100 * i);
    }
    const first = new Date(monday.getTime() - 20 * 7 * 86_400_000).toISOString().slice(0, 10);
    await refresh(first, monday.toISOString().slice(0, 10));
    const body = (
      await get(`/v1/reports/sales-forecast?storeId=${store}&weeks=3&heldOut=4`).expect(200)
    ).body;
    expect(body.firstWeek).toBe(monday.toISOString().slice(0, 10));
    expect(body.rows).toHaveLength(1);
    expect(body.rows[0].history.slice(-3)).toEqual([11_700, 11_800, 11_900]);
    expect(body.rows[0].forecast).toEqual([12_000, 12_100, 12_200]);
    expect(body.rows[0].heldOutMape).toBeCloseTo(0, 9);
    expect(body.rows[0].naiveMape).toBeGreaterThan(0);
  });
});
