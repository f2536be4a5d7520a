import {
  Association,
  HouseholdNotFoundError,
  SeveralHouseholdsError,
  describeReward,
  localDate,
  normaliseEmail,
  predictNextPurchases,
} from '@loyalty/domain';
import { Principal } from '@loyalty/platform';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEntry } from '../audit/audit-entry.entity';
import { LoyaltyApiConfig } from '../config';
import { PointsStatementQuery } from '../points/points-statement.query';
import { fieldError } from '../shoppers/field-error';
import { HouseholdReadsService } from '../shoppers/household-reads.service';
import { HouseholdRecord, HouseholdRecordQuery } from '../shoppers/household-record.query';
import { HouseholdViews } from '../shoppers/household-views';
import { normalisePhone } from '../shoppers/phone-number';
import { ShopperProfileQuery } from '../shoppers/shopper-profile.query';
import { ShopperTransactionsQuery } from '../shoppers/shopper-transactions.query';
import { ContactsService } from './contacts.service';
import {
  GoesWithDto,
  InsightDto,
  ScreenPopDto,
  ScreenPopOfferDto,
  ScreenPopQueryDto,
} from './screen-pop.dto';
import { ShopperInsightQuery } from './shopper-insight.query';

const LEDGER_ENTRIES = 5;
const TRANSACTIONS = 5;
const SUGGESTIONS = 5;
const GOES_WITH = 5;
const LIVE_OFFERS = 20;
const REISSUABLE_OFFERS = 10;
const CONTACTS = 20;
const DAY_MS = 86_400_000;

/** The settings of the likely next purchases: those `npm run bench:insight` measures. */
const NEXT_PURCHASE_SETTINGS = {
  halfLifeDays: 120,
  dueWeight: 0.3,
  popularityWeight: 3,
  associationWeight: 1,
};

interface OfferRow {
  code: string;
  rule_id: string;
  reward: Parameters<typeof describeReward>[0];
  state: string;
  valid_until: Date;
  reason: object | null;
}

const LOOKUP_KEYS = ['phone', 'card', 'email', 'householdId'] as const;

/**
 * The call centre's screen pop: everything an agent needs about a caller, found by phone, card,
 * email or household id, in one read (audited as an identity read). Behaviour and insight only
 * with the household's consent to profiling.
 */
