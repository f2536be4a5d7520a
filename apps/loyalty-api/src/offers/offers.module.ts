import { Module } from '@nestjs/common';
import { OfferWalletConsumer } from './offer-wallet.consumer';
import { OfferWalletService } from './offer-wallet.service';

@Module({ providers: [OfferWalletConsumer, OfferWalletService] })
export class OffersModule {}
