import { Module } from '@nestjs/common';
import { ProjectionQueries } from './projection.queries';
import { ProjectionService } from './projection.service';
import { TransactionsConsumer } from './transactions.consumer';

@Module({ providers: [ProjectionQueries, ProjectionService, TransactionsConsumer] })
export class ProjectionModule {}
