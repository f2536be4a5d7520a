import { ApiErrors, CurrentPrincipal, ForRoles, Principal } from '@loyalty/platform';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { StaffReasonDto } from '../shoppers/household.dto';
import { HouseholdParamsDto, ReasonQueryDto } from '../shoppers/queries.dto';
import { HOUSEHOLD_NOT_FOUND, INVALID_INPUT } from '../shoppers/shopper-errors';
import { ErasureDto, ErasureService } from './erasure.service';
import { ExportService, HouseholdExport } from './export.service';

/** Support acting on a shopper's data request: export and erasure, audited with the reason. */
@ApiTags('support')
@Controller('v1/support/households')
@ForRoles('support', 'admin')
export class SupportPrivacyController {
  constructor(
    private readonly exports: ExportService,
    private readonly erasure: ErasureService,
  ) {}

  @Get(':id/export')
  @ApiOperation({ summary: "A household's data as one document (card numbers masked); audited" })
  @ApiOkResponse({ description: 'One JSON document' })
  @ApiErrors(INVALID_INPUT, HOUSEHOLD_NOT_FOUND)
  export(
    @CurrentPrincipal() agent: Principal,
    @Param() params: HouseholdParamsDto,
    @Query() query: ReasonQueryDto,
  ): Promise<HouseholdExport> {
    return this.exports.exportForSupport(agent, params.id, query.reason, new Date());
  }

  @Post(':id/erasure')
  @HttpCode(200)
  @ApiOperation({ summary: "Erase a household's identity; again: the same answer" })
  @ApiOkResponse({ type: ErasureDto })
  @ApiErrors(INVALID_INPUT, HOUSEHOLD_NOT_FOUND)
  erase(
    @CurrentPrincipal() agent: Principal,
    @Param() params: HouseholdParamsDto,
    @Body() dto: StaffReasonDto,
  ): Promise<ErasureDto> {
    return this.erasure.eraseBySupport(agent, params.id, dto.reason, new Date());
  }
}
