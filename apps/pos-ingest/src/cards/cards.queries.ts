import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';

/** `ingest.cards` and `ingest.shoppers` as the projector sees them: which shopper holds a card. */
@Injectable()
export class CardsQueries {
  /** The shoppers of these cards; a valid card never seen before gets a new unregistered shopper. */
  async resolveShoppers(
    m: EntityManager,
    cardNumbers: readonly string[],
  ): Promise<Map<string, string>> {
    if (cardNumbers.length === 0) return new Map();
    const find = async () =>
      new Map(
        (
          (await m.query(
            `SELECT card_number, shopper_id FROM ingest.cards WHERE card_number = ANY($1::text[])`,
            [cardNumbers],
          )) as { card_number: string; shopper_id: string }[]
        ).map((r) => [r.card_number, r.shopper_id]),
      );
    const known = await find();
    const unknown = cardNumbers.filter((card) => !known.has(card));
    if (unknown.length === 0) return known;
    const ids = unknown.map(() => randomUUID());
    await m.query(`INSERT INTO ingest.shoppers (id) SELECT unnest($1::uuid[])`, [ids]);
    await m.query(
      `INSERT INTO ingest.cards (card_number, shopper_id) SELECT * FROM unnest($1::text[], $2::uuid[])
       ON CONFLICT (card_number) DO NOTHING`,
      [unknown, ids],
    );
    // Another projector may have created a card first (during a rebalance): read what won.
    return find();
  }
}
