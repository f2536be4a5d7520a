import { ApiErrors, CurrentPrincipal, ErrorSpec, ForRoles, Principal } from '@loyalty/platform';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ConflictDto,
  ConflictListDto,
  ConflictListQueryDto,
  ConflictParamsDto,
  ConflictResolutionDto,
} from './conflicts.dto';
import { ConflictsService } from './conflicts.service';

const INVALID_INPUT: ErrorSpec = {
  status: 400,
  codes: ['VALIDATION_FAILED'],
  description: 'A path, query or body field breaks its rule (named by path); nothing changed',
};

/** Offline redemptions that could not be honoured, listed for staff (docs/CHECKOUT.md). */
@ApiTags('checkout')
@Controller('v1/checkout/conflicts')
@ForRoles('support', 'admin')
export class ConflictsController {
  constructor(private readonly conflicts: ConflictsService) {}

  @Get()
  @ApiOperation({
    summary:
      'Offers offline lanes applied that could not be redeemed when their sale arrived (used elsewhere, expired, over budget...)',
  })
  @ApiOkResponse({ type: ConflictListDto })
  @ApiErrors(INVALID_INPUT)
  async list(@Query() query: ConflictListQueryDto): Promise<ConflictListDto> {
    return { conflicts: await this.conflicts.list(query.state ?? 'open', query.limit ?? 100) };
  }

  @Post(':id/resolution')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Resolve a conflict, with a note (audited); the same again answers the same',
  })
  @ApiOkResponse({ type: ConflictDto })
  @ApiErrors(
    INVALID_INPUT,
    { status: 404, codes: ['CONFLICT_NOT_FOUND'], description: 'No such conflict' },
    {
      status: 409,
      codes: ['CONFLICT_ALREADY_RESOLVED'],
      description: 'Resolved before, otherwise',
    },
  )
  resolve(
    @CurrentPrincipal() staff: Principal,
    @Param() params: ConflictParamsDto,
    @Body() dto: ConflictResolutionDto,
  ): Promise<ConflictDto> {
    return this.conflicts.resolve(staff, params.id, dto, new Date());
  }
}
