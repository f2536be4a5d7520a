import { IsCardNumber, IsPrintableText } from '@loyalty/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { HouseholdDto } from '../shoppers/household.dto';
import { IsOmittable, IsReason } from '../shoppers/identity-fields';
import { SupportPointsStatementDto } from '../points/points.dto';
import { TransactionDto } from '../shoppers/queries.dto';

/** `GET /v1/support/screen-pop`: exactly one of phone, card, email or householdId. */
export class ScreenPopQueryDto {
  @ApiPropertyOptional({
    example: '07911 123456',
    maxLength: 32,
    description:
      "The caller's number, normalised as stored (E.164; DEFAULT_PHONE_REGION without a +code)",
  })
  @IsOmittable()
  @IsString()
  @Length(3, 32)
  @IsPrintableText()
  phone?: string;

  @ApiPropertyOptional({ example: '9800000000009061', pattern: '^\\d{12,19}$' })
  @IsOmittable()
  @IsCardNumber()
  card?: string;

  @ApiPropertyOptional({ example: 'ann.lee@example.com', maxLength: 254 })
  @IsOmittable()
  @IsString()
  @Length(3, 254)
  @IsPrintableText()
  email?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'When a phone or email is shared by several households, the one chosen',
  })
  @IsOmittable()
  @IsUUID()
  householdId?: string;
}

export class ProfileSummaryDto {
  @ApiProperty({ nullable: true, type: String, enum: ['new', 'active', 'lapsing', 'lapsed'] })
  lifecycle!: string | null;

  @ApiProperty({ description: 'Visits in the last 52 weeks' })
  visits52w!: number;

  @ApiProperty({ description: 'Spend in the last 52 weeks, minor units' })
  spend52wCents!: number;

  @ApiProperty({ nullable: true, type: Number, description: 'Days between visits, typically' })
  cadenceDays!: number | null;

  @ApiProperty({ nullable: true, type: String })
  lastVisitAt!: string | null;

  @ApiProperty({
    type: Object,
    isArray: true,
    description:
      'The departments it spends most in: `{ name, spendCents, units }`, the rest summed last',
  })
  favouriteDepartments!: unknown[];

  @ApiProperty({
    type: Object,
    isArray: true,
    description: 'The stores it visits most: `{ name, visits, spendCents }`, the rest summed last',
  })
  favouriteStores!: unknown[];
}

export class SuggestionDto {
  @ApiProperty({
    example: 'FLUID MILK PRODUCTS',
    description: 'A product category (`department:<name>` for products without one)',
  })
  category!: string;

  @ApiProperty({
    type: [String],
    example: ['bought 12 times', 'bought every 7 days', 'due since 2 days'],
    description: 'Why it is suggested',
  })
  reasons!: string[];
}

export class GoesWithDto {
  @ApiProperty({ description: 'A category of the last purchase' })
  bought!: string;

  @ApiProperty({ description: 'A category households buying it often buy with it' })
  category!: string;

  @ApiProperty({ description: 'Of the baskets holding `bought`, the share also holding it' })
  confidence!: number;

  @ApiProperty({ description: 'How much more often than its own share of baskets' })
  lift!: number;
}

export class InsightDto {
  @ApiProperty({
    type: [SuggestionDto],
    description: 'Likely next purchases, best first (docs/INSIGHT.md)',
  })
  likelyNextPurchases!: SuggestionDto[];

  @ApiProperty({
    type: [GoesWithDto],
    description: 'What goes well with what the last transaction held, strongest first',
  })
  goesWellWith!: GoesWithDto[];
}

export class ScreenPopOfferDto {
  @ApiProperty({ example: 'K7Q2M9XD4T' })
  code!: string;

  @ApiProperty({ example: '10% off DAIRY' })
  description!: string;

  @ApiProperty({ enum: ['issued', 'clipped', 'reserved', 'expired'] })
  state!: string;

  @ApiProperty({ format: 'uuid' })
  ruleId!: string;

  @ApiProperty()
  validUntil!: string;

