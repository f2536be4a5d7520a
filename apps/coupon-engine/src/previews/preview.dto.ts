import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class PreviewQueryDto {
  @ApiProperty({ required: false, minimum: 0, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'sample must be a whole number' })
  @Min(0)
  @Max(100)
  sample: number = 20;
}

class PreviewSampleDto {
  @ApiProperty({ format: 'uuid', description: 'A household id: no identity' })
  householdId!: string;

  @ApiProperty({ description: 'In the rule’s control group: it would get no offer' })
  heldOut!: boolean;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The reason tree: each condition, whether it held and the household’s value',
  })
  reason!: object;
}

class ForecastDto {
  @ApiProperty({ description: 'Offers expected to be redeemed within their validity' })
  expectedRedemptions!: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Money off expected, in cents; null for rewards priced per unit or in points',
  })
  expectedDiscountCents!: number | null;
}

export class PreviewDto {
  @ApiProperty({ format: 'uuid' })
  ruleId!: string;

  @ApiProperty({ description: 'The rule version previewed: the current one' })
  version!: number;

  @ApiProperty({ example: '2026-12-02', description: 'The programme’s day the audience is for' })
  asOf!: string;

  @ApiProperty({ description: 'Households the audience holds for today' })
  audienceSize!: number;

  @ApiProperty({ description: 'Of them, held out as the control group' })
  controlGroupSize!: number;

  @ApiProperty({ type: [PreviewSampleDto] })
  sample!: PreviewSampleDto[];

  @ApiProperty({ type: ForecastDto })
  forecast!: ForecastDto;
}
