import {
  AGE_BANDS,
  INCOME_BANDS,
  RANGE_LIMITS,
  addDays,
  campaignLift,
  daysBetween,
  forecastWeeklySales,
  localDate,
} from '@loyalty/domain';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LoyaltyApiConfig } from '../config';
import { fieldError } from '../shoppers/field-error';
import {
  BandDimension,
  BandRowDto,
  CampaignRowDto,
  CampaignsQueryDto,
  CampaignsReportDto,
  DemographicsReportDto,
  DemographicsReportQueryDto,
  ForecastQueryDto,
  ForecastReportDto,
  SalesDimension,
  SalesReportDto,
  SalesReportQueryDto,
  SalesRowDto,
  SalesSumsDto,
  SegmentRowDto,
  SegmentsReportDto,
} from './reports.dto';
import { UNKNOWN_REGION } from '../stores/store.dto';

const MAX_RANGE_DAYS = 366;
const CAMPAIGN_ROWS = 100;
const HISTORY_WEEKS = 52;

/** Per dimension: what a row is grouped by, its key as text, and the order of the rows. */
const DIMENSIONS: Record<SalesDimension, { group: string; key: string }> = {
  store: { group: 'store_id', key: 'store_id' },
  region: {
    group: `coalesce(s.region, '${UNKNOWN_REGION}')`,
    key: `coalesce(s.region, '${UNKNOWN_REGION}')`,
  },
  day: { group: 'business_date', key: `to_char(business_date, 'YYYY-MM-DD')` },
  hour: { group: 'hour', key: 'hour::text' },
  weekday: {
    group: 'extract(isodow FROM business_date)',
    key: 'extract(isodow FROM business_date)::int::text',
  },
};

const [MIN_SIZE, MAX_SIZE] = RANGE_LIMITS.householdSize;

/** Per demographic dimension: its column in the households and the report's sums, its bands. */
const BANDS: Record<BandDimension, { column: string; bands: readonly string[] }> = {
  ageBand: { column: 'age_band', bands: AGE_BANDS },
  householdSize: {
    column: 'household_size',
    bands: Array.from({ length: MAX_SIZE - MIN_SIZE + 1 }, (_, i) => String(MIN_SIZE + i)),
  },
  incomeBand: { column: 'income_band', bands: INCOME_BANDS },
};

/** Sales and returns as summed in SQL (bigint sums arrive as text). */
interface SumsRow {
  sales: string;
  sales_cents: string;
  returns: string;
  returns_cents: string;
}

interface SalesSums extends SumsRow {
  key: string;
  carded_sales: string;
  carded_sales_cents: string;
}

function toSums(row: SumsRow | undefined): SalesSumsDto {
  const sales = Number(row?.sales ?? 0);
  const salesCents = Number(row?.sales_cents ?? 0);
  const returnsCents = Number(row?.returns_cents ?? 0);
  return {
    sales,
    salesCents,
    returns: Number(row?.returns ?? 0),
    returnsCents,
    netCents: salesCents - returnsCents,
    averageBasketCents: sales === 0 ? null : Math.round(salesCents / sales),
  };
}

function toSalesRow(row: SalesSums): SalesRowDto {
  const sums = toSums(row);
  const cardedSales = Number(row.carded_sales);
  return {
    key: row.key,
    ...sums,
    cardedSales,
    cardedSalesCents: Number(row.carded_sales_cents),
    cardedShare: sums.sales === 0 ? null : cardedSales / sums.sales,
  };
}

/** The days `from` to `to` (inclusive) must be in order and at most a year apart. */
function checkRange(from: string, to: string): void {
  if (to < from) throw fieldError('to', 'to must be on or after from');
  if (daysBetween(from, to) > MAX_RANGE_DAYS)
    throw fieldError('to', `to must be at most ${MAX_RANGE_DAYS} days after from`);
}

