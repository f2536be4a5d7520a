import { Cents } from './money';

// Bounds on what a POS may send: far above any real receipt, far below integer overflow.
export const MAX_ABS_AMOUNT_CENTS = 100_000_000;
export const MAX_QUANTITY = 1_000_000;

// A finished POS transaction as the terminal reports it. Line amounts are authoritative:
// quantities may be fractional for weighed goods, so amount is not recomputed from price x quantity.
export interface TransactionLine {
  sku: string;
  department: string;
  quantity: number;
  unitPriceCents: Cents;
  amountCents: Cents;
}

export interface PosTransaction {
  posTransactionId: string;
  storeId: string;
  terminalId: string;
  cardNumber: string;
  /** The POS clock's time, ISO 8601 with its UTC offset, kept as sent. */
  occurredAt: string;
  lines: TransactionLine[];
  totalCents: Cents;
}

export function sumLineAmounts(lines: readonly { amountCents: Cents }[]): Cents {
  return lines.reduce((sum, line) => sum + line.amountCents, 0);
}
