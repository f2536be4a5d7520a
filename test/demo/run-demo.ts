import { PosTransaction } from '@loyalty/domain';
import { JwtService } from '@nestjs/jwt';
import { JWT_ISSUER, postgresOptions } from '@loyalty/platform';
import { SingleBar } from 'cli-progress';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { loyaltyApiDatabase } from '../../apps/loyalty-api/src/database/data-source';
import { ReportSumsQueries } from '../../apps/loyalty-api/src/reports/report-sums.queries';
import { recountSalesDays } from '../../apps/loyalty-api/src/reports/reports-refresh.job';
import { createTerminalKey } from '../../apps/loyalty-api/src/terminals/create-terminal-key';
import { loadCompleteJourneyTransactions } from '../support/complete-journey';
import { AppKafka, kafkaForApps, stopDevKafka } from '../support/dev-kafka';

// Starts the whole system on this machine and plays real Complete Journey baskets through it as
// POS terminals. Environment: DATABASE_URL, KAFKA_BROKERS, JWT_SECRET, DEMO_BASKETS, DEMO_MEMBERS
// (all optional).

const ROOT = join(__dirname, '..', '..');
const LOG_DIR = join(ROOT, '.demo');
// The running demo's settings, for the CLI: `npm run cli -- token --env-file .demo/demo.env ...`.
const SETTINGS_FILE = join(LOG_DIR, 'demo.env');
// How long an app may take to stop gracefully (leave its groups, flush its outbox) before SIGKILL.
const APP_STOP_TIMEOUT_MS = 15_000;
const APPS = [
  { name: 'loyalty-api', port: 3000 },
  { name: 'pos-ingest', port: 3001 },
  { name: 'coupon-engine', port: 3002 },
] as const;
const BASKETS = Number(process.env.DEMO_BASKETS ?? 5_000);
const IN_FLIGHT = 16;
const VALID_UNTIL = new Date(Date.now() + 365 * 24 * 3600 * 1000).toISOString();

// How many of the busiest cards' holders enrol (with consent to personalised offers) after
// their baskets were played: the rules target only households that agreed.
const MEMBERS = Number(process.env.DEMO_MEMBERS ?? 200);

// Marketing's rules over the dataset's real departments (the model of
// libs/domain/src/rules/rule-model.ts), judged whenever a household's facts change.
const RULES = [
  {
    name: 'Fresh produce fans: 15% off produce',
    audience: { fact: 'productSpend', item: { department: 'PRODUCE' }, atLeast: 300 },
    reward: { kind: 'percentOff', percent: 15, target: { department: 'PRODUCE' } },
  },
  {
    name: 'Meat lovers: 3.00 off meat',
    audience: { fact: 'productSpend', item: { department: 'MEAT' }, atLeast: 500 },
    reward: { kind: 'amountOff', amountCents: 300, target: { department: 'MEAT' } },
  },
  {
    name: 'Dairy regulars: 2.00 off the basket',
    audience: { fact: 'productUnits', item: { department: 'DAIRY' }, atLeast: 2 },
    reward: { kind: 'amountOff', amountCents: 200, target: { basket: true } },
  },
].map((rule) => ({
  ...rule,
  trigger: { kind: 'profileChange' },
  validity: { from: new Date(Date.now() - 24 * 3600 * 1000).toISOString(), until: VALID_UNTIL },
  offerValidDays: 30,
  budgetCents: 500_000,
  priority: 10,
  stacking: 'stackable',
}));

const children: ChildProcess[] = [];
// Set as soon as the broker is being started, so that a signal arriving meanwhile still stops it.
let kafkaStarting: Promise<AppKafka> | null = null;

function log(message: string): void {
  console.log(`[demo] ${message}`);
}

async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name}"`);
      log(`Created database ${name}`);
    }
  } finally {
    await client.end();
  }
}

function startApp(name: string, port: number, env: NodeJS.ProcessEnv): ChildProcess {
  const out = openSync(join(LOG_DIR, `${name}.log`), 'a');
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'apps', name, 'src', 'main.js')], {
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', out, out],
  });
  child.on('exit', (code, signal) => {
    if (!shuttingDown) {
      console.error(`[demo] ${name} exited (${signal ?? code}); see .demo/${name}.log`);
      void shutdown(1);
    }
  });
  children.push(child);
  return child;
}

