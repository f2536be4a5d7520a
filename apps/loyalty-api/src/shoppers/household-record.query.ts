import {
  CardStatus,
  Consent,
  Demographics,
  HouseholdNotFoundError,
  HouseholdSnapshot,
  NO_CONSENT,
  ConsentPurpose,
} from '@loyalty/domain';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export interface HouseholdRow {
  id: string;
  registered: boolean;
  enrolledAt: Date | null;
  mergedInto: string | null;
  erasedAt: Date | null;
  version: number;
  demographics: Demographics;
}

export interface MemberRow {
  id: string;
  accountHolder: boolean;
  subject: string | null;
  givenName: string | null;
  familyName: string | null;
  email: string | null;
  phone: string | null;
  birthday: string | null;
  homeStoreId: string | null;
  postcode: string | null;
  preferredLanguage: string | null;
  enrolmentHash: string | null;
}

export interface CardRow {
  cardNumber: string;
  holderId: string | null;
  kind: string;
  status: CardStatus;
  replacedBy: string | null;
  statusChangedAt: Date | null;
  createdAt: Date;
}

/** A household with its members, cards and consent, as loyalty-api holds it. */
export interface HouseholdRecord {
  household: HouseholdRow;
  members: MemberRow[];
  cards: CardRow[];
  consent: Consent;
}

export function accountHolderOf(record: HouseholdRecord): MemberRow | null {
  return record.members.find((m) => m.accountHolder) ?? null;
}

export function snapshotOf(record: HouseholdRecord): HouseholdSnapshot {
  const holder = accountHolderOf(record);
  return {
    householdId: record.household.id,
    registered: record.household.registered,
    enrolledAt: record.household.enrolledAt,
    mergedInto: record.household.mergedInto,
    birthday: holder?.birthday ?? null,
    homeStoreId: holder?.homeStoreId ?? null,
    demographics: record.household.demographics,
    consent: record.consent,
    cards: record.cards.map((c) => ({ cardNumber: c.cardNumber, status: c.status })),
  };
}

export const MEMBER_COLUMNS = `
  id, account_holder AS "accountHolder", subject, given_name AS "givenName",
  family_name AS "familyName", email, phone, to_char(birthday, 'YYYY-MM-DD') AS birthday,
  home_store_id AS "homeStoreId", postcode, preferred_language AS "preferredLanguage",
  enrolment_hash AS "enrolmentHash"`;

/** Reads of loyalty-api's household tables. */
@Injectable()
export class HouseholdRecordQuery {
  /**
   * The household with everything it holds; `lock` takes its row for update first, so the changes
   * of one household (and their events) happen one after another, in version order.
   */
  async load(manager: EntityManager, id: string, lock = false): Promise<HouseholdRecord | null> {
    const [household]: HouseholdRow[] = await manager.query(
      `SELECT id, registered, enrolled_at AS "enrolledAt", merged_into AS "mergedInto",
              erased_at AS "erasedAt", version,
              json_build_object('ageBand', age_band, 'householdSize', household_size,
                                'incomeBand', income_band) AS demographics
         FROM loyalty.households WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [id],
    );
    if (!household) return null;
    const members: MemberRow[] = await manager.query(
      `SELECT ${MEMBER_COLUMNS} FROM loyalty.shoppers WHERE household_id = $1
        ORDER BY account_holder DESC, created_at, id`,
      [id],
    );
    const cards: CardRow[] = await manager.query(
      `SELECT card_number AS "cardNumber", holder_id AS "holderId", kind, status,
              replaced_by AS "replacedBy", status_changed_at AS "statusChangedAt",
              created_at AS "createdAt"
         FROM loyalty.cards WHERE household_id = $1 ORDER BY created_at, card_number`,
      [id],
    );
    return { household, members, cards, consent: await this.consent(manager, id) };
  }

  async consent(manager: EntityManager, householdId: string): Promise<Consent> {
    const rows: { purpose: ConsentPurpose; granted: boolean }[] = await manager.query(
      `SELECT purpose, granted FROM loyalty.consents WHERE household_id = $1`,
      [householdId],
    );
    return { ...NO_CONSENT, ...Object.fromEntries(rows.map((r) => [r.purpose, r.granted])) };
  }

  /** The signed-in shopper (by their token's subject) and their household's id. */
  async memberBySubject(
    manager: EntityManager,
    subject: string,
  ): Promise<{ memberId: string; householdId: string; accountHolder: boolean } | null> {
    const [row] = await manager.query(
      `SELECT id AS "memberId", household_id AS "householdId", account_holder AS "accountHolder"
         FROM loyalty.shoppers WHERE subject = $1`,
      [subject],
    );
    return row ?? null;
  }

  async cardHousehold(manager: EntityManager, cardNumber: string): Promise<string | null> {
    const [row] = await manager.query(
      `SELECT household_id FROM loyalty.cards WHERE card_number = $1`,
      [cardNumber],
    );
    return row?.household_id ?? null;
  }

  async householdsByEmail(manager: EntityManager, email: string): Promise<string[]> {
    const rows: { household_id: string }[] = await manager.query(
      `SELECT household_id FROM loyalty.shoppers WHERE email = $1`,
      [email],
    );
    return rows.map((r) => r.household_id);
  }

  async householdsByPhone(manager: EntityManager, phone: string): Promise<string[]> {
    const rows: { household_id: string }[] = await manager.query(
      `SELECT DISTINCT household_id FROM loyalty.shoppers WHERE phone = $1 ORDER BY household_id
        LIMIT 20`,
      [phone],
    );
    return rows.map((r) => r.household_id);
  }

  /** Refuses (404) a household that does not exist, was erased or was merged into another. */
  async requireOpenHousehold(manager: EntityManager, householdId: string): Promise<void> {
    const [household]: { open: boolean }[] = await manager.query(
      `SELECT erased_at IS NULL AND merged_into IS NULL AS open FROM loyalty.households WHERE id = $1`,
      [householdId],
    );
    if (!household?.open) throw new HouseholdNotFoundError('No such household', 'id');
  }

  async pointsBalance(manager: EntityManager, householdId: string): Promise<number> {
    const [row] = await manager.query(
      `SELECT balance FROM loyalty.points_accounts WHERE household_id = $1`,
      [householdId],
    );
    return row ? Number(row.balance) : 0;
  }

  /** The household and every household merged into it, directly or through another merge. */
  async historyIds(manager: EntityManager, householdId: string): Promise<string[]> {
    const rows: { id: string }[] = await manager.query(
      `WITH RECURSIVE merged(id) AS (
         SELECT $1::uuid
         UNION
         SELECT m.source_household_id FROM loyalty.household_merges m JOIN merged ON m.target_household_id = merged.id)
       SELECT id FROM merged`,
      [householdId],
    );
    return rows.map((r) => r.id);
  }
}
