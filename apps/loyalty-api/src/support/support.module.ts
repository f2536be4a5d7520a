import { Module } from '@nestjs/common';
import { CheckoutOffersQuery } from '../checkout/checkout-offers.query';
import { ShoppersModule } from '../shoppers/shoppers.module';
import { ContactsService } from './contacts.service';
import { OfferReissuesService } from './offer-reissues.service';
import { ScreenPopQuery } from './screen-pop.query';
import { ScreenPopService } from './screen-pop.service';
import { ShopperInsightQuery } from './shopper-insight.query';
import { SupportController } from './support.controller';

/** The call centre's room: the screen pop, the contact log and offers given back. */
@Module({
  imports: [ShoppersModule],
  controllers: [SupportController],
  providers: [
    CheckoutOffersQuery,
    ContactsService,
    OfferReissuesService,
    ScreenPopQuery,
    ScreenPopService,
    ShopperInsightQuery,
  ],
})
export class SupportModule {}
