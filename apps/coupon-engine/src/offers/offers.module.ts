import { Module } from '@nestjs/common';
import { LiveRulesQuery } from './live-rules.query';
import { OfferEventsConsumer } from './offer-events.consumer';
import { OffersService } from './offers.service';

@Module({ providers: [LiveRulesQuery, OfferEventsConsumer, OffersService] })
export class OffersModule {}
