import { Injectable } from '@nestjs/common';
import { CardStatus, HeldCard, HouseholdChangedV1 } from '@loyalty/domain';
import { EntityManager } from 'typeorm';

/** `ingest.shoppers` and `ingest.cards` as the copy of loyalty-api's households keeps them. */
@Injectable()
export class HouseholdsQueries {
  /**
   * Upserts the household if the event is newer than the copy (`household_version`) and the
   * household was not erased; false when the event changes nothing (redelivered, older, erased).
   */
  async upsertHousehold(m: EntityManager, event: HouseholdChangedV1): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO ingest.shoppers AS s (id, registered, household_version, merged_into, enrolled_on, birthday,
         home_store_id, consent)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (id) DO UPDATE
         SET registered = EXCLUDED.registered, household_version = EXCLUDED.household_version,
             merged_into = EXCLUDED.merged_into, enrolled_on = EXCLUDED.enrolled_on,
             birthday = EXCLUDED.birthday, home_store_id = EXCLUDED.home_store_id, consent = EXCLUDED.consent
         WHERE s.household_version < EXCLUDED.household_version AND s.erased_at IS NULL
       RETURNING id`,
      [
        event.householdId,
        event.registered,
        event.version,
        event.mergedInto,
        event.enrolledOn,
        event.birthday,
        event.homeStoreId,
        JSON.stringify(event.consent),
      ],
    );
    return rows.length === 1;
  }

  /** Of these card hashes (hex), those of erased cards. */
  async findErased(m: EntityManager, cardHashes: readonly string[]): Promise<Set<string>> {
    const rows: { card_hash: string }[] = await m.query(
      `SELECT encode(card_hash, 'hex') AS card_hash FROM ingest.erased_cards
        WHERE card_hash = ANY(SELECT decode(h, 'hex') FROM unnest($1::text[]) AS h)`,
      [cardHashes],
    );
    return new Set(rows.map((r) => r.card_hash));
  }

  /**
   * The listed cards, locked for update until commit (a projector's batch holding one waits, or
   * is waited for). Cards never seen are created for the household at once.
   */
  async lockCards(
    m: EntityManager,
    householdId: string,
    changedAt: string,
    cards: readonly { cardNumber: string; status: CardStatus }[],
  ): Promise<Map<string, HeldCard>> {
    if (cards.length === 0) return new Map();
    await m.query(
      `INSERT INTO ingest.cards (card_number, shopper_id, status, household_changed_at)
       SELECT card_number, $1, status, $2 FROM unnest($3::text[], $4::text[]) AS c(card_number, status)
       ON CONFLICT (card_number) DO NOTHING`,
      [householdId, changedAt, cards.map((c) => c.cardNumber), cards.map((c) => c.status)],
    );
    const rows: { card_number: string; shopper_id: string; household_changed_at: Date | null }[] =
      await m.query(
        `SELECT card_number, shopper_id, household_changed_at FROM ingest.cards
          WHERE card_number = ANY($1::text[]) ORDER BY card_number FOR UPDATE`,
        [cards.map((c) => c.cardNumber)],
      );
    return new Map(
      rows.map((r) => [
        r.card_number,
        {
          cardNumber: r.card_number,
          shopperId: r.shopper_id,
          householdChangedAt: r.household_changed_at?.toISOString() ?? null,
        },
      ]),
    );
  }

  async claimCards(
    m: EntityManager,
    householdId: string,
    changedAt: string,
    claims: readonly { cardNumber: string; status: CardStatus }[],
  ): Promise<void> {
    if (claims.length === 0) return;
    await m.query(
      `UPDATE ingest.cards c SET shopper_id = $1, status = k.status, household_changed_at = $2
         FROM unnest($3::text[], $4::text[]) AS k(card_number, status)
        WHERE c.card_number = k.card_number`,
      [householdId, changedAt, claims.map((c) => c.cardNumber), claims.map((c) => c.status)],
    );
  }

  /** The transactions of these cards move with them to `householdId`. */
  async moveTransactions(
    m: EntityManager,
    householdId: string,
    cardNumbers: readonly string[],
  ): Promise<void> {
    await m.query(
      `UPDATE ingest.transactions SET shopper_id = $1
        WHERE card_number = ANY($2::text[]) AND shopper_id IS DISTINCT FROM $1`,
      [householdId, cardNumbers],
    );
  }

  /** Marks the household erased (creating its row if the copy never had it); its cards, locked. */
  async markErased(m: EntityManager, householdId: string, erasedAt: string): Promise<string[]> {
    await m.query(
      `INSERT INTO ingest.shoppers AS s (id, erased_at) VALUES ($1, $2)
       ON CONFLICT (id) DO UPDATE
         SET erased_at = coalesce(s.erased_at, EXCLUDED.erased_at), registered = false, merged_into = NULL,
             enrolled_on = NULL, birthday = NULL, home_store_id = NULL,
             consent = DEFAULT`,
      [householdId, erasedAt],
    );
    const rows: { card_number: string }[] = await m.query(
      `SELECT card_number FROM ingest.cards WHERE shopper_id = $1 ORDER BY card_number FOR UPDATE`,
      [householdId],
    );
    return rows.map((r) => r.card_number);
  }

  /**
   * Removes what pos-ingest knows of the household and its cards: the cards are remembered by
   * keyed hash only, their transactions stay anonymous (for store statistics), intake receipts of
   * those transactions go, and the sums, profile, lifecycle and cards of the household (and of the
   * households its cards had before anyone registered them) are deleted.
   */
  async erase(
    m: EntityManager,
    householdId: string,
    cards: readonly string[],
    cardHashes: readonly string[],
    derivedHouseholdIds: readonly string[],
  ): Promise<void> {
    await m.query(
      `INSERT INTO ingest.erased_cards (card_hash)
       SELECT decode(h, 'hex') FROM unnest($1::text[]) AS h ON CONFLICT (card_hash) DO NOTHING`,
      [cardHashes],
    );
    if (cards.length > 0) {
      await m.query(
        `DELETE FROM ingest.intake_receipts r USING ingest.transactions t
          WHERE t.card_number = ANY($1::text[])
            AND r.store_id = t.store_id AND r.pos_transaction_id = t.pos_transaction_id`,
        [cards],
      );
      // Their sales become anonymous sales of their store and day, as a replay would count them.
      await m.query(
        `INSERT INTO ingest.store_sales_entries (store_id, business_date, sales, returns, anonymous_sales,
           sales_cents, returns_cents)
         SELECT store_id, business_date, 0, 0, count(*), 0, 0 FROM ingest.transactions
          WHERE card_number = ANY($1::text[]) AND type = 'sale' AND NOT voided
          GROUP BY store_id, business_date`,
        [cards],
      );
      await m.query(
        `UPDATE ingest.transactions SET shopper_id = NULL, card_number = NULL
          WHERE card_number = ANY($1::text[])`,
        [cards],
      );
    }
    // The households a till created for these cards before anyone registered them would name a
    // card (their ids derive from its number): they go too, unless they hold other cards.
    const derived: { id: string }[] = await m.query(
      `SELECT s.id FROM ingest.shoppers s
        WHERE s.id = ANY($1::uuid[]) AND s.id <> $2 AND NOT s.registered
          AND NOT EXISTS (SELECT 1 FROM ingest.cards c
                           WHERE c.shopper_id = s.id AND c.card_number <> ALL($3::text[]))`,
      [derivedHouseholdIds, householdId, cards],
    );
    const owners = [householdId, ...derived.map((d) => d.id)];
    // Alone and first: it waits for a fold that holds some of the queue, so that fold's sums are
    // committed, and seen, before the sums are deleted.
    await m.query(`DELETE FROM ingest.product_fact_queue WHERE shopper_id = ANY($1::uuid[])`, [
      owners,
    ]);
    await m.query(
      `WITH weeks AS (DELETE FROM ingest.shopper_weeks WHERE shopper_id = ANY($1::uuid[])),
            products AS (DELETE FROM ingest.shopper_products WHERE shopper_id = ANY($1::uuid[])),
            stores AS (DELETE FROM ingest.shopper_stores WHERE shopper_id = ANY($1::uuid[])),
            transitions AS (DELETE FROM ingest.lifecycle_transitions WHERE shopper_id = ANY($1::uuid[])),
            profiles AS (DELETE FROM ingest.shopper_profiles WHERE shopper_id = ANY($1::uuid[]))
       DELETE FROM ingest.cards WHERE card_number = ANY($2::text[]) OR shopper_id = ANY($1::uuid[])`,
      [owners, cards],
    );
    if (derived.length > 0) {
      // Their transactions moved with the cards and are anonymous by now.
      await m.query(`DELETE FROM ingest.shoppers WHERE id = ANY($1::uuid[])`, [
        derived.map((d) => d.id),
      ]);
    }
  }
}
