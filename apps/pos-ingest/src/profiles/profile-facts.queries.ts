import { Injectable } from '@nestjs/common';
import { TOPICS, addDays, lastRequalificationOn, localDate, weekStartOf } from '@loyalty/domain';
import { EntityManager } from 'typeorm';
import { PosIngestConfig, ProfileFactsSettings } from '../config';

export interface RefreshOutcome {
  /** Profiles whose facts moved (each published one ProfileChangedV2). */
  profileChanges: number;
  lifecycleChanges: number;
}

type Scope = { ids: readonly string[] } | { after: string | null; upTo: string | null };

/**
 * The facts of `ingest.shopper_profiles` that depend on the day, in set-based SQL that computes
 * the formulas of `libs/domain/src/profile-facts.ts` (held together by
 * `apps/pos-ingest/test/profile-facts.int-spec.ts`). A row is rewritten, and published, only
 * when a fact moved; the two counters of days (since the last visit, to the birthday) move by the
 * calendar alone and are rewritten only with the other facts. Erased households are skipped.
 */
/**
 * Whether the rolling windows of profile `p` must be read from the weekly sums again for a day
 * in the week starting on parameter `$week`: the sums changed since (`windows_stale`, set by
 * every writer of the sums), or the windows are of another week. Elsewhere the stored ones stand.
 */
function windowsDue(p: string, week: number): string {
  return `(${p}.windows_stale OR ${p}.facts_as_of IS NULL
           OR ${p}.facts_as_of NOT BETWEEN $${week}::date AND $${week}::date + 6)`;
}

/**
 * The condition on a household id column that keeps `scope`, its values appended to `params`.
 * Only the bounds given: a generic plan would not drop an `IS NULL OR` arm.
 */
function scopeFilter(scope: Scope, params: unknown[]): (column: string) => string {
  const bounds: ((column: string) => string)[] = [];
  const bound = (value: unknown, condition: (column: string, n: number) => string) => {
    params.push(value);
    const n = params.length;
    bounds.push((column) => condition(column, n));
  };
  if ('ids' in scope) bound(scope.ids, (column, n) => `${column} = ANY($${n}::uuid[])`);
  else {
    if (scope.after !== null) bound(scope.after, (column, n) => `${column} > $${n}::uuid`);
    if (scope.upTo !== null) bound(scope.upTo, (column, n) => `${column} <= $${n}::uuid`);
  }
  return (column) => bounds.map((condition) => condition(column)).join(' AND ') || 'true';
}

@Injectable()
export class ProfileFactsQueries {
  private readonly settings: ProfileFactsSettings;
  // Above this many households to refresh (a tenth of a chunk), a range is refreshed whole.
  private readonly wholeRangeAbove: number;

  constructor(config: PosIngestConfig) {
    this.settings = config.profileFacts;
    this.wholeRangeAbove = Math.floor(config.PROFILE_FACTS_CHUNK / 10);
  }

  /** The programme's calendar date at `asOf`: the day the facts are for. */
  factsDate(asOf: Date): string {
    return localDate(asOf, this.settings.timeZone);
  }

  /**
   * Refreshes these households (the projector, after a batch), scoring RFM by the thresholds of
   * the last full pass; without ids, the whole population at once after saving new thresholds
   * (the nightly job does the same in chunks: `saveRfmThresholds`, `refreshChunk`).
   */
  async refresh(
    m: EntityManager,
    asOf: Date,
    shopperIds?: readonly string[],
  ): Promise<RefreshOutcome> {
    if (shopperIds !== undefined) {
      if (shopperIds.length === 0) return { profileChanges: 0, lifecycleChanges: 0 };
      return this.refreshScope(m, asOf, { ids: shopperIds });
    }
    await this.saveRfmThresholds(m, asOf);
    return this.refreshScope(m, asOf, { after: null, upTo: null });
  }

  /**
   * Refreshes the next `limit` households by id after `after` (null: from the first); returns the
   * last id it covered, the job's cursor, or null when none was left.
   */
  async refreshChunk(
    m: EntityManager,
    asOf: Date,
    after: string | null,
    limit: number,
  ): Promise<(RefreshOutcome & { upTo: string }) | null> {
    const last: { id: string }[] =
      after === null
        ? await m.query(
            `SELECT id::text FROM (SELECT id FROM ingest.shoppers ORDER BY id LIMIT $1) chunk
              ORDER BY id DESC LIMIT 1`,
            [limit],
          )
        : await m.query(
            `SELECT id::text FROM (
               SELECT id FROM ingest.shoppers WHERE id > $1::uuid ORDER BY id LIMIT $2
             ) chunk ORDER BY id DESC LIMIT 1`,
            [after, limit],
          );
    if (last.length === 0) return null;
    const upTo = last[0].id;
    return { ...(await this.refreshScope(m, asOf, { after, upTo })), upTo };
  }

