import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, ForRoles, Principal } from '@loyalty/platform';
import { CreateRuleDto, RuleDto } from './rule.dto';
import { RulesService } from './rules.service';

@ApiTags('rules')
@Controller('v1/rules')
@ForRoles('marketer', 'admin')
export class RulesController {
  constructor(private readonly rules: RulesService) {}

  @Post()
  @ApiOperation({ summary: 'Create a coupon rule' })
  @ApiCreatedResponse({ type: RuleDto })
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateRuleDto): Promise<RuleDto> {
    return this.rules.create(principal, dto);
  }

  @Get()
  @ApiOkResponse({ type: [RuleDto] })
  list(): Promise<RuleDto[]> {
    return this.rules.list();
  }

  @Get(':id')
  @ApiOkResponse({ type: RuleDto })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<RuleDto> {
    return this.rules.get(id);
  }
}
