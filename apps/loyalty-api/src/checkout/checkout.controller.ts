import { Body, Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiHeader,
  ApiNoContentResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CurrentTerminal, ForTerminals, IdempotencyKey, Terminal } from '@loyalty/platform';
import { QuoteDto, QuoteRequestDto, RedeemRequestDto, ReservationParamsDto } from './checkout.dto';
import { QUOTE_BODY, REDEEM_BODY } from './checkout-request.schema';
import { CheckoutService } from './checkout.service';

// A card the till must refuse; the lane sells without the card.
const CARD_REFUSED =
  'CARD_LOST (reported lost), CARD_BLOCKED (blocked by support), CARD_REPLACED (a newer card replaced it)';

@ApiTags('checkout')
@Controller('v1/checkout')
@ForTerminals()
@ApiBadRequestResponse({
  description:
    'VALIDATION_FAILED: every bad field by its path (e.g. `lines[2].sku`, or `idempotency-key` for a redemption without a good Idempotency-Key header); nothing recorded',
})
@ApiServiceUnavailableResponse({
  description: 'CHECKOUT_UNAVAILABLE: no answer within 2 s; sell without offers (Retry-After: 5)',
})
export class CheckoutController {
  constructor(private readonly checkout: CheckoutService) {}

  @Post('quote')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "The shopper's offers for this basket, with the discount each gives per line; with reserve, held for the sale",
  })
  @ApiOkResponse({ type: QuoteDto })
  @ApiUnprocessableEntityResponse({ description: CARD_REFUSED })
  @ApiBody({ type: QuoteRequestDto })
  quote(
    @CurrentTerminal() terminal: Terminal,
    // Judged by its compiled schema (QUOTE_BODY); the mapped type keeps the global
    // class-validator pipe off it.
    @Body(QUOTE_BODY) dto: Readonly<QuoteRequestDto>,
  ): Promise<QuoteDto> {
    return this.checkout.quote(terminal, dto, new Date());
  }

  @Post('redemptions')
  @HttpCode(200)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: true,
    description:
      "1 to 64 printable ASCII characters (no spaces), the lane's name for this redemption, scoped to its terminal: the same key and body again get the first answer (also while the first is still running); the same key with another body is 422 IDEMPOTENCY_KEY_REUSED",
    schema: { type: 'string', pattern: '^[\\x21-\\x7E]{1,64}$' },
  })
  @ApiOperation({
    summary:
      'Redeem offers on this basket, each single-use offer once; a retry with the same Idempotency-Key (or the same store and posTransactionId) and body gets the same 200',
  })
  @ApiBody({ type: RedeemRequestDto })
  @ApiOkResponse({ type: QuoteDto })
  @ApiNotFoundResponse({ description: 'UNKNOWN_CARD, OFFER_NOT_FOUND' })
  @ApiConflictResponse({
    description:
      'OFFER_ALREADY_REDEEMED (another checkout used it), OFFER_RESERVED (held by another checkout), ' +
      'OFFER_STATE_CONFLICT (it changed meanwhile), TRANSACTION_ID_REUSED (this posTransactionId ' +
      'was redeemed at this store with another body), BUDGET_EXHAUSTED (the rule has not enough ' +
      'of its money budget left), HOUSEHOLD_CAP_REACHED (the household used the rule as often as ' +
      'its cap allows in this period, on any of its cards), TRANSACTION_VOIDED (the POS voided ' +
      'this posTransactionId already)',
  })
  @ApiUnprocessableEntityResponse({
    description: `IDEMPOTENCY_KEY_REUSED (this terminal used the key for another body), OFFER_EXPIRED, OFFER_REVOKED, OFFER_NOT_APPLICABLE (not valid in this store, or gives nothing on this basket together with the other offers named; the message says why); ${CARD_REFUSED}`,
  })
  redeem(
    @CurrentTerminal() terminal: Terminal,
    @IdempotencyKey({ required: true }) idempotencyKey: string,
    @Body(REDEEM_BODY) dto: Readonly<RedeemRequestDto>,
  ): Promise<QuoteDto> {
    return this.checkout.redeem(terminal, dto, idempotencyKey, new Date());
  }

  @Delete('reservations/:posTransactionId')
  @HttpCode(204)
  @ApiOperation({
    summary:
      "Free the offers a quote with reserve holds for this store's sale (the lane gave up or the customer left); nothing held is fine",
  })
  @ApiNoContentResponse({ description: 'Nothing is held for the sale any more' })
  release(
    @CurrentTerminal() terminal: Terminal,
    @Param() params: ReservationParamsDto,
  ): Promise<void> {
    return this.checkout.release(terminal, params.posTransactionId);
  }
}