  /**
   * The RFM quintile thresholds over the population of `asOf` (non-erased households with a
   * visit), with score = 1 + floor(5 × (rank − 1) / n) and ties ranked alike: for each score
   * 2..5, the least value reaching it (recency: the most days).
   */
  async saveRfmThresholds(m: EntityManager, asOf: Date): Promise<void> {
    const day = this.factsDate(asOf);
    const week1 = weekStartOf(day);
    if (m.queryRunner?.isTransactionActive) await m.query(`SET LOCAL jit = off`);
    // A plain SELECT (an INSERT ... SELECT never runs in parallel): where the stored windows may
    // have moved, the weekly sums are read, by parallel workers when that is most of them.
    const [row]: Record<string, string | null>[] = await m.query(
      `WITH profiles AS (
         SELECT p.shopper_id, p.last_visit_at, p.visits_52w, p.spend_52w_cents,
                ${windowsDue('p', 4)} AS due
           FROM ingest.shopper_profiles p
           JOIN ingest.shoppers s ON s.id = p.shopper_id
          WHERE s.erased_at IS NULL AND p.last_visit_at IS NOT NULL
       ), read_weeks AS (
         SELECT w.shopper_id, sum(w.visits) AS visits, sum(w.spend_cents) AS spend
           FROM profiles p
           JOIN ingest.shopper_weeks w ON w.shopper_id = p.shopper_id
          WHERE p.due AND w.week_start BETWEEN $3::date AND $4::date
          GROUP BY w.shopper_id
       ), population AS (
         SELECT $1::date - (p.last_visit_at AT TIME ZONE $2)::date AS since,
                CASE WHEN p.due THEN coalesce(r.visits, 0) ELSE p.visits_52w END AS visits,
                CASE WHEN p.due THEN coalesce(r.spend, 0) ELSE p.spend_52w_cents END AS spend
           FROM profiles p
           LEFT JOIN read_weeks r ON r.shopper_id = p.shopper_id
       ), scored AS (
         SELECT since, visits, spend,
                1 + 5 * (rank() OVER (ORDER BY since DESC) - 1) / count(*) OVER () AS r,
                1 + 5 * (rank() OVER (ORDER BY visits) - 1) / count(*) OVER () AS f,
                1 + 5 * (rank() OVER (ORDER BY spend) - 1) / count(*) OVER () AS m
           FROM population
       )
       SELECT count(*) AS population,
              max(since) FILTER (WHERE r >= 2) AS r2, max(since) FILTER (WHERE r >= 3) AS r3,
              max(since) FILTER (WHERE r >= 4) AS r4, max(since) FILTER (WHERE r >= 5) AS r5,
              min(visits) FILTER (WHERE f >= 2) AS f2, min(visits) FILTER (WHERE f >= 3) AS f3,
              min(visits) FILTER (WHERE f >= 4) AS f4, min(visits) FILTER (WHERE f >= 5) AS f5,
              min(spend) FILTER (WHERE m >= 2) AS m2, min(spend) FILTER (WHERE m >= 3) AS m3,
              min(spend) FILTER (WHERE m >= 4) AS m4, min(spend) FILTER (WHERE m >= 5) AS m5
         FROM scored`,
      [day, this.settings.timeZone, addDays(week1, -7 * 51), week1],
    );
    await m.query(
      `INSERT INTO ingest.rfm_thresholds
         (as_of, population, r2_days, r3_days, r4_days, r5_days, f2_visits, f3_visits, f4_visits,
          f5_visits, m2_cents, m3_cents, m4_cents, m5_cents)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (as_of) DO UPDATE SET
         population = EXCLUDED.population,
         r2_days = EXCLUDED.r2_days, r3_days = EXCLUDED.r3_days,
         r4_days = EXCLUDED.r4_days, r5_days = EXCLUDED.r5_days,
         f2_visits = EXCLUDED.f2_visits, f3_visits = EXCLUDED.f3_visits,
         f4_visits = EXCLUDED.f4_visits, f5_visits = EXCLUDED.f5_visits,
         m2_cents = EXCLUDED.m2_cents, m3_cents = EXCLUDED.m3_cents,
         m4_cents = EXCLUDED.m4_cents, m5_cents = EXCLUDED.m5_cents,
         computed_at = now()`,
      [
        day,
        ...[
          'population',
          'r2',
          'r3',
          'r4',
          'r5',
          'f2',
          'f3',
          'f4',
          'f5',
          'm2',
          'm3',
          'm4',
          'm5',
        ].map((column) => row[column]),
      ],
    );
  }

