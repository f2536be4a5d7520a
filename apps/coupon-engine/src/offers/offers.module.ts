import { Module } from '@nestjs/common';
import { AudienceFactsQuery } from '../audiences/audience-facts.query';
import { RulesModule } from '../rules/rules.module';
import { IssuanceService } from './issuance.service';

@Module({
  imports: [RulesModule],
  providers: [AudienceFactsQuery, IssuanceService],
  exports: [IssuanceService],
})
export class OffersModule {}
