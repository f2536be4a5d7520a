import { Injectable } from '@nestjs/common';
import {
  OfferIssuedV2,
  Rule,
  TOPICS,
  assertNever,
  heldOutBound,
  offerValidity,
} from '@loyalty/domain';
import { EntityManager } from 'typeorm';
import { compileAudience, compileAudienceValues } from '../audiences/compile-audience';

/** One run of a rule version's campaign: a cron occurrence, or a programme day (daily triggers). */
export interface Campaign {
  ruleVersion: number;
  rule: Rule;
  /** `2026-12-02T09:00` (the cron time, local to the rule's zone) or `2026-12-02`. */
  occurrence: string;
  /** When it occurred; the offers are issued as of then. */
  occurredAt: Date;
  /** The programme's date the audience and the trigger are judged on. */
  today: string;
}

export interface CampaignRunState {
  state: 'running' | 'done';
  afterHouseholdId: string | null;
  occurredAt: Date;
}

export interface ChunkOutcome {
  /** The last household of the chunk; null when it ran to the end of the population. */
  upTo: string | null;
  offers: number;
  holdouts: number;
  /** Households left out: they got their weekly offer limit's worth in the last 7 days. */
  limited: number;
}

// Crockford base32 without I, L, O, U, as `generateOfferCode`: one character from the low five
// bits of each of ten bytes of a random UUID, skipping bytes 6 and 8, whose high bits are the
// version and variant (50 random bits, like a code issued one at a time).
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_SQL = [0, 1, 2, 3, 4, 5, 7, 8, 9, 10]
  .map((i) => `substr('${ALPHABET}', get_byte(s.code_bytes, ${i}) % 32 + 1, 1)`)
  .join(' || ');

/**
 * The reason stored with a campaign's offers and holdouts, less each household's `values` of the
 * audience's conditions (see docs/COUPONS.md, Campaigns).
 */
function campaignReason(campaign: Campaign) {
  return {
    campaign: true,
    held: true,
    ruleVersion: campaign.ruleVersion,
    trigger: campaign.rule.trigger,
    occurrence: campaign.occurrence,
  };
}

interface Compiled {
  where: string;
  periodKey: string;
}

type Bind = (value: unknown, type: string) => string;

/** `MM-DD` in the year of `today` plus `years`; 29 February is 28 February in a common year. */
function dateInYear(monthDay: string, years: number, today: string): string {
  const year = `extract(year FROM ${today})::integer + ${years} - 2000`;
  return `(('2000-' || ${monthDay})::date + make_interval(years => ${year}))::date`;
}

/** The next `MM-DD` on or after `today`. */
function nextDate(monthDay: string, today: string): string {
  const thisYear = dateInYear(monthDay, 0, today);
  return `(CASE WHEN ${thisYear} >= ${today} THEN ${thisYear} ELSE ${dateInYear(monthDay, 1, today)} END)`;
}

/** Which households the trigger selects on the campaign's day, and each one's issuance period. */
function compileTrigger(campaign: Campaign, bind: Bind): Compiled {
  const { trigger } = campaign.rule;
  switch (trigger.kind) {
    case 'schedule':
      return { where: 'true', periodKey: bind(campaign.occurrence, 'text') };
    case 'birthday': {
      const today = bind(campaign.today, 'date');
      const next = nextDate('f.birthday', today);
      return {
        where: `f.birthday IS NOT NULL AND ${next} = ${today} + ${bind(trigger.daysBefore, 'integer')}`,
        periodKey: `extract(year FROM ${next})::integer::text`,
      };
    }
    case 'enrolmentAnniversary': {
      const today = bind(campaign.today, 'date');
      const next = nextDate(`to_char(f.enrolled_on, 'MM-DD')`, today);
      // Never the enrolment day itself, as the audience condition says.
      return {
        where: `f.enrolled_on IS NOT NULL AND ${next} > f.enrolled_on AND ${next} = ${today} + ${bind(trigger.daysBefore, 'integer')}`,
        periodKey: `extract(year FROM ${next})::integer::text`,
      };
    }
    case 'lapse': {
      // The counter is as of the facts' day: moved to the day judged.
      const today = bind(campaign.today, 'date');
      return {
        where: `f.days_since_last_visit + (${today} - f.facts_as_of) = ${bind(trigger.days, 'integer')}`,
        periodKey: bind(campaign.today, 'text'),
      };
    }
    case 'lifecycleTransition': {
      // A transition recorded on the day, into a segment of `to` (from one of `from`, if named).
      const from =
        trigger.from === undefined
          ? ''
          : ` AND t.from_segment = ANY(${bind(trigger.from, 'text[]')})`;
      return {
        where: `EXISTS (SELECT 1 FROM coupons.lifecycle_transitions t
                         WHERE t.household_id = f.household_id AND t.changed_on = ${bind(campaign.today, 'date')}
                           AND t.to_segment = ANY(${bind(trigger.to, 'text[]')})${from})`,
        periodKey: bind(campaign.today, 'text'),
      };
    }
    case 'profileChange':
      throw new Error(`Rule ${campaign.rule.id} is issued on profile changes, not as a campaign`);
    default:
      return assertNever(trigger);
  }
}

