import { Module } from '@nestjs/common';
import { StoresController } from './stores.controller';
import { StoresService } from './stores.service';

/** The store register: each store's name and region. */
@Module({
  controllers: [StoresController],
  providers: [StoresService],
})
export class StoresModule {}
