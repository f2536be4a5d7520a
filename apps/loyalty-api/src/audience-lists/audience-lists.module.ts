import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AudienceList } from './audience-list.entity';
import { AudienceListsController } from './audience-lists.controller';
import { AudienceListsService } from './audience-lists.service';
import { CsvParser } from './csv.parser';
import { MemberLookupQuery } from './member-lookup.query';

@Module({
  imports: [TypeOrmModule.forFeature([AudienceList])],
  controllers: [AudienceListsController],
  providers: [AudienceListsService, CsvParser, MemberLookupQuery],
  exports: [AudienceListsService],
})
export class AudienceListsModule {}
