import {
  LANGUAGE_TAG_PATTERN,
  POSTCODE_PATTERN,
  isValidBirthday,
  normaliseEmail,
  normalisePostcode,
} from '@loyalty/domain';
import { ID_PATTERN, IsPrintableText, STORE_ID_MAX_LENGTH } from '@loyalty/platform';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsEmail,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateIf,
} from 'class-validator';

// The validation of each identity field, shared by enrolment, self service and members, so every
// route accepts and stores the same shapes.

/** A field that may be left out, but `null` is no value for it. */
export const IsOmittable = (): PropertyDecorator =>
  ValidateIf((_object, value) => value !== undefined);

const trimmed = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/**
 * The latest calendar day anywhere on Earth (UTC+14): a birthday is not in the future in the
 * shopper's own zone, whichever it is.
 */
export function latestToday(now: Date): string {
  return new Date(now.getTime() + 14 * 3_600_000).toISOString().slice(0, 10);
}

export const IsName = (required: boolean): PropertyDecorator =>
  applyDecorators(
    (required ? ApiProperty : ApiPropertyOptional)({
      example: 'Ann',
      minLength: 1,
      maxLength: 100,
      description: 'Trimmed; 1-100 printable characters',
    }),
    ...(required ? [] : [IsOmittable()]),
    trimmed(),
    IsString(),
    Length(1, 100),
    IsPrintableText(),
  );

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export const IsShopperEmail = (required: boolean): PropertyDecorator =>
  applyDecorators(
    (required ? ApiProperty : ApiPropertyOptional)({
      example: 'ann.lee@example.com',
      maxLength: 254,
      format: 'email',
      description: 'Stored trimmed and in lower case; unique (409 EMAIL_ALREADY_REGISTERED)',
    }),
    ...(required ? [] : [IsOmittable()]),
    // validator's isEmail throws on a lone surrogate: one becomes U+FFFD first, and is refused.
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? normaliseEmail(value.replace(LONE_SURROGATE, '\ufffd')) : value,
    ),
    IsString(),
    MaxLength(254),
    IsEmail({}, { message: '$property must be an email address' }),
  );

export const IsPhone = (): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({
      example: '07911 123456',
      minLength: 3,
      maxLength: 32,
      description:
        'Any common notation; numbers without a country code are of DEFAULT_PHONE_REGION. Stored in E.164 (+447911123456); an invalid number is 400 naming `phone`',
    }),
    IsOmittable(),
    IsString(),
    Length(3, 32),
    IsPrintableText(),
  );

export const IsBirthday = (): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({
      example: '1990-05-17',
      format: 'date',
      description:
        'YYYY-MM-DD: a real day (29 February only in leap years), from 1900-01-01, not in the future',
    }),
    IsOmittable(),
    IsString(),
    ValidateBy({
      name: 'isBirthday',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && isValidBirthday(value, latestToday(new Date())),
        defaultMessage: () =>
          'birthday must be a real date (YYYY-MM-DD) from 1900-01-01, not in the future',
      },
    }),
  );

/** A store id as lanes send it (without the OpenAPI property, which says whether it is required). */
export const StoreIdRules = (): PropertyDecorator =>
  applyDecorators(
    IsString(),
    Length(1, STORE_ID_MAX_LENGTH),
    Matches(ID_PATTERN, { message: '$property may hold letters, digits and . _ : - only' }),
  );

export const STORE_ID_DOC = {
  example: 'store-42',
  maxLength: STORE_ID_MAX_LENGTH,
  pattern: ID_PATTERN.source,
};

export const IsStoreId = (): PropertyDecorator =>
  applyDecorators(ApiPropertyOptional(STORE_ID_DOC), IsOmittable(), StoreIdRules());

export const IsPostcode = (): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({
      example: 'SW1A 1AA',
      maxLength: 10,
      pattern: POSTCODE_PATTERN.source,
      description: 'Letters, digits, spaces and hyphens; stored in upper case',
    }),
    IsOmittable(),
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? normalisePostcode(value) : value,
    ),
    IsString(),
    Matches(POSTCODE_PATTERN, {
      message: '$property must be 2-10 letters, digits, spaces or hyphens',
    }),
  );

export const IsLanguageTag = (): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({
      example: 'en-GB',
      maxLength: 35,
      pattern: LANGUAGE_TAG_PATTERN.source,
      description: 'BCP 47: language, optional script and region (en, en-GB, zh-Hant-TW, es-419)',
    }),
    IsOmittable(),
    IsString(),
    MaxLength(35),
    Matches(LANGUAGE_TAG_PATTERN, {
      message: '$property must be a BCP 47 tag such as en or en-GB',
    }),
  );

export const IsReason = (): PropertyDecorator =>
  applyDecorators(
    ApiProperty({
      example: 'Customer called about a lost card',
      minLength: 3,
      maxLength: 200,
      description: 'Why staff act on or read this household (audited)',
    }),
    trimmed(),
    IsString(),
    Length(3, 200),
    IsPrintableText(),
  );
