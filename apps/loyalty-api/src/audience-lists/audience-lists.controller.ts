import { ApiErrors, CurrentPrincipal, ErrorDto, ForRoles, Principal } from '@loyalty/platform';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  applyDecorators,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
  SchemaObject,
  getSchemaPath,
} from '@nestjs/swagger';
import {
  AudienceListDto,
  AudienceListParamsDto,
  AudienceListsDto,
  CreateAudienceListDto,
  MEMBERS_CSV_SCHEMA,
  MemberViolationDto,
  MembersReplacedDto,
} from './audience-list.dto';
import { INVALID_INPUT, LIST_DELETED, LIST_NOT_FOUND } from './audience-list-errors';
import { AudienceListsService } from './audience-lists.service';
import { CSV } from './csv.parser';
import { MAX_MEMBER_LINES } from './member-csv';

// A refused upload: the error, with its lines (at most 50 named) and how many there are.
const ApiInvalidMembersResponse = () =>
  applyDecorators(
    ApiExtraModels(ErrorDto, MemberViolationDto),
    ApiResponse({
      status: 400,
      description:
        'INVALID_MEMBERS: lines the list cannot take, each by its number and rule (malformed, payment-card, unknown-card, card-not-active, unknown-household, household-erased, household-merged), at most 50 named, all counted; no line is ever quoted; nothing stored. Codes: INVALID_MEMBERS',
      content: {
        'application/json': {
          schema: {
            allOf: [
              { $ref: getSchemaPath(ErrorDto) },
              {
                properties: {
                  code: { type: 'string', enum: ['INVALID_MEMBERS'] },
                  violations: {
                    type: 'array',
                    maxItems: 50,
                    items: { $ref: getSchemaPath(MemberViolationDto) },
                  },
                  violationCount: { type: 'integer', example: 1 },
                },
              },
            ],
          },
        },
      },
    }),
  );

/** Marketing's static audience lists: households a coupon rule's `inList` condition names. */
@ApiTags('audience-lists')
@Controller('v1/audience-lists')
@ForRoles('marketer', 'admin')
export class AudienceListsController {
  constructor(private readonly lists: AudienceListsService) {}

  @Post()
  @ApiOperation({ summary: 'Create an audience list, without members (version 0)' })
  @ApiCreatedResponse({ type: AudienceListDto })
  @ApiErrors(INVALID_INPUT)
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateAudienceListDto,
  ): Promise<AudienceListDto> {
    return this.lists.create(principal, dto, new Date());
  }

  @Get()
  @ApiOperation({ summary: 'Every audience list, newest first (deleted ones with their status)' })
  @ApiOkResponse({ type: AudienceListsDto })
  async list(): Promise<AudienceListsDto> {
    return { lists: await this.lists.list() };
  }

  @Get(':id')
  @ApiOperation({ summary: 'An audience list (a deleted one too)' })
  @ApiOkResponse({ type: AudienceListDto })
  @ApiErrors(INVALID_INPUT, LIST_NOT_FOUND)
  get(@Param() params: AudienceListParamsDto): Promise<AudienceListDto> {
    return this.lists.get(params.id);
  }

  @Put(':id/members')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Replace the list's members with an uploaded CSV, all or nothing; the same households again answer the same version",
  })
  @ApiConsumes(CSV)
  @ApiBody({ schema: MEMBERS_CSV_SCHEMA as SchemaObject })
  @ApiOkResponse({ type: MembersReplacedDto })
  @ApiInvalidMembersResponse()
  @ApiErrors(INVALID_INPUT, LIST_NOT_FOUND, LIST_DELETED, {
    status: 413,
    codes: ['TOO_MANY_LINES', 'PAYLOAD_TOO_LARGE'],
    description: `More than ${MAX_MEMBER_LINES} lines of members, or more than 24 MiB`,
  })
  replaceMembers(
    @CurrentPrincipal() principal: Principal,
    @Param() params: AudienceListParamsDto,
    @Body() body: string,
  ): Promise<MembersReplacedDto> {
    return this.lists.replaceMembers(principal, params.id, body, new Date());
  }

  @Delete(':id')
  @ApiOperation({
    summary:
      'Delete an audience list: its members go, it stays readable as deleted; deleting again changes nothing',
  })
  @ApiOkResponse({ type: AudienceListDto })
  @ApiErrors(INVALID_INPUT, LIST_NOT_FOUND)
  delete(
    @CurrentPrincipal() principal: Principal,
    @Param() params: AudienceListParamsDto,
  ): Promise<AudienceListDto> {
    return this.lists.delete(principal, params.id, new Date());
  }
}
