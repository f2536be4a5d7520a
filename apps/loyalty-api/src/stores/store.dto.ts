import { ID_PATTERN, IsPrintableText } from '@loyalty/platform';
import { ApiProperty } from '@nestjs/swagger';
import { IsNotIn, IsString, Length, Matches } from 'class-validator';
import { STORE_ID_DOC, StoreIdRules } from '../shoppers/identity-fields';

/** The region the reports give the sales of stores not registered. */
export const UNKNOWN_REGION = 'unknown';

export class StoreParamsDto {
  @ApiProperty({ ...STORE_ID_DOC, description: "The store's id, as its lanes send it" })
  @StoreIdRules()
  storeId!: string;
}

/** `PUT /v1/stores/{storeId}`: the store's name and region. */
export class StoreDetailsDto {
  @ApiProperty({ example: 'Leeds Kirkstall', minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  @IsPrintableText()
  name!: string;

  @ApiProperty({
    example: 'north',
    maxLength: 64,
    pattern: ID_PATTERN.source,
    description: `The region the reports group the store under; not '${UNKNOWN_REGION}', which names the stores not registered`,
  })
  @IsString()
  @Length(1, 64)
  @Matches(ID_PATTERN, { message: '$property may hold letters, digits and . _ : - only' })
  @IsNotIn([UNKNOWN_REGION], {
    message: `region must not be '${UNKNOWN_REGION}' (stores not registered)`,
  })
  region!: string;
}

export class StoreDto extends StoreDetailsDto {
  @ApiProperty({ example: 'store-42' })
  storeId!: string;

  @ApiProperty()
  updatedAt!: string;
}

export class StoresDto {
  @ApiProperty({ type: [StoreDto], description: 'Every registered store, by id' })
  stores!: StoreDto[];
}