  /**
   * A range is read without locks to find what moved, and only that is then refreshed under lock
   * (read again, fresh): most households move on no given day, and locking them all would write
   * every row of the range.
   */
  private async refreshScope(m: EntityManager, asOf: Date, scope: Scope): Promise<RefreshOutcome> {
    // The planner's row estimates for the joins overshoot by orders of magnitude, and JIT then
    // spends seconds compiling a statement that runs in milliseconds per thousand rows.
    if (m.queryRunner?.isTransactionActive) await m.query(`SET LOCAL jit = off`);
    if ('ids' in scope) return this.refreshLocked(m, asOf, scope);
    // Where most windows are to be read again (the first pass, the week rolled over), most facts
    // move: the whole range under lock at once costs less than finding them first.
    const dueParams: unknown[] = [weekStartOf(this.factsDate(asOf))];
    const [{ due }]: { due: number }[] = await m.query(
      `SELECT count(*)::int AS due FROM ingest.shopper_profiles p
        WHERE ${windowsDue('p', 1)} AND ${scopeFilter(scope, dueParams)('p.shopper_id')}`,
      dueParams,
    );
    if (due > this.wholeRangeAbove) return this.refreshLocked(m, asOf, scope);
    const { sql, params } = this.factsQuery(asOf, scope);
    const moved: { shopper_id: string }[] = await m.query(
      `${sql}
       SELECT shopper_id FROM changed
        WHERE publish OR days_changed OR windows_stale OR old_requalified_on IS DISTINCT FROM $14::date`,
      params,
    );
    if (moved.length === 0) return { profileChanges: 0, lifecycleChanges: 0 };
    if (moved.length > this.wholeRangeAbove) return this.refreshLocked(m, asOf, scope);
    return this.refreshLocked(m, asOf, { ids: moved.map((row) => row.shopper_id) });
  }

