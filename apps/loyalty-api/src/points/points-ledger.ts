import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/**
 * Moves points between households inside a caller's transaction. Every change of a balance
 * appends ledger entries (one per cause and household: UNIQUE (source_type, source_id,
 * household_id)) and updates the cached balance in `loyalty.points_accounts` under the account's
 * row lock, so a replayed cause changes nothing and two movers of one account take turns.
 */
@Injectable()
export class PointsLedger {
  /**
   * Moves the whole balance of one household to another as two `transfer` entries named by
   * `cause` (say, a merge), and answers the points moved. Called again with the same cause it
   * moves nothing more and answers the points moved the first time. The credit keeps the date of
   * the oldest points it carries (the oldest credit the source's debits have not consumed), so a
   * transfer never makes points live longer than they would have.
   */
  async transferBalance(
    m: EntityManager,
    fromHouseholdId: string,
    toHouseholdId: string,
    cause: string,
    at: Date,
  ): Promise<number> {
    if (fromHouseholdId === toHouseholdId) return 0;
    await lockAccounts(m, [fromHouseholdId, toHouseholdId]);
    const done: { points: string }[] = await m.query(
      `SELECT points FROM loyalty.points_ledger
        WHERE source_type = 'transfer' AND source_id = $1 AND household_id = $2`,
      [cause, fromHouseholdId],
    );
    if (done.length > 0) return -Number(done[0].points);
    const [{ balance }]: { balance: string }[] = await m.query(
      `SELECT balance FROM loyalty.points_accounts WHERE household_id = $1`,
      [fromHouseholdId],
    );
    const points = Number(balance);
    if (points === 0) return 0;
    const [{ oldest }]: { oldest: Date | null }[] = await m.query(OLDEST_UNCONSUMED_CREDIT, [
      fromHouseholdId,
    ]);
    await m.query(
      `INSERT INTO loyalty.points_ledger (household_id, kind, points, source_type, source_id, occurred_at)
       VALUES ($1, 'transfer', -$3::bigint, 'transfer', $4, $5), ($2, 'transfer', $3, 'transfer', $4, $6)`,
      [fromHouseholdId, toHouseholdId, points, cause, at, oldest ?? at],
    );
    await m.query(
      `UPDATE loyalty.points_accounts a SET balance = a.balance + d.points, updated_at = $3
         FROM (VALUES ($1::uuid, -$2::bigint), ($4::uuid, $2::bigint)) AS d(household_id, points)
        WHERE a.household_id = d.household_id`,
      [fromHouseholdId, points, at, toHouseholdId],
    );
    return points;
  }
}

/**
 * Creates the households' accounts if they have none yet and locks them in id order, so two
 * transactions locking the same pair never wait on each other crosswise.
 */
export async function lockAccounts(
  m: EntityManager,
  householdIds: readonly string[],
): Promise<void> {
  const ids = [...new Set(householdIds.map((id) => id.toLowerCase()))].sort();
  await m.query(
    `INSERT INTO loyalty.points_accounts (household_id)
     SELECT unnest($1::uuid[]) ON CONFLICT DO NOTHING`,
    [ids],
  );
  await m.query(
    `SELECT household_id FROM loyalty.points_accounts
      WHERE household_id = ANY($1::uuid[]) ORDER BY household_id FOR UPDATE`,
    [ids],
  );
}

// Debits consume the oldest credits first: the oldest credit still holding points is the first
// whose running total (oldest first) exceeds everything debited so far.
const OLDEST_UNCONSUMED_CREDIT = `
  SELECT min(occurred_at) AS oldest FROM (
    SELECT occurred_at, sum(points) OVER (ORDER BY occurred_at, id) AS running
      FROM loyalty.points_ledger WHERE household_id = $1 AND points > 0
  ) c
  WHERE running > (SELECT coalesce(-sum(points), 0) FROM loyalty.points_ledger
                    WHERE household_id = $1 AND points < 0)`;
