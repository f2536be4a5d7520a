import { ApiErrors, CsvColumn, ForRoles, csvAnswer } from '@loyalty/platform';
import { Controller, Get, Query, Res } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { INVALID_INPUT } from '../shoppers/shopper-errors';
import {
  BandRowDto,
  CampaignRowDto,
  CampaignsQueryDto,
  CampaignsReportDto,
  DemographicsReportDto,
  DemographicsReportQueryDto,
  ForecastQueryDto,
  ForecastReportDto,
  ForecastRowDto,
  SalesReportDto,
  SalesReportQueryDto,
  SalesRowDto,
  SegmentRowDto,
  SegmentsQueryDto,
  SegmentsReportDto,
} from './reports.dto';
import { ReportsService } from './reports.service';

/** Columns of a CSV download: every field of the row, by name. */
function columnsOf<Row extends object>(fields: readonly (keyof Row & string)[]): CsvColumn<Row>[] {
  return fields.map((field) => ({
    header: field,
    value: (row: Row) => {
      const value = row[field];
      return Array.isArray(value) ? value.join(' ') : (value as string | number | boolean | null);
    },
  }));
}

const SALES_COLUMNS = columnsOf<SalesRowDto>([
  'key',
  'sales',
  'salesCents',
  'returns',
  'returnsCents',
  'netCents',
  'cardedSales',
  'cardedSalesCents',
  'cardedShare',
  'averageBasketCents',
]);
const BAND_COLUMNS = columnsOf<BandRowDto>([
  'band',
  'households',
  'sales',
  'salesCents',
  'returns',
  'returnsCents',
  'netCents',
  'averageBasketCents',
  'shareOfNet',
]);
const SEGMENT_COLUMNS = columnsOf<SegmentRowDto>([
  'dimension',
  'value',
  'households',
  'share',
  'previousHouseholds',
  'change',
]);
const CAMPAIGN_COLUMNS = columnsOf<CampaignRowDto>([
  'ruleId',
  'name',
  'issued',
  'clipped',
  'redeemed',
  'discountCents',
  'redemptionRate',
  'treatedHouseholds',
  'controlHouseholds',
  'treatedSpendCents',
  'controlSpendCents',
  'incrementalSpendCentsPerHousehold',
  'incrementalLowCents',
  'incrementalHighCents',
  'incrementalSpendCents',
]);
const FORECAST_COLUMNS = columnsOf<ForecastRowDto>([
  'storeId',
  'history',
  'forecast',
  'heldOutMaeCents',
  'heldOutMape',
  'naiveMape',
]);

/** The JSON report, and the CSV of its rows (`format=csv`), documented as both. */
const ReportResponse = (type: new () => object, what: string) =>
  ApiOkResponse({
    description: `${what}. With format=csv: its rows as a CSV download (a header row; lists space-separated)`,
    content: {
      'application/json': { schema: { $ref: getSchemaPath(type) } },
      'text/csv': { schema: { type: 'string' } },
    },
  });

/** What marketing, store managers and finance read: sales, segments, campaigns, forecasts. */
@ApiTags('reports')
@ApiExtraModels(
  SalesReportDto,
  DemographicsReportDto,
  SegmentsReportDto,
  CampaignsReportDto,
  ForecastReportDto,
)
@ApiProduces('application/json', 'text/csv')
@Controller('v1/reports')
@ForRoles('marketer', 'admin')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('sales')
  @ApiOperation({
    summary:
      'Sales, returns, visits and loyalty penetration (the share of sales with a card) by store, business day, hour or weekday, for up to 366 days; from the sums the reports-refresh job keeps',
  })
  @ReportResponse(SalesReportDto, 'A row per store, day, hour or weekday, and the total')
  @ApiErrors(INVALID_INPUT)
  async sales(
    @Query() query: SalesReportQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SalesReportDto | string> {
    const report = await this.reports.sales(query);
    return query.format === 'csv'
      ? csvAnswer(
          reply,
          `sales-by-${query.by}-${query.from}-${query.to}`,
          SALES_COLUMNS,
          report.rows,
        )
      : report;
  }

  @Get('demographics')
  @ApiOperation({
    summary:
      'Sales with a card by the age band, household size or income band the households declared, for up to 366 days, with the enrolled households of each band today',
  })
  @ReportResponse(DemographicsReportDto, "A row per band, 'unknown' last")
  @ApiErrors(INVALID_INPUT)
  async demographics(
    @Query() query: DemographicsReportQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DemographicsReportDto | string> {
    const report = await this.reports.demographics(query);
    return query.format === 'csv'
      ? csvAnswer(
          reply,
          `sales-by-${query.by}-${query.from}-${query.to}`,
          BAND_COLUMNS,
          report.rows,
        )
      : report;
  }

  @Get('segments')
  @ApiOperation({
    summary:
      'Households per lifecycle segment and per recency, frequency and monetary score, against a week before, and the lifecycle moves of the week',
  })
  @ReportResponse(SegmentsReportDto, 'The distributions and their movement')
  @ApiErrors(INVALID_INPUT)
  async segments(
    @Query() query: SegmentsQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SegmentsReportDto | string> {
    const report = await this.reports.segments(query.asOf);
    return query.format === 'csv'
      ? csvAnswer(reply, `segments-${report.asOf ?? 'none'}`, SEGMENT_COLUMNS, report.rows)
      : report;
  }

  @Get('campaigns')
  @ApiOperation({
    summary:
      "Per rule with offers issued in the range: issued, clipped, redeemed, discount cost, redemption rate, and the treated households' spend against the control group's with the incremental spend and its confidence interval",
  })
  @ReportResponse(CampaignsReportDto, 'A row per rule, the most issued first')
  @ApiErrors(INVALID_INPUT)
  async campaigns(
    @Query() query: CampaignsQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CampaignsReportDto | string> {
    const report = await this.reports.campaigns(query);
    return query.format === 'csv'
      ? csvAnswer(reply, `campaigns-${query.from}-${query.to}`, CAMPAIGN_COLUMNS, report.rows)
      : report;
  }

  @Get('sales-forecast')
  @ApiOperation({
    summary:
      "Each store's net sales of the last 52 full weeks, a trend forecast of the next weeks (Holt's linear trend), and its error on held-out weeks beside the naive forecast's",
  })
  @ReportResponse(ForecastReportDto, 'A row per store')
  @ApiErrors(INVALID_INPUT)
  async forecast(
    @Query() query: ForecastQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ForecastReportDto | string> {
    const report = await this.reports.forecast(query, new Date());
    return query.format === 'csv'
      ? csvAnswer(reply, `sales-forecast-${report.firstWeek}`, FORECAST_COLUMNS, report.rows)
      : report;
  }
}
