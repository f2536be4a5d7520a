import { REWARD_KINDS } from '@loyalty/domain';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Matches } from 'class-validator';

export class MyOfferDto {
  @ApiProperty({ example: 'K7Q2M9XD4T' })
  code!: string;

  @ApiProperty({ example: '10% off DAIRY' })
  description!: string;

  @ApiProperty({ enum: REWARD_KINDS })
  kind!: string;

  @ApiProperty({ enum: ['issued', 'clipped'] })
  state!: 'issued' | 'clipped';

  @ApiProperty({ description: 'It applies at the checkout only once clipped' })
  clipRequired!: boolean;

  @ApiPropertyOptional({ nullable: true, type: [String], description: 'Only in these stores' })
  stores!: string[] | null;

  @ApiProperty()
  validFrom!: string;

  @ApiProperty()
  validUntil!: string;
}

export class MyOffersDto {
  @ApiProperty({
    type: [MyOfferDto],
    description: 'Your usable offers, the soonest to expire first',
  })
  offers!: MyOfferDto[];
}

export class OfferCodeParamsDto {
  @ApiProperty({ example: 'K7Q2M9XD4T', pattern: '^[0-9A-Z]{1,32}$' })
  @Matches(/^[0-9A-Z]{1,32}$/, { message: 'code must be an offer code (A-Z, 0-9)' })
  code!: string;
}
