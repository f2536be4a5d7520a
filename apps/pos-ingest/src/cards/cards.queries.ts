import { Injectable } from '@nestjs/common';
import { householdIdForCard, erasureHash } from '@loyalty/domain';
import { EntityManager } from 'typeorm';
import { PosIngestConfig } from '../config';

/** `ingest.cards` and `ingest.shoppers` as the projector sees them: which household holds a card. */
@Injectable()
export class CardsQueries {
  constructor(private readonly config: PosIngestConfig) {}

  /**
   * The households of these cards, the card rows share-locked until commit: a card moving to
   * another household (which locks it for update) waits for this batch, or this batch reads where
   * the move put it. A card never seen before gets the household derived from its number
   * (unregistered), unless it was erased: an erased card is absent from the answer, anonymous.
   */
  async resolveShoppers(
    m: EntityManager,
    cardNumbers: readonly string[],
  ): Promise<Map<string, string>> {
    if (cardNumbers.length === 0) return new Map();
    const find = async (cards: readonly string[]) =>
      (
        (await m.query(
          `SELECT card_number, shopper_id FROM ingest.cards WHERE card_number = ANY($1::text[])
            ORDER BY card_number FOR SHARE`,
          [cards],
        )) as { card_number: string; shopper_id: string }[]
      ).map((r): [string, string] => [r.card_number, r.shopper_id]);
    const known = new Map(await find(cardNumbers));
    const unknown = cardNumbers.filter((card) => !known.has(card));
    if (unknown.length === 0) return known;
    // Each statement reads erased_cards afresh: an erasure that held one of these cards' rows
    // committed before `find` returned, so its hashes are seen here.
    const params = [
      unknown,
      unknown.map(householdIdForCard),
      unknown.map((card) => erasureHash(this.config.erasureHashKey, card).toString('hex')),
    ];
    await m.query(
      `INSERT INTO ingest.shoppers (id)
       SELECT k.id FROM unnest($1::text[], $2::uuid[], $3::text[]) AS k(card_number, id, card_hash)
        WHERE NOT EXISTS (SELECT 1 FROM ingest.erased_cards e WHERE e.card_hash = decode(k.card_hash, 'hex'))
       ON CONFLICT (id) DO NOTHING`,
      params,
    );
    await m.query(
      `INSERT INTO ingest.cards (card_number, shopper_id)
       SELECT k.card_number, k.id FROM unnest($1::text[], $2::uuid[], $3::text[]) AS k(card_number, id, card_hash)
        WHERE NOT EXISTS (SELECT 1 FROM ingest.erased_cards e WHERE e.card_hash = decode(k.card_hash, 'hex'))
          AND EXISTS (SELECT 1 FROM ingest.shoppers s WHERE s.id = k.id AND s.erased_at IS NULL)
       ON CONFLICT (card_number) DO NOTHING`,
      params,
    );
    // Another projector or a household event may have created a card first: read what won.
    for (const [card, shopperId] of await find(unknown)) known.set(card, shopperId);
    return known;
  }
}
