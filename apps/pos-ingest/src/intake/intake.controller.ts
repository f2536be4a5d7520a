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
import { ThrottlerGuard } from '@nestjs/throttler';
import { CurrentTerminal, ForTerminals, Terminal } from '@loyalty/platform';
import { IntakeService } from './intake.service';
import { NDJSON } from './ndjson.parser';
import {
  BulkResultDto,
  RecordTransactionDto,
  TransactionAcceptedDto,
} from './record-transaction.dto';

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
  @ApiAcceptedResponse({ type: TransactionAcceptedDto })
  async record(
    @CurrentTerminal() terminal: Terminal,
    @Body() dto: RecordTransactionDto,
  ): Promise<TransactionAcceptedDto> {
    await this.intake.accept(terminal, dto, new Date());
    return { posTransactionId: dto.posTransactionId, status: 'accepted' };
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
