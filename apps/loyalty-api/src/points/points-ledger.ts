import { Injectable } from '@nestjs/common';
import { InsufficientPointsError, PointsCauseReusedError } from '@loyalty/domain';
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
   * transfer never makes points live longer than they would have. A debt (a balance below 0)
   * moves the same way, as negative points.
   */
  async transferBalance(
    m: EntityManager,
    fromHouseholdId: string,
    toHouseholdId: string,
    cause: string,
    at: Date,
  ): Promise<number> {
    if (fromHouseholdId.toLowerCase() === toHouseholdId.toLowerCase()) return 0;
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

  /**
   * Spends `points` of a household's balance for `cause` (a checkout), atomically: the account's
   * balance is lowered only if it holds enough (a conditional UPDATE under its row lock), so of
   * two lanes spending the same points one wins and the other gets INSUFFICIENT_POINTS. The caller
   * rolls its transaction back on that error (the entry written first goes with it). The same
   * cause again answers the balance without spending twice; with other points it is refused.
   */
  async redeem(
    m: EntityManager,
    householdId: string,
    points: number,
    cause: string,
    at: Date,
  ): Promise<{ balance: number }> {
    if (!Number.isSafeInteger(points) || points <= 0)
      throw new RangeError('points to redeem must be a positive whole number');
    // A concurrent redemption of the same cause waits on the unique index, then finds this one.
    const inserted: unknown[] = await m.query(
      `INSERT INTO loyalty.points_ledger (household_id, kind, points, source_type, source_id, occurred_at)
       VALUES ($1, 'redeem', $2, 'redemption', $3, $4)
       ON CONFLICT DO NOTHING RETURNING id`,
      [householdId, -points, cause, at],
    );
    if (inserted.length === 0) {
      const [existing]: { points: string }[] = await m.query(
        `SELECT points FROM loyalty.points_ledger
          WHERE source_type = 'redemption' AND source_id = $1 AND household_id = $2`,
        [cause, householdId],
      );
      if (-Number(existing.points) !== points)
        throw new PointsCauseReusedError(
          `${cause} already redeemed ${-Number(existing.points)} points`,
          'points',
        );
      return { balance: await this.balanceOf(m, householdId) };
    }
    const updated: { balance: string }[] = await m.query(
      // Wrapped in a SELECT: TypeORM answers a bare UPDATE with [rows, count], not rows.
      `WITH spent AS (
         UPDATE loyalty.points_accounts SET balance = balance - $2, updated_at = $3
          WHERE household_id = $1 AND balance >= $2 RETURNING balance
       )
       SELECT balance FROM spent`,
      [householdId, points, at],
    );
    if (updated.length === 0)
      throw new InsufficientPointsError(
        `The balance is ${Math.max(0, await this.balanceOf(m, householdId))} points, fewer than ${points}`,
        'points',
      );
    return { balance: Number(updated[0].balance) };
  }

  /**
   * Books the points an offer's points reward gave at the checkout, once per redemption (`cause`,
   * the redemption's id): an `earn` entry dated now, with the balance.
   */
  async awardOfferPoints(
    m: EntityManager,
    householdId: string,
    points: number,
    cause: string,
    at: Date,
  ): Promise<void> {
    if (!Number.isSafeInteger(points) || points <= 0)
      throw new RangeError('points to award must be a positive whole number');
    await lockAccounts(m, [householdId]);
    const inserted: unknown[] = await m.query(
      `INSERT INTO loyalty.points_ledger (household_id, kind, points, source_type, source_id, occurred_at)
       VALUES ($1, 'earn', $2, 'offer-redemption', $3, $4)
       ON CONFLICT DO NOTHING RETURNING id`,
      [householdId, points, cause, at],
    );
    if (inserted.length === 0) return;
    await m.query(
      `UPDATE loyalty.points_accounts SET balance = balance + $2, updated_at = $3 WHERE household_id = $1`,
      [householdId, points, at],
    );
  }

  /**
   * Gives back `points` of those a checkout spent (`spentCause`, as `redeem` recorded it), as a
   * `reverse` entry named by `cause` (the void or return that gives them back), once per cause:
   * the same cause again gives nothing. The entry is dated when the points were spent (their
   * original lots are not kept), and answers how many came back (0 if the checkout spent none).
   */
  async giveBackSpent(
    m: EntityManager,
    householdId: string,
    points: number,
    spentCause: string,
    cause: string,
    at: Date,
  ): Promise<number> {
    if (points <= 0) return 0;
    await lockAccounts(m, [householdId]);
    const [spent]: { occurred_at: Date }[] = await m.query(
      `SELECT occurred_at FROM loyalty.points_ledger
        WHERE source_type = 'redemption' AND source_id = $1 AND household_id = $2`,
      [spentCause, householdId],
    );
    if (!spent) return 0;
    return this.credit(m, householdId, points, 'redemption-reversal', cause, spent.occurred_at, at);
  }

  /**
   * Takes back the points an offer's points reward booked with a redemption (`awardOfferPoints`)
   * when the redemption is cancelled: a `reverse` entry, once per redemption.
   */
  async reverseOfferPoints(
    m: EntityManager,
    householdId: string,
    points: number,
    redemptionId: string,
    at: Date,
  ): Promise<void> {
    if (points <= 0) return;
    await lockAccounts(m, [householdId]);
    await this.credit(m, householdId, -points, 'offer-redemption-reversal', redemptionId, at, at);
  }

  /** A `reverse` entry of `points` (either sign) and the balance with it; once per cause. */
  private async credit(
    m: EntityManager,
    householdId: string,
    points: number,
    sourceType: string,
    cause: string,
    occurredAt: Date,
    at: Date,
  ): Promise<number> {
    const inserted: unknown[] = await m.query(
      `INSERT INTO loyalty.points_ledger (household_id, kind, points, source_type, source_id, occurred_at)
       VALUES ($1, 'reverse', $2, $3, $4, $5)
       ON CONFLICT DO NOTHING RETURNING id`,
      [householdId, points, sourceType, cause, occurredAt],
    );
    if (inserted.length === 0) return 0;
    await m.query(
      `UPDATE loyalty.points_accounts SET balance = balance + $2, updated_at = $3 WHERE household_id = $1`,
      [householdId, points, at],
    );
    return points;
  }

  /**
   * Serialises everything that decides or changes which household a card's points go to: a
   * booking takes it for each card of its batch, and so must a transaction that registers a card
   * to a household or moves it to another (before it moves the points with transferBalance).
   */
  async lockCards(m: EntityManager, cardNumbers: readonly string[]): Promise<void> {
    const cards = [...new Set(cardNumbers)].sort();
    if (cards.length === 0) return;
    await m.query(
      `SELECT pg_advisory_xact_lock(hashtextextended('loyalty.card:' || card, 0))
         FROM unnest($1::text[]) WITH ORDINALITY AS c(card, n) ORDER BY n`,
      [cards],
    );
  }

  /** The household's points balance (0 without an account). */
  async balanceOf(m: EntityManager, householdId: string): Promise<number> {
    const [account]: { balance: string }[] = await m.query(
      `SELECT balance FROM loyalty.points_accounts WHERE household_id = $1`,
      [householdId],
    );
    return Number(account?.balance ?? 0);
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
