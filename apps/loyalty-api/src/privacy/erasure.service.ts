import {
  HouseholdNotFoundError,
  NotAccountHolderError,
  NotEnrolledError,
  HouseholdChangedV1,
  NO_CONSENT,
  NO_DEMOGRAPHICS,
  ShopperErasedV1,
  TOPICS,
  erasureHash,
} from '@loyalty/domain';
import { Outbox } from '@loyalty/kafka';
import { Principal } from '@loyalty/platform';
import { Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { DataSource, EntityManager } from 'typeorm';
import { AudienceListsService } from '../audience-lists/audience-lists.service';
import { AuditEntry } from '../audit/audit-entry.entity';
import { LoyaltyApiConfig } from '../config';
import { PointsLedger } from '../points/points-ledger';
import { HouseholdRecord, HouseholdRecordQuery } from '../shoppers/household-record.query';

export class ErasureDto {
  @ApiProperty({ format: 'uuid' })
  householdId!: string;

  @ApiProperty()
  erasedAt!: string;
}

/**
 * Erasure of a household's identity (GDPR Art. 17). Gone: members and their contact data, cards (a
 * keyed hash of each stays, so the card is never registered again and stays anonymous), the
 * consent rows, its places on marketing's audience lists, the shopper's subject in the consent
 * history, the details of staff audit entries about the household. Kept, keyed by the household id
 * only: the points ledger (finance), the consent history's purposes, values, roles and times
 * (proof of consent), redemptions and offers. The household row stays, marked `erased_at`, and
 * `shopper-erased` tells the other apps. Erasing again answers the same.
 */
@Injectable()
export class ErasureService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: LoyaltyApiConfig,
    private readonly records: HouseholdRecordQuery,
    private readonly outbox: Outbox,
    private readonly points: PointsLedger,
    private readonly audienceLists: AudienceListsService,
  ) {}

  /** The signed-in account holder erases their household. */
  eraseMine(shopper: Principal, now: Date): Promise<ErasureDto> {
    return this.dataSource.transaction(async (manager) => {
      const member = await this.records.memberBySubject(manager, shopper.subject);
      if (!member) {
        const [erased] = await manager.query(
          `SELECT id, erased_at FROM loyalty.households WHERE erased_subject_hash = $1`,
          [this.hash(shopper.subject)],
        );
        if (erased) return { householdId: erased.id, erasedAt: erased.erased_at.toISOString() };
        throw new NotEnrolledError('You have not enrolled yet');
      }
      if (!member.accountHolder)
        throw new NotAccountHolderError('Only the account holder erases the household');
      const record = (await this.records.load(
        manager,
        member.householdId,
        true,
      )) as HouseholdRecord;
      return this.erase(manager, record, shopper, null, now);
    });
  }

  eraseBySupport(
    agent: Principal,
    householdId: string,
    reason: string,
    now: Date,
  ): Promise<ErasureDto> {
    return this.dataSource.transaction(async (manager) => {
      const record = await this.records.load(manager, householdId, true);
      if (!record) throw new HouseholdNotFoundError('No such household', 'id');
      return this.erase(manager, record, agent, reason, now);
    });
  }

  private hash(value: string): Buffer {
    return erasureHash(this.config.erasureHashKey, value);
  }

  private async erase(
    manager: EntityManager,
    record: HouseholdRecord,
    actor: Principal,
    reason: string | null,
    now: Date,
  ): Promise<ErasureDto> {
    const id = record.household.id;
    if (record.household.erasedAt)
      return { householdId: id, erasedAt: record.household.erasedAt.toISOString() };
    const subject = record.members.find((m) => m.accountHolder)?.subject ?? null;
    // Bookings of these cards' points wait, then find them erased.
    await this.points.lockCards(
      manager,
      record.cards.map((c) => c.cardNumber),
    );
    for (const card of record.cards) {
      await manager.query(
        `INSERT INTO loyalty.erased_cards (card_hash, household_id, erased_at) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING`,
        [this.hash(card.cardNumber), id, now],
      );
    }
    await manager.query(`UPDATE loyalty.cards SET replaced_by = NULL WHERE household_id = $1`, [
      id,
    ]);
    await manager.query(`DELETE FROM loyalty.cards WHERE household_id = $1`, [id]);
    await manager.query(`DELETE FROM loyalty.consents WHERE household_id = $1`, [id]);
    // Proof of consent stays; who the shopper was does not (staff subjects stay, for accountability).
    await manager.query(
      `UPDATE loyalty.consent_history SET changed_by = 'erased'
        WHERE household_id = $1 AND changed_by_role = 'shopper'`,
      [id],
    );
    await manager.query(`DELETE FROM loyalty.shoppers WHERE household_id = $1`, [id]);
    await manager.query(`DELETE FROM loyalty.household_tiers WHERE household_id = $1`, [id]);
    await this.audienceLists.removeErasedHousehold(manager, id, now);
    await manager.query(
      `UPDATE loyalty.checkout_conflicts SET resolution_note = 'scrubbed' WHERE shopper_id = $1 AND resolution_note IS NOT NULL`,
      [id],
    );
    // Staff reasons and notes may name the shopper: only who did what, and when, stays.
    await manager.query(
      `UPDATE loyalty.support_contacts SET note = 'scrubbed' WHERE household_id = $1 AND note IS NOT NULL`,
      [id],
    );
    await manager.query(
      `UPDATE loyalty.offer_reissues SET reason = 'scrubbed' WHERE household_id = $1`,
      [id],
    );
    // Why an offer was issued tells the household's facts.
    await manager.query(
      `UPDATE loyalty.offers SET reason = NULL WHERE shopper_id = $1 AND reason IS NOT NULL`,
      [id],
    );
    await manager.query(
      `UPDATE loyalty.audit_log SET details = '{"scrubbed": true}'::jsonb
        WHERE (entity = 'household' AND entity_id = $1) OR details ->> 'sourceHouseholdId' = $1`,
      [id],
    );
    await manager.query(
      `UPDATE loyalty.households
          SET erased_at = $2, registered = false, erased_subject_hash = $3,
              age_band = NULL, household_size = NULL, income_band = NULL,
              version = version + 1, updated_at = $2
        WHERE id = $1`,
      [id, now, subject === null ? null : this.hash(subject)],
    );
    await manager.insert(AuditEntry, {
      // The shopper's own subject would name them again.
      actor: reason === null ? 'shopper' : actor.subject,
      action: 'household.erased',
      entity: 'household',
      entityId: id,
      details: { roles: actor.roles, ...(reason === null ? {} : { reason }) },
    });
    const [{ version }]: { version: number }[] = await manager.query(
      `SELECT version FROM loyalty.households WHERE id = $1`,
      [id],
    );
    await this.outbox.append(manager, [
      // The household's last state names no card: on a compacted topic it replaces the states
      // that did, and a copy that reads it before the erasure moves no card.
      {
        topic: TOPICS.householdChanged,
        key: id,
        value: {
          householdId: id,
          version,
          changedAt: now.toISOString(),
          cards: [],
          mergedInto: null,
          registered: false,
          enrolledOn: null,
          birthday: null,
          homeStoreId: null,
          demographics: NO_DEMOGRAPHICS,
          consent: NO_CONSENT,
        } satisfies HouseholdChangedV1,
      },
      {
        topic: TOPICS.shopperErased,
        key: id,
        value: { householdId: id, erasedAt: now.toISOString() } satisfies ShopperErasedV1,
      },
    ]);
    return { householdId: id, erasedAt: now.toISOString() };
  }
}
