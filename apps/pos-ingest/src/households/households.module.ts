import { Module } from '@nestjs/common';
import { ProductFactsQueries } from '../profiles/product-facts.queries';
import { ProfileSumsQueries } from '../profiles/profile-sums.queries';
import { ProfilesQueries } from '../profiles/profiles.queries';
import { HouseholdsConsumer } from './households.consumer';
import { HouseholdsQueries } from './households.queries';
import { HouseholdsService } from './households.service';

/** pos-ingest's copy of loyalty-api's households and cards, and the erasures it applies. */
@Module({
  providers: [
    HouseholdsConsumer,
    HouseholdsQueries,
    HouseholdsService,
    ProductFactsQueries,
    ProfileSumsQueries,
    ProfilesQueries,
  ],
})
export class HouseholdsModule {}
