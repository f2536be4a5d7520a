import { Module } from '@nestjs/common';
import { CheckoutOffersQuery } from '../checkout/checkout-offers.query';
import { ShoppersModule } from '../shoppers/shoppers.module';
import { MyOffersController } from './my-offers.controller';
import { MyOffersService } from './my-offers.service';
import { OfferWalletConsumer } from './offer-wallet.consumer';
import { OfferWalletService } from './offer-wallet.service';

@Module({
  imports: [ShoppersModule],
  controllers: [MyOffersController],
  providers: [CheckoutOffersQuery, MyOffersService, OfferWalletConsumer, OfferWalletService],
})
export class OffersModule {}
