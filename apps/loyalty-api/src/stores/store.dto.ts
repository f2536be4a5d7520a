import { ID_PATTERN, IsPrintableText } from '@loyalty/platform';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';

/** An id as the POS and the reports name it: letters, digits and . _ : - (1-64). */
const IsId = (example: string, description: string): PropertyDecorator =>
  applyDecorators(
    ApiProperty({ example, maxLength: 64, pattern: ID_PATTERN.source, description }),
    IsString(),
    Length(1, 64),
    Matches(ID_PATTERN, { message: '$property may hold letters, digits and . _ : - only' }),
  );

export class StoreParamsDto {
  @IsId('store-42', "The store's id, as its lanes send it")
  storeId!: string;
}

/** `PUT /v1/stores/{storeId}`: the store's name and region. */
export class StoreDetailsDto {
  @ApiProperty({ example: 'Leeds Kirkstall', minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  @IsPrintableText()
  name!: string;

  @IsId('north', 'The region the reports group the store under')
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
