import { HouseholdNotFoundError, MergeParty, decideMerge } from '@loyalty/domain';
import { Principal } from '@loyalty/platform';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEntry } from '../audit/audit-entry.entity';
import { PointsLedger } from '../points/points-ledger';
import { HouseholdChanges } from './household-changes';
import { MergeDto, MergeRequestDto } from './household.dto';

interface PartyRow {
  id: string;
  registered: boolean;
  merged_into: string | null;
  erased_at: Date | null;
}

/**
 * Support merges a household into another: its cards and members (its account holder becomes a
 * member), its points and usable wallet offers move to the target; it keeps its id, marked
 * `merged_into`. Recorded once per source (`household_merges`): the same merge again answers the
 * same, a merge of it into a third household is refused.
 */
@Injectable()
export class MergeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly points: PointsLedger,
    private readonly changes: HouseholdChanges,
  ) {}

  async merge(
    agent: Principal,
    targetId: string,
    dto: MergeRequestDto,
    now: Date,
  ): Promise<MergeDto> {
    const sourceId = dto.sourceHouseholdId;
    return this.dataSource.transaction(async (manager) => {
      // Both rows locked in id order: two merges of the same pair never deadlock.
      const rows: PartyRow[] = await manager.query(
        `SELECT id, registered, merged_into, erased_at FROM loyalty.households
          WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
        [[sourceId, targetId]],
      );
      const party = (id: string, field: string): MergeParty => {
        const row = rows.find((r) => r.id === id);
        if (!row) throw new HouseholdNotFoundError('No such household', field);
        return {
          id,
          registered: row.registered,
          mergedInto: row.merged_into,
          erased: row.erased_at !== null,
        };
      };
      const target = party(targetId, 'targetId');
      const source = party(sourceId, 'sourceHouseholdId');
      if (decideMerge(source, target) === 'merge') {
        await this.move(manager, agent, source.id, target.id, dto.reason, now);
      }
      return this.mergeOf(manager, sourceId);
    });
  }

  private async move(
    manager: EntityManager,
    agent: Principal,
    sourceId: string,
    targetId: string,
    reason: string,
    now: Date,
  ): Promise<void> {
    const cards: { card_number: string }[] = await manager.query(
      `SELECT card_number FROM loyalty.cards WHERE household_id = $1`,
      [sourceId],
    );
    // Bookings of these cards' points wait for the move, then find the target.
    await this.points.lockCards(
      manager,
      cards.map((c) => c.card_number),
    );
    await manager.query(`UPDATE loyalty.cards SET household_id = $2 WHERE household_id = $1`, [
      sourceId,
      targetId,
    ]);
    await manager.query(
      `UPDATE loyalty.shoppers SET household_id = $2, account_holder = false, updated_at = $3
        WHERE household_id = $1`,
      [sourceId, targetId, now],
    );
    await this.points.transferBalance(manager, sourceId, targetId, `merge:${sourceId}`, now);
    await manager.query(
      `UPDATE loyalty.offers SET shopper_id = $2 WHERE shopper_id = $1 AND state IN ('issued', 'clipped')`,
      [sourceId, targetId],
    );
    await manager.query(`UPDATE loyalty.households SET merged_into = $2 WHERE id = $1`, [
      sourceId,
      targetId,
    ]);
    await manager.query(
      `INSERT INTO loyalty.household_merges (source_household_id, target_household_id, merged_by, merged_at)
       VALUES ($1, $2, $3, $4)`,
      [sourceId, targetId, agent.subject, now],
    );
    await manager.insert(AuditEntry, {
      actor: agent.subject,
      action: 'household.merged',
      entity: 'household',
      entityId: targetId,
      details: { sourceHouseholdId: sourceId, reason },
    });
    await this.changes.record(manager, sourceId, now);
    await this.changes.record(manager, targetId, now);
  }

  private async mergeOf(manager: EntityManager, sourceId: string): Promise<MergeDto> {
    const [row] = await manager.query(
      `SELECT source_household_id, target_household_id, merged_by, merged_at
         FROM loyalty.household_merges WHERE source_household_id = $1`,
      [sourceId],
    );
    return {
      sourceHouseholdId: row.source_household_id,
      targetHouseholdId: row.target_household_id,
      mergedBy: row.merged_by,
      mergedAt: (row.merged_at as Date).toISOString(),
    };
  }
}
