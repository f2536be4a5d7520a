import { Demographics, HouseholdNotFoundError, maskCardNumber } from '@loyalty/domain';
import { Principal } from '@loyalty/platform';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEntry } from '../audit/audit-entry.entity';
import { HouseholdReadsService } from '../shoppers/household-reads.service';
import { HouseholdRecord, HouseholdRecordQuery } from '../shoppers/household-record.query';
import { HouseholdService } from '../shoppers/household.service';
import { Viewer } from '../shoppers/household-views';
import {
  ShopperTransaction,
  ShopperTransactionsQuery,
  TransactionCursor,
} from '../shoppers/shopper-transactions.query';

const TRANSACTIONS_PER_READ = 500;

/** Everything loyalty-api holds about a household, as one document (GDPR Art. 15 and 20). */
export interface HouseholdExport {
  exportedAt: string;
  household: {
    id: string;
    registered: boolean;
    enrolledAt: string | null;
    mergedInto: string | null;
    erasedAt: string | null;
    demographics: Demographics;
  };
  members: {
    id: string;
    accountHolder: boolean;
    givenName: string | null;
    familyName: string | null;
    email: string | null;
    phone: string | null;
    birthday: string | null;
    homeStoreId: string | null;
    postcode: string | null;
    preferredLanguage: string | null;
  }[];
  cards: {
    cardNumber: string;
    kind: string;
    status: string;
    holderId: string | null;
    replacedBy: string | null;
    since: string;
  }[];
  consent: Record<string, boolean>;
  consentHistory: unknown[];
  transactions: ShopperTransaction[];
  pointsLedger: unknown[];
  offers: unknown[];
  staffReads: { at: string; by: string; reason: unknown }[];
  contacts: unknown[];
}

/** The export for the shopper (whole card numbers) or for support to hand over (masked, audited). */
@Injectable()
export class ExportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly records: HouseholdRecordQuery,
    private readonly households: HouseholdService,
    private readonly reads: HouseholdReadsService,
    private readonly transactions: ShopperTransactionsQuery,
  ) {}

  exportMine(shopper: Principal, now: Date): Promise<HouseholdExport> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const { record } = await this.households.mine(manager, shopper);
      return this.document(manager, record, 'shopper', now);
    });
  }

  exportForSupport(
    agent: Principal,
    householdId: string,
    reason: string,
    now: Date,
  ): Promise<HouseholdExport> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const record = await this.records.load(manager, householdId);
      if (!record) throw new HouseholdNotFoundError('No such household', 'id');
      await manager.insert(AuditEntry, {
        actor: agent.subject,
        action: 'household.exported',
        entity: 'household',
        entityId: householdId,
        details: { reason, roles: agent.roles },
      });
      return this.document(manager, record, 'staff', now);
    });
  }

  private async document(
    manager: EntityManager,
    record: HouseholdRecord,
    viewer: Viewer,
    now: Date,
  ): Promise<HouseholdExport> {
    const id = record.household.id;
    const shown = (n: string) => (viewer === 'shopper' ? n : maskCardNumber(n));
    const ids = await this.reads.historyIds(manager, id);
    return {
      exportedAt: now.toISOString(),
      household: {
        id,
        registered: record.household.registered,
        enrolledAt: record.household.enrolledAt?.toISOString() ?? null,
        mergedInto: record.household.mergedInto,
        erasedAt: record.household.erasedAt?.toISOString() ?? null,
        demographics: record.household.demographics,
      },
      members: record.members.map((m) => ({
        id: m.id,
        accountHolder: m.accountHolder,
        givenName: m.givenName,
        familyName: m.familyName,
        email: m.email,
        phone: m.phone,
        birthday: m.birthday,
        homeStoreId: m.homeStoreId,
        postcode: m.postcode,
        preferredLanguage: m.preferredLanguage,
      })),
      cards: record.cards.map((c) => ({
        cardNumber: shown(c.cardNumber),
        kind: c.kind,
        status: c.status,
        holderId: c.holderId,
        replacedBy: c.replacedBy && shown(c.replacedBy),
        since: c.createdAt.toISOString(),
      })),
      consent: record.consent,
      consentHistory: await this.reads.consentHistory(manager, id),
      transactions: await this.allTransactions(manager, ids),
      pointsLedger: await manager.query(
        `SELECT kind, points::int AS points, source_type AS "sourceType", occurred_at AS "occurredAt",
                recorded_at AS "recordedAt", note
           FROM loyalty.points_ledger WHERE household_id = ANY($1::uuid[]) ORDER BY id`,
        [ids],
      ),
      offers: await manager.query(
        `SELECT code, reward, valid_from AS "validFrom", valid_until AS "validUntil",
                issued_at AS "issuedAt", state, state_changed_at AS "stateChangedAt",
                store_id AS "storeId"
           FROM loyalty.offers WHERE shopper_id = ANY($1::uuid[]) ORDER BY issued_at, code`,
        [ids],
      ),
      staffReads: (
        await manager.query(
          `SELECT at, actor, details FROM loyalty.audit_log
            WHERE entity = 'household' AND entity_id = $1
              AND action IN ('household.identity-read', 'household.exported')
            ORDER BY id`,
          [id],
        )
      ).map((r: { at: Date; actor: string; details: { reason?: unknown } }) => ({
        at: r.at.toISOString(),
        by: r.actor,
        reason: r.details.reason ?? null,
      })),
      contacts: await manager.query(
        `SELECT channel, reason, outcome, note, contacted_at AS "contactedAt"
           FROM loyalty.support_contacts WHERE household_id = ANY($1::uuid[])
          ORDER BY contacted_at, id`,
        [ids],
      ),
    };
  }

  private async allTransactions(
    manager: EntityManager,
    ids: string[],
  ): Promise<ShopperTransaction[]> {
    const all: ShopperTransaction[] = [];
    let cursor: TransactionCursor | null = null;
    for (;;) {
      const page = await this.transactions.page(manager, ids, TRANSACTIONS_PER_READ, cursor);
      all.push(...page);
      const last = page.at(-1);
      if (page.length < TRANSACTIONS_PER_READ || !last) return all;
      cursor = { occurredAt: last.occurredAt, id: last.id };
    }
  }
}