async function waitReady(name: string, port: number, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health/ready`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(250);
  }
  throw new Error(`${name} was not ready within ${timeoutMs} ms; see .demo/${name}.log`);
}

async function sendJson(
  method: 'POST' | 'PUT',
  url: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

async function createRules(token: string): Promise<void> {
  const auth = { authorization: `Bearer ${token}` };
  const existing = (
    (await (await fetch('http://127.0.0.1:3000/v1/rules?limit=100', { headers: auth })).json()) as {
      rules: { id: string; rule: { name: string } }[];
    }
  ).rules;
  for (const rule of RULES) {
    let id = existing.find((e) => e.rule.name === rule.name)?.id;
    if (!id) {
      const created = await sendJson('POST', 'http://127.0.0.1:3000/v1/rules', rule, auth);
      if (created.status !== 201)
        throw new Error(`Creating rule failed: ${JSON.stringify(created.body)}`);
      id = (created.body as { id: string }).id;
      log(`Marketing created rule "${rule.name}"`);
    }
    const activated = await sendJson(
      'POST',
      `http://127.0.0.1:3000/v1/rules/${id}/status`,
      { status: 'active' },
      auth,
    );
    if (activated.status !== 200)
      throw new Error(`Activating rule failed: ${JSON.stringify(activated.body)}`);
  }
}

/**
 * The holder of `cardNumber` enrols from the app (the card keeps its history and points) and
 * agrees to personalised offers and profiling.
 */
async function enrol(token: string, identity: Record<string, string>): Promise<void> {
  const auth = { authorization: `Bearer ${token}` };
  const enrolment = await sendJson('POST', 'http://127.0.0.1:3000/v1/me/enrolment', identity, auth);
  if (enrolment.status !== 201 && enrolment.status !== 200)
    throw new Error(`Enrolling a shopper failed: ${JSON.stringify(enrolment.body)}`);
  const consent = await sendJson(
    'PUT',
    'http://127.0.0.1:3000/v1/me/consent',
    { email: false, sms: false, personalisedOffers: true, profiling: true },
    auth,
  );
  if (consent.status !== 200)
    throw new Error(`Giving consent failed: ${JSON.stringify(consent.body)}`);
}

