import { EntityManager } from 'typeorm';
import { nextBirthdayYear } from './message-calendar';

interface NewOfferRow {
  id: string;
  household_id: string;
  issued_on: string;
  birthday: string | null;
  trigger_kind: string | null;
}

/**
 * Queues, in the wallet's transaction, a message for each offer just put in a wallet whose
 * household consents to email: the birthday greeting for an offer of a birthday rule (the offer's
 * rule version names the trigger), unless this year's greeting is queued already; an "offer
 * issued" message otherwise.
 */
export async function queueOfferMessages(
  manager: EntityManager,
  offerIds: readonly string[],
  timeZone: string,
): Promise<void> {
  if (offerIds.length === 0) return;
  const offers: NewOfferRow[] = await manager.query(
    `SELECT o.id, o.shopper_id AS household_id,
            to_char(o.issued_at AT TIME ZONE $2, 'YYYY-MM-DD') AS issued_on,
            to_char(s.birthday, 'YYYY-MM-DD') AS birthday,
            v.definition #>> '{trigger,kind}' AS trigger_kind
       FROM loyalty.offers o
       JOIN loyalty.households h ON h.id = o.shopper_id AND h.erased_at IS NULL
       JOIN loyalty.consents c ON c.household_id = h.id AND c.purpose = 'email' AND c.granted
       LEFT JOIN loyalty.shoppers s ON s.household_id = h.id AND s.account_holder
       LEFT JOIN loyalty.rule_versions v ON v.rule_id = o.rule_id AND v.version = o.rule_version
      WHERE o.id = ANY($1::uuid[])`,
    [offerIds, timeZone],
  );
  for (const offer of offers) {
    if (offer.trigger_kind === 'birthday' && offer.birthday !== null) {
      const greeting: unknown[] = await manager.query(
        `INSERT INTO loyalty.shopper_messages (household_id, kind, year, offer_id)
         VALUES ($1, 'birthday', $2, $3) ON CONFLICT DO NOTHING RETURNING id`,
        [offer.household_id, nextBirthdayYear(offer.birthday, offer.issued_on), offer.id],
      );
      if (greeting.length === 1) continue;
    }
    await manager.query(
      `INSERT INTO loyalty.shopper_messages (household_id, kind, offer_id)
       VALUES ($1, 'offer-issued', $2) ON CONFLICT DO NOTHING`,
      [offer.household_id, offer.id],
    );
  }
}
