import { ApiErrors, ForRoles } from '@loyalty/platform';
import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HouseholdReadsService } from './household-reads.service';
import { HouseholdFactsDto, HouseholdParamsDto } from './queries.dto';
import { HOUSEHOLD_NOT_FOUND, INVALID_INPUT } from './shopper-errors';

/** Marketing's view: facts and aggregates of a household, never identity or card numbers. */
@ApiTags('households')
@Controller('v1/households')
@ForRoles('marketer', 'admin')
export class HouseholdFactsController {
  constructor(private readonly reads: HouseholdReadsService) {}

  @Get(':id/facts')
  @ApiOperation({
    summary:
      "A household's facts: tier, spend and visits, points, consent; behaviour only with consent to profiling",
  })
  @ApiOkResponse({ type: HouseholdFactsDto })
  @ApiErrors(INVALID_INPUT, HOUSEHOLD_NOT_FOUND)
  facts(@Param() params: HouseholdParamsDto): Promise<HouseholdFactsDto> {
    return this.reads.facts(params.id);
  }
}