  private factsQuery(
    asOf: Date,
    scope: Scope,
  ): { sql: string; params: unknown[]; within: (column: string) => string } {
    const { timeZone, lifecycle, tiers } = this.settings;
    const day = this.factsDate(asOf);
    const week1 = weekStartOf(day);
    const params: unknown[] = [
      day, // $1
      timeZone, // $2
      week1, // $3
      addDays(week1, -7 * 3), // $4: the first week of 4
      addDays(week1, -7 * 12), // $5: of 13
      addDays(week1, -7 * 51), // $6: of 52
      lifecycle.newDays, // $7
      lifecycle.lapsingCadences, // $8
      lifecycle.lapsingMinDays, // $9
      lifecycle.lapsedDays, // $10
      lifecycle.wonBackDays, // $11
      tiers.silverFromCents, // $12
      tiers.goldFromCents, // $13
      lastRequalificationOn(day, tiers.requalificationDate), // $14
    ];
    // The scope on each table read, so the weekly sums are read by their key's range too.
    const within = scopeFilter(scope, params);
    // The households named (the projector's, the moved ones) have their windows read again.
    const windowsDueHere = 'ids' in scope ? 'true' : windowsDue('p', 3);
    const sql = `WITH base AS (
         SELECT p.*, s.birthday,
                (p.first_visit_at AT TIME ZONE $2)::date AS first_visit_day,
                $1::date - (p.last_visit_at AT TIME ZONE $2)::date AS since,
                p.recent_visit_days IS DISTINCT FROM p.cadence_of_days AS days_changed,
                ${windowsDueHere} AS windows_due
           FROM ingest.shopper_profiles p
           JOIN ingest.shoppers s ON s.id = p.shopper_id
          WHERE s.erased_at IS NULL AND ${within('p.shopper_id')}
       ), read_weeks AS (
         SELECT w.shopper_id,
                sum(w.spend_cents) FILTER (WHERE w.week_start >= $4::date) AS spend_4w,
                sum(w.visits) FILTER (WHERE w.week_start >= $4::date) AS visits_4w,
                sum(w.spend_cents) FILTER (WHERE w.week_start >= $5::date) AS spend_13w,
                sum(w.visits) FILTER (WHERE w.week_start >= $5::date) AS visits_13w,
                sum(w.spend_cents) AS spend_52w,
                sum(w.visits) AS visits_52w
           FROM base b
           JOIN ingest.shopper_weeks w ON w.shopper_id = b.shopper_id
          WHERE b.windows_due AND w.week_start BETWEEN $6::date AND $3::date
            AND ${within('w.shopper_id')}
          GROUP BY w.shopper_id
       ), weeks AS (
         SELECT b.shopper_id,
                CASE WHEN b.windows_due THEN coalesce(r.spend_4w, 0) ELSE b.spend_4w_cents END AS spend_4w,
                CASE WHEN b.windows_due THEN coalesce(r.visits_4w, 0) ELSE b.visits_4w END AS visits_4w,
                CASE WHEN b.windows_due THEN coalesce(r.spend_13w, 0) ELSE b.spend_13w_cents END AS spend_13w,
                CASE WHEN b.windows_due THEN coalesce(r.visits_13w, 0) ELSE b.visits_13w END AS visits_13w,
                CASE WHEN b.windows_due THEN coalesce(r.spend_52w, 0) ELSE b.spend_52w_cents END AS spend_52w,
                CASE WHEN b.windows_due THEN coalesce(r.visits_52w, 0) ELSE b.visits_52w END AS visits_52w
           FROM base b
           LEFT JOIN read_weeks r ON r.shopper_id = b.shopper_id
       ), days AS (
         -- Only where the visit days changed since the cadence was derived from them.
         SELECT b.shopper_id, d, d - lag(d) OVER (PARTITION BY b.shopper_id ORDER BY d) AS gap
           FROM base b CROSS JOIN unnest(b.recent_visit_days) d
          WHERE b.days_changed
       ), visits AS (
         -- A repeated day makes a gap of 0, left out: the gaps between distinct days remain.
         SELECT shopper_id,
                round(percentile_cont(0.5) WITHIN GROUP (ORDER BY gap)::numeric, 1) AS cadence,
                max(d) FILTER (WHERE gap >= $10) AS comeback_on,
                max(d) AS last_visit_day
           FROM days
          WHERE gap > 0
          GROUP BY shopper_id
       ), thresholds AS (
         SELECT * FROM ingest.rfm_thresholds WHERE as_of <= $1::date ORDER BY as_of DESC LIMIT 1
       ), facts AS (
         SELECT b.shopper_id, b.facts_as_of AS old_facts_as_of,
                b.lifecycle AS old_lifecycle, b.tier AS old_tier, b.tier_since AS old_tier_since,
                b.tier_requalified_on AS old_requalified_on, b.lifecycle_since AS old_lifecycle_since,
                b.spend_4w_cents AS old_spend_4w, b.visits_4w AS old_visits_4w,
                b.spend_13w_cents AS old_spend_13w, b.visits_13w AS old_visits_13w,
                b.spend_52w_cents AS old_spend_52w, b.visits_52w AS old_visits_52w,
                b.average_basket_52w_cents AS old_basket, b.cadence_days AS old_cadence,
                b.next_visit_due_on AS old_next_visit, b.r_score AS old_r, b.f_score AS old_f,
                b.m_score AS old_m, b.birthday, b.since, b.first_visit_day,
                coalesce(w.spend_4w, 0) AS spend_4w, coalesce(w.visits_4w, 0) AS visits_4w,
                coalesce(w.spend_13w, 0) AS spend_13w, coalesce(w.visits_13w, 0) AS visits_13w,
                coalesce(w.spend_52w, 0) AS spend_52w, coalesce(w.visits_52w, 0) AS visits_52w,
                CASE WHEN w.visits_52w > 0 THEN round(w.spend_52w::numeric / w.visits_52w) END AS basket,
                b.days_changed, b.recent_visit_days, b.windows_stale,
                CASE WHEN b.days_changed THEN v.cadence ELSE b.cadence_days END AS cadence,
                CASE WHEN b.days_changed THEN v.comeback_on ELSE b.comeback_on END AS comeback_on,
                CASE WHEN b.days_changed THEN v.last_visit_day + round(v.cadence)::int
                     ELSE b.next_visit_due_on END AS next_visit,
                CASE WHEN b.last_visit_at IS NOT NULL THEN
                  1 + coalesce((b.since <= t.r2_days)::int, 0) + coalesce((b.since <= t.r3_days)::int, 0)
                    + coalesce((b.since <= t.r4_days)::int, 0) + coalesce((b.since <= t.r5_days)::int, 0)
                END AS r,
                CASE WHEN b.last_visit_at IS NOT NULL THEN
                  1 + coalesce((coalesce(w.visits_52w, 0) >= t.f2_visits)::int, 0)
                    + coalesce((coalesce(w.visits_52w, 0) >= t.f3_visits)::int, 0)
                    + coalesce((coalesce(w.visits_52w, 0) >= t.f4_visits)::int, 0)
                    + coalesce((coalesce(w.visits_52w, 0) >= t.f5_visits)::int, 0)
                END AS f,
                CASE WHEN b.last_visit_at IS NOT NULL THEN
                  1 + coalesce((coalesce(w.spend_52w, 0) >= t.m2_cents)::int, 0)
                    + coalesce((coalesce(w.spend_52w, 0) >= t.m3_cents)::int, 0)
                    + coalesce((coalesce(w.spend_52w, 0) >= t.m4_cents)::int, 0)
                    + coalesce((coalesce(w.spend_52w, 0) >= t.m5_cents)::int, 0)
                END AS m,
                CASE WHEN coalesce(w.spend_52w, 0) >= $13 THEN 'gold'
                     WHEN coalesce(w.spend_52w, 0) >= $12 THEN 'silver'
                     ELSE 'bronze' END AS earned_tier
           FROM base b
           LEFT JOIN visits v ON v.shopper_id = b.shopper_id
           LEFT JOIN weeks w ON w.shopper_id = b.shopper_id
           -- Scores stay null until a full pass saved thresholds.
           LEFT JOIN thresholds t ON true
       ), decided AS (
         SELECT f.*,
                CASE WHEN f.since IS NULL OR f.first_visit_day IS NULL THEN NULL
                     WHEN f.since >= $10 THEN 'lapsed'
                     WHEN f.since >= greatest($8 * coalesce(f.cadence, 0), $9) THEN 'lapsing'
                     WHEN $1::date - f.comeback_on < $11 THEN 'won_back'
                     WHEN $1::date - f.first_visit_day < $7 THEN 'new'
                     ELSE 'active' END AS lifecycle,
                CASE WHEN f.old_requalified_on >= $14::date
                          AND array_position(ARRAY['bronze', 'silver', 'gold'], f.old_tier)
                            > array_position(ARRAY['bronze', 'silver', 'gold'], f.earned_tier)
                     THEN f.old_tier ELSE f.earned_tier END AS tier,
                CASE WHEN f.birthday IS NULL THEN NULL
                     WHEN birthday_this_year >= $1::date THEN birthday_this_year - $1::date
                     ELSE birthday_next_year - $1::date END AS birthday_in_days
           FROM facts f
           -- 29 February is the day before 1 March: 28 February in a year without one.
           CROSS JOIN LATERAL (
             SELECT CASE WHEN f.birthday = '02-29' THEN make_date(y, 3, 1) - 1
                         ELSE make_date(y, substr(f.birthday, 1, 2)::int, substr(f.birthday, 4, 2)::int)
                    END AS birthday_this_year,
                    CASE WHEN f.birthday = '02-29' THEN make_date(y + 1, 3, 1) - 1
                         ELSE make_date(y + 1, substr(f.birthday, 1, 2)::int, substr(f.birthday, 4, 2)::int)
                    END AS birthday_next_year
               FROM (SELECT extract(year FROM $1::date)::int AS y) year) bd
       ), changed AS (
         SELECT d.*,
                d.old_facts_as_of IS NULL
                  OR (d.spend_4w, d.visits_4w, d.spend_13w, d.visits_13w, d.spend_52w, d.visits_52w,
                      d.basket, d.cadence, d.next_visit, d.r, d.f, d.m, d.lifecycle, d.tier)
                     IS DISTINCT FROM
                     (d.old_spend_4w, d.old_visits_4w, d.old_spend_13w, d.old_visits_13w,
                      d.old_spend_52w, d.old_visits_52w, d.old_basket, d.old_cadence,
                      d.old_next_visit, d.old_r::int, d.old_f::int, d.old_m::int, d.old_lifecycle,
                      d.old_tier) AS publish
           FROM decided d
       )`;
    return { sql, params, within };
  }