@Injectable()
export class ScreenPopService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: LoyaltyApiConfig,
    private readonly records: HouseholdRecordQuery,
    private readonly views: HouseholdViews,
    private readonly reads: HouseholdReadsService,
    private readonly profiles: ShopperProfileQuery,
    private readonly transactions: ShopperTransactionsQuery,
    private readonly statements: PointsStatementQuery,
    private readonly insight: ShopperInsightQuery,
    private readonly contacts: ContactsService,
  ) {}

  async screenPop(agent: Principal, query: ScreenPopQueryDto, now: Date): Promise<ScreenPopDto> {
    const given = LOOKUP_KEYS.filter((key) => query[key] !== undefined);
    if (given.length !== 1)
      throw fieldError('phone', 'give exactly one of phone, card, email or householdId');
    const by = given[0];
    return this.dataSource.transaction(async (m) => {
      const record = await this.find(m, query, by);
      const id = record.household.id;
      await m.insert(AuditEntry, {
        actor: agent.subject,
        action: 'household.identity-read',
        entity: 'household',
        entityId: id,
        details: { reason: 'screen pop', foundBy: by, roles: agent.roles },
      });
      const historyIds = await this.reads.historyIds(m, id);
      const profiling = record.consent.profiling;
      const [household, points, lastTransactions, facts, offers, contacts] = [
        await this.views.view(m, record, 'staff'),
        await this.statements.forSupport(id, { limit: LEDGER_ENTRIES }, m),
        await this.transactions.page(m, historyIds, TRANSACTIONS, null),
        profiling ? await this.profiles.facts(m, id) : null,
        await this.offers(m, historyIds, now),
        await this.contacts.latest(m, id, CONTACTS),
      ];
      const lastCategories = [
        ...new Set(
          (lastTransactions.find((t) => t.type === 'sale' && !t.voided)?.lines ?? []).map(
            (line) => line.category ?? `department:${line.department}`,
          ),
        ),
      ];
      return {
        household,
        points,
        lastTransactions,
        profile: facts && {
          lifecycle: facts.lifecycle,
          visits52w: facts.visits52w,
          spend52wCents: facts.spend52wCents,
          cadenceDays: facts.cadenceDays,
          lastVisitAt: facts.lastVisitAt,
          favouriteDepartments: facts.topDepartments,
          favouriteStores: facts.favouriteStores,
        },
        insight: profiling ? await this.insightOf(m, historyIds, lastCategories, now) : null,
        ...offers,
        contacts,
      };
    });
  }

  private async find(
    m: EntityManager,
    query: ScreenPopQueryDto,
    by: (typeof LOOKUP_KEYS)[number],
  ): Promise<HouseholdRecord> {
    let ids: string[];
    if (by === 'card') {
      const id = await this.records.cardHousehold(m, query.card as string);
      ids = id ? [id] : [];
    } else if (by === 'phone') {
      const phone = normalisePhone(query.phone as string, this.config.DEFAULT_PHONE_REGION);
      if (!phone) throw fieldError('phone', 'phone must be a valid phone number');
      ids = await this.records.householdsByPhone(m, phone);
    } else if (by === 'email') {
      ids = await this.records.householdsByEmail(m, normaliseEmail(query.email as string));
    } else {
      ids = [(query.householdId as string).toLowerCase()];
    }
    const records = (await Promise.all(ids.map((id) => this.current(m, id)))).filter(
      (r): r is HouseholdRecord => r !== null,
    );
    const distinct = [...new Map(records.map((r) => [r.household.id, r])).values()];
    if (distinct.length === 0) throw new HouseholdNotFoundError(`No household has this ${by}`, by);
    if (distinct.length > 1)
      throw new SeveralHouseholdsError(
        `${distinct.length} households share this ${by}: look the caller up by card or householdId`,
        by,
      );
    return distinct[0];
  }

  /** The household, or the one it was merged into; null when there is none or it was erased. */
  private async current(m: EntityManager, id: string): Promise<HouseholdRecord | null> {
    let record = await this.records.load(m, id);
    for (let hops = 0; record?.household.mergedInto && hops < 10; hops++)
      record = await this.records.load(m, record.household.mergedInto);
    return record && !record.household.erasedAt && !record.household.mergedInto ? record : null;
  }

  private async offers(
    m: EntityManager,
    householdIds: readonly string[],
    now: Date,
  ): Promise<Pick<ScreenPopDto, 'liveOffers' | 'reissuableOffers'>> {
    const since = new Date(now.getTime() - this.config.SUPPORT_REISSUE_WITHIN_DAYS * DAY_MS);
    const select = `SELECT code, rule_id, reward, state, valid_until, reason FROM loyalty.offers o`;
    const live: OfferRow[] = await m.query(
      `${select}
        WHERE shopper_id = ANY($1::uuid[]) AND state IN ('issued', 'clipped', 'reserved')
          AND valid_until > $2
        ORDER BY valid_until, code LIMIT ${LIVE_OFFERS}`,
      [householdIds, now],
    );
    // What `reissueOffer` accepts: expired (by state or validity) within the window, not reissued.
    const reissuable: OfferRow[] = await m.query(
      `${select}
        WHERE shopper_id = ANY($1::uuid[]) AND state IN ('issued', 'clipped', 'expired')
          AND valid_until <= $2 AND least(valid_until, coalesce(state_changed_at, valid_until)) >= $3
          AND NOT EXISTS (SELECT 1 FROM loyalty.offer_reissues r WHERE r.offer_id = o.id)
        ORDER BY valid_until DESC, code LIMIT ${REISSUABLE_OFFERS}`,
      [householdIds, now, since],
    );
    const toDto = (row: OfferRow, state = row.state): ScreenPopOfferDto => ({
      code: row.code,
      description: describeReward(row.reward),
      state,
      ruleId: row.rule_id,
      validUntil: row.valid_until.toISOString(),
      reason: row.reason,
    });
    return {
      liveOffers: live.map((row) => toDto(row)),
      reissuableOffers: reissuable.map((row) => toDto(row, 'expired')),
    };
  }

  private async insightOf(
    m: EntityManager,
    householdIds: readonly string[],
    lastCategories: readonly string[],
    now: Date,
  ): Promise<InsightDto> {
    const histories = await this.insight.categoryHistories(m, householdIds);
    const lastDay = Math.max(0, ...histories.map((h) => h.lastDay));
    const associations = await this.insight.categoryAssociations(m, [
      ...new Set([
        ...lastCategories,
        ...histories.filter((h) => h.lastDay === lastDay).map((h) => h.item),
      ]),
    ]);
    const today = Math.floor(
      Date.parse(`${localDate(now, this.config.PROGRAMME_TIME_ZONE)}T00:00:00Z`) / DAY_MS,
    );
    const likely = predictNextPurchases(histories, today, {
      ...NEXT_PURCHASE_SETTINGS,
      k: SUGGESTIONS,
      popularity: await this.insight.categoryPopularity(m, now),
      associations,
    });
    const bought = new Set(lastCategories);
    const goesWith: GoesWithDto[] = lastCategories
      .flatMap((category) => associations.get(category) ?? [])
      .filter((a: Association) => !bought.has(a.consequent))
      .sort(
        (a, b) =>
          b.lift - a.lift || b.confidence - a.confidence || (a.consequent < b.consequent ? -1 : 1),
      )
      .filter((a, i, all) => all.findIndex((b) => b.consequent === a.consequent) === i)
      .slice(0, GOES_WITH)
      .map((a) => ({
        bought: a.antecedent,
        category: a.consequent,
        confidence: a.confidence,
        lift: a.lift,
      }));
    return {
      likelyNextPurchases: likely.map((p) => ({ category: p.item, reasons: p.reasons })),
      goesWellWith: goesWith,
    };
  }
}
