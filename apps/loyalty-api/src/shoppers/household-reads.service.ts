import {
  Consent,
  HouseholdNotFoundError,
  householdIdForCard,
  normaliseEmail,
} from '@loyalty/domain';
import { Principal } from '@loyalty/platform';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEntry } from '../audit/audit-entry.entity';
import { LoyaltyApiConfig } from '../config';
import { fieldError } from './field-error';
import { ConsentChangeDto, HouseholdDto } from './household.dto';
import { HouseholdRecordQuery } from './household-record.query';
import { HouseholdViews } from './household-views';
import { HouseholdService } from './household.service';
import { normalisePhone } from './phone-number';
import { ProfileFacts, ShopperProfileQuery } from './shopper-profile.query';
import {
  ShopperTransaction,
  ShopperTransactionsQuery,
  TransactionCursor,
} from './shopper-transactions.query';

export interface HouseholdLookup {
  card?: string;
  phone?: string;
  email?: string;
  reason: string;
}

/** What marketing may see of a household: facts and aggregates, no identity, no card numbers. */
export interface HouseholdFacts {
  householdId: string;
  registered: boolean;
  enrolledOn: string | null;
  homeStoreId: string | null;
  cards: number;
  members: number;
  consent: Consent;
  pointsBalance: number;
  /** Null without the household's consent to profiling, or before its first visit. */
  profile: ProfileFacts | null;
}

export function encodeCursor(cursor: TransactionCursor): string {
  return Buffer.from(JSON.stringify([cursor.occurredAt, cursor.id])).toString('base64url');
}

