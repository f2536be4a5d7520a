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
  const greetings = offers.flatMap((offer) =>
    offer.trigger_kind === 'birthday' && offer.birthday !== null
      ? [
          {
            household_id: offer.household_id,
            year: nextBirthdayYear(offer.birthday, offer.issued_on),
            offer_id: offer.id,
          },
        ]
      : [],
  );
  // The first birthday offer of a household's year is its greeting (a later one in the same
  // statement, or one greeted before, conflicts); every other offer gets an "offer issued".
  const greeted: { offer_id: string }[] =
    greetings.length === 0
      ? []
      : await manager.query(
          `INSERT INTO loyalty.shopper_messages (household_id, kind, year, offer_id)
           SELECT household_id, 'birthday', year, offer_id
             FROM json_to_recordset($1::json) AS g(household_id uuid, year int, offer_id uuid)
            ORDER BY offer_id
           ON CONFLICT DO NOTHING
           RETURNING offer_id`,
          [JSON.stringify(greetings)],
        );
  const greetedIds = new Set(greeted.map((g) => g.offer_id));
  const issued = offers.filter((offer) => !greetedIds.has(offer.id));
  if (issued.length === 0) return;
  await manager.query(
    `INSERT INTO loyalty.shopper_messages (household_id, kind, offer_id)
     SELECT household_id, 'offer-issued', offer_id
       FROM unnest($1::uuid[], $2::uuid[]) AS m(household_id, offer_id)
     ON CONFLICT DO NOTHING`,
    [issued.map((o) => o.household_id), issued.map((o) => o.id)],
  );
}
