import { applyDecorators } from '@nestjs/common';
import { MAX_ABS_AMOUNT_CENTS } from '@loyalty/domain';
import { IsInt, Matches, Max, Min } from 'class-validator';

// Input patterns shared by the apps' DTOs, so every app accepts the same shapes.

/** Identifiers from a POS or a store system: store, terminal, transaction ids. */
export const ID_PATTERN = /^[A-Za-z0-9._:-]+$/;

/** The longest store id a lane may send, so the longest any app takes. */
export const STORE_ID_MAX_LENGTH = 32;

/** An ISO 8601 date-time that carries its UTC offset (`Z` or `±hh:mm`). */
export const DATE_TIME_WITH_OFFSET = /T.*(Z|[+-]\d{2}:\d{2})$/;

/** Whole cents within what any receipt can hold (negative only where `min` allows). */
export const IsCents = ({ min = 0 }: { min?: number } = {}): PropertyDecorator =>
  applyDecorators(IsInt(), Min(Math.max(min, -MAX_ABS_AMOUNT_CENTS)), Max(MAX_ABS_AMOUNT_CENTS));

/**
 * Free text that stores, logs and serializes cleanly: no control characters (PostgreSQL refuses
 * NUL in text) and no lone UTF-16 surrogates (PostgreSQL refuses `\ud800` in jsonb, and no UTF-8
 * encoding exists for one). A well-formed surrogate pair (an emoji) is one code point and passes.
 */
export const PRINTABLE_TEXT_PATTERN = /^[^\p{Cc}\p{Cs}]+$/u;

export const IsPrintableText = (): PropertyDecorator =>
  Matches(PRINTABLE_TEXT_PATTERN, {
    message: '$property must not contain control characters or unpaired surrogates',
  });
