import { ID_PATTERN, STORE_ID_MAX_LENGTH } from '@loyalty/platform';
import { IsISO8601, IsInt, IsString, Length, Matches, Min } from 'class-validator';

// `loyalty-api.store-changed.v1` as the engine relies on it; anything else is poison.
export class StoreChangedDto {
  @IsString()
  @Length(1, STORE_ID_MAX_LENGTH)
  @Matches(ID_PATTERN)
  storeId!: string;

  @IsInt()
  @Min(1)
  version!: number;

  @IsString()
  @Length(1, 64)
  @Matches(ID_PATTERN)
  region!: string;

  @IsISO8601({ strict: true })
  changedAt!: string;
}
