import { PointsEarnedV1, PosTransaction, TOPICS, transactionKey } from '@loyalty/domain';
import { DataSource } from 'typeorm';
import {
  canonicalJson,
  transactionRecordedJson,
} from '../../apps/pos-ingest/src/transactions/canonical-json';
import { transactionMessageKey } from '../../apps/pos-ingest/src/intake/intake.service';
import { makeCardNumber, makeLine, makeTransaction } from './factories';
import { readUntil } from './kafka';

// An oracle for the projector's fault tests: what each card's profile must end with, computed here
// from the distinct sales sent, compared with what the projector stored.

export interface CardTotals {
  spendCents: number;
  visits: number;
  points: number;
}

/** `count` sales over `cardCount` new cards, amounts varied so that sums would show a double count. */
export function makeSales(count: number, cardCount = 50): PosTransaction[] {
  const cards = Array.from({ length: cardCount }, makeCardNumber);
  return Array.from({ length: count }, (_, i) =>
    makeTransaction({
      cardNumber: cards[i % cards.length],
      lines: [makeLine({ amountCents: 101 + ((i * 37) % 997) })],
    }),
  );
}

/**
 * Sales with returns and voids among them: every 11th sale is voided, its void sent before the
 * sale (a late original); every 7th other sale is half returned, after it.
 */
export function makeMixedStream(saleCount: number, cardCount = 50): PosTransaction[] {
  return makeSales(saleCount, cardCount).flatMap((sale, i) => {
    const refersToSale = {
      originalPosTransactionId: sale.posTransactionId,
      cardNumber: sale.cardNumber,
    };
    if (i % 11 === 5) {
      return [
        makeTransaction({ ...refersToSale, type: 'void', lines: [], tenders: [], totalCents: 0 }),
        sale,
      ];
    }
    if (i % 7 === 3) {
      const half = Math.floor(sale.totalCents / 2);
      return [
        sale,
        makeTransaction({
          ...refersToSale,
          type: 'return',
          lines: [makeLine({ amountCents: half })],
        }),
      ];
    }
    return [sale];
  });
}

/** The Kafka messages the intake would produce for these transactions. */
export function asMessages(txs: readonly PosTransaction[]): { key: string; value: string }[] {
  return txs.map((tx) => ({
    key: transactionMessageKey(tx),
    value: transactionRecordedJson(canonicalJson(tx), new Date()),
  }));
}

/**
 * What each card must end with, summed over the distinct transactions of one store: a sale adds
 * its total, a visit and 1 point per 100 cents (the profile's v1 points balance); a return takes its total and points off; a void
 * makes its original count for nothing.
 */
export function expectedTotals(txs: readonly PosTransaction[]): Map<string, CardTotals> {
  const voided = new Set(
    txs.flatMap((tx) => (tx.type === 'void' ? [tx.originalPosTransactionId] : [])),
  );
  const byCard = new Map<string, CardTotals>();
  for (const tx of txs) {
    const o = byCard.get(tx.cardNumber as string) ?? { spendCents: 0, visits: 0, points: 0 };
    const counts = tx.type !== 'void' && !voided.has(tx.posTransactionId);
    const sign = tx.type === 'sale' ? 1 : -1;
    byCard.set(tx.cardNumber as string, {
      spendCents: o.spendCents + (counts ? sign * tx.totalCents : 0),
      visits: o.visits + (counts && tx.type === 'sale' ? 1 : 0),
      points: o.points + (counts ? sign * Math.floor(tx.totalCents / 100) : 0),
    });
  }
  return byCard;
}

async function actualTotals(
  db: DataSource,
  cards: readonly string[],
): Promise<Map<string, CardTotals>> {
  const rows: { card_number: string; spend: string; visits: number; points: string }[] =
    await db.query(
      `SELECT c.card_number, p.lifetime_spend_cents AS spend, p.visits, p.points_balance AS points
       FROM ingest.shopper_profiles p JOIN ingest.cards c USING (shopper_id)
       WHERE c.card_number = ANY($1::text[])`,
      [cards],
    );
  return new Map(
    rows.map((r) => [
      r.card_number,
      { spendCents: Number(r.spend), visits: r.visits, points: Number(r.points) },
    ]),
  );
}

/** Compares as sorted lists, so that the order of a Map's entries does not matter. */
export async function totalsMatch(
  db: DataSource,
  expected: Map<string, CardTotals>,
): Promise<boolean> {
  const actual = await actualTotals(db, [...expected.keys()]);
  return JSON.stringify([...actual].sort()) === JSON.stringify([...expected].sort());
}

/** How many of these transactions are stored. */
export async function storedCount(db: DataSource, txs: readonly PosTransaction[]): Promise<number> {
  const [{ n }] = await db.query(
    `SELECT count(*)::int AS n FROM ingest.transactions WHERE pos_transaction_id = ANY($1::text[])`,
    [txs.map((tx) => tx.posTransactionId)],
  );
  return n;
}

/**
 * How many of these transactions have their points-earned event on the topic (loyalty-api keeps
 * the ledger now). Waits until every one has arrived; a cause met twice must carry the same
 * event (the outbox relay may publish again after a crash, never a second booking).
 */
export async function pointsEventCount(
  txs: readonly PosTransaction[],
  timeoutMs = 60_000,
): Promise<number> {
  const wanted = new Set(txs.map(transactionKey));
  const seen = new Map<string, string>();
  let conflict: string | undefined;
  await readUntil(
    TOPICS.pointsEarned,
    (message) => {
      const value = message.value?.toString() ?? '';
      const { cause } = JSON.parse(value) as PointsEarnedV1;
      if (!wanted.has(cause)) return false;
      if ((seen.get(cause) ?? value) !== value) conflict = cause;
      seen.set(cause, value);
      return conflict !== undefined || seen.size === wanted.size;
    },
    timeoutMs,
  );
  if (conflict) throw new Error(`Two different points-earned events for ${conflict}`);
  return seen.size;
}
