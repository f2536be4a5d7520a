import { Injectable } from '@nestjs/common';
import { PointsEntry } from '@loyalty/domain';
import { EntityManager } from 'typeorm';

/** `ingest.points_ledger`: one entry per cause (UNIQUE source), appended. */
@Injectable()
export class PointsQueries {
  async insertLedgerEntries(m: EntityManager, entries: readonly PointsEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await m.query(
      `INSERT INTO ingest.points_ledger (shopper_id, kind, points, source_type, source_id)
       SELECT shopper_id, kind, points, 'transaction', source_id
         FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[]) AS e(shopper_id, kind, points, source_id)`,
      [
        entries.map((e) => e.shopperId),
        entries.map((e) => e.kind),
        entries.map((e) => e.points),
        entries.map((e) => e.sourceId),
      ],
    );
  }
}
