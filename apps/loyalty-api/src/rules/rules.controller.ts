import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Put } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, ForRoles, Principal } from '@loyalty/platform';
import { CreateRuleDto, RuleDto, RuleStatusDto } from './rule.dto';
import { RulesService } from './rules.service';

const INVALID_RULE = {
  description:
    'VALIDATION_FAILED: every bad field by its path (e.g. `reward.percent`); nothing stored',
};

@ApiTags('rules')
@Controller('v1/rules')
@ForRoles('marketer', 'admin')
export class RulesController {
  constructor(private readonly rules: RulesService) {}

  @Post()
  @ApiOperation({ summary: 'Create a coupon rule' })
  @ApiCreatedResponse({ type: RuleDto })
  @ApiBadRequestResponse(INVALID_RULE)
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateRuleDto): Promise<RuleDto> {
    return this.rules.create(principal, dto, new Date());
  }

  @Put(':id')
  @ApiOperation({
    summary: "Replace a coupon rule's definition (offers already issued keep theirs)",
  })
  @ApiOkResponse({ type: RuleDto })
  @ApiBadRequestResponse(INVALID_RULE)
  @ApiNotFoundResponse({ description: 'NOT_FOUND: no such rule' })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: CreateRuleDto,
  ): Promise<RuleDto> {
    return this.rules.update(principal, id, dto, new Date());
  }

  @Patch(':id/status')
  @ApiOperation({ summary: 'Pause or resume a coupon rule' })
  @ApiOkResponse({ type: RuleDto })
  @ApiBadRequestResponse(INVALID_RULE)
  @ApiNotFoundResponse({ description: 'NOT_FOUND: no such rule' })
  setStatus(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: RuleStatusDto,
  ): Promise<RuleDto> {
    return this.rules.setStatus(principal, id, dto.status, new Date());
  }

  @Get()
  @ApiOkResponse({ type: [RuleDto] })
  list(): Promise<RuleDto[]> {
    return this.rules.list();
  }

  @Get(':id')
  @ApiOkResponse({ type: RuleDto })
  @ApiNotFoundResponse({ description: 'NOT_FOUND: no such rule' })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<RuleDto> {
    return this.rules.get(id);
  }
}
