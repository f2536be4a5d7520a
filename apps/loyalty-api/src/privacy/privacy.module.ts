import { Module } from '@nestjs/common';
import { AudienceListsModule } from '../audience-lists/audience-lists.module';
import { PointsModule } from '../points/points.module';
import { ShoppersModule } from '../shoppers/shoppers.module';
import { ErasureService } from './erasure.service';
import { ExportService } from './export.service';
import { MyDataController } from './my-data.controller';
import { SupportPrivacyController } from './support-privacy.controller';

@Module({
  imports: [AudienceListsModule, PointsModule, ShoppersModule],
  controllers: [MyDataController, SupportPrivacyController],
  providers: [ErasureService, ExportService],
})
export class PrivacyModule {}
