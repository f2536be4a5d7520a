import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors, CurrentPrincipal, ForRoles, Principal } from '@loyalty/platform';
import {
  HouseholdParamsDto,
  LedgerPageQueryDto,
  PointsAdjustmentDto,
  PointsAdjustmentRequestDto,
  PointsLiabilityDto,
  PointsStatementDto,
  SupportPointsStatementDto,
} from './points.dto';
import { PointsLiabilityQuery } from './points-liability.query';
import { PointsService } from './points.service';
import { PointsStatementQuery } from './points-statement.query';

const BAD_QUERY = {
  status: 400,
  codes: ['VALIDATION_FAILED'],
  description: 'A bad or unknown query parameter or path parameter, named by `errors[].field`',
};
const UNKNOWN_HOUSEHOLD = {
  status: 404,
  codes: ['HOUSEHOLD_NOT_FOUND'],
  description: 'No household has this id',
};

@ApiTags('points')
@Controller('v1')
export class PointsController {
  constructor(
    private readonly points: PointsService,
    private readonly statements: PointsStatementQuery,
    private readonly liabilities: PointsLiabilityQuery,
  ) {}

  @Get('me/points')
  @ForRoles('shopper')
  @ApiOperation({ summary: "The signed-in shopper's household balance and ledger, newest first" })
  @ApiOkResponse({ type: PointsStatementDto })
  @ApiErrors(BAD_QUERY, {
    status: 404,
    codes: ['NOT_ENROLLED'],
    description: 'No household is enrolled for this sign-in',
  })
  myPoints(
    @CurrentPrincipal() principal: Principal,
    @Query() page: LedgerPageQueryDto,
  ): Promise<PointsStatementDto> {
    return this.statements.forShopper(principal.subject, page);
  }

  @Get('support/households/:id/points')
  @ForRoles('support', 'admin')
  @ApiOperation({ summary: "A household's balance and ledger, newest first, with causes" })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: SupportPointsStatementDto })
  @ApiErrors(BAD_QUERY, UNKNOWN_HOUSEHOLD)
  householdPoints(
    @Param() params: HouseholdParamsDto,
    @Query() page: LedgerPageQueryDto,
  ): Promise<SupportPointsStatementDto> {
    return this.statements.forSupport(params.id, page);
  }

  @Post('support/households/:id/points-adjustments')
  @ForRoles('support', 'admin')
  @ApiOperation({
    summary:
      'Give goodwill points (within the daily limit of your role: SUPPORT_GOODWILL_POINTS_PER_DAY, ADMIN_GOODWILL_POINTS_PER_DAY) or take points back (never below 0); audited with the reason. A retry with the same adjustmentId gets the original answer.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiCreatedResponse({ type: PointsAdjustmentDto })
  @ApiErrors(
    UNKNOWN_HOUSEHOLD,
    {
      status: 409,
      codes: ['POINTS_CAUSE_REUSED'],
      description: 'This adjustmentId was used for another adjustment; nothing changed',
    },
    {
      status: 422,
      codes: ['GOODWILL_LIMIT_EXCEEDED', 'INSUFFICIENT_POINTS', 'HOUSEHOLD_CLOSED'],
      description:
        'More goodwill than remains of your daily limit (the message says how much remains), more taken back than the balance, or a household erased or merged into another; nothing changed',
    },
  )
  adjust(
    @CurrentPrincipal() principal: Principal,
    @Param() params: HouseholdParamsDto,
    @Body() dto: PointsAdjustmentRequestDto,
  ): Promise<PointsAdjustmentDto> {
    return this.points.adjust(principal, params.id, dto, new Date());
  }

  @Get('finance/points-liability')
  @ForRoles('finance', 'admin')
  @ApiOperation({
    summary:
      'Outstanding points, their value (POINT_VALUE_CENTS_PER_100_POINTS) and the points due to expire within 30 and 90 days, as of now',
  })
  @ApiOkResponse({ type: PointsLiabilityDto })
  @ApiErrors({
    status: 400,
    codes: ['VALIDATION_FAILED'],
    description: 'An unknown query parameter, named by `errors[].field`',
  })
  liability(): Promise<PointsLiabilityDto> {
    return this.liabilities.liability(new Date());
  }
}
