import { PosTransaction, luhnCheckDigit } from '@loyalty/domain';
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

// Real baskets from the Complete Journey dataset as POS transactions; see test/data/completejourney/README.md.

const DATA_DIR = join(__dirname, '..', 'data', 'completejourney');

function readCsv(file: string): Record<string, string>[] {
  return parse(gunzipSync(readFileSync(join(DATA_DIR, file))), {
    columns: true,
    skip_empty_lines: true,
  });
}

export function householdCardNumber(householdId: string): string {
  const body = `98${householdId.padStart(13, '0')}`;
  return `${body}${luhnCheckDigit(body)}`;
}

const toCents = (dollars: string) => Math.round(Number(dollars) * 100);

/** `2017-01-01 07:30:27` (New York) and `2017-01-01T12:30:27Z` -> `2017-01-01T07:30:27-05:00`. */
function withOffset(local: string, utc: string): string {
  const minutes = Math.round(
    (Date.parse(`${local.replace(' ', 'T')}Z`) - Date.parse(utc)) / 60_000,
  );
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${local.replace(' ', 'T')}${offset}`;
}

/** Every basket of the sample as a POS transaction, in time order. */
export function loadCompleteJourneyTransactions(): PosTransaction[] {
  const products = new Map(readCsv('products.csv.gz').map((p) => [p.product_id, p]));
  const baskets = new Map<string, PosTransaction>();
  for (const row of readCsv('transactions_sample_100k.csv.gz')) {
    const quantity = Number(row.quantity);
    if (quantity <= 0) continue;
    const amountCents = toCents(row.sales_value);
    const shelfCents =
      toCents(row.sales_value) + toCents(row.retail_disc) + toCents(row.coupon_match_disc);
    let basket = baskets.get(row.basket_id);
    if (!basket) {
      basket = {
        posTransactionId: `cj-${row.basket_id}`,
        storeId: `store-${row.store_id}`,
        terminalId: 'lane-1',
        cashierId: 'cashier-1',
        businessDate: row.transaction_timestamp.slice(0, 10),
        occurredAt: withOffset(row.transaction_timestamp, row.transaction_timestamp_utc),
        type: 'sale',
        cardNumber: householdCardNumber(row.household_id),
        lines: [],
        // The dataset has no tenders: the whole basket is paid as one "other" tender.
        tenders: [{ type: 'other', amountCents: 0 }],
        totalCents: 0,
      };
      baskets.set(row.basket_id, basket);
    }
    const product = products.get(row.product_id);
    basket.lines.push({
      sku: row.product_id,
      department: product?.department || 'UNKNOWN',
      ...(product?.product_category ? { category: product.product_category } : {}),
      ...(product?.brand ? { brand: product.brand } : {}),
      quantity,
      unitPriceCents: Math.round(shelfCents / quantity),
      amountCents,
    });
    basket.totalCents += amountCents;
    basket.tenders[0].amountCents += amountCents;
  }
  return [...baskets.values()].filter((b) => b.lines.length > 0);
}
