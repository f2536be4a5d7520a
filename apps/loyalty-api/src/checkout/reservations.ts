import { CheckoutRef } from '@loyalty/domain';
import { EntityManager } from 'typeorm';

// The offers a slow lane's quote holds for its sale (`loyalty.checkout_reservations`): each a row
// until it expires, counted against its rule's budget and its household's cap
// (`ruleLimitsSql`), and not another checkout's to quote or redeem.

export interface HeldOffer {
  offerId: string;
  ruleId: string;
  discountCents: number;
  capPeriod: string | null;
}

/** Frees what a sale holds (its lane released it, quotes it again, or redeems); answers how many. */
export async function releaseReservations(m: EntityManager, checkout: CheckoutRef) {
  const released: unknown[] = await m.query(
    `WITH released AS (
       DELETE FROM loyalty.checkout_reservations
        WHERE store_id = $1 AND pos_transaction_id = $2 RETURNING 1)
     SELECT 1 FROM released`,
    [checkout.storeId, checkout.posTransactionId],
  );
  return released.length;
}

/**
 * Holds the offers for the sale until `expiresAt`. A row left by a reservation that expired is
 * replaced; one live for another checkout cannot be (the quote chose offers no one else holds,
 * under the household's lock).
 */
export async function insertReservations(
  m: EntityManager,
  householdId: string,
  checkout: CheckoutRef,
  terminalId: string,
  held: readonly HeldOffer[],
  now: Date,
  expiresAt: Date,
) {
  if (held.length === 0) return;
  await m.query(
    `INSERT INTO loyalty.checkout_reservations
       (offer_id, household_id, rule_id, store_id, pos_transaction_id, terminal_id, discount_cents,
        cap_period, reserved_at, expires_at)
     SELECT h.offer_id, $1, h.rule_id, $2, $3, $4, h.discount_cents, h.cap_period, $5, $6
       FROM unnest($7::uuid[], $8::uuid[], $9::int[], $10::text[])
            AS h(offer_id, rule_id, discount_cents, cap_period)
     ON CONFLICT (offer_id) DO UPDATE
        SET household_id = excluded.household_id, rule_id = excluded.rule_id,
            store_id = excluded.store_id, pos_transaction_id = excluded.pos_transaction_id,
            terminal_id = excluded.terminal_id, discount_cents = excluded.discount_cents,
            cap_period = excluded.cap_period, reserved_at = excluded.reserved_at,
            expires_at = excluded.expires_at
      WHERE loyalty.checkout_reservations.expires_at <= $5`,
    [
      householdId,
      checkout.storeId,
      checkout.posTransactionId,
      terminalId,
      now,
      expiresAt,
      held.map((h) => h.offerId),
      held.map((h) => h.ruleId),
      held.map((h) => h.discountCents),
      held.map((h) => h.capPeriod),
    ],
  );
}

/** The offers among `offerIds` another checkout holds now. */
export async function heldElsewhere(
  m: EntityManager,
  offerIds: readonly string[],
  checkout: CheckoutRef,
  now: Date,
): Promise<string[]> {
  const rows: { offer_id: string }[] = await m.query(
    `SELECT offer_id FROM loyalty.checkout_reservations
      WHERE offer_id = ANY($1::uuid[]) AND expires_at > $2
        AND (store_id, pos_transaction_id) IS DISTINCT FROM ($3::text, $4::text)`,
    [offerIds, now, checkout.storeId, checkout.posTransactionId],
  );
  return rows.map((r) => r.offer_id);
}