  @ApiProperty({
    type: Object,
    nullable: true,
    description:
      "Why the engine issued it: the rule's audience evaluated on the household's facts (a reason tree); null for offers issued before reasons were kept",
  })
  reason!: object | null;
}

export class ContactDto {
  @ApiProperty({ format: 'uuid' })
  contactId!: string;

  @ApiProperty({ enum: ['phone', 'email', 'chat', 'letter', 'in-store'] })
  channel!: string;

  @ApiProperty({ enum: ['points', 'offers', 'card', 'account', 'privacy', 'complaint', 'other'] })
  reason!: string;

  @ApiProperty({ enum: ['resolved', 'follow-up', 'escalated', 'no-action'] })
  outcome!: string;

  @ApiProperty({ nullable: true, type: String })
  note!: string | null;

  @ApiProperty({ description: 'The agent who logged it' })
  agent!: string;

  @ApiProperty()
  contactedAt!: string;
}

export class ScreenPopDto {
  @ApiProperty({
    type: HouseholdDto,
    description:
      'Identity (the account holder), members, cards (numbers masked: last four digits), consent, points balance and tier',
  })
  household!: HouseholdDto;

  @ApiProperty({
    type: SupportPointsStatementDto,
    description: 'The balance and the latest ledger entries (5; the points route pages on)',
  })
  points!: SupportPointsStatementDto;

  @ApiProperty({
    type: [TransactionDto],
    description: 'The latest transactions (5) with their lines, newest first',
  })
  lastTransactions!: TransactionDto[];

  @ApiProperty({
    type: ProfileSummaryDto,
    nullable: true,
    description: 'Null without the household’s consent to profiling, or before its first visit',
  })
  profile!: ProfileSummaryDto | null;

  @ApiProperty({
    type: InsightDto,
    nullable: true,
    description: 'Null without the household’s consent to profiling',
  })
  insight!: InsightDto | null;

  @ApiProperty({
    type: [ScreenPopOfferDto],
    description: 'Live offers (issued, clipped, reserved), soonest to expire first (at most 20)',
  })
  liveOffers!: ScreenPopOfferDto[];

  @ApiProperty({
    type: [ScreenPopOfferDto],
    description:
      'Offers support may reissue: expired within SUPPORT_REISSUE_WITHIN_DAYS, never reissued (at most 10)',
  })
  reissuableOffers!: ScreenPopOfferDto[];

  @ApiProperty({ type: [ContactDto], description: 'Past contacts, newest first (at most 20)' })
  contacts!: ContactDto[];
}

export const CONTACT_CHANNELS = ['phone', 'email', 'chat', 'letter', 'in-store'] as const;
export const CONTACT_REASONS = [
  'points',
  'offers',
  'card',
  'account',
  'privacy',
  'complaint',
  'other',
] as const;
export const CONTACT_OUTCOMES = ['resolved', 'follow-up', 'escalated', 'no-action'] as const;

export class ContactRequestDto {
  @ApiProperty({ enum: CONTACT_CHANNELS })
  @IsIn(CONTACT_CHANNELS)
  channel!: (typeof CONTACT_CHANNELS)[number];

  @ApiProperty({ enum: CONTACT_REASONS })
  @IsIn(CONTACT_REASONS)
  reason!: (typeof CONTACT_REASONS)[number];

  @ApiProperty({ enum: CONTACT_OUTCOMES })
  @IsIn(CONTACT_OUTCOMES)
  outcome!: (typeof CONTACT_OUTCOMES)[number];

  @ApiPropertyOptional({ maxLength: 2000, description: 'What was said and done; printable text' })
  @IsOmittable()
  @IsString()
  @MaxLength(2000)
  @IsPrintableText()
  note?: string;
}

export class ReissueRequestDto {
  @IsReason()
  reason!: string;
}

export class ReissuedOfferDto {
  @ApiProperty()
  code!: string;

  @ApiProperty({ enum: ['issued', 'clipped'] })
  state!: string;

  @ApiProperty({ description: 'Valid again until then' })
  validUntil!: string;

  @ApiProperty()
  reissuedAt!: string;

  @ApiProperty({ description: 'The agent who reissued it' })
  agent!: string;
}
