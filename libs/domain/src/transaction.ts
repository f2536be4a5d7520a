import { Cents } from './money';

// Bounds on what a POS may send: far above any real receipt, far below integer overflow.
export const MAX_ABS_AMOUNT_CENTS = 100_000_000;
export const MAX_QUANTITY = 1_000_000;

export const TRANSACTION_TYPES = ['sale', 'return', 'void'] as const;
/**
 * A sale; a return of goods (its amounts are what is refunded, all positive); or a void, which
 * cancels an earlier sale or return of the same store entirely and carries no lines.
 */
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

export const LINE_DISCOUNT_SOURCES = ['promotion', 'loyalty', 'coupon', 'manual'] as const;
export type LineDiscountSource = (typeof LINE_DISCOUNT_SOURCES)[number];

export const TENDER_TYPES = ['cash', 'card', 'voucher', 'mobile', 'other'] as const;
export type TenderType = (typeof TENDER_TYPES)[number];

export interface TransactionLineDiscount {
  source: LineDiscountSource;
  amountCents: Cents;
  /** The promotion, coupon or offer code behind it, when there is one. */
  reference?: string;
}

// Line amounts are authoritative and net of the line's discounts: quantities may be fractional
// for weighed goods, so the amount is never recomputed from price x quantity.
export interface TransactionLine {
  sku: string;
  description?: string;
  department: string;
  category?: string;
  brand?: string;
  quantity: number;
  unitPriceCents: Cents;
  amountCents: Cents;
  discounts?: TransactionLineDiscount[];
}

export interface Tender {
  type: TenderType;
  amountCents: Cents;
}

export interface TransactionOffer {
  code: string;
  /** The redemption the POS made through the loyalty API, if it made one. */
  redemptionId?: string;
  discountCents: Cents;
}

export interface PosTransaction {
  posTransactionId: string;
  storeId: string;
  terminalId: string;
  cashierId: string;
  /** The store's trading day (YYYY-MM-DD), which may differ from the date of `occurredAt`. */
  businessDate: string;
  /** The POS clock's time, ISO 8601 with its UTC offset, kept as sent. */
  occurredAt: string;
  type: TransactionType;
  /** For returns and voids: the transaction (same store) they refer to. */
  originalPosTransactionId?: string;
  /** Absent for anonymous sales, which still count for store statistics. */
  cardNumber?: string;
  lines: TransactionLine[];
  tenders: Tender[];
  appliedOffers?: TransactionOffer[];
  totalCents: Cents;
}

/** The idempotency key of a transaction: its id is unique within its store. */
export function transactionKey(tx: Pick<PosTransaction, 'storeId' | 'posTransactionId'>): string {
  return `${tx.storeId}:${tx.posTransactionId}`;
}

export function sumLineAmounts(lines: readonly { amountCents: Cents }[]): Cents {
  return lines.reduce((sum, line) => sum + line.amountCents, 0);
}
