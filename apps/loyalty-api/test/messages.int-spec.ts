import { JobRunner } from '@loyalty/platform';
import { OfferIssuedV2, OfferWithdrawnV1, TOPICS } from '@loyalty/domain';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { eventually, openDatabase, startLoyaltyApi } from '../../../test/support/apps';
import { makeOfferTerms, makeRule, seedRule, seedShopper } from '../../../test/support/fixtures';
import { produce } from '../../../test/support/kafka';
import { startSmtpServer } from '../../../test/support/smtp-server';
import { DailyMessagesService } from '../src/messages/daily-messages.service';
import { MessageDeliveryService } from '../src/messages/message-delivery.service';

describe('loyalty-api sends messages to shoppers who consent', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let delivery: MessageDeliveryService;

  beforeAll(async () => {
    db = await openDatabase();
    smtp = await startSmtpServer();
    // startLoyaltyApi configures the app from the environment.
    process.env.SMTP_URL = smtp.url;
    process.env.SMTP_FROM = 'Test Shop <loyalty@shop.test>';
    process.env.MESSAGES_MAX_ATTEMPTS = '3';
    process.env.MESSAGES_RETRY_AFTER_SECONDS = '60';
    app = await startLoyaltyApi();
    delivery = app.get(MessageDeliveryService);
  });

  afterAll(async () => {
    for (const name of [
      'SMTP_URL',
      'SMTP_FROM',
      'MESSAGES_MAX_ATTEMPTS',
      'MESSAGES_RETRY_AFTER_SECONDS',
    ])
      delete process.env[name];
    await app.close();
    await new Promise<void>((resolve) => smtp.server.close(() => resolve()));
    await db.destroy();
  });

  /** An enrolled household whose account holder has an address, a language and a birthday. */
  async function seedHousehold(
    options: { consents?: boolean; language?: string; birthday?: string; local?: string } = {},
  ): Promise<{ householdId: string; email: string }> {
    const { shopperId: householdId } = await seedShopper(db);
    const email = `${options.local ?? 'shopper'}-${randomUUID()}@shop.test`;
    await db.query(
      `INSERT INTO loyalty.shoppers (id, household_id, account_holder, given_name, email, birthday, preferred_language)
       VALUES ($1, $2, true, 'Sam', $3, $4, $5)`,
      [randomUUID(), householdId, email, options.birthday ?? null, options.language ?? 'en-GB'],
    );
    await db.query(
      `INSERT INTO loyalty.consents (household_id, purpose, granted, changed_at) VALUES ($1, 'email', $2, now())`,
      [householdId, options.consents ?? true],
    );
    return { householdId, email };
  }

  function offerIssued(householdId: string): OfferIssuedV2 {
    return {
      offerId: randomUUID(),
      code: randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase(),
      householdId,
      ruleId: randomUUID(),
      ruleVersion: 1,
      reward: { kind: 'percentOff', percent: 10, target: { basket: true } },
      validFrom: '2026-01-01T00:00:00.000Z',
      validUntil: '2099-01-01T00:00:00.000Z',
      issuedAt: '2026-01-01T00:00:00.000Z',
      terms: makeOfferTerms(),
      reason: { everyone: true, held: true },
    };
  }

  const publish = (event: OfferIssuedV2) =>
    produce(TOPICS.offerIssuedV2, [{ key: event.householdId, value: JSON.stringify(event) }]);

  const mailTo = (email: string) => smtp.mail.filter((m) => m.to.includes(email));

  const messagesOf = (householdId: string) =>
    db.query(
      `SELECT kind, year, offer_id, state, attempts, next_attempt_at, last_error
         FROM loyalty.shopper_messages WHERE household_id = $1 ORDER BY id`,
      [householdId],
    ) as Promise<
      {
        kind: string;
        year: number | null;
        offer_id: string | null;
        state: string;
        attempts: number;
        next_attempt_at: Date;
        last_error: string | null;
      }[]
    >;

  const offerInWallet = async (offerId: string) =>
    (await db.query(`SELECT 1 FROM loyalty.offers WHERE id = $1`, [offerId])).length === 1;

  it('sends one message, in the shopper language, for an offer that enters the wallet', async () => {
    const { householdId, email } = await seedHousehold({ language: 'de-DE' });
    const event = offerIssued(householdId);
    await publish(event);
    await eventually(() => offerInWallet(event.offerId));
    expect(await messagesOf(householdId)).toEqual([
      expect.objectContaining({ kind: 'offer-issued', offer_id: event.offerId, state: 'queued' }),
    ]);

    await eventually(async () => {
      await delivery.deliverDue();
      return mailTo(email).length > 0;
    });
    // Redelivered: the wallet holds it already, nothing is queued again.
    await publish(event);
    await delivery.deliverDue();
    await delivery.deliverDue();

    const [mail, ...more] = mailTo(email);
    expect(more).toEqual([]);
    expect(mail.raw).toMatch(/^Content-Language: de$/m);
    expect(mail.raw).toMatch(/^From: Test Shop <loyalty@shop\.test>$/m);
    expect(mail.raw).toContain(event.code);
    expect(mail.raw).toContain('Hallo Sam');
    expect(mail.raw).not.toMatch(/\d{12,}/);
    expect(await messagesOf(householdId)).toEqual([
      expect.objectContaining({ kind: 'offer-issued', state: 'sent', attempts: 1 }),
    ]);
  });

  it('queues and sends nothing to a household without consent to email', async () => {
    const { householdId, email } = await seedHousehold({ consents: false });
    const event = offerIssued(householdId);
    await publish(event);
    await eventually(() => offerInWallet(event.offerId));
    await delivery.deliverDue();
    expect(await messagesOf(householdId)).toEqual([]);
    expect(mailTo(email)).toEqual([]);
  });

  it('sends one birthday greeting per household and year, however often the day runs', async () => {
    const french = await seedHousehold({ language: 'fr-FR', birthday: '1990-07-14' });
    const english = await seedHousehold({ language: 'xx', birthday: '1985-07-14' });
    const other = await seedHousehold({ birthday: '1985-07-15' });
    const runner = app.get(JobRunner);
    const daily = app.get(DailyMessagesService);

    expect(await runner.trigger('messages-daily', '2031-07-14')).toBe('done');
    expect(await runner.trigger('messages-daily', '2031-07-14')).toBe('not-claimed');
    await daily.queueDay('2031-07-14', new Date());
    for (let i = 0; i < 3; i++) await delivery.deliverDue();

    expect(await messagesOf(french.householdId)).toEqual([
      expect.objectContaining({ kind: 'birthday', year: 2031, state: 'sent' }),
    ]);
    expect(mailTo(french.email)).toHaveLength(1);
    expect(mailTo(french.email)[0].raw).toMatch(/^Content-Language: fr$/m);
    expect(mailTo(english.email)).toHaveLength(1);
    expect(mailTo(english.email)[0].raw).toMatch(/^Content-Language: en$/m);
    expect(await messagesOf(other.householdId)).toEqual([]);

    // The next year greets again.
    await daily.queueDay('2032-07-14', new Date());
    await delivery.deliverDue();
    expect(mailTo(french.email)).toHaveLength(2);
  });

  it('thanks a household on the anniversary of its first purchase, once a year', async () => {
    const { householdId, email } = await seedHousehold({ language: 'nl-NL' });
    await db.query(
      `INSERT INTO ingest.shopper_profiles (shopper_id, lifetime_spend_cents, visits, spend_by_department_cents, points_balance, first_visit_at)
       VALUES ($1, 1000, 1, '{}', 0, '2027-03-09T12:00:00Z')`,
      [householdId],
    );
    const daily = app.get(DailyMessagesService);
    await daily.queueDay('2030-03-09', new Date());
    await daily.queueDay('2030-03-09', new Date());
    await delivery.deliverDue();
    expect(await messagesOf(householdId)).toEqual([
      expect.objectContaining({ kind: 'purchase-anniversary', year: 2030, state: 'sent' }),
    ]);
    expect(mailTo(email)).toHaveLength(1);
    expect(mailTo(email)[0].raw).toMatch(/^Content-Language: nl$/m);
    expect(mailTo(email)[0].raw).toContain('3 jaar');
  });

  it('greets with the birthday offer of a birthday rule, and not again on the day', async () => {
    const { householdId, email } = await seedHousehold({ birthday: '1990-01-02' });
    const rule = await seedRule(db, makeRule({ trigger: { kind: 'birthday', daysBefore: 3 } }));
    const gift = { ...offerIssued(householdId), ruleId: rule.id, issuedAt: '2031-12-30T10:00:00Z' };
    const another = {
      ...offerIssued(householdId),
      ruleId: rule.id,
      issuedAt: '2031-12-30T11:00:00Z',
    };
    await publish(gift);
    await publish(another);
    await eventually(async () => (await messagesOf(householdId)).length === 2);
    await app.get(DailyMessagesService).queueDay('2032-01-02', new Date());
    await delivery.deliverDue();

    // The greeting of the birthday in 2032 carries the first offer; the second is an offer message.
    expect(await messagesOf(householdId)).toEqual([
      expect.objectContaining({
        kind: 'birthday',
        year: 2032,
        offer_id: gift.offerId,
        state: 'sent',
      }),
      expect.objectContaining({ kind: 'offer-issued', offer_id: another.offerId, state: 'sent' }),
    ]);
    expect(mailTo(email)).toHaveLength(2);
    expect(mailTo(email).filter((m) => m.raw.includes(gift.code))).toHaveLength(1);
    expect(mailTo(email).filter((m) => m.raw.includes('Happy birthday'))).toHaveLength(1);
  });

  it('tells once of a usable offer that ends within the notice days', async () => {
    const { householdId, email } = await seedHousehold();
    const now = new Date();
    const inDays = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();
    const soon = { ...offerIssued(householdId), validUntil: inDays(2) };
    const later = { ...offerIssued(householdId), validUntil: inDays(10) };
    await publish(soon);
    await publish(later);
    await eventually(async () => (await messagesOf(householdId)).length === 2);
    await delivery.deliverDue();

    const daily = app.get(DailyMessagesService);
    await daily.queueDay('2026-12-02', now);
    await daily.queueDay('2026-12-03', now);
    await delivery.deliverDue();
    expect((await messagesOf(householdId)).filter((m) => m.kind === 'offer-expiring')).toEqual([
      expect.objectContaining({ offer_id: soon.offerId, state: 'sent' }),
    ]);
    expect(mailTo(email).filter((m) => m.raw.includes('ends soon'))).toHaveLength(1);
  });

  it('tells nothing of an offer withdrawn before it ends, and cancels what was queued', async () => {
    const { householdId, email } = await seedHousehold();
    const now = new Date();
    const offer = {
      ...offerIssued(householdId),
      validUntil: new Date(now.getTime() + 2 * 86_400_000).toISOString(),
    };
    await publish(offer);
    await eventually(async () => (await messagesOf(householdId)).length === 1);
    const revoked: OfferWithdrawnV1 = {
      offerId: offer.offerId,
      householdId,
      ruleId: offer.ruleId,
      ruleVersion: 1,
      kind: 'revoked',
      cause: 'rule-ended',
      withdrawnAt: now.toISOString(),
    };
    await produce(TOPICS.offerWithdrawn, [{ key: householdId, value: JSON.stringify(revoked) }]);
    await eventually(async () => {
      const [row] = await db.query(`SELECT state FROM loyalty.offers WHERE id = $1`, [
        offer.offerId,
      ]);
      return row.state === 'revoked';
    });

    await app.get(DailyMessagesService).queueDay('2026-12-02', now);
    await delivery.deliverDue();
    expect(await messagesOf(householdId)).toEqual([
      expect.objectContaining({ kind: 'offer-issued', state: 'cancelled' }),
    ]);
    expect(mailTo(email)).toEqual([]);
  });

  it('retries a message the server refuses, later each time, then marks it failed', async () => {
    const { householdId, email } = await seedHousehold({ local: 'refused' });
    const event = offerIssued(householdId);
    await publish(event);
    await eventually(async () => (await messagesOf(householdId)).length === 1);

    const start = new Date();
    await delivery.deliverDue(start);
    let [message] = await messagesOf(householdId);
    expect(message).toMatchObject({ state: 'queued', attempts: 1 });
    expect(message.last_error).toContain('550');
    expect(message.last_error).not.toContain(email);
    expect(message.next_attempt_at.getTime()).toBe(start.getTime() + 60_000);

    // Not due yet: untouched.
    await delivery.deliverDue(new Date(start.getTime() + 30_000));
    expect((await messagesOf(householdId))[0].attempts).toBe(1);

    const second = new Date(start.getTime() + 60_000);
    await delivery.deliverDue(second);
    [message] = await messagesOf(householdId);
    expect(message).toMatchObject({ state: 'queued', attempts: 2 });
    expect(message.next_attempt_at.getTime()).toBe(second.getTime() + 120_000);

    await delivery.deliverDue(new Date(second.getTime() + 120_000));
    expect(await messagesOf(householdId)).toEqual([
      expect.objectContaining({ state: 'failed', attempts: 3 }),
    ]);
    expect(mailTo(email)).toEqual([]);
  });

  it('deletes the queued messages of an erased household instead of sending them', async () => {
    const { householdId, email } = await seedHousehold();
    const event = offerIssued(householdId);
    await publish(event);
    await eventually(async () => (await messagesOf(householdId)).length === 1);
    // What erasure leaves: the household row, marked, without members or consent.
    await db.query(`DELETE FROM loyalty.consents WHERE household_id = $1`, [householdId]);
    await db.query(`DELETE FROM loyalty.shoppers WHERE household_id = $1`, [householdId]);
    await db.query(`UPDATE loyalty.households SET erased_at = now() WHERE id = $1`, [householdId]);
    await delivery.deliverDue();
    expect(await messagesOf(householdId)).toEqual([]);
    expect(mailTo(email)).toEqual([]);
  });
});