/**
 * The campaign statements: one row per rule version and occurrence in `coupons.campaign_runs`,
 * and a chunk of households by id issued by one statement, the offers' outbox rows with them.
 */
@Injectable()
export class CampaignIssuanceQueries {
  /** Runs of live rule versions that stopped before the end of the population. */
  async unfinished(m: EntityManager, ruleIds: readonly string[]) {
    const rows: { rule_id: string; rule_version: number; occurrence: string; occurred_at: Date }[] =
      await m.query(
        `SELECT rule_id, rule_version, occurrence, occurred_at FROM coupons.campaign_runs
          WHERE state = 'running' AND rule_id = ANY($1::uuid[])
          ORDER BY occurred_at, rule_id`,
        [ruleIds],
      );
    return rows;
  }

  /** When the rule version's latest run occurred (null: never run). */
  async lastOccurredAt(m: EntityManager, ruleId: string, version: number): Promise<Date | null> {
    const [row]: { at: Date | null }[] = await m.query(
      `SELECT max(occurred_at) AS at FROM coupons.campaign_runs WHERE rule_id = $1 AND rule_version = $2`,
      [ruleId, version],
    );
    return row.at;
  }

  /** Starts the run of `campaign` unless it exists; returns its state either way. */
  async start(m: EntityManager, campaign: Campaign): Promise<CampaignRunState> {
    await m.query(
      `INSERT INTO coupons.campaign_runs (rule_id, rule_version, occurrence, occurred_at, trigger, state)
       VALUES ($1, $2, $3, $4, $5, 'running')
       ON CONFLICT DO NOTHING`,
      [
        campaign.rule.id,
        campaign.ruleVersion,
        campaign.occurrence,
        campaign.occurredAt,
        campaign.rule.trigger.kind,
      ],
    );
    const [row]: { state: 'running' | 'done'; after: string | null; occurred_at: Date }[] =
      await m.query(
        `SELECT state, after_household_id::text AS after, occurred_at FROM coupons.campaign_runs
          WHERE rule_id = $1 AND rule_version = $2 AND occurrence = $3`,
        [campaign.rule.id, campaign.ruleVersion, campaign.occurrence],
      );
    return { state: row.state, afterHouseholdId: row.after, occurredAt: row.occurred_at };
  }

