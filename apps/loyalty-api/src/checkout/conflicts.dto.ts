import { OFFLINE_CONFLICT_REASONS, OfflineConflictReason } from '@loyalty/domain';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { IsReason } from '../shoppers/identity-fields';

export const CONFLICT_RESOLUTIONS = ['accepted', 'recovered', 'written-off'] as const;
export type ConflictResolution = (typeof CONFLICT_RESOLUTIONS)[number];

export class ConflictListQueryDto {
  @ApiPropertyOptional({
    enum: ['open', 'resolved'],
    default: 'open',
    description: 'Open conflicts (oldest first) or resolved ones (latest first)',
  })
  @IsOptional()
  @IsIn(['open', 'resolved'])
  state?: 'open' | 'resolved';

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class ConflictParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id!: string;
}

/** `POST /v1/checkout/conflicts/{id}/resolution`. */
export class ConflictResolutionDto {
  @ApiProperty({
    enum: CONFLICT_RESOLUTIONS,
    description:
      'accepted: the discount stands (goodwill); recovered: the money was recovered from the shopper or store; written-off: a loss',
  })
  @IsIn(CONFLICT_RESOLUTIONS)
  resolution!: ConflictResolution;

  @IsReason()
  note!: string;
}

export class ConflictDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  storeId!: string;

  @ApiProperty()
  posTransactionId!: string;

  @ApiProperty()
  terminalId!: string;

  @ApiProperty()
  offerCode!: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, description: "The sale card's household" })
  householdId!: string | null;

  @ApiProperty({ description: 'What the offline lane gave' })
  discountCents!: number;

  @ApiProperty({ enum: OFFLINE_CONFLICT_REASONS })
  reason!: OfflineConflictReason;

  @ApiProperty({ description: 'When the sale happened' })
  occurredAt!: string;

  @ApiProperty()
  detectedAt!: string;

  @ApiPropertyOptional({ enum: CONFLICT_RESOLUTIONS, nullable: true })
  resolution!: ConflictResolution | null;

  @ApiPropertyOptional({ nullable: true })
  resolutionNote!: string | null;

  @ApiPropertyOptional({ nullable: true })
  resolvedBy!: string | null;

  @ApiPropertyOptional({ nullable: true })
  resolvedAt!: string | null;
}

export class ConflictListDto {
  @ApiProperty({ type: [ConflictDto] })
  conflicts!: ConflictDto[];
}
