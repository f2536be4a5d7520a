import { Module } from '@nestjs/common';
import { CardsQueries } from '../cards/cards.queries';
import { ProfileFactsModule } from '../profiles/profile-facts.module';
import { ProfileSumsQueries } from '../profiles/profile-sums.queries';
import { ProfilesQueries } from '../profiles/profiles.queries';
import { StoreSalesQueries } from '../store-sales/store-sales.queries';
import { ProjectionService } from './projection.service';
import { TransactionsConsumer } from './transactions.consumer';
import { TransactionsQueries } from './transactions.queries';

/** The projector: transactions from the stream into cards, profiles, their sums and store sales. */
@Module({
  imports: [ProfileFactsModule],
  providers: [
    CardsQueries,
    ProfileSumsQueries,
    ProfilesQueries,
    ProjectionService,
    StoreSalesQueries,
    TransactionsConsumer,
    TransactionsQueries,
  ],
})
export class TransactionsModule {}
