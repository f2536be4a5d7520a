import { Injectable } from '@nestjs/common';
import { NotEnrolledError, UnknownHouseholdError } from '@loyalty/domain';
import { DataSource } from 'typeorm';
import { PointsStatementDto, SupportPointsStatementDto, SupportPointsEntryDto } from './points.dto';

interface EntryRow {
  id: string;
  kind: string;
  points: string;
  occurred_at: Date;
  recorded_at: Date;
  source_type: string;
  source_id: string;
  agent: string | null;
  note: string | null;
}

const DEFAULT_PAGE_SIZE = 20;

/**
 * A household's balance and its ledger, newest first, in keyset pages (the entry id is the
 * cursor, so a page stays stable while new entries arrive).
 */
@Injectable()
export class PointsStatementQuery {
  constructor(private readonly dataSource: DataSource) {}

  /** The signed-in shopper's household, found by their token's subject. */
  async forShopper(
    subject: string,
    page: { limit?: number; before?: string },
  ): Promise<PointsStatementDto> {
    const [shopper]: { household_id: string }[] = await this.dataSource.query(
      `SELECT household_id FROM loyalty.shoppers WHERE subject = $1`,
      [subject],
    );
    if (!shopper) throw new NotEnrolledError('No household is enrolled for this sign-in');
    const statement = await this.statement(shopper.household_id, page);
    return {
      ...statement,
      entries: statement.entries.map(({ id, kind, points, occurredAt, recordedAt }) => ({
        id,
        kind,
        points,
        occurredAt,
        recordedAt,
      })),
    };
  }

  /** Support's read of a household's statement. */
  async forSupport(
    householdId: string,
    page: { limit?: number; before?: string },
  ): Promise<SupportPointsStatementDto> {
    const id = householdId.toLowerCase();
    const [known]: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM loyalty.households WHERE id = $1
       UNION ALL SELECT 1 FROM loyalty.points_accounts WHERE household_id = $1 LIMIT 1`,
      [id],
    );
    if (!known) throw new UnknownHouseholdError('No household has this id', 'id');
    return this.statement(id, page);
  }

  private async statement(
    householdId: string,
    { limit = DEFAULT_PAGE_SIZE, before }: { limit?: number; before?: string },
  ): Promise<SupportPointsStatementDto> {
    const [account]: { balance: string }[] = await this.dataSource.query(
      `SELECT balance FROM loyalty.points_accounts WHERE household_id = $1`,
      [householdId],
    );
    // One more than asked for tells whether another page follows.
    const rows: EntryRow[] = await this.dataSource.query(
      `SELECT id, kind, points, occurred_at, recorded_at, source_type, source_id, agent, note
         FROM loyalty.points_ledger
        WHERE household_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint)
        ORDER BY id DESC LIMIT $3`,
      [householdId, before ?? null, limit + 1],
    );
    const entries = rows.slice(0, limit).map(toEntry);
    return {
      householdId,
      balance: Number(account?.balance ?? 0),
      entries,
      nextCursor: rows.length > limit ? entries[entries.length - 1].id : null,
    };
  }
}

function toEntry(row: EntryRow): SupportPointsEntryDto {
  return {
    id: row.id,
    kind: row.kind,
    points: Number(row.points),
    occurredAt: row.occurred_at.toISOString(),
    recordedAt: row.recorded_at.toISOString(),
    sourceType: row.source_type,
    sourceId: row.source_id,
    agent: row.agent,
    reason: row.note,
  };
}
