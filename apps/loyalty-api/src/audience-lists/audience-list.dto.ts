import { IsPrintableText } from '@loyalty/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { AUDIENCE_LIST_STATUSES, AudienceListStatus } from './audience-list.entity';
import { MAX_MEMBER_LINES, MEMBER_VIOLATION_RULES, MemberViolationRule } from './member-csv';

/** `POST /v1/audience-lists`. */
export class CreateAudienceListDto {
  @ApiProperty({ example: 'Store 42 reopening: invited households', minLength: 1, maxLength: 120 })
  @IsString()
  @Length(1, 120)
  @IsPrintableText()
  name!: string;

  @ApiPropertyOptional({ example: 'From the invitation mailing of May', maxLength: 1000 })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  @IsPrintableText()
  description?: string;
}

export class AudienceListParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id!: string;
}

export class AudienceListDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({
    enum: AUDIENCE_LIST_STATUSES,
    description: 'A deleted list has no members and takes none',
  })
  status!: AudienceListStatus;

  @ApiProperty({ example: 1250, description: 'Households on the list' })
  memberCount!: number;

  @ApiProperty({
    example: 1,
    description: 'Grows by one with every change of the membership (0: never uploaded)',
  })
  version!: number;

  @ApiProperty({ description: 'Subject of the staff member who created it' })
  createdBy!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class AudienceListsDto {
  @ApiProperty({ type: [AudienceListDto], description: 'Newest first, deleted ones included' })
  lists!: AudienceListDto[];
}

export class MembersReplacedDto {
  @ApiProperty({
    example: 2,
    description: "The list's version: the same as before when the upload held the same households",
  })
  version!: number;

  @ApiProperty({ example: 1250, description: 'Households on the list now' })
  memberCount!: number;

  @ApiProperty({
    example: 3,
    description: 'Lines naming a household an earlier line named (by the same or another card)',
  })
  duplicates!: number;
}

export class MemberViolationDto {
  @ApiProperty({ example: 7, description: 'Line number in the upload, from 1 (the header is 1)' })
  line!: number;

  @ApiProperty({ enum: MEMBER_VIOLATION_RULES })
  rule!: MemberViolationRule;

  @ApiProperty({
    example: 'No such card (or it was erased)',
    description: 'For a person; never quotes the line',
  })
  message!: string;
}

/** The body of PUT /v1/audience-lists/{id}/members, as documented. */
export const MEMBERS_CSV_SCHEMA = {
  type: 'string',
  description: `CSV, one value per line: a card number of ours (active) or a household id (UUID). An optional first line \`card_number\` or \`household_id\` says what every line holds; without it each line is judged on its own. Blank lines are ignored; CRLF or LF. At most ${MAX_MEMBER_LINES} lines of members and 24 MiB. Payment card numbers are refused and never stored, logged or echoed.`,
  example: 'card_number\r\n9800000000009061\r\n9800000000009079\r\n',
};
