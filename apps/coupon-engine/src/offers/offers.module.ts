import { Module } from '@nestjs/common';
import { RulesModule } from '../rules/rules.module';
import { OfferEventsConsumer } from './offer-events.consumer';
import { OffersService } from './offers.service';

@Module({
  imports: [RulesModule],
  providers: [OfferEventsConsumer, OffersService],
})
export class OffersModule {}
