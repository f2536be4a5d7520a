import { Injectable, Logger } from '@nestjs/common';
import { expiryCutoff, expiryDay } from '@loyalty/domain';
import { DataSource } from 'typeorm';
import { LoyaltyApiConfig } from '../config';

/** Households per database transaction of the pass: short enough not to hold lanes up. */
const HOUSEHOLDS_PER_TURN = 2_000;

export interface ExpiryResult {
  cutoff: string;
  households: number;
  points: number;
}

/**
 * The expiry pass: points expire POINTS_EXPIRY_MONTHS after the sale that earned them, and debits
 * consume the oldest credits first, so what expires for a household is what its credits up to the
 * cutoff hold beyond everything debited so far (`pointsToExpire` in the domain, here as SQL over
 * all households). Booked as one `expire` entry per household and cutoff day (source id the day):
 * running it again the same day books nothing more.
 */
@Injectable()
export class PointsExpiryService {
  private readonly logger = new Logger(PointsExpiryService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: LoyaltyApiConfig,
  ) {}

  async expirePoints(asOf: Date): Promise<ExpiryResult> {
    const cutoff = expiryCutoff(asOf, this.config.POINTS_EXPIRY_MONTHS);
    // A household holding nothing has nothing to expire: its credits are all consumed.
    const candidates: { household_id: string }[] = await this.dataSource.query(
      `SELECT household_id FROM loyalty.points_accounts WHERE balance > 0 ORDER BY household_id`,
    );
    const result: ExpiryResult = { cutoff: cutoff.toISOString(), households: 0, points: 0 };
    for (let i = 0; i < candidates.length; i += HOUSEHOLDS_PER_TURN) {
      const ids = candidates.slice(i, i + HOUSEHOLDS_PER_TURN).map((c) => c.household_id);
      const booked = await this.dataSource.transaction(async (m) => {
        // Locked before the sums are read (by the next statement, with a fresh snapshot), so a
        // redemption or a booking either committed before them or waits for this turn.
        await m.query(
          `SELECT household_id FROM loyalty.points_accounts
            WHERE household_id = ANY($1::uuid[]) ORDER BY household_id FOR UPDATE`,
          [ids],
        );
        const rows: { points: string }[] = await m.query(EXPIRE_TURN, [
          ids,
          cutoff,
          expiryDay(cutoff),
          asOf,
        ]);
        return rows;
      });
      result.households += booked.length;
      result.points -= booked.reduce((total, r) => total + Number(r.points), 0);
    }
    this.logger.log(
      { cutoff: result.cutoff, households: result.households, points: result.points },
      'Points expired',
    );
    return result;
  }
}

const EXPIRE_TURN = `
  WITH due AS (
    SELECT household_id,
           coalesce(sum(points) FILTER (WHERE points > 0 AND occurred_at <= $2), 0)
             + coalesce(sum(points) FILTER (WHERE points < 0), 0) AS expired
      FROM loyalty.points_ledger
     WHERE household_id = ANY($1::uuid[])
     GROUP BY household_id
  ),
  booked AS (
    INSERT INTO loyalty.points_ledger (household_id, kind, points, source_type, source_id, occurred_at)
    SELECT household_id, 'expire', -expired, 'expiry', $3, $4 FROM due WHERE expired > 0
    ON CONFLICT DO NOTHING
    RETURNING household_id, points
  ),
  updated AS (
    UPDATE loyalty.points_accounts a SET balance = a.balance + b.points, updated_at = $4
      FROM booked b
     WHERE a.household_id = b.household_id
    RETURNING b.points
  )
  -- A SELECT: TypeORM answers a bare UPDATE with [rows, count], not rows.
  SELECT points FROM updated`;
