import {
  CONSENT_PURPOSES,
  CardAction,
  CardAlreadyRegisteredError,
  CardNotFoundError,
  Consent,
  Demographics,
  HouseholdClosedError,
  HouseholdNotFoundError,
  MemberNotFoundError,
  NotAccountHolderError,
  NotEnrolledError,
  changeCardStatus,
  householdIdForCard,
} from '@loyalty/domain';
import { Principal } from '@loyalty/platform';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { refusingLostRaces } from './unique-conflicts';
import { AuditEntry } from '../audit/audit-entry.entity';
import { LoyaltyApiConfig } from '../config';
import { PointsLedger } from '../points/points-ledger';
import { CardRegistry } from './card-registry';
import { fieldError } from './field-error';
import { HouseholdChanges } from './household-changes';
import {
  AddCardDto,
  AddMemberDto,
  HouseholdDto,
  MemberDto,
  UpdateIdentityDto,
} from './household.dto';
import { HouseholdRecord, HouseholdRecordQuery, MemberRow } from './household-record.query';
import { HouseholdViews, Viewer, toMemberDto } from './household-views';
import { normalisePhone } from './phone-number';

/** Who acts: the shopper on their own household, or staff with a reason (audited). */
export type Actor =
  | { kind: 'shopper'; principal: Principal }
  | { kind: 'staff'; principal: Principal; reason: string };

const IDENTITY_COLUMNS: Record<keyof UpdateIdentityDto, string> = {
  givenName: 'given_name',
  familyName: 'family_name',
  email: 'email',
  phone: 'phone',
  birthday: 'birthday',
  homeStoreId: 'home_store_id',
  postcode: 'postcode',
  preferredLanguage: 'preferred_language',
};

/**
 * Changes of a household: identity, members, cards and their status, consent. Each locks the
 * household, decides, writes, and records the change (version and event) in one transaction.
 */
