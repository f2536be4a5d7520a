import { Module } from '@nestjs/common';
import { ProjectionService } from './projection.service';
import { TransactionsConsumer } from './transactions.consumer';

@Module({ providers: [ProjectionService, TransactionsConsumer] })
export class ProjectionModule {}
