import { EntityManager } from 'typeorm';

// What the lane's redemptions and the transaction stream's settlements take turns under.

/** The lock every change of one POS transaction's checkout takes: its redemption and settlement. */
export async function lockCheckoutTransaction(
  m: EntityManager,
  storeId: string,
  posTransactionId: string,
): Promise<void> {
  await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
    `loyalty.checkout-tx:${storeId}:${posTransactionId}`,
  ]);
}

/** The lock a household's redemptions take turns under, whatever card or lane. */
export async function lockHouseholdRedemptions(m: EntityManager, householdId: string) {
  await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
    `loyalty.household-redemptions:${householdId}`,
  ]);
}

/** The ledger cause of the points a checkout spent. */
export function pointsSpentCause(storeId: string, posTransactionId: string): string {
  return `checkout:${storeId}:${posTransactionId}`;
}
