import { TOPICS, householdIdForCard } from '@loyalty/domain';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  createTerminal,
  eventually,
  openDatabase,
  startLoyaltyApi,
  startPosIngestWithOwnGroup,
  tokenFor,
} from './support/apps';
import { makeCardNumber, makeLine, makeTransaction } from './support/factories';
import { waitForDrain } from './support/kafka';

// A sale's way through Kafka, the projector, the outbox and loyalty-api's consumers takes well
// under a second here; these bounds hold on a machine at least twice as slow.
const FLOW_MS = 30_000;
jest.setTimeout(6 * FLOW_MS);

// One household across its cards: a card swiped before anyone registered it keeps its history
// when its holder enrols with it; a second card, swiped before and after it joins the household,
// brings its history and points along; the household has one profile and one points balance.
describe('shopper record: one household, however many cards', () => {
  let posIngest: NestFastifyApplication;
  let projectorGroup: string;
  let loyaltyApi: NestFastifyApplication;
  let db: DataSource;
  let lane: string;

  beforeAll(async () => {
    db = await openDatabase();
    let ingest: { app: NestFastifyApplication; groupId: string };
    [ingest, loyaltyApi] = await Promise.all([startPosIngestWithOwnGroup(), startLoyaltyApi()]);
    ({ app: posIngest, groupId: projectorGroup } = ingest);
    lane = await createTerminal(db, 'store-300', 'lane-1');
  }, 60_000);

  afterAll(async () => {
    await Promise.all([posIngest, loyaltyApi].map((app) => app.close()));
    await db.destroy();
  });

  const swipe = async (cardNumber: string, amountCents: number) => {
    await request(posIngest.getHttpServer())
      .post('/v1/transactions')
      .set('X-Api-Key', lane)
      .send(
        makeTransaction({
          storeId: 'store-300',
          terminalId: 'lane-1',
          cardNumber,
          lines: [makeLine({ amountCents, unitPriceCents: amountCents, quantity: 1 })],
          tenders: [{ type: 'cash', amountCents }],
          totalCents: amountCents,
        }),
      )
      .expect(202);
    await waitForDrain(projectorGroup, TOPICS.transactionRecorded, FLOW_MS);
  };

  it('keeps history through registration and brings a second card in, with its points', async () => {
    const first = makeCardNumber();
    const second = makeCardNumber();
    const shopper = `Bearer ${tokenFor('shopper', `shopper-${randomUUID()}`)}`;
    const me = () =>
      request(loyaltyApi.getHttpServer()).get('/v1/me').set('Authorization', shopper).expect(200);

    // Both cards are used before anyone registers them: two unregistered households.
    await swipe(first, 1_000);
    await swipe(second, 2_000);

    const enrolled = await request(loyaltyApi.getHttpServer())
      .post('/v1/me/enrolment')
      .set('Authorization', shopper)
      .send({
        givenName: 'Ada',
        familyName: 'Lovelace',
        email: `ada-${randomUUID()}@example.org`,
        phone: '+44 7911 123456',
        cardNumber: first,
      });
    expect(enrolled.body).toMatchObject({ householdId: expect.any(String) });
    const householdId = householdIdForCard(first);
    expect(enrolled.body.householdId).toBe(householdId);

    await request(loyaltyApi.getHttpServer())
      .post('/v1/me/cards')
      .set('Authorization', shopper)
      .send({ cardNumber: second })
      .expect(201);
    await swipe(second, 3_000);

    // One profile: the three sales of both cards, none left on the second card's own household.
    const profile = await eventually(
      async () => {
        const [row] = await db.query(
          `SELECT visits, lifetime_spend_cents::int AS spend FROM ingest.shopper_profiles WHERE shopper_id = $1`,
          [householdId],
        );
        return row?.visits === 3 && row;
      },
      FLOW_MS,
      'the household profile with the three sales',
    );
    expect(profile.spend).toBe(6_000);
    const [orphan] = await db.query(
      `SELECT visits FROM ingest.shopper_profiles WHERE shopper_id = $1`,
      [householdIdForCard(second)],
    );
    expect(orphan?.visits ?? 0).toBe(0);

    // One balance: 10 + 20 + 30 points (one per currency unit), on the household.
    const household = await eventually(
      async () => {
        const { body } = await me();
        return body.pointsBalance === 60 && body;
      },
      FLOW_MS,
      "the household's points balance",
    );
    expect(household.cards.map((c: { status: string }) => c.status)).toEqual(['active', 'active']);
    const [{ balance }] = await db.query(
      `SELECT coalesce(sum(balance), 0)::int AS balance FROM loyalty.points_accounts WHERE household_id = $1`,
      [householdIdForCard(second)],
    );
    expect(balance).toBe(0);

    const { body: page } = await request(loyaltyApi.getHttpServer())
      .get('/v1/me/transactions')
      .set('Authorization', shopper)
      .expect(200);
    expect(page.items).toHaveLength(3);
  });
});
