import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/**
 * loyalty-api's read of pos-ingest's profiles (`ingest.shopper_profiles.first_visit_at`) for the
 * purchase anniversaries of one day: the households whose first purchase fell, in the programme's
 * time zone, on one of `monthDays` (`MM-DD`) of an earlier year than `year`.
 */
@Injectable()
export class PurchaseAnniversariesQuery {
  async householdsOn(
    manager: EntityManager,
    monthDays: readonly string[],
    year: number,
    timeZone: string,
  ): Promise<string[]> {
    const rows: { shopper_id: string }[] = await manager.query(
      `SELECT shopper_id FROM ingest.shopper_profiles
        WHERE first_visit_at IS NOT NULL
          AND to_char(first_visit_at AT TIME ZONE $3, 'MM-DD') = ANY($1::text[])
          AND extract(year FROM first_visit_at AT TIME ZONE $3) < $2`,
      [monthDays, year, timeZone],
    );
    return rows.map((r) => r.shopper_id);
  }

  /** The local year of the household's first purchase, or null without one. */
  async firstPurchaseYear(
    manager: EntityManager,
    householdId: string,
    timeZone: string,
  ): Promise<number | null> {
    const [row]: { year: number | null }[] = await manager.query(
      `SELECT extract(year FROM first_visit_at AT TIME ZONE $2)::int AS year
         FROM ingest.shopper_profiles WHERE shopper_id = $1`,
      [householdId, timeZone],
    );
    return row?.year ?? null;
  }
}
