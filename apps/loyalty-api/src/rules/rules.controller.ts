import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiErrors,
  CurrentPrincipal,
  ForRoles,
  IdempotencyKey,
  Principal,
} from '@loyalty/platform';
import {
  BUDGET_NEEDS_ADMIN,
  INVALID_NEW_RULE,
  INVALID_PARAMETER,
  INVALID_RULE,
  KEY_REUSED,
  RULE_ENDED,
  RULE_NOT_FOUND,
  STATUS_CONFLICT,
  VERSION_NOT_FOUND,
} from './rule-errors';
import {
  IDEMPOTENCY_KEY_HEADER,
  RULE_BODY_SCHEMA,
  RuleDto,
  RuleListDto,
  RuleListQueryDto,
  RuleParamsDto,
  RuleStatusDto,
  RuleVersionDto,
  RuleVersionListDto,
  RuleVersionListQueryDto,
  RuleVersionParamsDto,
} from './rules.dto';
import { RulesService } from './rules.service';

/** Marketing's coupon rules: drafts, versions, the lifecycle. */
@ApiTags('rules')
@Controller('v1/rules')
@ForRoles('marketer', 'admin')
export class RulesController {
  constructor(private readonly rules: RulesService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a coupon rule as a draft (version 1); the server assigns its id',
  })
  @ApiBody({ schema: RULE_BODY_SCHEMA })
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  @ApiCreatedResponse({
    type: RuleDto,
    description:
      'The new draft at version 1, revision 1; the same Idempotency-Key and body again answer this first answer',
  })
  @ApiErrors(INVALID_NEW_RULE, BUDGET_NEEDS_ADMIN, KEY_REUSED)
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: Record<string, unknown>,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<RuleDto> {
    return this.rules.create(principal, body, idempotencyKey, new Date());
  }

  @Put(':id')
  @ApiOperation({
    summary:
      'Give a rule a new definition: its next version (offers already issued keep theirs); the current definition again changes nothing',
  })
  @ApiBody({ schema: RULE_BODY_SCHEMA })
  @ApiOkResponse({
    type: RuleDto,
    description: 'The rule at its new version, or as it was when the definition is its current one',
  })
  @ApiErrors(INVALID_RULE, BUDGET_NEEDS_ADMIN, RULE_NOT_FOUND, RULE_ENDED)
  edit(
    @CurrentPrincipal() principal: Principal,
    @Param() params: RuleParamsDto,
    @Body() body: Record<string, unknown>,
  ): Promise<RuleDto> {
    return this.rules.edit(principal, params.id, body, new Date());
  }

  @Post(':id/status')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Activate, pause or end a rule; only an active rule issues offers, and ended is final',
  })
  @ApiOkResponse({
    type: RuleDto,
    description: 'The rule in its new status (revision + 1), or as it was when it has that status',
  })
  @ApiErrors(INVALID_PARAMETER, RULE_NOT_FOUND, STATUS_CONFLICT)
  setStatus(
    @CurrentPrincipal() principal: Principal,
    @Param() params: RuleParamsDto,
    @Body() dto: RuleStatusDto,
  ): Promise<RuleDto> {
    return this.rules.setStatus(principal, params.id, dto.status, new Date());
  }

  @Get()
  @ApiOperation({ summary: 'Rules with their current definitions, newest first, a page at a time' })
  @ApiOkResponse({ type: RuleListDto, description: 'Up to `limit` rules and the next cursor' })
  @ApiErrors(INVALID_PARAMETER)
  list(@Query() query: RuleListQueryDto): Promise<RuleListDto> {
    return this.rules.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A rule with its current definition' })
  @ApiOkResponse({ type: RuleDto, description: 'The rule with its current definition' })
  @ApiErrors(INVALID_PARAMETER, RULE_NOT_FOUND)
  get(@Param() params: RuleParamsDto): Promise<RuleDto> {
    return this.rules.get(params.id);
  }

  @Get(':id/versions')
  @ApiOperation({ summary: "A rule's versions, oldest first, a page at a time" })
  @ApiOkResponse({
    type: RuleVersionListDto,
    description: 'Up to `limit` versions after `after`, and the next cursor',
  })
  @ApiErrors(INVALID_PARAMETER, RULE_NOT_FOUND)
  listVersions(
    @Param() params: RuleParamsDto,
    @Query() query: RuleVersionListQueryDto,
  ): Promise<RuleVersionListDto> {
    return this.rules.listVersions(params.id, query);
  }

  @Get(':id/versions/:version')
  @ApiOperation({ summary: 'One definition of a rule, as it was written' })
  @ApiOkResponse({ type: RuleVersionDto, description: 'The definition, never changed since' })
  @ApiErrors(INVALID_PARAMETER, VERSION_NOT_FOUND)
  getVersion(@Param() params: RuleVersionParamsDto): Promise<RuleVersionDto> {
    return this.rules.getVersion(params.id, params.version);
  }
}
