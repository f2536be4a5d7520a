import { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { TOPICS } from '@loyalty/domain';
import {
  createTerminal,
  openDatabase,
  startPosIngest,
  startPosIngestWithOwnGroup,
} from '../../../test/support/apps';
import { waitForDrain } from '../../../test/support/kafka';
import { makeCardNumber, makeLine, makeTransaction } from '../../../test/support/factories';

// Each class of bad input found by probing from outside: a 4xx naming the problem, nothing stored.

const PAN = '4111111111111111';
const STORE = 'store-bad-input';

describe('pos-ingest refuses bad input', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let apiKey: string;
  let groupId: string;

  beforeAll(async () => {
    db = await openDatabase();
    ({ app, groupId } = await startPosIngestWithOwnGroup());
    apiKey = await createTerminal(db, STORE);
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const post = (path: string, body: string | object | undefined, contentType?: string) => {
    let req = request(app.getHttpServer()).post(path).set('X-Api-Key', apiKey);
    if (contentType) req = req.set('Content-Type', contentType);
    return body === undefined ? req : req.send(body);
  };
  const sale = (overrides = {}) => makeTransaction({ storeId: STORE, ...overrides });
  const stored = async (posTransactionId: string) =>
    (
      await db.query(
        `SELECT count(*)::int AS n FROM ingest.transactions WHERE store_id = $1 AND pos_transaction_id = $2`,
        [STORE, posTransactionId],
      )
    )[0].n as number;
  /** Everything produced so far is projected: what a refused request could have caused is in. */
  const drained = () => waitForDrain(groupId, TOPICS.transactionRecorded);

  it('refuses JSON nested 10,000 levels deep with a 400 (a bulk line alone), and stays ready', async () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    for (const path of ['/v1/transactions']) {
      const response = await post(path, deep, 'application/json').expect(400);
      expect(response.body).toMatchObject({ code: 'BODY_TOO_DEEP', field: 'body' });
    }
    // A bulk line nested as deep is refused alone by the contract; the rest of the upload counts.
    const deepLine = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    const good = sale();
    const bulk = await post(
      '/v1/transactions/bulk',
      [deepLine, JSON.stringify(good)].join('\n'),
      'application/x-ndjson',
    ).expect(200);
    expect(bulk.body).toMatchObject({ accepted: 1, rejected: 1 });
    expect(bulk.body.results[0]).toMatchObject({ status: 'rejected', code: 'VALIDATION_FAILED' });
    await request(app.getHttpServer()).get('/health/ready').expect(200);
  });

  it.each([
    ['a null card number', (tx: object) => ({ ...tx, cardNumber: null }), 'cardNumber'],
    [
      'nested empty line discounts',
      (tx: object) => ({ ...tx, lines: [{ ...makeLine({ amountCents: 370 }), discounts: [[]] }] }),
      'lines[0].discounts[0]',
    ],
    ['nested empty offers', (tx: object) => ({ ...tx, appliedOffers: [[]] }), 'appliedOffers[0]'],
    [
      'a lone surrogate in a SKU',
      (tx: object) => ({ ...tx, lines: [makeLine({ sku: 'milk\uD800', amountCents: 370 })] }),
      'lines[0].sku',
    ],
    [
      'a constructor field',
      (tx: object) => ({ ...tx, constructor: { prototype: {} } }),
      'constructor',
    ],
    [
      '100,000 lines',
      (tx: object) => ({ ...tx, lines: Array.from({ length: 100_000 }, () => 1) }),
      'lines',
    ],
  ])(
    'refuses %s with a 400 naming the field, single and as a bulk line',
    async (_n, mutate, field) => {
      const tx = sale({ lines: [makeLine({ amountCents: 370 })] });
      const bad = mutate(tx);
      const response = await post('/v1/transactions', bad).expect(400);
      // A JSON body naming constructor.prototype is refused by the parser itself, on every route.
      if (field === 'constructor') expect(response.body.code).toBe('INVALID_JSON');
      else {
        expect(response.body.code).toBe('VALIDATION_FAILED');
        expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }

      const good = sale();
      const bulk = await post(
        '/v1/transactions/bulk',
        [JSON.stringify(bad), JSON.stringify(good)].join('\n'),
        'application/x-ndjson',
      ).expect(200);
      expect(bulk.body).toMatchObject({ accepted: 1, rejected: 1 });
      expect(bulk.body.results[0]).toMatchObject({ status: 'rejected', code: 'VALIDATION_FAILED' });
      expect(bulk.body.results[0].errors.map((e: { field: string }) => e.field)).toContain(field);
      await drained();
      expect(await stored(good.posTransactionId)).toBe(1);
      expect(await stored(tx.posTransactionId)).toBe(0);
    },
  );

  it('never echoes a payment card number in a bulk answer, not even as the transaction id', async () => {
    const tx = sale({ posTransactionId: PAN });
    const response = await post(
      '/v1/transactions/bulk',
      JSON.stringify({ ...tx, cashierId: PAN }),
      'application/x-ndjson',
    ).expect(200);
    expect(response.body.results[0]).toMatchObject({ code: 'PAYMENT_CARD_DATA' });
    expect(JSON.stringify(response.body)).not.toContain(PAN);
    expect(JSON.stringify(response.body)).not.toContain('1111111111');
  });

  it('refuses a payment card number in the query string or a header, before anything else', async () => {
    const byQuery = await post(`/v1/transactions?note=${PAN}`, sale()).expect(400);
    expect(byQuery.body).toMatchObject({ code: 'PAYMENT_CARD_DATA', field: 'query.note' });
    const byHeader = await post('/v1/transactions', sale()).set('X-Request-Id', PAN).expect(400);
    expect(byHeader.body).toMatchObject({
      code: 'PAYMENT_CARD_DATA',
      field: 'headers.x-request-id',
    });
    expect(JSON.stringify([byQuery.body, byHeader.body, byHeader.headers])).not.toContain(PAN);
  });

  it.each([
    ['no Content-Type', '/v1/transactions', undefined, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['text/plain', '/v1/transactions', 'text/plain', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['application/xml', '/v1/transactions', 'application/xml', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    [
      'JSON to the bulk route',
      '/v1/transactions/bulk',
      'application/json',
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
  ])(
    'answers %s with %d naming the media type the route takes',
    async (_n, path, type, status, code) => {
      const body = JSON.stringify(sale());
      const req = request(app.getHttpServer()).post(path).set('X-Api-Key', apiKey);
      const response = await (
        type ? req.set('Content-Type', type) : req.unset('Content-Type')
      ).send(body);
      expect(response.status).toBe(status);
      expect(response.body).toMatchObject({ code, field: 'content-type' });
      expect(response.body.message).toMatch(/application\/(json|x-ndjson)/);
    },
  );

  it('answers one clear error for a missing or non-object body', async () => {
    const empty = await post('/v1/transactions', undefined, 'application/json');
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe('BODY_REQUIRED');
    const array = await post('/v1/transactions', '[]', 'application/json').expect(400);
    expect(array.body.code).toBe('BODY_NOT_AN_OBJECT');
    const emptyBulk = await post('/v1/transactions/bulk', '', 'application/x-ndjson').expect(400);
    expect(emptyBulk.body.code).toBe('BODY_REQUIRED');
  });

  it('refuses a bulk upload of more than 2,000 transactions with a 413 naming the limit', async () => {
    const tiny = '{}\n'.repeat(50_000);
    const response = await post('/v1/transactions/bulk', tiny, 'application/x-ndjson').expect(413);
    expect(response.body).toMatchObject({ code: 'TOO_MANY_LINES' });
    expect(response.body.message).toContain('2000');
  });

  it('answers a lane racing its own retry with 202 every time, counting the sale once', async () => {
    const cardNumber = makeCardNumber();
    const tx = sale({ cardNumber });
    const statuses = await Promise.all(
      Array.from({ length: 20 }, async () => (await post('/v1/transactions', tx)).status),
    );
    expect(statuses).toEqual(Array(20).fill(202));
    await drained();
    const [profile] = await db.query(
      `SELECT p.visits FROM ingest.shopper_profiles p JOIN ingest.cards c USING (shopper_id) WHERE c.card_number = $1`,
      [cardNumber],
    );
    expect(profile.visits).toBe(1);
  });

  it('counts single and bulk posts against one allowance per store', async () => {
    const limited = await startPosIngest({
      STORE_REQUESTS_PER_MINUTE: '3',
      PROJECTOR_ENABLED: 'false',
    });
    try {
      const key = await createTerminal(db, 'store-allowance');
      const tx = () => makeTransaction({ storeId: 'store-allowance' });
      const send = (path: string, body: string, type: string) =>
        request(limited.getHttpServer())
          .post(path)
          .set('X-Api-Key', key)
          .set('Content-Type', type)
          .send(body);
      const statuses = [
        (await send('/v1/transactions', JSON.stringify(tx()), 'application/json')).status,
        (await send('/v1/transactions/bulk', JSON.stringify(tx()), 'application/x-ndjson')).status,
        (await send('/v1/transactions', JSON.stringify(tx()), 'application/json')).status,
        (await send('/v1/transactions/bulk', JSON.stringify(tx()), 'application/x-ndjson')).status,
      ];
      expect(statuses).toEqual([202, 200, 202, 429]);
    } finally {
      await limited.close();
    }
  });
});
