import { Injectable } from '@nestjs/common';
import { expiryCutoff, pointsValueCents } from '@loyalty/domain';
import { DataSource } from 'typeorm';
import { LoyaltyApiConfig } from '../config';
import { PointsLiabilityDto } from './points.dto';

const DAY_MS = 86_400_000;

/**
 * What the points households hold are worth, and how many will have expired within 30 and 90
 * days. Outstanding points are the cached balances. What expires by a cutoff is, per household,
 * its credits up to the cutoff beyond all its debits, which is its balance less its credits
 * after the cutoff: only the credits of about the last two years are read (by the credits
 * index), never the whole ledger.
 */
@Injectable()
export class PointsLiabilityQuery {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: LoyaltyApiConfig,
  ) {}

  async liability(asOf: Date): Promise<PointsLiabilityDto> {
    const months = this.config.POINTS_EXPIRY_MONTHS;
    const cutoff30 = expiryCutoff(new Date(asOf.getTime() + 30 * DAY_MS), months);
    const cutoff90 = expiryCutoff(new Date(asOf.getTime() + 90 * DAY_MS), months);
    const [row]: { outstanding: string; expiring30: string; expiring90: string }[] =
      await this.dataSource.query(
        `WITH recent AS (
           SELECT household_id,
                  sum(points) AS after30,
                  coalesce(sum(points) FILTER (WHERE occurred_at > $2), 0) AS after90
             FROM loyalty.points_ledger
            WHERE points > 0 AND occurred_at > $1
            GROUP BY household_id
         )
         SELECT coalesce(sum(greatest(a.balance, 0)), 0) AS outstanding,
                coalesce(sum(greatest(a.balance - coalesce(r.after30, 0), 0)), 0) AS expiring30,
                coalesce(sum(greatest(a.balance - coalesce(r.after90, 0), 0)), 0) AS expiring90
           FROM loyalty.points_accounts a
           LEFT JOIN recent r ON r.household_id = a.household_id`,
        [cutoff30, cutoff90],
      );
    const outstanding = Number(row.outstanding);
    const centsPer100Points = this.config.POINT_VALUE_CENTS_PER_100_POINTS;
    return {
      asOf: asOf.toISOString(),
      outstandingPoints: outstanding,
      outstandingValueCents: pointsValueCents(outstanding, centsPer100Points),
      centsPer100Points,
      expiringWithin30Days: Number(row.expiring30),
      expiringWithin90Days: Number(row.expiring90),
    };
  }
}
