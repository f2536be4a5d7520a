import { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  createTerminal,
  eventually,
  openDatabase,
  startPosIngest,
  startPosIngestWithOwnGroup,
  tokenFor,
} from '../../../test/support/apps';
import { waitForDrain } from '../../../test/support/kafka';
import { PosTransaction, TOPICS } from '@loyalty/domain';
import { makeCardNumber, makeLine, makeTransaction } from '../../../test/support/factories';
import { startDevKafka, stopDevKafka } from '../../../test/support/dev-kafka';

// A test PAN (Visa): Luhn-valid, and not one of our loyalty cards.
const PAN = '4111111111111111';

describe('pos-ingest intake', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let apiKey: string;
  let otherStoreKey: string;
  let otherLaneKey: string;
  let groupId: string;
  /** Everything posted so far is projected (or was refused before it reached the stream). */
  const drained = () => waitForDrain(groupId, TOPICS.transactionRecorded);

  beforeAll(async () => {
    db = await openDatabase();
    ({ app, groupId } = await startPosIngestWithOwnGroup());
    apiKey = await createTerminal(db, 'store-1');
    otherStoreKey = await createTerminal(db, 'store-2');
    otherLaneKey = await createTerminal(db, 'store-1', 'lane-2');
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const post = (body: unknown, key: string | null = apiKey) => {
    const req = request(app.getHttpServer()).post('/v1/transactions');
    return (key ? req.set('X-Api-Key', key) : req).send(body as object);
  };

  const storedTransaction = async (posTransactionId: string) =>
    (
      await db.query(`SELECT * FROM ingest.transactions WHERE pos_transaction_id = $1`, [
        posTransactionId,
      ])
    )[0];

  const profileOf = async (cardNumber: string | undefined) =>
    (
      await db.query(
        `SELECT p.* FROM ingest.shopper_profiles p JOIN ingest.cards c USING (shopper_id) WHERE c.card_number = $1`,
        [cardNumber],
      )
    )[0];

  it('accepts a transaction with 202 and projects it into a new shopper profile', async () => {
    const tx = makeTransaction({
      lines: [
        makeLine({ amountCents: 300 }),
        makeLine({ department: 'PRODUCE', amountCents: 120, quantity: 0.532 }),
      ],
    });
    const response = await post(tx).expect(202);
    expect(response.body).toEqual({ posTransactionId: tx.posTransactionId, status: 'accepted' });

    await drained();
    const profile = await profileOf(tx.cardNumber);
    expect(profile).toMatchObject({
      lifetime_spend_cents: '420',
      visits: 1,
      spend_by_department_cents: { DAIRY: 300, PRODUCE: 120 },
    });
    expect(profile.first_visit_at.toISOString()).toBe('2026-11-20T22:42:10.000Z');
    const stored = await storedTransaction(tx.posTransactionId);
    expect(stored).toMatchObject({ store_id: 'store-1', utc_offset: '-05:00', total_cents: '420' });
    const [shopper] = await db.query(`SELECT registered FROM ingest.shoppers WHERE id = $1`, [
      profile.shopper_id,
    ]);
    expect(shopper.registered).toBe(false);
  });

  it('counts a POS retry of the same transaction once', async () => {
    const tx = makeTransaction();
    await post(tx).expect(202);
    await post(tx).expect(202);
    const next = makeTransaction({ cardNumber: tx.cardNumber });
    await post(next).expect(202);
    await drained();
    const profile = await profileOf(tx.cardNumber);
    expect(profile.visits).toBe(2);
    expect(Number(profile.lifetime_spend_cents)).toBe(tx.totalCents + next.totalCents);
  });

  it('refuses the same id with a different body with 409, keeping the first', async () => {
    const tx = makeTransaction();
    await post(tx).expect(202);
    const other = {
      ...tx,
      lines: [makeLine({ amountCents: 999 })],
      totalCents: 999,
      tenders: [{ type: 'cash', amountCents: 999 }],
    };
    const response = await post(other).expect(409);
    expect(response.body).toMatchObject({
      code: 'TRANSACTION_ID_REUSED',
      field: 'posTransactionId',
    });
    await post(tx).expect(202);
    await drained();
    const stored = await storedTransaction(tx.posTransactionId);
    expect(stored.total_cents).toBe(String(tx.totalCents));
    expect((await profileOf(tx.cardNumber)).visits).toBe(1);
  });

  describe('rejects bad input with a 400 naming the field, and records nothing', () => {
    const card = (tx: PosTransaction) => tx.cardNumber as string;
    const cases: [string, (tx: PosTransaction) => unknown, string][] = [
      [
        'bad check digit',
        (tx) => ({
          ...tx,
          cardNumber: card(tx).slice(0, -1) + ((Number(card(tx).at(-1)) + 1) % 10),
        }),
        'cardNumber',
      ],
      ['unknown type', (tx) => ({ ...tx, type: 'refund' }), 'type'],
      [
        'return without its original',
        (tx) => ({ ...tx, type: 'return' }),
        'originalPosTransactionId',
      ],
      [
        'tenders that do not add up',
        (tx) => ({ ...tx, tenders: [{ type: 'cash', amountCents: 1 }] }),
        'tenders',
      ],
      [
        'timestamp beyond the clock skew',
        (tx) => ({ ...tx, occurredAt: '2099-01-01T00:00:00Z' }),
        'occurredAt',
      ],
      [
        'business date that is no date',
        (tx) => ({ ...tx, businessDate: '2026-13-40' }),
        'businessDate',
      ],
      ['missing cashier', (tx) => ({ ...tx, cashierId: undefined }), 'cashierId'],
      ['card too short', (tx) => ({ ...tx, cardNumber: '123' }), 'cardNumber'],
      [
        'totals do not add up',
        (tx) => ({
          ...tx,
          totalCents: tx.totalCents + 1,
          tenders: [{ type: 'card', amountCents: tx.totalCents + 1 }],
        }),
        'totalCents',
      ],
      ['no lines', (tx) => ({ ...tx, lines: [], totalCents: 0, tenders: [] }), 'lines'],
      [
        'line without amount',
        (tx) => ({ ...tx, lines: [{ ...tx.lines[0], amountCents: undefined }] }),
        'lines[0].amountCents',
      ],
      [
        'fractional cents',
        (tx) => ({ ...tx, lines: [{ ...tx.lines[0], amountCents: 1.5 }], totalCents: 1.5 }),
        'lines[0].amountCents',
      ],
      [
        'negative quantity',
        (tx) => ({ ...tx, lines: [{ ...tx.lines[0], quantity: -1 }] }),
        'lines[0].quantity',
      ],
      ['time without offset', (tx) => ({ ...tx, occurredAt: '2026-11-20T17:42:10' }), 'occurredAt'],
      ['not a date', (tx) => ({ ...tx, occurredAt: 'yesterday' }), 'occurredAt'],
      [
        'missing transaction id',
        (tx) => ({ ...tx, posTransactionId: undefined }),
        'posTransactionId',
      ],
      ['unknown field', (tx) => ({ ...tx, cashback: 100 }), 'cashback'],
      [
        'amount beyond any receipt',
        (tx) => ({ ...tx, lines: [{ ...tx.lines[0], amountCents: 1e15 }], totalCents: 1e15 }),
        'lines[0].amountCents',
      ],
      [
        'control character in a SKU',
        (tx) => ({ ...tx, lines: [{ ...tx.lines[0], sku: 'a\u0000b' }] }),
        'lines[0].sku',
      ],
      ['store id with spaces', (tx) => ({ ...tx, storeId: 'store 1' }), 'storeId'],
    ];

    it.each(cases)('%s', async (_name, mutate, field) => {
      const tx = makeTransaction();
      const bad = mutate(tx) as { posTransactionId?: string };
      const response = await post(bad).expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);

      const good = makeTransaction({ cardNumber: tx.cardNumber });
      await post(good).expect(202);
      await drained();
      expect(await storedTransaction(tx.posTransactionId)).toBeUndefined();
      expect((await profileOf(tx.cardNumber)).visits).toBe(1);
    });

    it.each([
      ['as the loyalty card', (tx: PosTransaction) => ({ ...tx, cardNumber: PAN }), 'cardNumber'],
      [
        'in a line description',
        (tx: PosTransaction) => ({
          ...tx,
          lines: [{ ...tx.lines[0], description: `paid ${PAN}` }, tx.lines[1]],
        }),
        'lines[0].description',
      ],
    ])(
      'refuses a payment card number %s, never echoing or storing it',
      async (_name, mutate, field) => {
        const tx = makeTransaction();
        const response = await post(mutate(tx)).expect(400);
        expect(response.body.code).toBe('PAYMENT_CARD_DATA');
        expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
        expect(JSON.stringify(response.body)).not.toContain(PAN);
        const good = makeTransaction({ cardNumber: tx.cardNumber });
        await post(good).expect(202);
        await drained();
        expect(await storedTransaction(tx.posTransactionId)).toBeUndefined();
        const [{ n }] = await db.query(
          `SELECT count(*)::int AS n FROM ingest.transactions WHERE card_number = $1 OR lines::text LIKE $2`,
          [PAN, `%${PAN}%`],
        );
        expect(n).toBe(0);
      },
    );

    it('rejects malformed JSON', async () => {
      const response = await request(app.getHttpServer())
        .post('/v1/transactions')
        .set('X-Api-Key', apiKey)
        .set('Content-Type', 'application/json')
        .send('{"posTransactionId": ');
      expect(response.status).toBe(400);
    });
  });

  describe('authentication', () => {
    it('refuses a request without an API key', async () => {
      expect((await post(makeTransaction(), null)).status).toBe(401);
    });

    it('refuses an unknown API key', async () => {
      expect((await post(makeTransaction(), 'tk_0000000000000000_' + 'x'.repeat(43))).status).toBe(
        401,
      );
    });

    it('refuses a staff token on a POS route', async () => {
      const response = await request(app.getHttpServer())
        .post('/v1/transactions')
        .set('Authorization', `Bearer ${tokenFor('marketer')}`)
        .send(makeTransaction());
      expect(response.status).toBe(401);
    });

    it.each([
      ['for another store', () => otherStoreKey, 'WRONG_STORE', 'storeId'],
      ['as another lane of its store', () => otherLaneKey, 'WRONG_TERMINAL', 'terminalId'],
    ])('refuses a terminal acting %s, and records nothing', async (_name, key, code, field) => {
      const tx = makeTransaction({ storeId: 'store-1', terminalId: 'lane-1' });
      const response = await post(tx, key()).expect(403);
      expect(response.body).toMatchObject({ code, field });
      await drained();
      expect(await storedTransaction(tx.posTransactionId)).toBeUndefined();
    });
  });

  it('counts an anonymous sale for its store and no shopper', async () => {
    const tx = makeTransaction({
      cardNumber: undefined,
      storeId: 'store-2',
      businessDate: '2026-11-19',
    });
    const [before] = await db.query(
      `SELECT coalesce(sum(anonymous_sales), 0)::int AS n FROM ingest.store_daily_sales WHERE store_id = 'store-2' AND business_date = '2026-11-19'`,
    );
    await post(tx, otherStoreKey).expect(202);
    await drained();
    const stored = await storedTransaction(tx.posTransactionId);
    expect(stored).toMatchObject({ card_number: null, shopper_id: null });
    const [after] = await db.query(
      `SELECT anonymous_sales AS n FROM ingest.store_daily_sales WHERE store_id = 'store-2' AND business_date = '2026-11-19'`,
    );
    expect(after.n).toBe(before.n + 1);
  });

  it('keeps transactions of two stores that happen to share a POS transaction id', async () => {
    const cardNumber = makeCardNumber();
    const here = makeTransaction({ cardNumber, posTransactionId: 'lane-1:000001' });
    const there = makeTransaction({
      cardNumber,
      posTransactionId: 'lane-1:000001',
      storeId: 'store-2',
    });
    await post(here).expect(202);
    await post(there, otherStoreKey).expect(202);
    await drained();
    expect((await profileOf(cardNumber)).visits).toBe(2);
  });

  it('serves health and OpenAPI without credentials', async () => {
    await request(app.getHttpServer()).get('/health/live').expect(200);
    const ready = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(ready.body.info).toMatchObject({ database: { status: 'up' }, kafka: { status: 'up' } });
    const docs = await request(app.getHttpServer()).get('/docs-json').expect(200);
    expect(Object.keys(docs.body.paths)).toContain('/v1/transactions');
  });
});

