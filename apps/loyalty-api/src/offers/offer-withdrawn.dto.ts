import {
  OFFER_WITHDRAWAL_CAUSES,
  OFFER_WITHDRAWAL_KINDS,
  OfferWithdrawalCause,
  OfferWithdrawalKind,
  OfferWithdrawnV1,
  withdrawalKind,
} from '@loyalty/domain';
import { PoisonMessageError } from '@loyalty/kafka';
import { parseMessage } from '@loyalty/platform';
import { IsIn, IsISO8601, IsInt, IsUUID, Min, ValidateIf } from 'class-validator';

// `coupon-engine.offer-withdrawn.v1` as the wallet relies on it; anything else is poison
// (dead-lettered).

class OfferWithdrawnDto {
  @IsUUID()
  offerId!: string;

  @IsUUID()
  householdId!: string;

  @IsUUID()
  ruleId!: string;

  // Null for an offer of a retired v1 rule; never left out.
  @ValidateIf((o: OfferWithdrawnDto) => o.ruleVersion !== null)
  @IsInt()
  @Min(1)
  ruleVersion!: number | null;

  @IsIn(OFFER_WITHDRAWAL_KINDS)
  kind!: OfferWithdrawalKind;

  @IsIn(OFFER_WITHDRAWAL_CAUSES)
  cause!: OfferWithdrawalCause;

  @IsISO8601({ strict: true })
  withdrawnAt!: string;
}

export function parseOfferWithdrawn(value: Buffer | null): OfferWithdrawnV1 {
  const event = parseMessage(OfferWithdrawnDto, value) as OfferWithdrawnV1;
  if (event.kind !== withdrawalKind(event.cause))
    throw new PoisonMessageError(`kind: ${event.kind} is not what ${event.cause} makes`);
  return event;
}
