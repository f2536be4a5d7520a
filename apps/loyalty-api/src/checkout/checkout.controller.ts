import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentTerminal, ForTerminals, Terminal } from '@loyalty/platform';
import { QuoteDto, QuoteRequestDto, RedeemRequestDto } from './checkout.dto';
import { CheckoutService } from './checkout.service';

@ApiTags('checkout')
@Controller('v1/checkout')
@ForTerminals()
export class CheckoutController {
  constructor(private readonly checkout: CheckoutService) {}

  @Post('quote')
  @HttpCode(200)
  @ApiOperation({
    summary: "The shopper's offers for this basket, with the discount each gives per line",
  })
  @ApiOkResponse({ type: QuoteDto })
  quote(@CurrentTerminal() terminal: Terminal, @Body() dto: QuoteRequestDto): Promise<QuoteDto> {
    return this.checkout.quote(terminal, dto, new Date());
  }

  @Post('redemptions')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Redeem offers on this basket; each single-use offer succeeds once (409 after)',
  })
  @ApiOkResponse({ type: QuoteDto })
  redeem(@CurrentTerminal() terminal: Terminal, @Body() dto: RedeemRequestDto): Promise<QuoteDto> {
    return this.checkout.redeem(terminal, dto, new Date());
  }
}