  private async refreshLocked(m: EntityManager, asOf: Date, scope: Scope): Promise<RefreshOutcome> {
    // Locked first, in id order as the projector locks profiles (the two never wait on each other
    // in a cycle); the facts are then read by a statement that starts with the locks held, so it
    // sees every sum committed before, and no sum of these households changes until it commits.
    const lockParams: unknown[] = [];
    await m.query(
      `SELECT FROM ingest.shopper_profiles
        WHERE ${scopeFilter(scope, lockParams)('shopper_id')}
        ORDER BY shopper_id FOR NO KEY UPDATE`,
      lockParams,
    );
    const { sql, params, within } = this.factsQuery(asOf, scope);
    const topics = params.length;
    const rows: { profile_changes: string; lifecycle_changes: string }[] = await m.query(
      `${sql}, updated AS (
         UPDATE ingest.shopper_profiles p
            SET spend_4w_cents = c.spend_4w, visits_4w = c.visits_4w,
                spend_13w_cents = c.spend_13w, visits_13w = c.visits_13w,
                spend_52w_cents = c.spend_52w, visits_52w = c.visits_52w,
                average_basket_52w_cents = c.basket,
                cadence_days = c.cadence, next_visit_due_on = c.next_visit,
                days_since_last_visit = c.since,
                r_score = c.r, f_score = c.f, m_score = c.m,
                lifecycle = c.lifecycle,
                lifecycle_since = CASE WHEN c.lifecycle IS DISTINCT FROM c.old_lifecycle
                                       THEN CASE WHEN c.lifecycle IS NOT NULL THEN $1::date END
                                       ELSE c.old_lifecycle_since END,
                tier = c.tier,
                tier_since = CASE WHEN c.tier = c.old_tier AND c.old_tier_since IS NOT NULL
                                  THEN c.old_tier_since ELSE $1::date END,
                tier_requalified_on = $14::date,
                comeback_on = c.comeback_on,
                cadence_of_days = c.recent_visit_days,
                birthday_in_days = c.birthday_in_days,
                windows_stale = false,
                facts_as_of = $1::date
           FROM changed c
          WHERE p.shopper_id = c.shopper_id AND ${within('p.shopper_id')}
            AND (c.publish OR c.days_changed OR c.windows_stale
                 OR c.old_requalified_on IS DISTINCT FROM $14::date)
         RETURNING p.*, c.publish, c.old_lifecycle
       ), transitions AS (
         INSERT INTO ingest.lifecycle_transitions (shopper_id, from_segment, to_segment, on_date)
         SELECT shopper_id, old_lifecycle, lifecycle, $1::date
           FROM updated
          WHERE lifecycle IS DISTINCT FROM old_lifecycle AND lifecycle IS NOT NULL
         RETURNING shopper_id, from_segment, to_segment
       ), events AS (
         INSERT INTO ingest.outbox (topic, key, payload)
         SELECT $${topics + 1}::text, u.shopper_id::text, jsonb_build_object(
                  'eventId', gen_random_uuid(),
                  'householdId', u.shopper_id,
                  'factsAsOf', u.facts_as_of,
                  'facts', jsonb_build_object(
                    'spend4wCents', u.spend_4w_cents, 'visits4w', u.visits_4w,
                    'spend13wCents', u.spend_13w_cents, 'visits13w', u.visits_13w,
                    'spend52wCents', u.spend_52w_cents, 'visits52w', u.visits_52w,
                    'averageBasket52wCents', u.average_basket_52w_cents,
                    'cadenceDays', u.cadence_days, 'nextVisitDueOn', u.next_visit_due_on,
                    'rScore', u.r_score, 'fScore', u.f_score, 'mScore', u.m_score,
                    'lifecycle', u.lifecycle, 'lifecycleSince', u.lifecycle_since,
                    'tier', u.tier, 'tierSince', u.tier_since,
                    'daysSinceLastVisit', u.days_since_last_visit,
                    'birthdayInDays', u.birthday_in_days))
           FROM updated u
          WHERE u.publish
         UNION ALL
         SELECT $${topics + 2}::text, t.shopper_id::text, jsonb_build_object(
                  'eventId', gen_random_uuid(),
                  'householdId', t.shopper_id,
                  'from', t.from_segment,
                  'to', t.to_segment,
                  'on', $1::date)
           FROM transitions t
         RETURNING topic
       )
       SELECT count(*) FILTER (WHERE topic = $${topics + 1}::text) AS profile_changes,
              count(*) FILTER (WHERE topic = $${topics + 2}::text) AS lifecycle_changes
         FROM events`,
      [...params, TOPICS.profileChangedV2, TOPICS.lifecycleChanged],
    );
    return {
      profileChanges: Number(rows[0].profile_changes),
      lifecycleChanges: Number(rows[0].lifecycle_changes),
    };
  }
}
