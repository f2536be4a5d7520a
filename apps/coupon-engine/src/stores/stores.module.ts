import { Module } from '@nestjs/common';
import { StoreChangedConsumer } from './store-changed.consumer';
import { StoreRegionsService } from './store-regions.service';

/** The engine's copy of the stores' regions, for the `region` fact. */
@Module({ providers: [StoreChangedConsumer, StoreRegionsService] })
export class StoresModule {}