  /** Whether the campaign's rule version is still the rule's active one. */
  async isCurrent(m: EntityManager, campaign: Campaign): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM coupons.rule_states WHERE rule_id = $1 AND version = $2 AND status = 'active'`,
      [campaign.rule.id, campaign.ruleVersion],
    );
    return rows.length > 0;
  }

  /**
   * Issues the campaign to the households after `after` (by id), `size` of them: the ones the
   * trigger and the audience select, less the control group (recorded as holdouts), less those
   * that got `perWeek` offers in the 7 days before the campaign (counted), up to what
   * `maxOffersIssued` leaves. An offer already issued for its rule version, household and period
   * conflicts and is not issued again, whoever runs the same chunk.
   */
  async issueChunk(
    m: EntityManager,
    campaign: Campaign,
    after: string,
    size: number,
    perWeek: number,
  ): Promise<ChunkOutcome> {
    const { rule } = campaign;
    const [last]: { household_id: string }[] = await m.query(
      `SELECT household_id::text FROM coupons.household_facts WHERE household_id > $1
        ORDER BY household_id OFFSET $2 LIMIT 1`,
      [after, size - 1],
    );
    const upTo = last?.household_id ?? null;
    const remaining = await this.remaining(m, rule);
    const issuedAt = campaign.occurredAt.toISOString();
    const { validFrom, validUntil } = offerValidity(rule, campaign.occurredAt);
    const reason = campaignReason(campaign);
    // The reason goes in per offer, with the household's values.
    const template: Omit<OfferIssuedV2, 'offerId' | 'code' | 'householdId' | 'reason'> = {
      ruleId: rule.id,
      ruleVersion: campaign.ruleVersion,
      reward: rule.reward,
      validFrom,
      validUntil,
      issuedAt,
      terms: {
        usesPerOffer: rule.usesPerOffer,
        stores: rule.stores ?? null,
        priority: rule.priority,
        stacking: rule.stacking,
        stackingGroup: rule.stackingGroup ?? null,
        budgetCents: rule.budgetCents ?? null,
        clipRequired: rule.clipRequired ?? false,
      },
    };
    const params: unknown[] = [
      after,
      upTo,
      rule.id,
      campaign.ruleVersion,
      // The control group's bound: the same comparison as `isHeldOut`.
      heldOutBound(rule.controlShare),
      JSON.stringify(rule.reward),
      validFrom,
      validUntil,
      JSON.stringify(reason),
      issuedAt,
      remaining,
      TOPICS.offerIssuedV2,
      JSON.stringify(template),
      perWeek,
    ];
    const bind: Bind = (value, type) => {
      params.push(value);
      return `$${params.length}::${type}`;
    };
    const trigger = compileTrigger(campaign, bind);
    const audience = compileAudience(rule.audience, campaign.today, params.length + 1);
    params.push(...audience.params);
    const values = compileAudienceValues(rule.audience, campaign.today, params.length + 1);
    params.push(...values.params);
    const [counts]: { offers: number; holdouts: number; limited: number }[] = await m.query(
      `WITH at_limit AS MATERIALIZED (
         -- The chunk's households whose last 7 days' offers reach the weekly limit.
         SELECT shopper_id FROM coupons.offers
          WHERE shopper_id > $1::uuid AND ($2::uuid IS NULL OR shopper_id <= $2::uuid)
            AND issued_at > $10::timestamptz - interval '7 days'
          GROUP BY shopper_id HAVING count(*) >= $14::integer
       ), selected AS MATERIALIZED (
         SELECT f.household_id,
                ${trigger.periodKey} AS period_key,
                coalesce(substr(encode(sha256(convert_to($3::text || ':' || f.household_id::text, 'UTF8')), 'hex'), 1, 16) < $5::text, false) AS held,
                f.household_id IN (SELECT shopper_id FROM at_limit) AS limited,
                $9::jsonb || jsonb_build_object('values', ${values.values}) AS reason
           FROM coupons.household_facts f
          WHERE f.household_id > $1::uuid AND ($2::uuid IS NULL OR f.household_id <= $2::uuid)
            AND (${trigger.where}) AND (${audience.where})
       ), holdouts AS (
         INSERT INTO coupons.holdouts (rule_id, rule_version, household_id, period_key, reason, decided_at)
         SELECT $3::uuid, $4::integer, household_id, period_key, reason, $10::timestamptz
           FROM selected WHERE held
         ON CONFLICT DO NOTHING
         RETURNING 1
       ), offers AS (
         INSERT INTO coupons.offers (id, code, shopper_id, rule_id, rule_version, period_key, reward,
                                     valid_from, valid_until, reason, issued_at)
         SELECT gen_random_uuid(), ${CODE_SQL}, s.household_id, $3::uuid, $4::integer, s.period_key,
                $6::jsonb, $7::timestamptz, $8::timestamptz, s.reason, $10::timestamptz
           FROM (SELECT household_id, period_key, reason, uuid_send(gen_random_uuid()) AS code_bytes
                   FROM selected WHERE NOT held AND NOT limited
                  ORDER BY household_id LIMIT $11::integer) s
         ON CONFLICT (rule_id, rule_version, shopper_id, period_key) WHERE rule_version IS NOT NULL
         DO NOTHING
         RETURNING id, code, shopper_id, reason
       ), outbox AS (
         INSERT INTO coupons.outbox (topic, key, payload)
         SELECT $12::text, o.shopper_id::text,
                $13::jsonb || jsonb_build_object('offerId', o.id, 'code', o.code, 'householdId', o.shopper_id, 'reason', o.reason)
           FROM offers o
          ORDER BY o.shopper_id
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM offers)::integer AS offers,
              (SELECT count(*) FROM holdouts)::integer AS holdouts,
              (SELECT count(*) FROM selected WHERE NOT held AND limited)::integer AS limited,
              (SELECT count(*) FROM outbox)::integer AS sent`,
      params,
    );
    return { upTo, offers: counts.offers, holdouts: counts.holdouts, limited: counts.limited };
  }

  /** Saves how far the run got, in the chunk's transaction; the last chunk ends it. */
  async saveProgress(m: EntityManager, campaign: Campaign, chunk: ChunkOutcome): Promise<void> {
    await m.query(
      `UPDATE coupons.campaign_runs
          SET after_household_id = coalesce($4::uuid, after_household_id),
              offers = offers + $5, holdouts = holdouts + $6, limited = limited + $7,
              state = CASE WHEN $4::uuid IS NULL THEN 'done' ELSE state END,
              finished_at = CASE WHEN $4::uuid IS NULL THEN now() END
        WHERE rule_id = $1 AND rule_version = $2 AND occurrence = $3`,
      [
        campaign.rule.id,
        campaign.ruleVersion,
        campaign.occurrence,
        chunk.upTo,
        chunk.offers,
        chunk.holdouts,
        chunk.limited,
      ],
    );
  }

  /**
   * What `maxOffersIssued` still allows (null: no limit), counted under the lock of the rule's
   * state row, as profile-change issuance counts it, so the two never overshoot together.
   */
  private async remaining(m: EntityManager, rule: Rule): Promise<number | null> {
    if (rule.maxOffersIssued === undefined) return null;
    await m.query(`SELECT FROM coupons.rule_states WHERE rule_id = $1 FOR UPDATE`, [rule.id]);
    const [{ issued }]: { issued: number }[] = await m.query(
      `SELECT count(*)::integer AS issued FROM coupons.offers WHERE rule_id = $1`,
      [rule.id],
    );
    return Math.max(0, rule.maxOffersIssued - issued);
  }
}
