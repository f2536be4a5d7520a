import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LiveRulesQuery } from './live-rules.query';
import { OfferEventsConsumer } from './offer-events.consumer';
import { Offer } from './offer.entity';
import { OffersService } from './offers.service';

@Module({
  imports: [TypeOrmModule.forFeature([Offer])],
  providers: [LiveRulesQuery, OfferEventsConsumer, OffersService],
})
export class OffersModule {}
