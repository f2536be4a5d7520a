import {
  ApiErrors,
  CurrentPrincipal,
  ErrorSpec,
  ForRoles,
  IdempotencyKey,
  Principal,
} from '@loyalty/platform';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  IntersectionType,
} from '@nestjs/swagger';
import { OfferCodeParamsDto } from '../offers/my-offers.dto';
import { HouseholdParamsDto } from '../shoppers/queries.dto';
import { HOUSEHOLD_NOT_FOUND, INVALID_INPUT } from '../shoppers/shopper-errors';
import { ContactsService } from './contacts.service';
import { OfferReissuesService } from './offer-reissues.service';
import {
  ContactDto,
  ContactRequestDto,
  ReissueRequestDto,
  ReissuedOfferDto,
  ScreenPopDto,
  ScreenPopQueryDto,
} from './screen-pop.dto';
import { ScreenPopService } from './screen-pop.service';

const IDEMPOTENCY_KEY_HEADER = {
  name: 'Idempotency-Key',
  required: true,
  description:
    "1 to 64 printable ASCII characters (no spaces), the agent's name for this action: the same key and body again get the first answer (also while the first is still running); the same key with another body is 422 IDEMPOTENCY_KEY_REUSED",
  schema: { type: 'string', pattern: '^[\\x21-\\x7E]{1,64}$' },
} as const;

const KEY_REUSED: ErrorSpec = {
  status: 422,
  codes: ['IDEMPOTENCY_KEY_REUSED'],
  description: 'You used this Idempotency-Key for another request',
};

class ReissueParamsDto extends IntersectionType(HouseholdParamsDto, OfferCodeParamsDto) {}

/** The call centre: the screen pop, the contact log and offers given back. */
@ApiTags('support')
@Controller('v1/support')
@ForRoles('support', 'admin')
export class SupportController {
  constructor(
    private readonly screenPops: ScreenPopService,
    private readonly contacts: ContactsService,
    private readonly reissues: OfferReissuesService,
  ) {}

  @Get('screen-pop')
  @ApiOperation({
    summary:
      'Everything about a caller in one answer, found by exactly one of phone, card, email or householdId: identity (card numbers masked), cards, members, consent, tier, points and the latest ledger entries, the last transactions with their lines, favourite departments and stores, likely next purchases and what goes with the last purchase (with consent to profiling), live and reissuable offers with their reasons, and past contacts. Audited as an identity read. Goodwill points: POST /v1/support/households/{id}/points-adjustments',
  })
  @ApiOkResponse({ type: ScreenPopDto })
  @ApiErrors(
    INVALID_INPUT,
    {
      status: 404,
      codes: ['HOUSEHOLD_NOT_FOUND'],
      description: 'No household has this phone, card, email or id (or it was erased)',
    },
    {
      status: 409,
      codes: ['SEVERAL_HOUSEHOLDS'],
      description: 'Several households share this phone or email: look up by card or householdId',
    },
  )
  screenPop(
    @CurrentPrincipal() agent: Principal,
    @Query() query: ScreenPopQueryDto,
  ): Promise<ScreenPopDto> {
    return this.screenPops.screenPop(agent, query, new Date());
  }

  @Post('households/:id/contacts')
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  @ApiOperation({
    summary: 'Log a contact with the household (channel, reason, outcome, note); audited',
  })
  @ApiCreatedResponse({ type: ContactDto })
  @ApiErrors(INVALID_INPUT, HOUSEHOLD_NOT_FOUND, KEY_REUSED)
  logContact(
    @CurrentPrincipal() agent: Principal,
    @Param() params: HouseholdParamsDto,
    @IdempotencyKey({ required: true }) idempotencyKey: string,
    @Body() dto: ContactRequestDto,
  ): Promise<ContactDto> {
    return this.contacts.log(agent, params.id, dto, idempotencyKey, new Date());
  }

  @Post('households/:id/offers/:code/reissue')
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  @ApiOperation({
    summary:
      'Give an expired offer back: once per offer, if it expired at most SUPPORT_REISSUE_WITHIN_DAYS ago; valid SUPPORT_REISSUE_VALID_DAYS more, same code, rule and limits; audited with the reason',
  })
  @ApiOkResponse({ type: ReissuedOfferDto })
  @ApiErrors(
    INVALID_INPUT,
    {
      status: 404,
      codes: ['HOUSEHOLD_NOT_FOUND', 'OFFER_NOT_FOUND'],
      description: 'No such household, or the household has no offer with this code',
    },
    {
      status: 409,
      codes: ['OFFER_ALREADY_REDEEMED', 'OFFER_RESERVED', 'OFFER_STATE_CONFLICT'],
      description: 'The offer was redeemed, is held by a checkout, or is still valid',
    },
    {
      status: 422,
      codes: ['OFFER_REVOKED', 'OFFER_REISSUE_REFUSED', 'IDEMPOTENCY_KEY_REUSED'],
      description:
        'The offer was revoked, was reissued before, or expired too long ago; or the Idempotency-Key was used for another request',
    },
  )
  reissue(
    @CurrentPrincipal() agent: Principal,
    @Param() params: ReissueParamsDto,
    @IdempotencyKey({ required: true }) idempotencyKey: string,
    @Body() dto: ReissueRequestDto,
  ): Promise<ReissuedOfferDto> {
    return this.reissues.reissue(agent, params.id, params.code, dto, idempotencyKey, new Date());
  }
}
