import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentTerminal, ForTerminals, Terminal } from '@loyalty/platform';
import { IntakeService } from './intake.service';
import { RecordTransactionDto, TransactionAcceptedDto } from './record-transaction.dto';

@ApiTags('transactions')
@Controller('v1/transactions')
export class IntakeController {
  constructor(private readonly intake: IntakeService) {}

  @Post()
  @HttpCode(202)
  @ForTerminals()
  @ApiOperation({
    summary: 'Record a finished POS transaction (durably accepted when this answers 202)',
  })
  @ApiAcceptedResponse({ type: TransactionAcceptedDto })
  @ApiServiceUnavailableResponse({
    description: 'Not accepted (broker unavailable): keep the sale, retry after Retry-After',
  })
  async record(
    @CurrentTerminal() terminal: Terminal,
    @Body() dto: RecordTransactionDto,
  ): Promise<TransactionAcceptedDto> {
    await this.intake.accept(terminal, dto, new Date());
    return { posTransactionId: dto.posTransactionId, status: 'accepted' };
  }
}
