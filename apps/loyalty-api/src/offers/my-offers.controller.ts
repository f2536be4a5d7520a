import { ApiErrors, CurrentPrincipal, ForRoles, Principal } from '@loyalty/platform';
import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { INVALID_INPUT, NOT_ENROLLED } from '../shoppers/shopper-errors';
import { MyOfferDto, MyOffersDto, OfferCodeParamsDto } from './my-offers.dto';
import { MyOffersService } from './my-offers.service';

/** The signed-in shopper's offers: what they may use, and clipping one to their cards. */
@ApiTags('me')
@Controller('v1/me/offers')
@ForRoles('shopper')
export class MyOffersController {
  constructor(private readonly offers: MyOffersService) {}

  @Get()
  @ApiOperation({ summary: 'Your usable offers, the soonest to expire first' })
  @ApiOkResponse({ type: MyOffersDto })
  @ApiErrors(NOT_ENROLLED)
  async list(@CurrentPrincipal() shopper: Principal): Promise<MyOffersDto> {
    return { offers: await this.offers.list(shopper, new Date()) };
  }

  @Post(':code/clip')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Clip an offer to your cards: a clip-only offer applies at the checkout from now on; clipping again changes nothing',
  })
  @ApiOkResponse({ type: MyOfferDto })
  @ApiErrors(
    INVALID_INPUT,
    NOT_ENROLLED,
    { status: 404, codes: ['OFFER_NOT_FOUND'], description: 'You have no such offer' },
    {
      status: 409,
      codes: ['OFFER_ALREADY_REDEEMED', 'OFFER_RESERVED', 'OFFER_STATE_CONFLICT'],
      description: 'It was used, a checkout holds it right now, or it changed meanwhile',
    },
    {
      status: 422,
      codes: ['OFFER_EXPIRED', 'OFFER_REVOKED'],
      description: 'It is no longer valid',
    },
  )
  clip(
    @CurrentPrincipal() shopper: Principal,
    @Param() params: OfferCodeParamsDto,
  ): Promise<MyOfferDto> {
    return this.offers.clip(shopper, params.code, new Date());
  }
}
