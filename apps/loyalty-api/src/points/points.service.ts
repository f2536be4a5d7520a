import { Injectable } from '@nestjs/common';
import {
  HouseholdClosedError,
  PointsCauseReusedError,
  PointsEarnedV1,
  UnknownHouseholdError,
  checkAdjustment,
  householdIdForCard,
  erasureHash,
} from '@loyalty/domain';
import { Principal } from '@loyalty/platform';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEntry } from '../audit/audit-entry.entity';
import { LoyaltyApiConfig } from '../config';
import { PointsAdjustmentDto, PointsAdjustmentRequestDto } from './points.dto';
import { PointsLedger, lockAccounts } from './points-ledger';

const DAY_MS = 86_400_000;

interface AdjustmentRow {
  household_id: string;
  points: string;
  note: string;
  agent: string;
  occurred_at: Date;
}

/** Books points: what transactions earned (from pos-ingest's events) and what support adjusts. */
@Injectable()
export class PointsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: PointsLedger,
    private readonly config: LoyaltyApiConfig,
  ) {}

  /**
   * Books a batch of points-earned events, each once per cause and household. The household is
   * the card's in `loyalty.cards` if it is registered, else the one derived from the card; the
   * cards are locked first, so registering or moving a card and booking its points take turns.
   * An erased household, or a card that was one's, books nothing.
   */
  async bookEarned(events: readonly PointsEarnedV1[]): Promise<void> {
    if (events.length === 0) return;
    const cards = [...new Set(events.map((e) => e.cardNumber))].sort();
    await this.dataSource.transaction(async (m) => {
      await this.ledger.lockCards(m, cards);
      const registered: { card_number: string; household_id: string }[] = await m.query(
        `SELECT card_number, household_id FROM loyalty.cards
          WHERE card_number = ANY($1::text[]) ORDER BY card_number FOR SHARE`,
        [cards],
      );
      const householdOf = new Map(registered.map((c) => [c.card_number, c.household_id]));
      const erasedCards = await this.erasedAmong(
        m,
        cards.filter((card) => !householdOf.has(card)),
      );
      const rows = events
        .filter((e) => !erasedCards.has(e.cardNumber))
        .map((e) => ({
          household_id: householdOf.get(e.cardNumber) ?? householdIdForCard(e.cardNumber),
          kind: e.kind,
          points: e.points,
          source_id: e.cause,
          occurred_at: e.occurredAt,
        }));
      if (rows.length === 0) return;
      const households = [...new Set(rows.map((r) => r.household_id))];
      // A household seen only as a card gets its record with its first points.
      await m.query(
        `INSERT INTO loyalty.households (id)
         SELECT unnest($1::uuid[]) ORDER BY 1 ON CONFLICT DO NOTHING`,
        [households],
      );
      const erased: { id: string }[] = await m.query(
        `SELECT id FROM loyalty.households WHERE id = ANY($1::uuid[]) AND erased_at IS NOT NULL`,
        [households],
      );
      const closed = new Set(erased.map((h) => h.id));
      const booked = rows.filter((r) => !closed.has(r.household_id));
      if (booked.length === 0) return;
      await lockAccounts(
        m,
        booked.map((r) => r.household_id),
      );
      await m.query(
        `WITH booked AS (
           INSERT INTO loyalty.points_ledger (household_id, kind, points, source_type, source_id, occurred_at)
           SELECT household_id, kind, points, 'transaction', source_id, occurred_at
             FROM json_to_recordset($1::json)
               AS e(household_id uuid, kind text, points bigint, source_id text, occurred_at timestamptz)
           ON CONFLICT DO NOTHING
           RETURNING household_id, points
         )
         UPDATE loyalty.points_accounts a SET balance = a.balance + b.points, updated_at = now()
           FROM (SELECT household_id, sum(points) AS points FROM booked GROUP BY household_id) b
          WHERE a.household_id = b.household_id`,
        [JSON.stringify(booked)],
      );
    });
  }

  /** Which of these unregistered cards belonged to an erased household: they earn nothing again. */
  private async erasedAmong(m: EntityManager, cards: readonly string[]): Promise<Set<string>> {
    if (cards.length === 0) return new Set();
    const byHash = new Map(
      cards.map((card) => [erasureHash(this.config.erasureHashKey, card).toString('hex'), card]),
    );
    const erased: { card_hash: Buffer }[] = await m.query(
      `SELECT card_hash FROM loyalty.erased_cards WHERE card_hash = ANY($1::bytea[])`,
      [[...byHash.keys()].map((hex) => Buffer.from(hex, 'hex'))],
    );
    return new Set(erased.map((e) => byHash.get(e.card_hash.toString('hex')) as string));
  }

  /**
   * A support agent gives goodwill points or takes points back, audited with the reason. Once per
   * adjustment id: a retry, also one racing the first, gets the original answer.
   */
  async adjust(
    principal: Principal,
    householdId: string,
    dto: PointsAdjustmentRequestDto,
    at: Date,
  ): Promise<PointsAdjustmentDto> {
    return this.dataSource.transaction(async (m) => {
      // A retry racing its original waits here until the original committed, then finds it.
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `loyalty.points-adjustment:${dto.adjustmentId}`,
      ]);
      householdId = householdId.toLowerCase();
      const [earlier]: AdjustmentRow[] = await m.query(
        `SELECT household_id, points, note, agent, occurred_at FROM loyalty.points_ledger
          WHERE source_type = 'adjustment' AND source_id = $1`,
        [dto.adjustmentId],
      );
      if (earlier) {
        if (
          earlier.household_id !== householdId ||
          Number(earlier.points) !== dto.points ||
          earlier.note !== dto.reason ||
          earlier.agent !== principal.subject
        )
          throw new PointsCauseReusedError(
            'This adjustmentId was used for another adjustment',
            'adjustmentId',
          );
        return toAdjustmentDto(dto.adjustmentId, earlier);
      }
      const [household]: { closed: boolean }[] = await m.query(
        `SELECT (erased_at IS NOT NULL OR merged_into IS NOT NULL) AS closed
           FROM loyalty.households WHERE id = $1
         UNION ALL
         SELECT false FROM loyalty.points_accounts WHERE household_id = $1
         ORDER BY 1 DESC LIMIT 1`,
        [householdId],
      );
      if (!household) throw new UnknownHouseholdError('No household has this id', 'id');
      if (household.closed)
        throw new HouseholdClosedError('The household was erased or merged into another', 'id');
      // One agent's adjustments take turns, so two at once cannot both pass the daily limit.
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `loyalty.goodwill:${principal.subject}`,
      ]);
      // The agent's UTC day, bounded here rather than by the session's time zone.
      const dayStart = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
      const [{ given }]: { given: string }[] = await m.query(
        `SELECT coalesce(sum(points), 0) AS given FROM loyalty.points_ledger
          WHERE agent = $1 AND source_type = 'adjustment' AND points > 0
            AND occurred_at >= $2 AND occurred_at < $3`,
        [principal.subject, new Date(dayStart), new Date(dayStart + DAY_MS)],
      );
      await lockAccounts(m, [householdId]);
      const [{ balance }]: { balance: string }[] = await m.query(
        `SELECT balance FROM loyalty.points_accounts WHERE household_id = $1`,
        [householdId],
      );
      checkAdjustment({
        points: dto.points,
        balance: Number(balance),
        givenToday: Number(given),
        dailyLimit: this.dailyGoodwillLimit(principal),
      });
      const [row]: AdjustmentRow[] = await m.query(
        `INSERT INTO loyalty.points_ledger
           (household_id, kind, points, source_type, source_id, occurred_at, agent, note)
         VALUES ($1, 'adjust', $2, 'adjustment', $3, $4, $5, $6)
         RETURNING household_id, points, note, agent, occurred_at`,
        [householdId, dto.points, dto.adjustmentId, at, principal.subject, dto.reason],
      );
      await m.query(
        `UPDATE loyalty.points_accounts SET balance = balance + $2, updated_at = $3
          WHERE household_id = $1`,
        [householdId, dto.points, at],
      );
      await m.insert(AuditEntry, {
        actor: principal.subject,
        action: 'points.adjust',
        entity: 'household',
        entityId: householdId,
        details: {
          adjustmentId: dto.adjustmentId,
          points: dto.points,
          reason: dto.reason,
          roles: principal.roles,
        },
      });
      return toAdjustmentDto(dto.adjustmentId, row);
    });
  }

  /** An admin may give more than support; someone with both roles gets the higher limit. */
  private dailyGoodwillLimit(principal: Principal): number {
    return Math.max(
      principal.roles.includes('admin') ? this.config.ADMIN_GOODWILL_POINTS_PER_DAY : 0,
      principal.roles.includes('support') ? this.config.SUPPORT_GOODWILL_POINTS_PER_DAY : 0,
    );
  }
}

function toAdjustmentDto(adjustmentId: string, row: AdjustmentRow): PointsAdjustmentDto {
  return {
    adjustmentId,
    householdId: row.household_id,
    points: Number(row.points),
    reason: row.note,
    agent: row.agent,
    occurredAt: row.occurred_at.toISOString(),
  };
}
