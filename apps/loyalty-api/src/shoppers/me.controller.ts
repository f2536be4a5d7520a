import { ApiErrors, CurrentPrincipal, ForRoles, Principal } from '@loyalty/platform';
import { Body, Controller, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EnrolmentService } from './enrolment.service';
import {
  AddCardDto,
  AddMemberDto,
  ConsentDto,
  DemographicsDto,
  EnrolmentDto,
  HouseholdDto,
  MemberDto,
  UpdateIdentityDto,
} from './household.dto';
import { HouseholdReadsService } from './household-reads.service';
import { HouseholdService } from './household.service';
import {
  CardParamsDto,
  ConsentWithHistoryDto,
  TransactionPageDto,
  TransactionsQueryDto,
} from './queries.dto';
import {
  CARD_CONFLICT,
  CARD_NOT_FOUND,
  ENROLMENT_CONFLICT,
  HOUSEHOLD_CLOSED,
  INVALID_INPUT,
  NOT_ACCOUNT_HOLDER,
  NOT_ENROLLED,
} from './shopper-errors';

/** The signed-in shopper's own household: whatever id they name, they reach only their own. */
@ApiTags('me')
@Controller('v1/me')
@ForRoles('shopper')
export class MeController {
  constructor(
    private readonly enrolment: EnrolmentService,
    private readonly households: HouseholdService,
    private readonly reads: HouseholdReadsService,
  ) {}

  @Post('enrolment')
  @ApiOperation({
    summary:
      'Enrol: a household with you as its account holder, with the card you name or a new digital card; the same enrolment again answers the same',
  })
  @ApiCreatedResponse({ type: HouseholdDto })
  @ApiErrors(INVALID_INPUT, ENROLMENT_CONFLICT)
  enrol(@CurrentPrincipal() shopper: Principal, @Body() dto: EnrolmentDto): Promise<HouseholdDto> {
    return this.enrolment.enrolSelf(shopper, dto, new Date());
  }

  @Get()
  @ApiOperation({ summary: 'Your household: identity, members, cards, consent, points and tier' })
  @ApiOkResponse({ type: HouseholdDto })
  @ApiErrors(NOT_ENROLLED)
  mine(@CurrentPrincipal() shopper: Principal): Promise<HouseholdDto> {
    return this.reads.mine(shopper);
  }

  @Patch()
  @ApiOperation({ summary: 'Change your details and preferences' })
  @ApiOkResponse({ type: HouseholdDto })
  @ApiErrors(INVALID_INPUT, NOT_ENROLLED, {
    status: 409,
    codes: ['EMAIL_ALREADY_REGISTERED'],
    description: 'The email belongs to another household',
  })
  update(
    @CurrentPrincipal() shopper: Principal,
    @Body() dto: UpdateIdentityDto,
  ): Promise<HouseholdDto> {
    return this.households.updateIdentity(shopper, dto, new Date());
  }

  @Get('transactions')
  @ApiOperation({ summary: "Your household's transactions with their lines, newest first, paged" })
  @ApiOkResponse({ type: TransactionPageDto })
  @ApiErrors(INVALID_INPUT, NOT_ENROLLED)
  transactions(
    @CurrentPrincipal() shopper: Principal,
    @Query() query: TransactionsQueryDto,
  ): Promise<TransactionPageDto> {
    return this.reads.myTransactions(shopper, query.limit, query.cursor);
  }

  @Post('members')
  @ApiOperation({ summary: 'Add a member to your household (account holder)' })
  @ApiCreatedResponse({ type: MemberDto })
  @ApiErrors(INVALID_INPUT, NOT_ACCOUNT_HOLDER, NOT_ENROLLED, HOUSEHOLD_CLOSED)
  addMember(@CurrentPrincipal() shopper: Principal, @Body() dto: AddMemberDto): Promise<MemberDto> {
    return this.households.addMember(shopper, dto, new Date());
  }

  @Post('cards')
  @ApiOperation({
    summary:
      'Add a card or key fob to your household (account holder); one used at a till brings its points',
  })
  @ApiCreatedResponse({ type: HouseholdDto })
  @ApiErrors(INVALID_INPUT, NOT_ACCOUNT_HOLDER, CARD_NOT_FOUND, CARD_CONFLICT)
  addCard(@CurrentPrincipal() shopper: Principal, @Body() dto: AddCardDto): Promise<HouseholdDto> {
    return this.households.addCard(shopper, dto, new Date());
  }

  @Post('cards/:cardNumber/lost')
  @HttpCode(200)
  @ApiOperation({ summary: 'Report a card of your household lost; it is refused at the tills' })
  @ApiOkResponse({ type: HouseholdDto })
  @ApiErrors(INVALID_INPUT, CARD_NOT_FOUND, CARD_CONFLICT, HOUSEHOLD_CLOSED)
  reportLost(
    @CurrentPrincipal() shopper: Principal,
    @Param() params: CardParamsDto,
  ): Promise<HouseholdDto> {
    return this.households.changeCard(
      { kind: 'shopper', principal: shopper },
      null,
      params.cardNumber,
      'reportLost',
      new Date(),
    );
  }

  @Get('consent')
  @ApiOperation({ summary: 'What your household agreed to, and every change with who and when' })
  @ApiOkResponse({ type: ConsentWithHistoryDto })
  @ApiErrors(NOT_ENROLLED)
  consent(@CurrentPrincipal() shopper: Principal): Promise<ConsentWithHistoryDto> {
    return this.reads.myConsent(shopper);
  }

  @Put('demographics')
  @ApiOperation({
    summary:
      'Declare age band, household size and income band, each or null for "prefer not to say" (account holder)',
  })
  @ApiOkResponse({ type: DemographicsDto })
  @ApiErrors(INVALID_INPUT, NOT_ACCOUNT_HOLDER, NOT_ENROLLED, HOUSEHOLD_CLOSED)
  setDemographics(
    @CurrentPrincipal() shopper: Principal,
    @Body() dto: DemographicsDto,
  ): Promise<DemographicsDto> {
    return this.households.setDemographics(shopper, dto, new Date());
  }

  @Put('consent')
  @ApiOperation({ summary: 'Give or withdraw consent per purpose (account holder)' })
  @ApiOkResponse({ type: ConsentDto })
  @ApiErrors(INVALID_INPUT, NOT_ACCOUNT_HOLDER, NOT_ENROLLED, HOUSEHOLD_CLOSED)
  setConsent(@CurrentPrincipal() shopper: Principal, @Body() dto: ConsentDto): Promise<ConsentDto> {
    return this.households.setConsent(
      { kind: 'shopper', principal: shopper },
      null,
      dto,
      new Date(),
    );
  }
}
