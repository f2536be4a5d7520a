import {
  AGE_BANDS,
  AgeBand,
  CARD_STATUSES,
  CONSENT_PURPOSES,
  CardStatus,
  INCOME_BANDS,
  IncomeBand,
  RANGE_LIMITS,
} from '@loyalty/domain';
import { IsCardNumber } from '@loyalty/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsDefined, IsIn, IsInt, IsUUID, Max, Min, ValidateIf } from 'class-validator';
import {
  IsBirthday,
  IsLanguageTag,
  IsName,
  IsOmittable,
  IsPhone,
  IsPostcode,
  IsReason,
  IsShopperEmail,
  IsStoreId,
} from './identity-fields';

const CARD_NUMBER_DOC = {
  example: '9800000000009061',
  pattern: '^\\d{12,19}$',
  description:
    'Our loyalty card: 12-19 digits with a Luhn check digit, starting LOYALTY_CARD_PREFIX (any other Luhn-valid number is a payment card: 400 PAYMENT_CARD_DATA)',
};

export const CARD_KINDS = ['card', 'key-fob'] as const;

/** `PATCH /v1/me`: the fields to change; those left out stay as they are. */
export class UpdateIdentityDto {
  @IsName(false)
  givenName?: string;

  @IsName(false)
  familyName?: string;

  @IsShopperEmail(false)
  email?: string;

  @IsPhone()
  phone?: string;

  @IsBirthday()
  birthday?: string;

  @IsStoreId()
  homeStoreId?: string;

  @IsPostcode()
  postcode?: string;

  @IsLanguageTag()
  preferredLanguage?: string;
}

/** `POST /v1/me/enrolment`, `POST /v1/support/households`. */
export class EnrolmentDto {
  @IsName(true)
  givenName!: string;

  @IsName(true)
  familyName!: string;

  @IsShopperEmail(true)
  email!: string;

  @IsPhone()
  phone?: string;

  @IsBirthday()
  birthday?: string;

  @IsStoreId()
  homeStoreId?: string;

  @IsPostcode()
  postcode?: string;

  @IsLanguageTag()
  preferredLanguage?: string;

  @ApiPropertyOptional({
    ...CARD_NUMBER_DOC,
    description: `${CARD_NUMBER_DOC.description}. A card to register (the household takes over its history); without one a digital card is issued`,
  })
  @IsOmittable()
  @IsCardNumber()
  cardNumber?: string;
}

const [MIN_SIZE, MAX_SIZE] = RANGE_LIMITS.householdSize;

/**
 * `PUT /v1/me/demographics`: what the account holder declares about the household, all three
 * given, each a band or null ("prefer not to say"). Shown to the household and support; reports
 * count households by it, and rules target it with consent to personalised offers.
 */
export class DemographicsDto {
  @ApiProperty({ enum: AGE_BANDS, nullable: true, description: "The account holder's age band" })
  @ValidateIf((_, value) => value !== null)
  @IsDefined({ message: '$property must be given (null: prefer not to say)' })
  @IsIn(AGE_BANDS)
  ageBand!: AgeBand | null;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    minimum: MIN_SIZE,
    maximum: MAX_SIZE,
    description: `People living in the household (${MAX_SIZE}: ${MAX_SIZE} or more)`,
  })
  @ValidateIf((_, value) => value !== null)
  @IsDefined({ message: '$property must be given (null: prefer not to say)' })
  @IsInt()
  @Min(MIN_SIZE)
  @Max(MAX_SIZE)
  householdSize!: number | null;

  @ApiProperty({
    enum: INCOME_BANDS,
    nullable: true,
    description: "The household's yearly income, in the programme's currency",
  })
  @ValidateIf((_, value) => value !== null)
  @IsDefined({ message: '$property must be given (null: prefer not to say)' })
  @IsIn(INCOME_BANDS)
  incomeBand!: IncomeBand | null;
}

/** `POST /v1/me/members`. */
export class AddMemberDto {
  @IsName(true)
  givenName!: string;

  @IsName(true)
  familyName!: string;

  @IsBirthday()
  birthday?: string;
}

/** `POST /v1/me/cards`: a card or key fob, perhaps already used at a till, joins the household. */
export class AddCardDto {
  @ApiProperty(CARD_NUMBER_DOC)
  @IsCardNumber()
  cardNumber!: string;

  @ApiPropertyOptional({ enum: CARD_KINDS, default: 'card' })
  @IsOmittable()
  @IsIn(CARD_KINDS)
  kind: (typeof CARD_KINDS)[number] = 'card';

  @ApiPropertyOptional({ format: 'uuid', description: 'The member who carries it' })
  @IsOmittable()
  @IsUUID()
  holderId?: string;
}

/** A staff change (a card, an erasure): why, for the audit log. */
export class StaffReasonDto {
  @IsReason()
  reason!: string;
}

/** `POST /v1/support/households/{id}/cards/{cardNumber}/replacement`. */
export class ReplaceCardDto {
  @IsReason()
  reason!: string;

