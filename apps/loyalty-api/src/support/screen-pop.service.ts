import {
  Association,
  HouseholdNotFoundError,
  SeveralHouseholdsError,
  dayNumber,
  householdIdForCard,
  localDate,
  normaliseEmail,
  predictNextPurchases,
} from '@loyalty/domain';
import { Principal } from '@loyalty/platform';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LoyaltyApiConfig } from '../config';
import { fieldError } from '../shoppers/field-error';
import { toHouseholdDto } from '../shoppers/household-views';
import { normalisePhone } from '../shoppers/phone-number';
import { GoesWithDto, InsightDto, ScreenPopDto, ScreenPopQueryDto } from './screen-pop.dto';
import { ScreenPopKey, ScreenPopQuery, ScreenPopRead } from './screen-pop.query';
import { ShopperInsightQuery } from './shopper-insight.query';

const SUGGESTIONS = 5;
const GOES_WITH = 5;
const DAY_MS = 86_400_000;

/** The settings of the likely next purchases: those `npm run bench:insight` measures. */
const NEXT_PURCHASE_SETTINGS = {
  halfLifeDays: 120,
  dueWeight: 0.3,
  popularityWeight: 3,
  associationWeight: 1,
};

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
    private readonly query: ScreenPopQuery,
    private readonly insight: ShopperInsightQuery,
  ) {}

  async screenPop(agent: Principal, query: ScreenPopQueryDto, now: Date): Promise<ScreenPopDto> {
    const given = LOOKUP_KEYS.filter((key) => query[key] !== undefined);
    if (given.length !== 1)
      throw fieldError('phone', 'give exactly one of phone, card, email or householdId');
    const by = given[0];
    const found = await this.query.find(this.key(query, by));
    if (found.length === 0) throw new HouseholdNotFoundError(`No household has this ${by}`, by);
    if (found.length > 1)
      throw new SeveralHouseholdsError(
        `${found.length} households share this ${by}: look the caller up by card or householdId`,
        by,
      );
    const [{ id, mergedIds, cardNumbers, profiling }] = found;
    const historyIds = [...new Set([...mergedIds, ...cardNumbers.map(householdIdForCard)])];
    const read = await this.query.read(id, historyIds, {
      profiling,
      now,
      reissueSince: new Date(now.getTime() - this.config.SUPPORT_REISSUE_WITHIN_DAYS * DAY_MS),
      audit: {
        actor: agent.subject,
        details: { reason: 'screen pop', foundBy: by, roles: agent.roles },
      },
    });
    // The read's own snapshot decides: the household may have closed, or its consent changed,
    // since the lookup.
    if (read.household.erasedAt !== null || read.household.mergedInto !== null)
      throw new HouseholdNotFoundError(`The household closed meanwhile: look it up again`, by);
    const shown = profiling && read.consent.profiling;
    const profile = read.profile;
    return {
      household: toHouseholdDto(
        {
          ...read,
          tier: profile && {
            tier: profile.tier,
            tierSince: profile.tierSince,
            lifetimeSpendCents: profile.lifetimeSpendCents,
            spend52wCents: profile.spend52wCents,
          },
          pointsBalance: read.points.balance,
        },
        'staff',
      ),
      points: read.points,
      lastTransactions: read.lastTransactions,
      profile:
        shown && profile
          ? {
              lifecycle: profile.lifecycle,
              visits52w: profile.visits52w,
              spend52wCents: profile.spend52wCents,
              cadenceDays: profile.cadenceDays,
              lastVisitAt: profile.lastVisitAt,
              favouriteDepartments: profile.favouriteDepartments,
              favouriteStores: profile.favouriteStores,
            }
          : null,
      insight: shown ? await this.insightOf(read, now) : null,
      liveOffers: read.liveOffers,
      reissuableOffers: read.reissuableOffers,
      contacts: read.contacts,
    };
  }

  private key(query: ScreenPopQueryDto, by: (typeof LOOKUP_KEYS)[number]): ScreenPopKey {
    if (by === 'phone') {
      const phone = normalisePhone(query.phone as string, this.config.DEFAULT_PHONE_REGION);
      if (!phone) throw fieldError('phone', 'phone must be a valid phone number');
      return { phone };
    }
    if (by === 'email') return { email: normaliseEmail(query.email as string) };
    if (by === 'card') return { card: query.card as string };
    return { householdId: (query.householdId as string).toLowerCase() };
  }

  private async insightOf(read: ScreenPopRead, now: Date): Promise<InsightDto> {
    const histories = (read.histories ?? []).map((h) => ({
      item: h.item,
      purchases: h.purchases,
      firstDay: dayNumber(h.first),
      lastDay: dayNumber(h.last),
    }));
    const lastCategories = read.lastCategories ?? [];
    const associations = new Map<string, Association[]>();
    for (const a of read.associations ?? [])
      associations.set(a.antecedent, [...(associations.get(a.antecedent) ?? []), a]);
    const today = dayNumber(localDate(now, this.config.PROGRAMME_TIME_ZONE));
    const likely = predictNextPurchases(histories, today, {
      ...NEXT_PURCHASE_SETTINGS,
      k: SUGGESTIONS,
      popularity: await this.insight.categoryPopularity(this.dataSource.manager, now),
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
