import { ApiErrors, CurrentPrincipal, ForRoles, Principal } from '@loyalty/platform';
import { Controller, Delete, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NOT_ACCOUNT_HOLDER, NOT_ENROLLED } from '../shoppers/shopper-errors';
import { ErasureDto, ErasureService } from './erasure.service';
import { HouseholdExport, ExportService } from './export.service';

/** The shopper's rights over their data: a copy of all of it, and its erasure. */
@ApiTags('me')
@Controller('v1/me')
@ForRoles('shopper')
export class MyDataController {
  constructor(
    private readonly exports: ExportService,
    private readonly erasure: ErasureService,
  ) {}

  @Get('export')
  @ApiOperation({
    summary:
      'Everything held about your household: identity, members, cards, consent and its history, transactions, points, offers, staff reads, contacts with support',
  })
  @ApiOkResponse({ description: 'One JSON document' })
  @ApiErrors(NOT_ENROLLED)
  export(@CurrentPrincipal() shopper: Principal): Promise<HouseholdExport> {
    return this.exports.exportMine(shopper, new Date());
  }

  @Delete()
  @ApiOperation({
    summary:
      "Erase your household's identity (account holder); points stay for finance, keyed by an id that names no one. Again: the same answer",
  })
  @ApiOkResponse({ type: ErasureDto })
  @ApiErrors(NOT_ENROLLED, NOT_ACCOUNT_HOLDER)
  erase(@CurrentPrincipal() shopper: Principal): Promise<ErasureDto> {
    return this.erasure.eraseMine(shopper, new Date());
  }
}