  @ApiPropertyOptional({
    ...CARD_NUMBER_DOC,
    description: `${CARD_NUMBER_DOC.description}. The new physical card; without one a digital card is issued`,
  })
  @IsOmittable()
  @IsCardNumber()
  newCardNumber?: string;
}

/** Consent per purpose; nothing is agreed until the account holder says so. */
export class ConsentDto {
  @ApiProperty({ description: 'Marketing by email' })
  @IsBoolean()
  email!: boolean;

  @ApiProperty({ description: 'Marketing by text message' })
  @IsBoolean()
  sms!: boolean;

  @ApiProperty({ description: 'Offers chosen from what the household buys' })
  @IsBoolean()
  personalisedOffers!: boolean;

  @ApiProperty({ description: 'Profiling: segments and scores from what the household buys' })
  @IsBoolean()
  profiling!: boolean;
}

/** `PUT /v1/support/households/{id}/consent`: the consent the shopper gave support, and why. */
export class StaffConsentDto extends ConsentDto {
  @IsReason()
  reason!: string;
}

/** `POST /v1/support/households/{targetId}/merges`. */
export class MergeRequestDto {
  @ApiProperty({ format: 'uuid', description: 'The household that moves into the target' })
  @IsUUID()
  sourceHouseholdId!: string;

  @IsReason()
  reason!: string;
}

export class MemberDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  accountHolder!: boolean;

  @ApiProperty({ nullable: true, type: String })
  givenName!: string | null;

  @ApiProperty({ nullable: true, type: String })
  familyName!: string | null;

  @ApiProperty({ nullable: true, type: String, example: '1990-05-17' })
  birthday!: string | null;
}

export class CardDto {
  @ApiProperty({
    example: '9800000000009061',
    description: 'The whole number for the shopper; `****9061` for staff',
  })
  cardNumber!: string;

  @ApiProperty({ enum: ['card', 'key-fob', 'digital'] })
  kind!: string;

  @ApiProperty({ enum: CARD_STATUSES })
  status!: CardStatus;

  @ApiProperty({ nullable: true, type: String, format: 'uuid' })
  holderId!: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'The card that replaced it' })
  replacedBy!: string | null;
}

export class IdentityDto {
  @ApiProperty({ nullable: true, type: String })
  givenName!: string | null;

  @ApiProperty({ nullable: true, type: String })
  familyName!: string | null;

  @ApiProperty({ nullable: true, type: String })
  email!: string | null;

  @ApiProperty({ nullable: true, type: String, example: '+447911123456' })
  phone!: string | null;

  @ApiProperty({ nullable: true, type: String, example: '1990-05-17' })
  birthday!: string | null;

  @ApiProperty({ nullable: true, type: String })
  homeStoreId!: string | null;

  @ApiProperty({ nullable: true, type: String })
  postcode!: string | null;

  @ApiProperty({ nullable: true, type: String })
  preferredLanguage!: string | null;
}

export class TierDto {
  @ApiProperty({ example: 'silver' })
  tier!: string;

  @ApiProperty({ nullable: true, type: String, example: '2026-01-05' })
  tierSince!: string | null;

  @ApiProperty()
  lifetimeSpendCents!: number;

  @ApiProperty()
  spend52wCents!: number;
}

export class HouseholdDto {
  @ApiProperty({ format: 'uuid' })
  householdId!: string;

  @ApiProperty()
  registered!: boolean;

  @ApiProperty({ nullable: true, type: String })
  enrolledAt!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'uuid' })
  mergedInto!: string | null;

  @ApiProperty({ nullable: true, type: String })
  erasedAt!: string | null;

  @ApiProperty({ type: IdentityDto, nullable: true, description: "The account holder's" })
  identity!: IdentityDto | null;

  @ApiProperty({ type: [MemberDto] })
  members!: MemberDto[];

  @ApiProperty({ type: [CardDto] })
  cards!: CardDto[];

  @ApiProperty({ type: ConsentDto })
  consent!: ConsentDto;

  @ApiProperty({ type: DemographicsDto, description: 'What the account holder declared' })
  demographics!: DemographicsDto;

  @ApiProperty({ description: 'Points to spend (loyalty.points_accounts)' })
  pointsBalance!: number;

  @ApiProperty({
    type: TierDto,
    nullable: true,
    description: 'From the profile; null before a visit',
  })
  tier!: TierDto | null;

  @ApiProperty({ description: 'One more with every change' })
  version!: number;
}

export class ConsentChangeDto {
  @ApiProperty({ enum: CONSENT_PURPOSES })
  purpose!: string;

  @ApiProperty()
  granted!: boolean;

  @ApiProperty({ enum: ['shopper', 'support', 'admin'] })
  changedByRole!: string;

  @ApiProperty()
  changedAt!: string;
}

export class MergeDto {
  @ApiProperty({ format: 'uuid' })
  sourceHouseholdId!: string;

  @ApiProperty({ format: 'uuid' })
  targetHouseholdId!: string;

  @ApiProperty()
  mergedBy!: string;

  @ApiProperty()
  mergedAt!: string;
}
