import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import {
  Offer,
  OfferAlreadyRedeemedError,
  OfferRedeemedV1,
  Quote,
  TOPICS,
  UnknownCardError,
  allocateDiscounts,
  decideRedemption,
  orderForCheckout,
} from '@loyalty/domain';
import { Outbox } from '@loyalty/kafka';
import { DeadlineExceededError, Terminal, withDeadline } from '@loyalty/platform';
import { randomUUID } from 'node:crypto';
import { DataSource, QueryFailedError } from 'typeorm';
import { CheckoutOffersQuery } from './checkout-offers.query';
import { QuoteDto, QuoteRequestDto, RedeemRequestDto } from './checkout.dto';
import { Redemption } from './redemption.entity';

const UNIQUE_VIOLATION = '23505';

// The lane waits at most this long for us; then it sells without offers. A redemption that
// commits after its 503 is answered as before when the POS retries with the same transaction id.
const LANE_BUDGET_MS = 2_000;

async function withinLaneBudget<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await withDeadline(work(), LANE_BUDGET_MS, 'Checkout');
  } catch (error) {
    if (!(error instanceof DeadlineExceededError)) throw error;
    throw new ServiceUnavailableException({
      code: 'CHECKOUT_UNAVAILABLE',
      message: 'Sell without offers',
    });
  }
}

function toQuoteDto(quote: Quote, offers: readonly Offer[], cardKnown: boolean): QuoteDto {
  const validUntil = new Map(offers.map((o) => [o.code, o.validUntil]));
  return {
    cardKnown,
    subtotalCents: quote.subtotalCents,
    discountCents: quote.discountCents,
    totalCents: quote.totalCents,
    offers: quote.appliedOffers.map((applied) => ({
      ...applied,
      validUntil: validUntil.get(applied.code) as string,
    })),
  };
}

@Injectable()
export class CheckoutService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly offers: CheckoutOffersQuery,
    private readonly outbox: Outbox,
  ) {}

  /** The shopper's live offers that apply to this basket; an unknown card simply has none. */
  async quote(dto: QuoteRequestDto, now: Date): Promise<QuoteDto> {
    const manager = this.dataSource.manager;
    const shopperId = await this.offers.shopperForCard(manager, dto.cardNumber);
    const live = shopperId
      ? orderForCheckout(await this.offers.liveOffers(manager, shopperId, now))
      : [];
    return toQuoteDto(allocateDiscounts(dto.lines, live), live, shopperId !== null);
  }

  /**
   * Redeems the offers on this basket, all or none. Two lanes racing for one offer both insert a
   * redemption; UNIQUE (offer_id) lets exactly one commit and the other gets OFFER_ALREADY_REDEEMED.
   */
  redeem(terminal: Terminal, dto: RedeemRequestDto, now: Date): Promise<QuoteDto> {
    return withinLaneBudget(() => this.redeemNow(terminal, dto, now));
  }

  private async redeemNow(terminal: Terminal, dto: RedeemRequestDto, now: Date): Promise<QuoteDto> {
    const result = await this.dataSource.transaction(async (manager) => {
      const shopperId = await this.offers.shopperForCard(manager, dto.cardNumber);
      if (!shopperId) throw new UnknownCardError('No active shopper holds this card', 'cardNumber');
      const onFile = await this.offers.offersByCode(manager, dto.offerCodes);
      const request = { ...dto, shopperId, storeId: terminal.storeId, codes: dto.offerCodes };
      const decision = decideRedemption(request, onFile, now);
      const offers = dto.offerCodes.map((code) => onFile.get(code) as Offer);
      if (decision.kind === 'replay')
        return { quote: toQuoteDto(decision.quote, offers, true), redeemed: false };

      const discounts = new Map(decision.quote.appliedOffers.map((a) => [a.code, a.discountCents]));
      const redemptions = decision.offers.map((offer) => ({
        id: randomUUID(),
        offerId: offer.id,
        offerCode: offer.code,
        shopperId,
        storeId: terminal.storeId,
        terminalId: terminal.terminalId,
        posTransactionId: dto.posTransactionId,
        discountCents: discounts.get(offer.code) as number,
        redeemedAt: now,
      }));
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
      await this.outbox.append(
        manager,
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
      return { quote: toQuoteDto(decision.quote, offers, true), redeemed: true };
    });
    return result.quote;
  }
}