// Exactly what toISOString writes: any other text is no cursor of ours (nor safe for PostgreSQL).
const ISO_INSTANT = /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const isInstant = (text: string) => ISO_INSTANT.test(text) && new Date(text).toISOString() === text;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function decodeCursor(text: string): TransactionCursor {
  try {
    const [occurredAt, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (typeof occurredAt === 'string' && isInstant(occurredAt) && UUID.test(id))
      return { occurredAt, id };
  } catch {
    // Falls through to the refusal.
  }
  throw fieldError('cursor', 'cursor must be a nextCursor this route answered');
}

/**
 * The reads of households: the shopper's own, support's (every read of identity audited with its
 * reason), marketing's facts. A staff read is audited in the same transaction that reads.
 */
@Injectable()
export class HouseholdReadsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: LoyaltyApiConfig,
    private readonly records: HouseholdRecordQuery,
    private readonly views: HouseholdViews,
    private readonly households: HouseholdService,
    private readonly profiles: ShopperProfileQuery,
    private readonly transactions: ShopperTransactionsQuery,
  ) {}

  async mine(shopper: Principal): Promise<HouseholdDto> {
    const manager = this.dataSource.manager;
    const { record } = await this.households.mine(manager, shopper);
    return this.views.view(manager, record, 'shopper');
  }

  async myTransactions(
    shopper: Principal,
    limit: number,
    cursor: string | undefined,
  ): Promise<{ items: ShopperTransaction[]; nextCursor: string | null }> {
    const after = cursor === undefined ? null : decodeCursor(cursor);
    const manager = this.dataSource.manager;
    const { record } = await this.households.mine(manager, shopper);
    const ids = await this.historyIds(manager, record.household.id);
    const items = await this.transactions.page(manager, ids, limit, after);
    const last = items.at(-1);
    return {
      items,
      nextCursor:
        items.length === limit && last
          ? encodeCursor({ occurredAt: last.occurredAt, id: last.id })
          : null,
    };
  }

  /**
   * Every id the household's transactions are booked under: its own, those of households merged
   * into it, and those its cards had before they joined it (derived from the card).
   */
  async historyIds(manager: EntityManager, householdId: string): Promise<string[]> {
    const merged = await this.records.historyIds(manager, householdId);
    const cards: { card_number: string }[] = await manager.query(
      `SELECT card_number FROM loyalty.cards WHERE household_id = ANY($1::uuid[])`,
      [merged],
    );
    return [...new Set([...merged, ...cards.map((c) => householdIdForCard(c.card_number))])];
  }

  async myConsent(shopper: Principal) {
    const manager = this.dataSource.manager;
    const { record } = await this.households.mine(manager, shopper);
    return { ...record.consent, history: await this.consentHistory(manager, record.household.id) };
  }

  async consentHistory(manager: EntityManager, householdId: string): Promise<ConsentChangeDto[]> {
    const rows: { purpose: string; granted: boolean; changed_by_role: string; changed_at: Date }[] =
      await manager.query(
        `SELECT purpose, granted, changed_by_role, changed_at FROM loyalty.consent_history
          WHERE household_id = $1 ORDER BY id`,
        [householdId],
      );
    return rows.map((r) => ({
      purpose: r.purpose,
      granted: r.granted,
      changedByRole: r.changed_by_role,
      changedAt: r.changed_at.toISOString(),
    }));
  }

  /** Support's view of one household, audited with the reason. */
  async forSupport(agent: Principal, householdId: string, reason: string): Promise<HouseholdDto> {
    return this.dataSource.transaction(async (manager) => {
      const record = await this.records.load(manager, householdId);
      if (!record) throw new HouseholdNotFoundError('No such household', 'id');
      await this.auditRead(manager, agent, householdId, reason, 'id');
      return this.views.view(manager, record, 'staff');
    });
  }

  /** Households found by card, phone or email (normalised as stored), each read audited. */
  async lookUp(agent: Principal, lookup: HouseholdLookup): Promise<HouseholdDto[]> {
    const given = (['card', 'phone', 'email'] as const).filter((k) => lookup[k] !== undefined);
    if (given.length !== 1) throw fieldError('card', 'give exactly one of card, phone or email');
    const by = given[0];
    return this.dataSource.transaction(async (manager) => {
      let ids: string[];
      if (by === 'card') {
        const id = await this.records.cardHousehold(manager, lookup.card as string);
        ids = id ? [id] : [];
      } else if (by === 'phone') {
        const phone = normalisePhone(lookup.phone as string, this.config.DEFAULT_PHONE_REGION);
        if (!phone) throw fieldError('phone', 'phone must be a valid phone number');
        ids = await this.records.householdsByPhone(manager, phone);
      } else {
        ids = await this.records.householdsByEmail(manager, normaliseEmail(lookup.email as string));
      }
      const found: HouseholdDto[] = [];
      for (const id of ids) {
        const record = await this.records.load(manager, id);
        if (!record) continue;
        await this.auditRead(manager, agent, id, lookup.reason, by);
        found.push(await this.views.view(manager, record, 'staff'));
      }
      return found;
    });
  }

  /** Marketing's facts of a household; its behaviour only with its consent to profiling. */
  async facts(householdId: string): Promise<HouseholdFacts> {
    const manager = this.dataSource.manager;
    const record = await this.records.load(manager, householdId);
    if (!record || record.household.erasedAt)
      throw new HouseholdNotFoundError('No such household', 'id');
    const holder = record.members.find((m) => m.accountHolder);
    return {
      householdId,
      registered: record.household.registered,
      enrolledOn: record.household.enrolledAt?.toISOString().slice(0, 10) ?? null,
      homeStoreId: holder?.homeStoreId ?? null,
      cards: record.cards.length,
      members: record.members.length,
      consent: record.consent,
      pointsBalance: await this.records.pointsBalance(manager, householdId),
      profile: record.consent.profiling ? await this.profiles.facts(manager, householdId) : null,
    };
  }

  private async auditRead(
    manager: EntityManager,
    agent: Principal,
    householdId: string,
    reason: string,
    foundBy: string,
  ): Promise<void> {
    // What was searched for stays out: a card number, phone or email is no audit detail.
    await manager.insert(AuditEntry, {
      actor: agent.subject,
      action: 'household.identity-read',
      entity: 'household',
      entityId: householdId,
      details: { reason, foundBy, roles: agent.roles },
    });
  }
}
