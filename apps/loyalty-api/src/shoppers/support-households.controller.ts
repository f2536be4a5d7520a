import { ApiErrors, CurrentPrincipal, ForRoles, Principal } from '@loyalty/platform';
import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EnrolmentService } from './enrolment.service';
import {
  ConsentDto,
  EnrolmentDto,
  HouseholdDto,
  MergeDto,
  MergeRequestDto,
  ReplaceCardDto,
  StaffReasonDto,
  StaffConsentDto,
} from './household.dto';
import { HouseholdReadsService } from './household-reads.service';
import { HouseholdService } from './household.service';
import { MergeService } from './merge.service';
import {
  HouseholdCardParamsDto,
  HouseholdListDto,
  HouseholdLookupQueryDto,
  HouseholdParamsDto,
  MergeParamsDto,
  ReasonQueryDto,
} from './queries.dto';
import {
  CARD_CONFLICT,
  CARD_NOT_FOUND,
  ENROLMENT_CONFLICT,
  HOUSEHOLD_CLOSED,
  HOUSEHOLD_NOT_FOUND,
  INVALID_INPUT,
} from './shopper-errors';

/** Customer support: enrol, look up (audited, with a reason), cards, consent, merges. */
@ApiTags('support')
@Controller('v1/support/households')
@ForRoles('support', 'admin')
export class SupportHouseholdsController {
  constructor(
    private readonly enrolment: EnrolmentService,
    private readonly households: HouseholdService,
    private readonly reads: HouseholdReadsService,
    private readonly merges: MergeService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Enrol a shopper; the same enrolment again answers the same' })
  @ApiCreatedResponse({ type: HouseholdDto })
  @ApiErrors(INVALID_INPUT, ENROLMENT_CONFLICT)
  enrol(@CurrentPrincipal() agent: Principal, @Body() dto: EnrolmentDto): Promise<HouseholdDto> {
    return this.enrolment.enrolBySupport(agent, dto, new Date());
  }

  @Get()
  @ApiOperation({
    summary:
      'Find households by card, phone or email (exactly one), with a reason; every household shown is audited',
  })
  @ApiOkResponse({ type: HouseholdListDto })
  @ApiErrors(INVALID_INPUT)
  async lookUp(
    @CurrentPrincipal() agent: Principal,
    @Query() query: HouseholdLookupQueryDto,
  ): Promise<HouseholdListDto> {
    return { households: await this.reads.lookUp(agent, query) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A household, card numbers masked; audited with the reason' })
  @ApiOkResponse({ type: HouseholdDto })
  @ApiErrors(INVALID_INPUT, HOUSEHOLD_NOT_FOUND)
  get(
    @CurrentPrincipal() agent: Principal,
    @Param() params: HouseholdParamsDto,
    @Query() query: ReasonQueryDto,
  ): Promise<HouseholdDto> {
    return this.reads.forSupport(agent, params.id, query.reason);
  }

  @Put(':id/consent')
  @ApiOperation({ summary: 'Record the consent the account holder gave support' })
  @ApiOkResponse({ type: ConsentDto })
  @ApiErrors(INVALID_INPUT, HOUSEHOLD_NOT_FOUND, HOUSEHOLD_CLOSED)
  setConsent(
    @CurrentPrincipal() agent: Principal,
    @Param() params: HouseholdParamsDto,
    @Body() dto: StaffConsentDto,
  ): Promise<ConsentDto> {
    const { reason, ...consent } = dto;
    return this.households.setConsent(
      { kind: 'staff', principal: agent, reason },
      params.id,
      consent,
      new Date(),
    );
  }

  @Post(':id/cards/:cardNumber/lost')
  @HttpCode(200)
  @ApiOperation({ summary: 'Report a card lost' })
  @ApiOkResponse({ type: HouseholdDto })
  @ApiErrors(INVALID_INPUT, CARD_NOT_FOUND, CARD_CONFLICT, HOUSEHOLD_CLOSED)
  reportLost(
    @CurrentPrincipal() agent: Principal,
    @Param() params: HouseholdCardParamsDto,
    @Body() dto: StaffReasonDto,
  ): Promise<HouseholdDto> {
    return this.households.changeCard(
      { kind: 'staff', principal: agent, reason: dto.reason },
      params.id,
      params.cardNumber,
      'reportLost',
      new Date(),
    );
  }

  @Post(':id/cards/:cardNumber/block')
  @HttpCode(200)
  @ApiOperation({ summary: 'Block a card (fraud, misuse); it is refused at the tills' })
  @ApiOkResponse({ type: HouseholdDto })
  @ApiErrors(INVALID_INPUT, CARD_NOT_FOUND, CARD_CONFLICT, HOUSEHOLD_CLOSED)
  block(
    @CurrentPrincipal() agent: Principal,
    @Param() params: HouseholdCardParamsDto,
    @Body() dto: StaffReasonDto,
  ): Promise<HouseholdDto> {
    return this.households.changeCard(
      { kind: 'staff', principal: agent, reason: dto.reason },
      params.id,
      params.cardNumber,
      'block',
      new Date(),
    );
  }

  @Post(':id/cards/:cardNumber/replacement')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Replace a card with the new card named or a new digital card; the household keeps its history and points',
  })
  @ApiOkResponse({ type: HouseholdDto })
  @ApiErrors(INVALID_INPUT, CARD_NOT_FOUND, CARD_CONFLICT, HOUSEHOLD_CLOSED)
  replace(
    @CurrentPrincipal() agent: Principal,
    @Param() params: HouseholdCardParamsDto,
    @Body() dto: ReplaceCardDto,
  ): Promise<HouseholdDto> {
    return this.households.changeCard(
      { kind: 'staff', principal: agent, reason: dto.reason },
      params.id,
      params.cardNumber,
      'replace',
      new Date(),
      dto.newCardNumber,
    );
  }

  @Post(':targetId/merges')
  @ApiOperation({
    summary:
      'Merge a household into this one: its cards, members, points and offers move here; the same merge again answers the same',
  })
  @ApiCreatedResponse({ type: MergeDto })
  @ApiErrors(
    {
      status: 400,
      codes: ['VALIDATION_FAILED'],
      description: 'A path or body field breaks its rule (named by path); nothing stored',
    },
    HOUSEHOLD_NOT_FOUND,
    {
      status: 409,
      codes: ['HOUSEHOLD_ALREADY_MERGED', 'MERGE_REFUSED'],
      description:
        'The source was merged into another household, or the source or target is merged or erased',
    },
    {
      status: 422,
      codes: ['MERGE_INTO_ITSELF'],
      description: 'The source is the target',
    },
  )
  merge(
    @CurrentPrincipal() agent: Principal,
    @Param() params: MergeParamsDto,
    @Body() dto: MergeRequestDto,
  ): Promise<MergeDto> {
    return this.merges.merge(agent, params.targetId, dto, new Date());
  }
}
