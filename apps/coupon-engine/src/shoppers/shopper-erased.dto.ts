import { IsISO8601, IsUUID } from 'class-validator';

/** `loyalty-api.shopper-erased.v1` as the engine relies on it; anything else is poison. */
export class ShopperErasedDto {
  @IsUUID()
  householdId!: string;

  @IsISO8601({ strict: true })
  erasedAt!: string;
}
