import { Injectable } from '@nestjs/common';
import {
  NotEnrolledError,
  Offer,
  OfferNotFoundError,
  clipOffer,
  describeReward,
} from '@loyalty/domain';
import { Principal } from '@loyalty/platform';
import { DataSource, EntityManager } from 'typeorm';
import { CheckoutOffersQuery } from '../checkout/checkout-offers.query';
import { HouseholdRecordQuery } from '../shoppers/household-record.query';
import { MyOfferDto } from './my-offers.dto';

function toDto(offer: Offer): MyOfferDto {
  return {
    code: offer.code,
    description: describeReward(offer.reward),
    kind: offer.reward.kind,
    state: offer.state === 'clipped' ? 'clipped' : 'issued',
    clipRequired: offer.clipRequired,
    stores: offer.stores,
    validFrom: offer.validFrom,
    validUntil: offer.validUntil,
  };
}

/** The signed-in shopper's wallet: the offers they may use, and clipping them to the card. */
@Injectable()
export class MyOffersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly records: HouseholdRecordQuery,
    private readonly offers: CheckoutOffersQuery,
  ) {}

  async list(shopper: Principal, now: Date): Promise<MyOfferDto[]> {
    const householdId = await this.householdOf(this.dataSource.manager, shopper);
    const usable = await this.offers.usableOffers(this.dataSource.manager, householdId, now);
    return usable
      .sort((a, b) => a.validUntil.localeCompare(b.validUntil) || a.code.localeCompare(b.code))
      .map(toDto);
  }

  /**
   * Clips the offer to the household's cards (`clipOffer`: a clip-only offer applies at the
   * checkout from now on); clipping again changes nothing.
   */
  async clip(shopper: Principal, code: string, now: Date): Promise<MyOfferDto> {
    return this.dataSource.transaction(async (m) => {
      const householdId = await this.householdOf(m, shopper);
      const offer = (await this.offers.offersByCode(m, [code])).get(code);
      if (!offer || offer.shopperId !== householdId)
        throw new OfferNotFoundError(`You have no offer ${code}`, 'code');
      const clipped = clipOffer(offer, now);
      if (clipped !== offer)
        await m.query(
          `UPDATE loyalty.offers SET state = 'clipped', clipped_at = $2
            WHERE id = $1 AND state = 'issued'`,
          [offer.id, now],
        );
      return toDto(clipped);
    });
  }

  private async householdOf(m: EntityManager, shopper: Principal): Promise<string> {
    const member = await this.records.memberBySubject(m, shopper.subject);
    if (!member) throw new NotEnrolledError('You have not enrolled yet');
    return member.householdId;
  }
}
