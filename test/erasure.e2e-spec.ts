import { TOPICS } from '@loyalty/domain';
import { Kafka, logLevel } from 'kafkajs';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppProcess } from './support/app-process';
import { createTerminal, eventually, openDatabase, tokenFor } from './support/apps';
import { TopicOffsets, everyMessage, everyTopicEnd, rowsHolding } from './support/canary-search';
import { DevKafka, startDevKafka, stopDevKafka } from './support/dev-kafka';
import { makeCardNumber, makeLine, makeTransaction } from './support/factories';
import { waitForDrain } from './support/kafka';
import { createTestDatabase, dropTestDatabase } from './support/test-database';

const FLOW_MS = 60_000;
jest.setTimeout(8 * FLOW_MS);

// The right to erasure, from outside: a shopper enrols with planted identity (canaries), shops,
// and erases their data. Afterwards no canary is in the database (a dump of it), in anything the
// system produces from then on, or in any app's log; and replaying the whole transaction topic
// into a new projector group brings nobody back. The apps run as processes with a database and
// a broker of their own, so that the dump and the topics hold only what this test caused.
describe('erasure leaves no trace of the person', () => {
  const databaseName = `loyalty_erasure_${process.pid}_${Date.now()}`;
  const runBrokers = process.env.KAFKA_BROKERS;
  let broker: DevKafka;
  let kafka: Kafka;
  let databaseUrl: string;
  let db: DataSource;
  let apps: AppProcess[] = [];

  beforeAll(async () => {
    broker = await startDevKafka();
    // The shared test helpers (waitForDrain) read the brokers from here; restored after.
    process.env.KAFKA_BROKERS = broker.brokers;
    kafka = new Kafka({
      clientId: 'erasure-test',
      brokers: broker.brokers.split(','),
      logLevel: logLevel.NOTHING,
    });
    databaseUrl = await createTestDatabase(databaseName);
    db = await openDatabase(databaseUrl);
    const env = { DATABASE_URL: databaseUrl, KAFKA_BROKERS: broker.brokers };
    apps = await Promise.all([
      AppProcess.start('pos-ingest', env),
      AppProcess.start('loyalty-api', env),
      AppProcess.start('coupon-engine', env),
    ]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await db?.destroy();
    await dropTestDatabase(databaseName);
    if (broker) stopDevKafka(broker);
    process.env.KAFKA_BROKERS = runBrokers;
  });

  it('erases identity and cards everywhere and a replay does not bring them back', async () => {
    const [posIngest, loyaltyApi] = apps;
    const tag = randomUUID().replaceAll('-', '').slice(0, 10);
    const canaries = {
      givenName: `Canarygiven${tag}`,
      familyName: `Canaryfamily${tag}`,
      email: `canary-${tag}@example.org`,
      phone: `+447400${String(Number.parseInt(tag.slice(0, 6), 16) % 1_000_000).padStart(6, '0')}`,
      postcode: `Q${tag.slice(0, 8).toUpperCase()}`,
      cardNumber: makeCardNumber(),
    };
    const shopper = { Authorization: `Bearer ${tokenFor('shopper', `canary-${tag}`)}` };
    const call = (app: AppProcess, method: string, path: string, body?: unknown, headers = {}) =>
      fetch(`${app.url}${path}`, {
        method,
        headers: { ...headers, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });

    const enrolment = await call(
      loyaltyApi,
      'POST',
      '/v1/me/enrolment',
      {
        givenName: canaries.givenName,
        familyName: canaries.familyName,
        email: canaries.email,
        phone: canaries.phone,
        postcode: canaries.postcode,
        birthday: '1990-02-28',
        cardNumber: canaries.cardNumber,
      },
      shopper,
    );
    const enrolled = (await enrolment.json()) as { householdId: string };
    expect({ status: enrolment.status, enrolled }).toMatchObject({ status: 201 });
    const { householdId } = enrolled;

    const lane = await createTerminal(db, 'store-900', 'lane-1');
    const sale = makeTransaction({
      storeId: 'store-900',
      terminalId: 'lane-1',
      cardNumber: canaries.cardNumber,
      lines: [makeLine({ amountCents: 2_500, unitPriceCents: 2_500, quantity: 1 })],
      tenders: [{ type: 'card', amountCents: 2_500 }],
      totalCents: 2_500,
    });
    expect(
      (await call(posIngest, 'POST', '/v1/transactions', sale, { 'X-Api-Key': lane })).status,
    ).toBe(202);
    await waitForDrain('pos-ingest.projector', TOPICS.transactionRecorded, FLOW_MS);
    // The points reached the household, so every app has met the person.
    await eventually(
      async () => {
        const me = (await (await call(loyaltyApi, 'GET', '/v1/me', undefined, shopper)).json()) as {
          pointsBalance: number;
        };
        return me.pointsBalance === 25;
      },
      FLOW_MS,
      'the points of the sale on the household',
    );

    const before: TopicOffsets = await everyTopicEnd(kafka);
    expect((await call(loyaltyApi, 'DELETE', '/v1/me', undefined, shopper)).status).toBeLessThan(
      300,
    );
    await eventually(
      async () => {
        const [row] = await db.query(`SELECT erased_at FROM ingest.shoppers WHERE id = $1`, [
          householdId,
        ]);
        return row?.erased_at != null;
      },
      FLOW_MS,
      "pos-ingest's erasure of the household",
    );

    // A replay of the whole transaction topic, by a projector group that has never read it.
    const replayGroup = `pos-ingest.replay-${randomUUID()}`;
    const replay = await AppProcess.start('pos-ingest', {
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: broker.brokers,
      PROJECTOR_GROUP_ID: replayGroup,
      // Groups of its own for the copies it keeps: a new member of the first process's groups
      // would wait out a rebalance on the mock broker.
      TERMINAL_KEYS_GROUP_ID: `${replayGroup}.terminal-keys`,
      HOUSEHOLDS_GROUP_ID: `${replayGroup}.households`,
      ERASURES_GROUP_ID: `${replayGroup}.erasures`,
    });
    apps.push(replay);
    await eventually(
      async () => {
        await waitForDrain(replayGroup, TOPICS.transactionRecorded, FLOW_MS);
        return true;
      },
      FLOW_MS,
      'the replay group at the end of the transaction topic',
    );
    for (const group of ['coupon-engine.erasures', 'pos-ingest.erasures'])
      await waitForDrain(group, TOPICS.shopperErased, FLOW_MS);

    const dump = execFileSync('pg_dump', ['--data-only', databaseUrl], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    const produced = (await everyMessage(kafka, before)).join('\n');
    const logs = apps.map((app) => app.log()).join('\n');
    for (const [field, canary] of Object.entries(canaries)) {
      const where = [
        ...(dump.includes(canary)
          ? [`database (${(await rowsHolding(db, canary)).join(', ')})`]
          : []),
        ...(produced.includes(canary) ? ['a topic since the erasure'] : []),
        ...(logs.includes(canary) ? ['a log'] : []),
      ];
      expect({ field, where }).toEqual({ field, where: [] });
    }
    // The sale still counts for its store, anonymously.
    const [stored] = await db.query(
      `SELECT card_number, shopper_id FROM ingest.transactions WHERE store_id = 'store-900' AND pos_transaction_id = $1`,
      [sale.posTransactionId],
    );
    expect(stored).toEqual({ card_number: null, shopper_id: null });
  });
});
