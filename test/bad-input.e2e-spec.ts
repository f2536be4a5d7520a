import { TOPICS, deadLetterTopic } from '@loyalty/domain';
import fc from 'fast-check';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppProcess } from './support/app-process';
import { createTerminal, openDatabase, tokenFor } from './support/apps';
import { DevKafka, startDevKafka, stopDevKafka } from './support/dev-kafka';
import { waitForDrain } from './support/kafka';
import { endOffsets, everyMessage, rowsHolding } from './support/canary-search';
import { createTestDatabase, dropTestDatabase } from './support/test-database';
import {
  CANARY_PAN,
  OpenApiDocument,
  Operation,
  bodyFor,
  parameterValue,
} from './support/openapi-fuzz';

// Every app, as its own process, probed from outside as an attacker or a careless integrator
// would: every route of its OpenAPI document gets generated bodies, parameters and headers. No
// answer may be a 5xx or a status the document does not list; a payment card number sent
// anywhere is stored, produced and logged nowhere; what the intake accepts is never
// dead-lettered by the projector; and the apps stay ready. The apps get a database and a broker
// of their own: what the fuzz creates (rules that match everyone, sales on other tests' cards)
// must not reach other test files.

const SPACED_PAN = CANARY_PAN.replace(/(\d{4})/g, '$1 ').trim();
let kafka: Kafka;

