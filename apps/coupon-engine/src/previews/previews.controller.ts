import { Controller, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ForRoles } from '@loyalty/platform';
import { PreviewDto, PreviewQueryDto } from './preview.dto';
import { PreviewService } from './preview.service';

@ApiTags('rules')
@Controller('v1/rules')
@ForRoles('marketer', 'admin')
export class PreviewsController {
  constructor(private readonly previews: PreviewService) {}

  @Post(':id/preview')
  @HttpCode(200)
  @ApiOperation({
    summary: "What a rule's current version would do today",
    description:
      'Served by the coupon engine, over its copy of the rules (drafts included) and household facts: audience size, control group, a sample with the facts that matched (no identity), and a forecast of redemptions and money off from the treated households’ past purchases.',
  })
  @ApiOkResponse({ type: PreviewDto })
  @ApiBadRequestResponse({
    description: 'VALIDATION_FAILED: `id` is not a UUID, or `sample` is not 0-100',
  })
  @ApiUnauthorizedResponse({ description: 'UNAUTHORIZED: no valid bearer token' })
  @ApiForbiddenResponse({ description: 'FORBIDDEN: only marketers and admins preview rules' })
  @ApiNotFoundResponse({ description: 'RULE_NOT_FOUND: no such rule in the engine’s copy (yet)' })
  preview(
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: PreviewQueryDto,
  ): Promise<PreviewDto> {
    return this.previews.preview(id, query.sample, new Date());
  }
}