@Injectable()
export class HouseholdService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: LoyaltyApiConfig,
    private readonly records: HouseholdRecordQuery,
    private readonly views: HouseholdViews,
    private readonly changes: HouseholdChanges,
    private readonly cards: CardRegistry,
    private readonly points: PointsLedger,
  ) {}

  /** The signed-in shopper's household and their own row in it. */
  async mine(
    manager: EntityManager,
    shopper: Principal,
    lock = false,
  ): Promise<{ record: HouseholdRecord; me: MemberRow }> {
    const member = await this.records.memberBySubject(manager, shopper.subject);
    if (!member) throw new NotEnrolledError('You have not enrolled yet');
    const record = await this.records.load(manager, member.householdId, lock);
    const me = record?.members.find((m) => m.id === member.memberId);
    // The row moved between the two reads (a merge): the next request finds it.
    if (!record || !me) throw new NotEnrolledError('You have not enrolled yet');
    return { record, me };
  }

  async mineAsHolder(manager: EntityManager, shopper: Principal): Promise<HouseholdRecord> {
    const { record, me } = await this.mine(manager, shopper, true);
    if (!me.accountHolder)
      throw new NotAccountHolderError('Only the account holder changes the household');
    return record;
  }

  /** A household staff act on, locked; merged and erased households change no more. */
  async forStaff(manager: EntityManager, householdId: string): Promise<HouseholdRecord> {
    const record = await this.records.load(manager, householdId, true);
    if (!record) throw new HouseholdNotFoundError('No such household', 'id');
    return record;
  }

  async updateIdentity(
    shopper: Principal,
    dto: UpdateIdentityDto,
    now: Date,
  ): Promise<HouseholdDto> {
    const phone =
      dto.phone === undefined
        ? undefined
        : normalisePhone(dto.phone, this.config.DEFAULT_PHONE_REGION);
    if (phone === null) throw fieldError('phone', 'phone must be a valid phone number');
    const wanted: UpdateIdentityDto = { ...dto, ...(phone ? { phone } : {}) };
    return refusingLostRaces(() =>
      this.dataSource.transaction(async (manager) => {
        const { record, me } = await this.mine(manager, shopper, true);
        const changed = (Object.keys(IDENTITY_COLUMNS) as (keyof UpdateIdentityDto)[]).filter(
          (field) => wanted[field] !== undefined && wanted[field] !== me[field],
        );
        if (changed.length === 0) return this.views.view(manager, record, 'shopper');
        await manager.query(
          `UPDATE loyalty.shoppers
              SET ${changed.map((f, i) => `${IDENTITY_COLUMNS[f]} = $${i + 2}`).join(', ')},
                  updated_at = $${changed.length + 2}
            WHERE id = $1`,
          [me.id, ...changed.map((f) => wanted[f]), now],
        );
        const changedRecord = await this.changes.record(manager, record.household.id, now);
        return this.views.view(manager, changedRecord, 'shopper');
      }),
    );
  }

  /** A member joins; the same member again (a retry) is answered with the one already there. */
  async addMember(shopper: Principal, dto: AddMemberDto, now: Date): Promise<MemberDto> {
    return this.dataSource.transaction(async (manager) => {
      const record = await this.mineAsHolder(manager, shopper);
      const same = record.members.find(
        (m) =>
          m.givenName === dto.givenName &&
          m.familyName === dto.familyName &&
          m.birthday === (dto.birthday ?? null),
      );
      if (same) return toMemberDto(same);
      const id = randomUUID();
      await manager.query(
        `INSERT INTO loyalty.shoppers (id, household_id, given_name, family_name, birthday, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)`,
        [id, record.household.id, dto.givenName, dto.familyName, dto.birthday ?? null, now],
      );
      const changed = await this.changes.record(manager, record.household.id, now);
      return toMemberDto(changed.members.find((m) => m.id === id) as MemberRow);
    });
  }

  /**
   * A card or key fob joins the household. One already used at a till brings what its household
   * of its own held: its points (and usable wallet offers) move here; its history is found by
   * its derived id.
   */
  async addCard(shopper: Principal, dto: AddCardDto, now: Date): Promise<HouseholdDto> {
    return refusingLostRaces(() =>
      this.dataSource.transaction(async (manager) => {
        const record = await this.mineAsHolder(manager, shopper);
        const held = record.cards.find((c) => c.cardNumber === dto.cardNumber);
        if (held) {
          if (held.kind === dto.kind && held.holderId === (dto.holderId ?? null))
            return this.views.view(manager, record, 'shopper');
          throw new CardAlreadyRegisteredError(
            'This card is in your household already',
            'cardNumber',
          );
        }
        if (dto.holderId && !record.members.some((m) => m.id === dto.holderId))
          throw new MemberNotFoundError('No such member in your household', 'holderId');
        await this.joinCard(
          manager,
          record.household.id,
          dto.cardNumber,
          dto.kind,
          dto.holderId ?? null,
          now,
        );
        const changed = await this.changes.record(manager, record.household.id, now);
        return this.views.view(manager, changed, 'shopper');
      }),
    );
  }

  /** Reports, blocks or replaces a card of the household; a retry of a done change changes nothing. */
  async changeCard(
    actor: Actor,
    householdId: string | null,
    cardNumber: string,
    action: CardAction,
    now: Date,
    newCardNumber?: string,
  ): Promise<HouseholdDto> {
    const viewer: Viewer = actor.kind === 'shopper' ? 'shopper' : 'staff';
    return refusingLostRaces(() =>
      this.dataSource.transaction(async (manager) => {
        const record =
          actor.kind === 'shopper'
            ? (await this.mine(manager, actor.principal, true)).record
            : await this.forStaff(manager, householdId as string);
        this.assertOpen(record);
        // Another household's card is as unknown as no card: its existence does not leak.
        const card = record.cards.find((c) => c.cardNumber === cardNumber);
        if (!card) throw new CardNotFoundError('No such card in this household', 'cardNumber');
        if (
          action === 'replace' &&
          card.status === 'replaced' &&
          (newCardNumber === undefined || newCardNumber === card.replacedBy)
        )
          return this.views.view(manager, record, viewer);
        const next = changeCardStatus(card.status, action);
        if (!next.changed) return this.views.view(manager, record, viewer);
        let replacement: string | null = null;
        if (action === 'replace') {
          replacement = newCardNumber ?? (await this.cards.issue(manager));
          const kind = newCardNumber ? (card.kind === 'digital' ? 'card' : card.kind) : 'digital';
          await this.joinCard(
            manager,
            record.household.id,
            replacement,
            kind,
            card.holderId,
            now,
            newCardNumber !== undefined,
          );
        }
        await manager.query(
          `UPDATE loyalty.cards SET status = $2, replaced_by = $3, status_changed_at = $4
          WHERE card_number = $1`,
          [cardNumber, next.status, replacement, now],
        );
        if (actor.kind === 'staff') {
          await manager.insert(AuditEntry, {
            actor: actor.principal.subject,
            action: `card.${action}`,
            entity: 'household',
            entityId: record.household.id,
            details: { reason: actor.reason, card: `****${cardNumber.slice(-4)}` },
          });
        }
        const changed = await this.changes.record(manager, record.household.id, now);
        return this.views.view(manager, changed, viewer);
      }),
    );
  }

  /** The consent the account holder gives; each purpose that changes is kept with who and when. */
  async setConsent(
    actor: Actor,
    householdId: string | null,
    consent: Consent,
    now: Date,
  ): Promise<Consent> {
    return this.dataSource.transaction(async (manager) => {
      const record =
        actor.kind === 'shopper'
          ? await this.mineAsHolder(manager, actor.principal)
          : await this.forStaff(manager, householdId as string);
      this.assertOpen(record);
      const changed = CONSENT_PURPOSES.filter((p) => record.consent[p] !== consent[p]);
      if (changed.length === 0) return record.consent;
      const role =
        actor.kind === 'shopper'
          ? 'shopper'
          : actor.principal.roles.includes('support')
            ? 'support'
            : 'admin';
      for (const purpose of changed) {
        await manager.query(
          `INSERT INTO loyalty.consents (household_id, purpose, granted, changed_at)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (household_id, purpose) DO UPDATE SET granted = $3, changed_at = $4`,
          [record.household.id, purpose, consent[purpose], now],
        );
        await manager.query(
          `INSERT INTO loyalty.consent_history (household_id, purpose, granted, changed_by, changed_by_role, changed_at)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [record.household.id, purpose, consent[purpose], actor.principal.subject, role, now],
        );
      }
      if (actor.kind === 'staff') {
        await manager.insert(AuditEntry, {
          actor: actor.principal.subject,
          action: 'household.consent-changed',
          entity: 'household',
          entityId: record.household.id,
          details: { reason: actor.reason, purposes: changed },
        });
      }
      return (await this.changes.record(manager, record.household.id, now)).consent;
    });
  }

  /** What the account holder declares about the household; the same again changes nothing. */
  async setDemographics(
    shopper: Principal,
    demographics: Demographics,
    now: Date,
  ): Promise<Demographics> {
    return this.dataSource.transaction(async (manager) => {
      const record = await this.mineAsHolder(manager, shopper);
      this.assertOpen(record);
      const { ageBand, householdSize, incomeBand } = demographics;
      const held = record.household.demographics;
      if (
        held.ageBand === ageBand &&
        held.householdSize === householdSize &&
        held.incomeBand === incomeBand
      )
        return held;
      await manager.query(
        `UPDATE loyalty.households SET age_band = $2, household_size = $3, income_band = $4
          WHERE id = $1`,
        [record.household.id, ageBand, householdSize, incomeBand],
      );
      return (await this.changes.record(manager, record.household.id, now)).household.demographics;
    });
  }

  assertOpen(record: HouseholdRecord): void {
    if (record.household.mergedInto || record.household.erasedAt)
      throw new HouseholdClosedError('This household was merged or erased');
  }

  /**
   * Puts a card into the household. A card of someone else's, or of an erased household, is
   * refused; one used at a till before brings its points and usable wallet offers.
   */
  private async joinCard(
    manager: EntityManager,
    householdId: string,
    cardNumber: string,
    kind: string,
    holderId: string | null,
    now: Date,
    check = true,
  ): Promise<void> {
    // Bookings of the card's points wait for this transaction, then find its new household.
    await this.points.lockCards(manager, [cardNumber]);
    if (check) await this.cards.assertRegistrable(manager, cardNumber);
    await manager.query(
      `INSERT INTO loyalty.cards (card_number, household_id, holder_id, kind, status, created_at)
       VALUES ($1, $2, $3, $4, 'active', $5)`,
      [cardNumber, householdId, holderId, kind, now],
    );
    const ownHousehold = householdIdForCard(cardNumber);
    await this.points.transferBalance(
      manager,
      ownHousehold,
      householdId,
      `card-joined:${ownHousehold}`,
      now,
    );
    await manager.query(
      `UPDATE loyalty.offers SET shopper_id = $2 WHERE shopper_id = $1 AND state IN ('issued', 'clipped')`,
      [ownHousehold, householdId],
    );
  }
}