async function postBaskets(baskets: PosTransaction[], keys: Map<string, string>): Promise<void> {
  const bar = new SingleBar({
    format: '[demo] POS terminals posting baskets |{bar}| {value}/{total} {eta_formatted}',
  });
  bar.start(baskets.length, 0);
  let next = 0;
  const lane = async () => {
    while (next < baskets.length) {
      const basket = baskets[next++];
      const response = await sendJson('POST', 'http://127.0.0.1:3001/v1/transactions', basket, {
        'x-api-key': keys.get(basket.storeId) as string,
      });
      if (response.status !== 202)
        throw new Error(`POS post failed: ${JSON.stringify(response.body)}`);
      bar.increment();
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  bar.stop();
}

async function waitUntilStable(
  db: DataSource,
  sql: string,
  label: string,
  atLeast = 0,
): Promise<number> {
  let last = -1;
  for (;;) {
    const [{ n }] = await db.query(sql);
    if (n === last && n >= atLeast) return n;
    last = n;
    log(`${label}: ${n}`);
    await sleep(1_500);
  }
}

let shuttingDown = false;
let stopped: Promise<never> | null = null;

/** Stops every app (SIGTERM, SIGKILL if it hangs) and the dev broker, then exits; once only. */
function shutdown(code: number): Promise<never> {
  shuttingDown = true;
  stopped ??= stopEverything().then(() => process.exit(code));
  return stopped;
}

async function stopEverything(): Promise<void> {
  await Promise.all(children.map(stopApp));
  const kafka = await kafkaStarting?.catch(() => null);
  if (kafka?.devKafka) stopDevKafka(kafka.devKafka);
  rmSync(SETTINGS_FILE, { force: true });
}

async function stopApp(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), APP_STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** What the CLI needs to act on this demo: its database, broker and JWT secret (owner-only file). */
function writeSettings(env: Record<string, string>): void {
  const lines = Object.entries(env).map(([name, value]) => `${name}=${value}`);
  writeFileSync(SETTINGS_FILE, `${lines.join('\n')}\n`, { mode: 0o600 });
}

async function main(): Promise<void> {
  mkdirSync(LOG_DIR, { recursive: true });
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/loyalty_demo';
  await ensureDatabase(databaseUrl);

  kafkaStarting = kafkaForApps();
  const kafka = await kafkaStarting;
  if (shuttingDown) return;
  if (kafka.devKafka) {
    log(
      `KAFKA_BROKERS is not set: started a local development Kafka broker (librdkafka mock cluster, in memory) at ${kafka.devKafka.brokers}`,
    );
  }
  const jwtSecret = process.env.JWT_SECRET ?? randomBytes(32).toString('hex');
  const erasureHashKey = process.env.ERASURE_HASH_KEY ?? randomBytes(32).toString('hex');
  const settings = {
    DATABASE_URL: databaseUrl,
    ...kafka.env,
    JWT_SECRET: jwtSecret,
    ERASURE_HASH_KEY: erasureHashKey,
  };
  writeSettings(settings);
  const env = { ...process.env, ...settings };
  for (const app of APPS) startApp(app.name, app.port, env);
  await Promise.all(APPS.map((app) => waitReady(app.name, app.port)));
  log('loyalty-api, pos-ingest and coupon-engine are up (logs in .demo/)');

  const tokenFor = (role: string, subject: string) =>
    new JwtService({ secret: jwtSecret }).sign(
      { roles: [role] },
      { subject, issuer: JWT_ISSUER, expiresIn: '12h' },
    );
  const marketerToken = tokenFor('marketer', 'demo-marketer');
  await createRules(marketerToken);

  const baskets = loadCompleteJourneyTransactions().slice(0, BASKETS);
  const db = await new DataSource(
    postgresOptions({ ...loyaltyApiDatabase, databaseUrl, applicationName: 'demo' }),
  ).initialize();
  // Rules reach the coupon engine by event; baskets posted before would meet no rule.
  await waitUntilStable(
    db,
    `SELECT count(*)::int AS n FROM coupons.rule_states WHERE status = 'active'`,
    'Rules copied to the coupon engine',
    RULES.length,
  );
  const keys = new Map<string, string>();
  for (const storeId of new Set(baskets.map((b) => b.storeId)))
    keys.set(storeId, await createTerminalKey(db, storeId, 'lane-1'));
  log(`Created terminal API keys for ${keys.size} stores`);
  // The intake authenticates lanes with its own copy of the keys, which arrives by event.
  await waitUntilStable(
    db,
    `SELECT count(*)::int AS n FROM ingest.terminal_keys WHERE revoked_at IS NULL`,
    'Terminal keys copied to the intake',
    keys.size,
  );

  await postBaskets(baskets, keys);
  await waitUntilStable(
    db,
    `SELECT count(*)::int AS n FROM ingest.transactions WHERE pos_transaction_id LIKE 'cj-%'`,
    'Transactions projected into profiles',
    baskets.length,
  );
  // The reports' job recounts only the last days by itself; these sales are years old.
  const days = baskets.map((b) => b.businessDate).sort();
  const [firstDay, lastDay] = [days[0], days[days.length - 1]];
  await recountSalesDays(db, new ReportSumsQueries(), firstDay, lastDay);
  log(`Reports' sales sums counted for ${firstDay} to ${lastDay}`);
  // The holders of the busiest cards enrol, each at the store they shop at most; the busiest is
  // Dana Demo, the example below.
  const visits = new Map<string, Map<string, number>>();
  for (const { cardNumber, storeId } of baskets) {
    if (cardNumber === undefined) continue;
    const stores = visits.get(cardNumber) ?? new Map<string, number>();
    visits.set(cardNumber, stores.set(storeId, (stores.get(storeId) ?? 0) + 1));
  }
  const total = (stores: Map<string, number>) => [...stores.values()].reduce((a, b) => a + b, 0);
  const members = [...visits]
    .sort(([, a], [, b]) => total(b) - total(a))
    .slice(0, MEMBERS)
    .map(([cardNumber, stores]) => ({
      cardNumber,
      homeStoreId: [...stores].sort(([, a], [, b]) => b - a)[0][0],
    }));
  const exampleCard = members[0].cardNumber;
  const shopperToken = tokenFor('shopper', 'demo-shopper');
  await enrol(shopperToken, {
    givenName: 'Dana',
    familyName: 'Demo',
    email: 'dana.demo@example.org',
    phone: '+44 20 7946 0018',
    birthday: '1988-02-29',
    postcode: 'SW1A 1AA',
    preferredLanguage: 'en-GB',
    ...members[0],
  });
  for (const [i, member] of members.slice(1).entries())
    await enrol(tokenFor('shopper', `demo-shopper-${i + 1}`), {
      givenName: 'Member',
      familyName: `No. ${i + 1}`,
      email: `member.${i + 1}@example.org`,
      ...member,
    });
  log(`${members.length} card holders enrolled and agreed to personalised offers`);
  const offers = await waitUntilStable(
    db,
    `SELECT count(*)::int AS n FROM loyalty.offers`,
    'Offers issued into wallets',
  );

  const [example] = await db.query(
    `SELECT o.reward FROM loyalty.offers o JOIN loyalty.cards c ON c.household_id = o.shopper_id
      WHERE c.card_number = $1 AND o.state = 'issued' AND o.reward -> 'target' ? 'department'
      ORDER BY o.issued_at LIMIT 1`,
    [exampleCard],
  );
  await db.destroy();
  const [storeId, apiKey] = [...keys][0];
  const department: string = example?.reward.target.department ?? 'PRODUCE';
  const supportToken = tokenFor('support', 'demo-agent');
  const quoteBody = {
    cardNumber: exampleCard,
    lines: [
      { sku: '1082185', department, quantity: 2, amountCents: 398 },
      { sku: '995242', department: 'GROCERY', quantity: 1, amountCents: 259 },
    ],
  };
  const quote = await sendJson('POST', 'http://127.0.0.1:3000/v1/checkout/quote', quoteBody, {
    'x-api-key': apiKey,
  });

  console.log(`
The loyalty platform is running with ${baskets.length} real baskets and ${offers} offers issued.

  Swagger UI      http://127.0.0.1:3000/docs  (loyalty-api: checkout, rules)
                  http://127.0.0.1:3001/docs  (pos-ingest: POS transactions)
                  http://127.0.0.1:3002/docs  (coupon-engine)
  Health          http://127.0.0.1:3001/health/ready
  Terminal key    ${apiKey}  (store ${storeId})
  Marketer token  ${marketerToken}
  Settings        .demo/demo.env (this run's DATABASE_URL, KAFKA_BROKERS and JWT_SECRET)

The busiest card's holder enrolled as Dana Demo, with ${members.length - 1} other card holders; all agreed to
personalised offers. Her view, and support's (masked card numbers, every read audited with its reason):

  curl -s http://127.0.0.1:3000/v1/me -H 'Authorization: Bearer ${shopperToken}'
  curl -s 'http://127.0.0.1:3000/v1/support/households?email=dana.demo@example.org&reason=Demo%20call' \\
    -H 'Authorization: Bearer ${supportToken}'

The call centre's screen pop when she phones (history, likely next purchases, offers, contacts):

  curl -s 'http://127.0.0.1:3000/v1/support/screen-pop?phone=%2B442079460018' \\
    -H 'Authorization: Bearer ${supportToken}'

Sales by store, with the share of sales on a card, for marketing (JSON, or CSV with &format=csv):

  curl -s 'http://127.0.0.1:3000/v1/reports/sales?from=${firstDay}&to=${lastDay}&by=store' \\
    -H 'Authorization: Bearer ${marketerToken}'

Tokens for other roles (support, admin, finance, shopper) and more terminal keys, from this run's settings:

  npm run cli -- token --env-file .demo/demo.env --role support --subject sam
  npm run cli -- terminal-key --env-file .demo/demo.env --store ${storeId} --terminal lane-2

A checkout quote for Dana's card, with an offer of hers:

  curl -s http://127.0.0.1:3000/v1/checkout/quote -H 'X-Api-Key: ${apiKey}' \\
    -H 'Content-Type: application/json' -d '${JSON.stringify(quoteBody)}'

${JSON.stringify(quote.body, null, 2)}

Press Ctrl-C (or send SIGINT or SIGTERM to npm) to stop the apps and the broker it started.`);
}

// A process manager or an IDE signals npm alone, and npm passes it on only to its child, the shell
// running the `demo` script: that script `exec`s ts-node so that this process is that child.
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
main().catch((error: unknown) => {
  console.error(`[demo] ${error instanceof Error ? error.message : String(error)}`);
  void shutdown(1);
});
