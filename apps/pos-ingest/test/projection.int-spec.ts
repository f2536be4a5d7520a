import { TOPICS, TransactionRecordedV1, deadLetterTopic } from '@loyalty/domain';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { KafkaMessage } from 'kafkajs';
import { DataSource } from 'typeorm';
import { ProjectionService } from '../src/projection/projection.service';
import { eventually, openDatabase, startPosIngest } from '../../../test/support/apps';
import { makeCardNumber, makeLine, makeTransaction } from '../../../test/support/factories';
import { findMessage, produce, readUntil } from '../../../test/support/kafka';

describe('pos-ingest projector', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let projection: ProjectionService;

  beforeAll(async () => {
    db = await openDatabase();
    app = await startPosIngest();
    projection = app.get(ProjectionService);
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const recorded = (
    overrides: Parameters<typeof makeTransaction>[0] = {},
  ): TransactionRecordedV1 => ({
    ...makeTransaction(overrides),
    receivedAt: '2026-11-20T22:42:11.000Z',
  });

  const profileOf = async (cardNumber: string) =>
    (
      await db.query(
        `SELECT p.lifetime_spend_cents, p.visits, p.first_visit_at, p.last_visit_at, p.spend_by_department_cents
           FROM ingest.shopper_profiles p JOIN ingest.cards c USING (shopper_id) WHERE c.card_number = $1`,
        [cardNumber],
      )
    )[0];

  // Other tests put foreign and poison messages on the topic too.
  const causeOf = (message: KafkaMessage): unknown =>
    JSON.parse(message.value?.toString() ?? '{}')?.cause?.posTransactionId;

  it('stores a redelivered transaction once and changes nothing the second time', async () => {
    const tx = recorded();
    expect(await projection.project(tx, new Date())).toBe('projected');
    const before = await profileOf(tx.cardNumber);
    expect(await projection.project(tx, new Date())).toBe('duplicate');
    expect(await projection.project(tx, new Date())).toBe('duplicate');
    expect(await profileOf(tx.cardNumber)).toEqual(before);
    expect(before.visits).toBe(1);
    const [{ n }] = await db.query(
      `SELECT count(*)::int AS n FROM ingest.transactions WHERE pos_transaction_id = $1`,
      [tx.posTransactionId],
    );
    expect(n).toBe(1);
    // A later change of the same shopper is published after any event of the first one.
    const marker = recorded({ cardNumber: tx.cardNumber });
    await projection.project(marker, new Date());
    const events = await readUntil(
      TOPICS.profileChanged,
      (m) => causeOf(m) === marker.posTransactionId,
    );
    expect(events.filter((m) => causeOf(m) === tx.posTransactionId)).toHaveLength(1);
  });

  it('ends with the same profile whatever the order transactions arrive in', async () => {
    const times = [
      '2026-11-03T09:00:00+01:00',
      '2026-11-01T09:00:00-05:00',
      '2026-11-02T23:30:00Z',
    ];
    const forwardCard = makeCardNumber();
    const backwardCard = makeCardNumber();
    const build = (cardNumber: string) =>
      times.map((occurredAt, i) =>
        recorded({
          cardNumber,
          occurredAt,
          lines: [makeLine({ department: `D${i % 2}`, amountCents: 100 * (i + 1) })],
        }),
      );
    for (const tx of build(forwardCard)) await projection.project(tx, new Date());
    for (const tx of build(backwardCard).reverse()) await projection.project(tx, new Date());
    const forward = await profileOf(forwardCard);
    expect(await profileOf(backwardCard)).toEqual(forward);
    expect(forward).toMatchObject({
      lifetime_spend_cents: '600',
      visits: 3,
      spend_by_department_cents: { D0: 400, D1: 200 },
    });
    expect(forward.first_visit_at.toISOString()).toBe('2026-11-01T14:00:00.000Z');
    expect(forward.last_visit_at.toISOString()).toBe('2026-11-03T08:00:00.000Z');
  });

  it('dead-letters a poison message with the reason and keeps consuming', async () => {
    const cardNumber = makeCardNumber();
    const poisons = ['{not json', JSON.stringify({ ...recorded({ cardNumber }), totalCents: -1 })];
    await produce(
      TOPICS.transactionRecorded,
      poisons.map((value) => ({ key: cardNumber, value })),
    );
    const good = recorded({ cardNumber });
    await produce(TOPICS.transactionRecorded, [{ key: cardNumber, value: JSON.stringify(good) }]);
    const profile = await eventually(() => profileOf(cardNumber));
    expect(profile.visits).toBe(1);

    const dlq = deadLetterTopic(TOPICS.transactionRecorded);
    const notJson = await findMessage(
      dlq,
      (m) => m.key?.toString() === cardNumber && m.value?.toString() === poisons[0],
    );
    expect(notJson.headers?.['dlq-reason']?.toString()).toBe('value is not JSON');
    const badTotal = await findMessage(
      dlq,
      (m) => m.key?.toString() === cardNumber && m.value?.toString() === poisons[1],
    );
    expect(badTotal.headers?.['dlq-reason']?.toString()).toContain('totalCents');
    expect(badTotal.headers?.['dlq-original-topic']?.toString()).toBe(TOPICS.transactionRecorded);
  });
});
