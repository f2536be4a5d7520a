import { Module } from '@nestjs/common';
import { AudienceFactsQuery } from '../audiences/audience-facts.query';
import { PreviewService } from './preview.service';
import { PreviewsController } from './previews.controller';

@Module({
  controllers: [PreviewsController],
  providers: [AudienceFactsQuery, PreviewService],
})
export class PreviewsModule {}