describe('pos-ingest bulk intake and limits', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let apiKey: string;
  let groupId: string;
  const drained = () => waitForDrain(groupId, TOPICS.transactionRecorded);

  beforeAll(async () => {
    db = await openDatabase();
    ({ app, groupId } = await startPosIngestWithOwnGroup());
    apiKey = await createTerminal(db, 'store-bulk');
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const bulk = (lines: string[], contentType = 'application/x-ndjson') =>
    request(app.getHttpServer())
      .post('/v1/transactions/bulk')
      .set('X-Api-Key', apiKey)
      .set('Content-Type', contentType)
      .send(lines.join('\n'));

  const visitsOf = async (cardNumber: string) =>
    (
      await db.query(
        `SELECT p.visits FROM ingest.shopper_profiles p JOIN ingest.cards c USING (shopper_id) WHERE c.card_number = $1`,
        [cardNumber],
      )
    )[0]?.visits;

  it('accepts the good lines of an NDJSON upload, says why each bad one is refused, and is safe to resend', async () => {
    const cardNumber = makeCardNumber();
    const good = [1, 2, 3].map((n) =>
      makeTransaction({
        storeId: 'store-bulk',
        cardNumber,
        posTransactionId: `lane-1:${cardNumber}:${n}`,
      }),
    );
    const invalid = makeTransaction({
      storeId: 'store-bulk',
      cardNumber,
      posTransactionId: `lane-1:${cardNumber}:bad`,
    });
    const lines = [
      JSON.stringify(good[0]),
      '{"not json',
      JSON.stringify({ ...invalid, totalCents: invalid.totalCents + 1 }),
      JSON.stringify(good[1]),
      JSON.stringify({ ...invalid, posTransactionId: 'x:1', cardNumber: PAN }),
      JSON.stringify({ ...invalid, posTransactionId: 'x:2', storeId: 'store-1' }),
      '',
      JSON.stringify(good[2]),
    ];
    const response = await bulk(lines).expect(200);
    expect(response.body).toMatchObject({ accepted: 3, rejected: 4 });
    expect(
      response.body.results.map((r: { line: number; status: string; code?: string }) => [
        r.line,
        r.status,
        r.code,
      ]),
    ).toEqual([
      [1, 'accepted', undefined],
      [2, 'rejected', 'INVALID_JSON'],
      [3, 'rejected', 'VALIDATION_FAILED'],
      [4, 'accepted', undefined],
      [5, 'rejected', 'PAYMENT_CARD_DATA'],
      [6, 'rejected', 'WRONG_STORE'],
      [8, 'accepted', undefined],
    ]);
    expect(response.body.results[2].errors).toContainEqual(
      expect.objectContaining({ field: 'totalCents' }),
    );
    expect(JSON.stringify(response.body)).not.toContain(PAN);
    await drained();
    expect(await visitsOf(cardNumber)).toBe(3);

    const again = await bulk(lines.filter((l, i) => [0, 3, 7].includes(i))).expect(200);
    expect(again.body).toMatchObject({ accepted: 3, rejected: 0 });
    await drained();
    expect(await visitsOf(cardNumber)).toBe(3);
  });

  it('refuses a line that reuses an id with another body, before or within the upload', async () => {
    const first = makeTransaction({ storeId: 'store-bulk' });
    await bulk([JSON.stringify(first)]).expect(200);
    const changed = { ...first, cashierId: 'someone-else' };
    const fresh = makeTransaction({ storeId: 'store-bulk' });
    const response = await bulk([
      JSON.stringify(changed),
      JSON.stringify(fresh),
      JSON.stringify({ ...fresh, cashierId: 'x' }),
    ]).expect(200);
    expect(
      response.body.results.map((r: { status: string; code?: string }) => [r.status, r.code]),
    ).toEqual([
      ['rejected', 'TRANSACTION_ID_REUSED'],
      ['accepted', undefined],
      ['rejected', 'TRANSACTION_ID_REUSED'],
    ]);
  });

  it('answers 415 to a bulk upload that is not NDJSON', async () => {
    await bulk(
      [JSON.stringify(makeTransaction({ storeId: 'store-bulk' }))],
      'application/json',
    ).expect(415);
  });

  it('answers 413 to a single transaction over 1 MB', async () => {
    const huge = makeTransaction({
      storeId: 'store-bulk',
      lines: Array.from({ length: 900 }, () =>
        makeLine({ sku: 'x'.repeat(60), description: 'y'.repeat(1_200) }),
      ),
    });
    const response = await request(app.getHttpServer())
      .post('/v1/transactions')
      .set('X-Api-Key', apiKey)
      .send(huge);
    expect(response.status).toBe(413);
    expect(response.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it("answers 429 with Retry-After once the store's requests per minute are used up", async () => {
    const limited = await startPosIngest({
      STORE_REQUESTS_PER_MINUTE: '3',
      PROJECTOR_ENABLED: 'false',
    });
    try {
      const statuses: number[] = [];
      let retryAfter: string | undefined;
      for (let i = 0; i < 5; i++) {
        const response = await request(limited.getHttpServer())
          .post('/v1/transactions/bulk')
          .set('X-Api-Key', apiKey)
          .set('Content-Type', 'application/x-ndjson')
          .send(JSON.stringify(makeTransaction({ storeId: 'store-bulk' })));
        statuses.push(response.status);
        retryAfter ??= response.headers['retry-after'];
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(Number(retryAfter)).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});

describe('pos-ingest intake when the broker is unavailable', () => {
  it('answers 503 with Retry-After within seconds, so the POS keeps the sale and retries', async () => {
    const broker = await startDevKafka();
    const db = await openDatabase();
    const app = await startPosIngest({ KAFKA_BROKERS: broker.brokers, PROJECTOR_ENABLED: 'false' });
    try {
      const apiKey = await createTerminal(db, 'store-1');
      const send = (body: object) =>
        request(app.getHttpServer()).post('/v1/transactions').set('X-Api-Key', apiKey).send(body);
      // A fresh broker creates the topic on first use: wait until it takes transactions.
      await eventually(async () => (await send(makeTransaction())).status === 202);
      stopDevKafka(broker);
      const lost = makeTransaction();
      const response = await send(lost).expect(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.body).toMatchObject({ code: 'INTAKE_UNAVAILABLE' });
    } finally {
      await app.close();
      await db.destroy();
    }
  });
});
