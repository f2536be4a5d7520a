import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RulesModule } from '../rules/rules.module';
import { OfferEventsConsumer } from './offer-events.consumer';
import { Offer } from './offer.entity';
import { OffersService } from './offers.service';

@Module({
  imports: [TypeOrmModule.forFeature([Offer]), RulesModule],
  providers: [OfferEventsConsumer, OffersService],
})
export class OffersModule {}
