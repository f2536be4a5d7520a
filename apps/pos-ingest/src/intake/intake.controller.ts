import {
  Body,
  Controller,
  Headers,
  HttpCode,
  Post,
  UnsupportedMediaTypeException,
  UseGuards,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
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
  recordBulk(
    @CurrentTerminal() terminal: Terminal,
    @Headers('content-type') contentType: string | undefined,
    @Body() body: unknown,
  ): Promise<BulkResultDto> {
    if (typeof body !== 'string' || !contentType?.startsWith(NDJSON)) {
      throw new UnsupportedMediaTypeException(`Send ${NDJSON}: one JSON transaction per line`);
    }
    return this.intake.acceptBulk(terminal, body, new Date());
  }
}
