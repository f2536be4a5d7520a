import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

// The intake's answers; the transaction itself is the JSON Schema in transactions/transaction.schema.ts.

export class TransactionAcceptedDto {
  @ApiProperty()
  posTransactionId!: string;

  @ApiProperty({ enum: ['accepted'] })
  status!: 'accepted';
}

export class BulkLineErrorDto {
  @ApiProperty({ example: 'lines[0].amountCents' })
  field!: string;

  @ApiProperty({ type: [String] })
  messages!: string[];
}

export class BulkLineResultDto {
  @ApiProperty({ description: 'Line number in the upload, from 1' })
  line!: number;

  @ApiPropertyOptional()
  posTransactionId?: string;

  @ApiProperty({ enum: ['accepted', 'rejected'] })
  status!: 'accepted' | 'rejected';

  @ApiPropertyOptional({ example: 'VALIDATION_FAILED' })
  code?: string;

  @ApiPropertyOptional({ type: [BulkLineErrorDto] })
  errors?: BulkLineErrorDto[];
}

export class BulkResultDto {
  @ApiProperty()
  accepted!: number;

  @ApiProperty()
  rejected!: number;

  @ApiProperty({ type: [BulkLineResultDto] })
  results!: BulkLineResultDto[];
}
