import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LoyaltyApiConfig } from '../config';
import { retryDelaySeconds } from './message-calendar';
import { MESSAGE_SENDER, MessageSender } from './message-sender';
import { MessageKind, MessageOffer, YEARLY_KINDS, renderMessage } from './message-templates';
import { PurchaseAnniversariesQuery } from './purchase-anniversaries.query';

interface ClaimedMessage {
  id: string;
  household_id: string;
  kind: MessageKind;
  offer_id: string | null;
  year: number | null;
  attempts: number;
}

interface RecipientRow {
  erased: boolean;
  email: string | null;
  given_name: string | null;
  preferred_language: string | null;
  consents: boolean;
}

interface OfferRow {
  code: string;
  reward: MessageOffer['reward'];
  valid_until: Date;
  usable: boolean;
}

export interface DeliveryOutcome {
  sent: number;
  retried: number;
  failed: number;
  cancelled: number;
  deleted: number;
}

// A claimed message not settled within this (its process died mid-send) is claimed again.
const CLAIM_SECONDS = 600;

/**
 * Sends queued messages in batches. A batch is claimed with `FOR UPDATE SKIP LOCKED` and its
 * rows pushed past a claim window, so concurrent processes take different messages; each is then
 * read, rendered and sent outside any transaction, and settled: sent, retried later with a growing
 * wait, `failed` after the last attempt, `cancelled` when there is no one to write to, or deleted
 * when its household was erased. A crash between sending and settling sends it again (at least
 * once: SMTP has no idempotency key).
 */
@Injectable()
export class MessageDeliveryService {
  private readonly logger = new Logger(MessageDeliveryService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: LoyaltyApiConfig,
    private readonly anniversaries: PurchaseAnniversariesQuery,
    @Inject(MESSAGE_SENDER) private readonly sender: MessageSender | null,
  ) {}

  /** One batch of the messages due at `now`; nothing without a sender (`SMTP_URL` unset). */
  async deliverDue(now = new Date()): Promise<DeliveryOutcome> {
    const outcome: DeliveryOutcome = { sent: 0, retried: 0, failed: 0, cancelled: 0, deleted: 0 };
    if (this.sender === null) return outcome;
    const claimed = await this.claim(now);
    for (const message of claimed) outcome[await this.deliver(this.sender, message, now)] += 1;
    return outcome;
  }

  private async claim(now: Date): Promise<ClaimedMessage[]> {
    const [rows]: [ClaimedMessage[], number] = await this.dataSource.query(
      `UPDATE loyalty.shopper_messages
          SET attempts = attempts + 1, next_attempt_at = $1::timestamptz + $3 * interval '1 second'
        WHERE id IN (SELECT id FROM loyalty.shopper_messages
                      WHERE state = 'queued' AND next_attempt_at <= $1
                      ORDER BY next_attempt_at LIMIT $2
                      FOR UPDATE SKIP LOCKED)
        RETURNING id, household_id, kind, offer_id, year, attempts`,
      [now, this.config.MESSAGES_BATCH_SIZE, CLAIM_SECONDS],
    );
    return rows;
  }

  private async deliver(
    sender: MessageSender,
    message: ClaimedMessage,
    now: Date,
  ): Promise<keyof DeliveryOutcome> {
    const timeZone = this.config.PROGRAMME_TIME_ZONE;
    const manager = this.dataSource.manager;
    const [recipient]: RecipientRow[] = await manager.query(
      `SELECT h.erased_at IS NOT NULL AS erased, s.email, s.given_name, s.preferred_language,
              coalesce(c.granted, false) AS consents
         FROM loyalty.households h
         LEFT JOIN loyalty.shoppers s ON s.household_id = h.id AND s.account_holder
         LEFT JOIN loyalty.consents c ON c.household_id = h.id AND c.purpose = 'email'
        WHERE h.id = $1`,
      [message.household_id],
    );
    // Erasure (privacy/erasure.service.ts) does not know this queue: its messages go here.
    if (recipient === undefined || recipient.erased) {
      await manager.query(`DELETE FROM loyalty.shopper_messages WHERE id = $1`, [message.id]);
      return 'deleted';
    }
    if (!recipient.consents || recipient.email === null)
      return this.cancel(message, 'no email address or no consent to email');

    let offer: OfferRow | undefined;
    if (message.offer_id !== null) {
      [offer] = await manager.query(
        `SELECT code, reward, valid_until,
                state IN ('issued', 'clipped') AND valid_until > $2 AS usable
           FROM loyalty.offers WHERE id = $1`,
        [message.offer_id, now],
      );
    }
    const isYearly = (YEARLY_KINDS as readonly string[]).includes(message.kind);
    if (!isYearly && !offer?.usable) return this.cancel(message, 'the offer is no longer usable');

    let years: number | null = null;
    if (message.kind === 'purchase-anniversary') {
      const first = await this.anniversaries.firstPurchaseYear(
        manager,
        message.household_id,
        timeZone,
      );
      if (first === null || message.year === null || first >= message.year)
        return this.cancel(message, 'no earlier first purchase');
      years = message.year - first;
    }

    const rendered = renderMessage({
      kind: message.kind,
      givenName: recipient.given_name,
      language: recipient.preferred_language,
      offer: offer?.usable
        ? { code: offer.code, reward: offer.reward, validUntil: offer.valid_until }
        : null,
      years,
      timeZone,
    });
    try {
      await sender.send({ to: recipient.email, ...rendered });
    } catch (error) {
      // An SMTP error may quote the address: the queue keeps no address.
      const reason = (error instanceof Error ? error.message : String(error))
        .split(recipient.email)
        .join('<recipient>');
      return this.retryOrFail(message, now, reason);
    }
    await manager.query(
      `UPDATE loyalty.shopper_messages SET state = 'sent', sent_at = $2, last_error = NULL
        WHERE id = $1`,
      [message.id, now],
    );
    return 'sent';
  }

  private async cancel(message: ClaimedMessage, reason: string): Promise<'cancelled'> {
    await this.dataSource.query(
      `UPDATE loyalty.shopper_messages SET state = 'cancelled', last_error = $2 WHERE id = $1`,
      [message.id, reason],
    );
    return 'cancelled';
  }

  private async retryOrFail(
    message: ClaimedMessage,
    now: Date,
    reason: string,
  ): Promise<'retried' | 'failed'> {
    const final = message.attempts >= this.config.MESSAGES_MAX_ATTEMPTS;
    const wait = retryDelaySeconds(message.attempts, this.config.MESSAGES_RETRY_AFTER_SECONDS);
    this.logger.warn(
      { messageId: message.id, attempts: message.attempts, err: reason },
      final ? 'Message failed for good' : 'Message not sent; retried later',
    );
    await this.dataSource.query(
      `UPDATE loyalty.shopper_messages
          SET state = $2, last_error = $3,
              next_attempt_at = $4::timestamptz + $5 * interval '1 second'
        WHERE id = $1`,
      [message.id, final ? 'failed' : 'queued', reason.slice(0, 500), now, wait],
    );
    return final ? 'failed' : 'retried';
  }
}