/**
 * The reports marketing, store managers and finance read: from the reports' own sums (kept by
 * the reports-refresh job) and loyalty-api's tables; the campaigns' control groups and spend from
 * coupon-engine's holdouts (`coupons.holdouts`) and pos-ingest's weekly spend
 * (`ingest.shopper_weeks`), named reads off the lane's path.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: LoyaltyApiConfig,
  ) {}

  async sales(q: SalesReportQueryDto): Promise<SalesReportDto> {
    checkRange(q.from, q.to);
    const { group, key } = DIMENSIONS[q.by];
    const sums = (grouped: boolean) => `
      SELECT ${grouped ? key : `'total'`} AS key,
             coalesce(sum(sales), 0) AS sales, coalesce(sum(sales_cents), 0) AS sales_cents,
             coalesce(sum(returns), 0) AS returns, coalesce(sum(returns_cents), 0) AS returns_cents,
             coalesce(sum(sales) FILTER (WHERE carded), 0) AS carded_sales,
             coalesce(sum(sales_cents) FILTER (WHERE carded), 0) AS carded_sales_cents
        FROM loyalty.report_sales_hours LEFT JOIN loyalty.stores s ON s.id = store_id
       WHERE business_date BETWEEN $1 AND $2 AND ($3::text IS NULL OR store_id = $3)
       ${grouped ? `GROUP BY ${group}, ${key} ORDER BY ${group}` : ''}`;
    const params = [q.from, q.to, q.storeId ?? null];
    const rows: SalesSums[] = await this.dataSource.query(sums(true), params);
    const [total]: SalesSums[] = await this.dataSource.query(sums(false), params);
    return {
      from: q.from,
      to: q.to,
      by: q.by,
      rows: rows.map(toSalesRow),
      total: toSalesRow(total),
    };
  }

  async demographics(q: DemographicsReportQueryDto): Promise<DemographicsReportDto> {
    checkRange(q.from, q.to);
    const { column, bands } = BANDS[q.by];
    // Undeclared is 'unknown' in the sums (household size 0).
    const band = `CASE WHEN ${column}::text IN ('0', 'unknown') THEN 'unknown' ELSE ${column}::text END`;
    const perBand: (SumsRow & { band: string })[] = await this.dataSource.query(
      `SELECT ${band} AS band, sum(sales) AS sales, sum(sales_cents) AS sales_cents,
              sum(returns) AS returns, sum(returns_cents) AS returns_cents
         FROM loyalty.report_band_days WHERE business_date BETWEEN $1 AND $2
        GROUP BY 1`,
      [q.from, q.to],
    );
    const households: { band: string; households: string }[] = await this.dataSource.query(
      `SELECT coalesce(${column}::text, 'unknown') AS band, count(*) AS households
         FROM loyalty.households
        WHERE registered AND merged_into IS NULL AND erased_at IS NULL
        GROUP BY 1`,
    );
    const bandSums = [...bands, 'unknown'].map((name) => ({
      name,
      sums: toSums(perBand.find((r) => r.band === name)),
    }));
    const allNet = bandSums.reduce((total, { sums }) => total + sums.netCents, 0);
    const rows: BandRowDto[] = bandSums.map(({ name, sums }) => ({
      band: name,
      households: Number(households.find((h) => h.band === name)?.households ?? 0),
      ...sums,
      shareOfNet: allNet === 0 ? null : sums.netCents / allNet,
    }));
    return { from: q.from, to: q.to, by: q.by, rows };
  }

  async segments(asOf: string | undefined): Promise<SegmentsReportDto> {
    const [{ shown }]: { shown: string | null }[] = await this.dataSource.query(
      `SELECT to_char(max(as_of), 'YYYY-MM-DD') AS shown FROM loyalty.report_segment_snapshots
        WHERE $1::date IS NULL OR as_of <= $1::date`,
      [asOf ?? null],
    );
    if (shown === null) return { asOf: null, comparedWith: null, rows: [], moves: [] };
    const [{ before }]: { before: string | null }[] = await this.dataSource.query(
      `SELECT to_char(max(as_of), 'YYYY-MM-DD') AS before FROM loyalty.report_segment_snapshots
        WHERE as_of <= $1::date - 7`,
      [shown],
    );
    // Each snapshot's households per value of each dimension, now and (if any) a week before.
    const counted: {
      dimension: string;
      value: string;
      households: string;
      previous: string | null;
    }[] = await this.dataSource.query(
      `SELECT d.dimension, d.value,
                coalesce(sum(s.households) FILTER (WHERE s.as_of = $1), 0) AS households,
                CASE WHEN $2::date IS NOT NULL
                     THEN coalesce(sum(s.households) FILTER (WHERE s.as_of = $2), 0) END AS previous
           FROM loyalty.report_segment_days s
          CROSS JOIN LATERAL (VALUES (1, 'lifecycle', s.lifecycle), (2, 'r', s.r::text),
                                     (3, 'f', s.f::text), (4, 'm', s.m::text))
                AS d(position, dimension, value)
          WHERE s.as_of = $1 OR s.as_of = $2
          GROUP BY d.position, d.dimension, d.value
          ORDER BY d.position, d.value`,
      [shown, before],
    );
    const [{ population }]: { population: number }[] = await this.dataSource.query(
      `SELECT households AS population FROM loyalty.report_segment_snapshots WHERE as_of = $1`,
      [shown],
    );
    const rows: SegmentRowDto[] = counted.map((row) => {
      const households = Number(row.households);
      const previous = row.previous === null ? null : Number(row.previous);
      return {
        dimension: row.dimension,
        value: row.value,
        households,
        share: population === 0 ? 0 : households / population,
        previousHouseholds: previous,
        change: previous === null ? null : households - previous,
      };
    });
    const moves: { from: string; to: string; households: string }[] = await this.dataSource.query(
      `SELECT from_segment AS from, to_segment AS to, sum(households) AS households
         FROM loyalty.report_lifecycle_moves
        WHERE on_date > $1::date - 7 AND on_date <= $1::date
        GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`,
      [shown],
    );
    return {
      asOf: shown,
      comparedWith: before,
      rows,
      moves: moves.map((m) => ({ from: m.from, to: m.to, households: Number(m.households) })),
    };
  }

  async campaigns(q: CampaignsQueryDto): Promise<CampaignsReportDto> {
    checkRange(q.from, q.to);
    const timeZone = this.config.PROGRAMME_TIME_ZONE;
    const range = [q.from, q.to, timeZone];
    const inRange = (column: string) =>
      `${column} >= ($1::date::timestamp AT TIME ZONE $3) AND ${column} < (($2::date + 1)::timestamp AT TIME ZONE $3)`;
    const rules: {
      rule_id: string;
      name: string | null;
      issued: string;
      clipped: string;
      redeemed: string;
      discount_cents: string;
      first_week: string;
    }[] = await this.dataSource.query(
      `WITH per_rule AS (
         SELECT o.rule_id, count(*) AS issued, count(o.clipped_at) AS clipped, count(r.id) AS redeemed,
                coalesce(sum(r.discount_cents - r.returned_cents), 0) AS discount_cents,
                min(o.issued_at) AS first_issued
           FROM loyalty.offers o
           LEFT JOIN loyalty.redemptions r ON r.offer_id = o.id AND r.cancelled_at IS NULL
          WHERE ${inRange('o.issued_at')}
          GROUP BY o.rule_id
          ORDER BY issued DESC, o.rule_id LIMIT ${CAMPAIGN_ROWS})
       SELECT p.rule_id, ru.name, p.issued, p.clipped, p.redeemed, p.discount_cents,
              to_char(date_trunc('week', p.first_issued AT TIME ZONE $3), 'YYYY-MM-DD') AS first_week
         FROM per_rule p LEFT JOIN loyalty.rules ru ON ru.id = p.rule_id
        ORDER BY p.issued DESC, p.rule_id`,
      range,
    );
    const rows: CampaignRowDto[] = [];
    for (const rule of rules) {
      const groups: { grp: string; households: string; sum: string; squares: string }[] =
        await this.dataSource.query(
          `WITH members AS (
             SELECT DISTINCT 'treated' AS grp, shopper_id AS household_id FROM loyalty.offers o
              WHERE o.rule_id = $4 AND ${inRange('o.issued_at')}
             UNION ALL
             SELECT DISTINCT 'control', household_id FROM coupons.holdouts h
              WHERE h.rule_id = $4 AND ${inRange('h.decided_at')}),
           spend AS (
             SELECT m.grp, m.household_id, coalesce(sum(w.spend_cents), 0)::numeric AS cents
               FROM members m
               LEFT JOIN ingest.shopper_weeks w
                 ON w.shopper_id = m.household_id AND w.week_start BETWEEN $5::date AND $2::date
              GROUP BY 1, 2)
           SELECT grp, count(*) AS households, coalesce(sum(cents), 0) AS sum,
                  coalesce(sum(cents * cents), 0) AS squares
             FROM spend GROUP BY grp`,
          [...range, rule.rule_id, rule.first_week],
        );
      const summary = (grp: string) => {
        const g = groups.find((x) => x.grp === grp);
        return {
          households: Number(g?.households ?? 0),
          sumCents: Number(g?.sum ?? 0),
          sumSquaresCents: Number(g?.squares ?? 0),
        };
      };
      const treated = summary('treated');
      const control = summary('control');
      const lift = campaignLift(treated, control, q.confidence);
      const issued = Number(rule.issued);
      const redeemed = Number(rule.redeemed);
      rows.push({
        ruleId: rule.rule_id,
        name: rule.name,
        issued,
        clipped: Number(rule.clipped),
        redeemed,
        discountCents: Number(rule.discount_cents),
        redemptionRate: issued === 0 ? null : redeemed / issued,
        treatedHouseholds: treated.households,
        controlHouseholds: control.households,
        treatedSpendCents: Math.round(lift.treatedMeanCents),
        controlSpendCents: Math.round(lift.controlMeanCents),
        incrementalSpendCentsPerHousehold: Math.round(lift.incrementalCentsPerHousehold),
        incrementalLowCents: lift.low === null ? null : Math.round(lift.low),
        incrementalHighCents: lift.high === null ? null : Math.round(lift.high),
        incrementalSpendCents: Math.round(lift.incrementalCents),
      });
    }
    return { from: q.from, to: q.to, confidence: q.confidence, rows };
  }

  async forecast(q: ForecastQueryDto, now: Date): Promise<ForecastReportDto> {
    const today = localDate(now, this.config.PROGRAMME_TIME_ZONE);
    const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7;
    const thisMonday = addDays(today, -weekday);
    const first = addDays(thisMonday, -7 * HISTORY_WEEKS);
    const rows: { store_id: string; week: number; net: string }[] = await this.dataSource.query(
      `SELECT store_id, ((business_date - $1::date) / 7)::int AS week,
              sum(sales_cents - returns_cents) AS net
         FROM loyalty.report_sales_hours
        WHERE business_date >= $1 AND business_date < $2 AND ($3::text IS NULL OR store_id = $3)
        GROUP BY 1, 2`,
      [first, thisMonday, q.storeId ?? null],
    );
    const weeksByStore = new Map<string, number[]>();
    for (const row of rows) {
      const weeks = weeksByStore.get(row.store_id) ?? Array<number>(HISTORY_WEEKS).fill(0);
      weeks[row.week] = Number(row.net);
      weeksByStore.set(row.store_id, weeks);
    }
    return {
      firstWeek: thisMonday,
      rows: [...weeksByStore.keys()].sort().map((storeId) => {
        const history = weeksByStore.get(storeId) as number[];
        // A store's weeks before its first sale are no history of it.
        const opened = history.findIndex((cents) => cents !== 0);
        const result = forecastWeeklySales(history.slice(opened), q.weeks, q.heldOut);
        return {
          storeId,
          history,
          forecast: result.forecast,
          heldOutMaeCents: result.heldOut && Math.round(result.heldOut.model.mae),
          heldOutMape: result.heldOut && result.heldOut.model.mape,
          naiveMape: result.heldOut && result.heldOut.naive.mape,
        };
      }),
    };
  }
}
