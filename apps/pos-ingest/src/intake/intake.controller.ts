import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  SchemaObject,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';

import { ThrottlerGuard } from '@nestjs/throttler';
import { CurrentTerminal, ForTerminals, Terminal } from '@loyalty/platform';
import { IntakeService } from './intake.service';
import { NDJSON } from './ndjson.parser';
import { BulkResultDto, TransactionAcceptedDto } from './intake.dto';
import { RECORD_TRANSACTION_SCHEMA } from '../transactions/transaction.schema';

@ApiTags('transactions')
@Controller('v1/transactions')
@ForTerminals()
@UseGuards(ThrottlerGuard)
@ApiTooManyRequestsResponse({
  description: "The store's rate limit is reached: retry after Retry-After",
})
@ApiServiceUnavailableResponse({
  description: 'Not accepted (broker unavailable): keep the sales, retry after Retry-After',
})
export class IntakeController {
  constructor(private readonly intake: IntakeService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Record a finished POS transaction (durably accepted when this answers 202)',
  })
  @ApiBody({ schema: RECORD_TRANSACTION_SCHEMA as SchemaObject })
  @ApiAcceptedResponse({ type: TransactionAcceptedDto })
  async record(
    @CurrentTerminal() terminal: Terminal,
    @Body() body: unknown,
  ): Promise<TransactionAcceptedDto> {
    const tx = await this.intake.accept(terminal, body, new Date());
    return { posTransactionId: tx.posTransactionId, status: 'accepted' };
  }

  @Post('bulk')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Record many transactions (a terminal back online): one JSON transaction per line, a result per line',
  })
  @ApiConsumes(NDJSON)
  @ApiBody({
    schema: {
      type: 'string',
      example: '{"posTransactionId":"lane-3:1",...}\n{"posTransactionId":"lane-3:2",...}',
    },
  })
  @ApiOkResponse({ type: BulkResultDto })
  recordBulk(@CurrentTerminal() terminal: Terminal, @Body() body: string): Promise<BulkResultDto> {
    return this.intake.acceptBulk(terminal, body, new Date());
  }
}
