import { Injectable } from '@nestjs/common';
import {
  OfferAlreadyRedeemedError,
  OfferNotApplicableError,
  OfferNotFoundError,
  OfferRedeemedV1,
  Quote,
  TOPICS,
  UnknownCardError,
  allocateDiscounts,
  assertOfferValidAt,
} from '@loyalty/domain';
import { OutboxRelay, appendToOutbox } from '@loyalty/kafka';
import { Terminal } from '@loyalty/platform';
import { randomUUID } from 'node:crypto';
import { DataSource, QueryFailedError } from 'typeorm';
import { OUTBOX_TABLE } from '../database/data-source';
import { CheckoutOffer, CheckoutOffersQuery } from './checkout-offers.query';
import { QuoteDto, QuoteRequestDto, RedeemRequestDto } from './checkout.dto';
import { Redemption } from './redemption.entity';

const UNIQUE_VIOLATION = '23505';

function toQuoteDto(quote: Quote, offers: readonly CheckoutOffer[], cardKnown: boolean): QuoteDto {
  const byCode = new Map(offers.map((o) => [o.code, o]));
  return {
    cardKnown,
    subtotalCents: quote.subtotalCents,
    discountCents: quote.discountCents,
    totalCents: quote.totalCents,
    offers: quote.appliedOffers.map((applied) => ({
      ...applied,
      validUntil: byCode.get(applied.code)?.validUntil ?? '',
    })),
  };
}

@Injectable()
export class CheckoutService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly offers: CheckoutOffersQuery,
    private readonly relay: OutboxRelay,
  ) {}

  /** The shopper's live offers that apply to this basket; an unknown card simply has none. */
  async quote(dto: QuoteRequestDto, now: Date): Promise<QuoteDto> {
    const manager = this.dataSource.manager;
    const shopperId = await this.offers.shopperForCard(manager, dto.cardNumber);
    const live = shopperId ? await this.offers.liveOffers(manager, shopperId, now) : [];
    return toQuoteDto(allocateDiscounts(dto.lines, live), live, shopperId !== null);
  }

  /**
   * Redeems the offers on this basket, all or none. Two lanes racing for one offer both insert a
   * redemption; UNIQUE (offer_id) lets exactly one commit and the other gets OFFER_ALREADY_REDEEMED.
   */
  async redeem(terminal: Terminal, dto: RedeemRequestDto, now: Date): Promise<QuoteDto> {
    const result = await this.dataSource.transaction(async (manager) => {
      const shopperId = await this.offers.shopperForCard(manager, dto.cardNumber);
      if (!shopperId) throw new UnknownCardError('No active shopper holds this card', 'cardNumber');
      const found = new Map(
        (await this.offers.offersByCode(manager, dto.offerCodes)).map((o) => [o.code, o]),
      );
      const requested = dto.offerCodes.map((code) => {
        const offer = found.get(code);
        if (!offer || offer.shopperId !== shopperId) {
          throw new OfferNotFoundError(`This card has no offer ${code}`, 'offerCodes');
        }
        if (offer.redeemed)
          throw new OfferAlreadyRedeemedError(`Offer ${code} was already redeemed`, 'offerCodes');
        assertOfferValidAt(offer, now);
        return offer;
      });
      const quote = allocateDiscounts(dto.lines, requested);
      const applied = new Map(quote.appliedOffers.map((a) => [a.code, a]));
      const redemptions = requested.map((offer) => {
        const discount = applied.get(offer.code);
        if (!discount)
          throw new OfferNotApplicableError(
            `Offer ${offer.code} gives nothing on this basket`,
            'offerCodes',
          );
        return {
          id: randomUUID(),
          offerId: offer.id,
          offerCode: offer.code,
          shopperId,
          storeId: terminal.storeId,
          terminalId: terminal.terminalId,
          posTransactionId: dto.posTransactionId,
          discountCents: discount.discountCents,
          redeemedAt: now,
        };
      });
      try {
        await manager.insert(Redemption, redemptions);
      } catch (error) {
        if (
          error instanceof QueryFailedError &&
          (error.driverError as { code?: string }).code === UNIQUE_VIOLATION
        ) {
          throw new OfferAlreadyRedeemedError(
            'An offer was redeemed by another checkout just now',
            'offerCodes',
          );
        }
        throw error;
      }
      await appendToOutbox(
        manager,
        OUTBOX_TABLE,
        redemptions.map((r) => ({
          topic: TOPICS.offerRedeemed,
          key: shopperId,
          value: {
            offerId: r.offerId,
            code: r.offerCode,
            shopperId,
            storeId: r.storeId,
            terminalId: r.terminalId,
            posTransactionId: r.posTransactionId,
            discountCents: r.discountCents,
            redeemedAt: now.toISOString(),
          } satisfies OfferRedeemedV1,
        })),
      );
      return toQuoteDto(quote, requested, true);
    });
    this.relay.wake();
    return result;
  }
}
