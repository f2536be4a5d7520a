import { Injectable } from '@nestjs/common';
import { DomainError, OfflineConflictReason } from '@loyalty/domain';
import { Principal } from '@loyalty/platform';
import { DataSource } from 'typeorm';
import { AuditEntry } from '../audit/audit-entry.entity';
import { ConflictDto, ConflictResolution, ConflictResolutionDto } from './conflicts.dto';

export class ConflictNotFoundError extends DomainError {
  readonly code = 'CONFLICT_NOT_FOUND';
  override readonly kind = 'notFound';
}

export class ConflictResolvedError extends DomainError {
  readonly code = 'CONFLICT_ALREADY_RESOLVED';
  override readonly kind = 'conflict';
}

interface ConflictRow {
  id: string;
  store_id: string;
  pos_transaction_id: string;
  terminal_id: string;
  offer_code: string;
  shopper_id: string | null;
  discount_cents: number;
  reason: OfflineConflictReason;
  occurred_at: Date;
  detected_at: Date;
  resolution: ConflictResolution | null;
  resolution_note: string | null;
  resolved_by: string | null;
  resolved_at: Date | null;
}

function toDto(row: ConflictRow): ConflictDto {
  return {
    id: row.id,
    storeId: row.store_id,
    posTransactionId: row.pos_transaction_id,
    terminalId: row.terminal_id,
    offerCode: row.offer_code,
    householdId: row.shopper_id,
    discountCents: row.discount_cents,
    reason: row.reason,
    occurredAt: row.occurred_at.toISOString(),
    detectedAt: row.detected_at.toISOString(),
    resolution: row.resolution,
    resolutionNote: row.resolution_note,
    resolvedBy: row.resolved_by,
    resolvedAt: row.resolved_at?.toISOString() ?? null,
  };
}

/** The offers offline lanes applied that could not be redeemed, for staff to review and resolve. */
@Injectable()
export class ConflictsService {
  constructor(private readonly dataSource: DataSource) {}

  async list(state: 'open' | 'resolved', limit: number): Promise<ConflictDto[]> {
    const rows: ConflictRow[] = await this.dataSource.query(
      state === 'open'
        ? `SELECT * FROM loyalty.checkout_conflicts WHERE resolved_at IS NULL
            ORDER BY detected_at, id LIMIT $1`
        : `SELECT * FROM loyalty.checkout_conflicts WHERE resolved_at IS NOT NULL
            ORDER BY resolved_at DESC, id LIMIT $1`,
      [limit],
    );
    return rows.map(toDto);
  }

  /** Resolves an open conflict once (audited); the same resolution again answers the same. */
  async resolve(
    staff: Principal,
    id: string,
    dto: ConflictResolutionDto,
    now: Date,
  ): Promise<ConflictDto> {
    return this.dataSource.transaction(async (m) => {
      const [row]: ConflictRow[] = await m.query(
        `SELECT * FROM loyalty.checkout_conflicts WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (!row) throw new ConflictNotFoundError('No such conflict', 'id');
      if (row.resolved_at !== null) {
        if (row.resolution === dto.resolution && row.resolution_note === dto.note)
          return toDto(row);
        throw new ConflictResolvedError(
          `This conflict was resolved (${row.resolution}) by ${row.resolved_by}`,
          'id',
        );
      }
      const [resolved]: ConflictRow[] = await m.query(
        `WITH resolved AS (
           UPDATE loyalty.checkout_conflicts
              SET resolution = $2, resolution_note = $3, resolved_by = $4, resolved_at = $5
            WHERE id = $1 RETURNING *)
         SELECT * FROM resolved`,
        [id, dto.resolution, dto.note, staff.subject, now],
      );
      await m.insert(AuditEntry, {
        actor: staff.subject,
        action: 'checkout-conflict.resolved',
        entity: 'checkout-conflict',
        entityId: id,
        details: { roles: staff.roles, resolution: dto.resolution, note: dto.note },
      });
      return toDto(resolved);
    });
  }
}