describe('bad input, from outside, against every app', () => {
  const databaseName = `loyalty_bad_input_${process.pid}_${Date.now()}`;
  let broker: DevKafka;
  const runBrokers = process.env.KAFKA_BROKERS;
  let db: DataSource;
  let apps: AppProcess[];
  let docs: Map<AppProcess, OpenApiDocument>;
  const projectorGroup = 'pos-ingest.projector';
  const deadLetters = deadLetterTopic(TOPICS.transactionRecorded);
  let deadLettersBefore: Map<number, string>;
  let terminalKey: string;
  const staffToken = () => tokenFor('admin');

  beforeAll(async () => {
    broker = await startDevKafka();
    // The shared test helpers (waitForDrain) read the brokers from here; restored after.
    process.env.KAFKA_BROKERS = broker.brokers;
    kafka = new Kafka({
      clientId: 'bad-input-test',
      brokers: broker.brokers.split(','),
      logLevel: logLevel.NOTHING,
    });
    const databaseUrl = await createTestDatabase(databaseName);
    db = await openDatabase(databaseUrl);
    // The fuzzed bodies start from the contract's examples: store-42, lane-3.
    terminalKey = await createTerminal(db, 'store-42', 'lane-3');
    deadLettersBefore = await endOffsets(kafka, deadLetters);
    const env = { DATABASE_URL: databaseUrl, KAFKA_BROKERS: broker.brokers };
    apps = await Promise.all([
      AppProcess.start('pos-ingest', env),
      AppProcess.start('loyalty-api', env),
      AppProcess.start('coupon-engine', env),
    ]);
    docs = new Map(
      await Promise.all(
        apps.map(
          async (app) =>
            [app, (await (await fetch(`${app.url}/docs-json`)).json()) as OpenApiDocument] as const,
        ),
      ),
    );
  }, 180_000);

  afterAll(async () => {
    await Promise.all((apps ?? []).map((app) => app.stop()));
    await db?.destroy();
    await dropTestDatabase(databaseName);
    if (broker) stopDevKafka(broker);
    process.env.KAFKA_BROKERS = runBrokers;
  });

  const authHeaders = (operation: Operation): Record<string, string> => {
    const schemes = (operation.security ?? []).flatMap((s) => Object.keys(s));
    if (schemes.includes('terminal')) return { 'X-Api-Key': terminalKey };
    if (schemes.includes('bearer')) return { Authorization: `Bearer ${staffToken()}` };
    return {};
  };

  /** Sends one request and checks the answer is no 5xx and a status the document lists. */
  async function probe(
    app: AppProcess,
    method: string,
    template: string,
    operation: Operation,
    request: {
      path: string;
      body?: string;
      contentType?: string;
      headers?: Record<string, string>;
    },
  ): Promise<number> {
    const response = await fetch(`${app.url}${request.path}`, {
      method: method.toUpperCase(),
      headers: {
        ...authHeaders(operation),
        ...(request.contentType ? { 'Content-Type': request.contentType } : {}),
        ...request.headers,
      },
      body: request.body,
    });
    const text = await response.text();
    const where = `${app.name} ${method.toUpperCase()} ${template} -> ${response.status} ${text.slice(0, 300)}`;
    expect({ where, serverError: response.status >= 500 }).toEqual({ where, serverError: false });
    expect({ where, documented: String(response.status) in operation.responses }).toEqual({
      where,
      documented: true,
    });
    expect(text).not.toContain(CANARY_PAN);
    return response.status;
  }

  const operations = () =>
    [...docs].flatMap(([app, doc]) =>
      Object.entries(doc.paths).flatMap(([template, item]) =>
        Object.entries(item).map(([method, operation]) => ({
          app,
          doc,
          template,
          method,
          operation,
        })),
      ),
    );

  const pathWith = (template: string, value: string) =>
    template.replace(/\{[^}]+\}/g, encodeURIComponent(value));

  it('answers generated bodies on every route with a documented status, never a 5xx', async () => {
    const routes = operations().filter(({ operation }) => operation.requestBody);
    expect(routes.length).toBeGreaterThan(0);
    for (const { app, doc, template, method, operation } of routes) {
      const [contentType, { schema }] = Object.entries(operation.requestBody?.content ?? {})[0];
      // An NDJSON upload gets a few generated transactions, one per line.
      const line = schema['x-ndjson-line'];
      const bodies = line
        ? fc
            .array(bodyFor(line, doc), { minLength: 1, maxLength: 4 })
            .map((lines) => lines.map((l) => JSON.stringify(l)).join('\n'))
        : bodyFor(schema, doc).map((body) => JSON.stringify(body) ?? 'null');
      await fc.assert(
        fc.asyncProperty(bodies, parameterValue(), async (body, parameter) => {
          await probe(app, method, template, operation, {
            path: pathWith(template, parameter),
            contentType,
            body,
          });
        }),
        { numRuns: 100 },
      );
    }
  }, 300_000);

  it('answers what every route may meet (deep JSON, wrong or missing media type, no body, an over-long path, card numbers in the query or a header) with a documented 4xx', async () => {
    for (const { app, template, method, operation } of operations()) {
      const path = pathWith(template, randomUUID());
      const hostile: Parameters<typeof probe>[4][] = [
        { path: `${path}?q=${CANARY_PAN}` },
        { path, headers: { 'X-Request-Id': CANARY_PAN } },
        { path, headers: { 'User-Agent': `pos ${SPACED_PAN}` } },
      ];
      if (template.includes('{')) hostile.push({ path: pathWith(template, 'x'.repeat(200)) });
      if (operation.requestBody) {
        hostile.push(
          { path, contentType: 'application/json', body: '['.repeat(10_000) + ']'.repeat(10_000) },
          { path, contentType: 'application/json', body: '' },
          { path, contentType: 'application/json', body: '{"a":' },
          { path, contentType: 'text/plain', body: 'hello' },
          { path, body: '{}' },
          { path, contentType: 'application/json', body: '{"constructor":{"prototype":{}}}' },
        );
      }
      for (const request of hostile) {
        const status = await probe(app, method, template, operation, request);
        expect({ template, status: status >= 400 && status < 500 }).toEqual({
          template,
          status: true,
        });
      }
    }
  }, 120_000);

  it('keeps a payment card number nowhere: not in a table, a topic or a log; dead-letters nothing it accepted; stays ready', async () => {
    await waitForDrain(projectorGroup, TOPICS.transactionRecorded);
    expect(await endOffsets(kafka, deadLetters)).toEqual(deadLettersBefore);
    for (const pan of [CANARY_PAN, SPACED_PAN]) {
      expect(await rowsHolding(db, pan)).toEqual([]);
      for (const app of apps)
        expect({ app: app.name, logged: app.log().includes(pan) }).toEqual({
          app: app.name,
          logged: false,
        });
    }
    const messages = await everyMessage(kafka);
    expect(messages.filter((m) => m.includes(CANARY_PAN) || m.includes(SPACED_PAN))).toEqual([]);
    for (const app of apps) {
      expect(app.log()).not.toContain('Unhandled error');
      expect((await fetch(`${app.url}/health/ready`)).status).toBe(200);
    }
  }, 180_000);
});
