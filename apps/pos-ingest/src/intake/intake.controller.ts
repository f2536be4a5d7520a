import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  SchemaObject,
  ApiTags,
} from '@nestjs/swagger';

import { ThrottlerGuard } from '@nestjs/throttler';
import { ApiErrors, CurrentTerminal, ForTerminals, Terminal } from '@loyalty/platform';
import { IntakeService, MAX_BULK_LINES } from './intake.service';
import { NDJSON } from './ndjson.parser';
import { BulkResultDto, TransactionAcceptedDto } from './intake.dto';
import { RECORD_TRANSACTION_SCHEMA } from '../transactions/transaction.schema';

@ApiTags('transactions')
@Controller('v1/transactions')
@ForTerminals()
@UseGuards(ThrottlerGuard)
@ApiErrors(
  {
    status: 403,
    codes: ['WRONG_STORE', 'WRONG_TERMINAL'],
    description: 'The transaction names another store or lane than the API key',
  },
  {
    status: 429,
    codes: ['TOO_MANY_REQUESTS'],
    description:
      "The store's allowance (STORE_REQUESTS_PER_MINUTE, single and bulk together) is used up: retry after Retry-After",
  },
  {
    status: 503,
    codes: ['INTAKE_UNAVAILABLE'],
    description: 'Not accepted (broker unavailable): keep the sales, retry after Retry-After',
  },
)
export class IntakeController {
  constructor(private readonly intake: IntakeService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Record a finished POS transaction (durably accepted when this answers 202)',
  })
  @ApiBody({ schema: RECORD_TRANSACTION_SCHEMA as SchemaObject })
  @ApiAcceptedResponse({ type: TransactionAcceptedDto })
  @ApiErrors({
    status: 409,
    codes: ['TRANSACTION_ID_REUSED'],
    description:
      'This store already sent another transaction under this posTransactionId (an identical retry is answered 202)',
  })
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
    description: `NDJSON: one transaction per line, each the body of POST /v1/transactions (schema in x-ndjson-line); at most ${MAX_BULK_LINES} lines and 16 MB`,
    schema: {
      type: 'string',
      example: '{"posTransactionId":"lane-3:1",...}\n{"posTransactionId":"lane-3:2",...}',
      'x-ndjson-line': RECORD_TRANSACTION_SCHEMA,
    } as SchemaObject,
  })
  @ApiOkResponse({
    type: BulkResultDto,
    description: 'A result per line: accepted, or rejected with its code and at most 5 bad fields',
  })
  @ApiErrors({
    status: 413,
    codes: ['TOO_MANY_LINES', 'PAYLOAD_TOO_LARGE'],
    description: `More than ${MAX_BULK_LINES} transactions, or more than 16 MB`,
  })
  recordBulk(@CurrentTerminal() terminal: Terminal, @Body() body: string): Promise<BulkResultDto> {
    return this.intake.acceptBulk(terminal, body, new Date());
  }
}
