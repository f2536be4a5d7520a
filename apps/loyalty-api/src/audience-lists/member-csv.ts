import { findPaymentCardNumbers, isCardNumber } from '@loyalty/domain';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/** Lines of members one upload may hold (the header and blank lines not counted). */
export const MAX_MEMBER_LINES = 500_000;

/** Text judged between two yields to the event loop (a few ms of work), so other requests go on. */
const CHARS_PER_TURN = 128 * 1024;

export const MEMBER_VIOLATION_RULES = [
  'malformed',
  'payment-card',
  'unknown-card',
  'card-not-active',
  'unknown-household',
  'household-erased',
  'household-merged',
] as const;
export type MemberViolationRule = (typeof MEMBER_VIOLATION_RULES)[number];

/** A line the upload cannot take. Its message never quotes the line: it may hold card data. */
export interface MemberViolation {
  line: number;
  rule: MemberViolationRule;
  message: string;
}

export type MemberKind = 'card' | 'household';

/** A well-formed line: a card number or a household id (lower case), still to be looked up. */
export interface MemberLine {
  line: number;
  kind: MemberKind;
  value: string;
}

export type MemberCsv =
  | { tooManyLines: true }
  | { tooManyLines: false; members: MemberLine[]; violations: MemberViolation[] };

const HEADERS: Record<string, MemberKind> = { card_number: 'card', household_id: 'household' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DIGITS = /^\d+$/;

// Spreadsheets quote a cell now and then and put a byte order mark before the first one.
function cell(raw: string): string {
  const trimmed = raw.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')
    ? trimmed.slice(1, -1).trim()
    : trimmed;
}

/** What one non-blank line holds, judged on its own or as the header said. */
export function judgeMemberLine(
  raw: string,
  line: number,
  expected: MemberKind | null,
  loyaltyCardPrefix: string,
): MemberLine | MemberViolation {
  // First, and on the raw line: a card number is refused however it is written or surrounded.
  if (findPaymentCardNumbers(raw, loyaltyCardPrefix).length > 0)
    return {
      line,
      rule: 'payment-card',
      message: 'A payment card number: card data must never be sent (the line was not kept)',
    };
  const value = cell(raw);
  if (UUID.test(value)) {
    if (expected === 'card')
      return { line, rule: 'malformed', message: 'A household id under the card_number header' };
    return { line, kind: 'household', value: value.toLowerCase() };
  }
  if (DIGITS.test(value)) {
    if (expected === 'household')
      return { line, rule: 'malformed', message: 'Digits under the household_id header' };
    if (!isCardNumber(value))
      return {
        line,
        rule: 'malformed',
        message: 'Not a card number: 12 to 19 digits, the last a valid check digit',
      };
    return { line, kind: 'card', value };
  }
  return {
    line,
    rule: 'malformed',
    message: 'Neither a card number nor a household id (UUID); one value per line',
  };
}

/**
 * Reads an uploaded CSV of members: an optional header (`card_number` or `household_id`; without
 * one each line is judged on its own), one value per line, blank lines ignored, CRLF or LF. Judged
 * in turns of bounded text; stops as soon as there are too many lines.
 */
export async function readMemberCsv(text: string, loyaltyCardPrefix: string): Promise<MemberCsv> {
  const members: MemberLine[] = [];
  const violations: MemberViolation[] = [];
  let expected: MemberKind | null = null;
  let started = false;
  let count = 0;
  let sinceYield = 0;
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let line = 1; start <= text.length; line++) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const raw = text.slice(start, end);
    start = end + 1;
    sinceYield += raw.length + 1;
    if (sinceYield > CHARS_PER_TURN) {
      sinceYield = 0;
      await yieldToEventLoop();
    }
    if (raw.trim() === '') continue;
    const header = HEADERS[cell(raw).toLowerCase()];
    if (header && !started) {
      expected = header;
      started = true;
      continue;
    }
    started = true;
    if (++count > MAX_MEMBER_LINES) return { tooManyLines: true };
    const judged = header
      ? {
          line,
          rule: 'malformed' as const,
          message: 'A header is taken only before the first value',
        }
      : judgeMemberLine(raw, line, expected, loyaltyCardPrefix);
    if ('kind' in judged) members.push(judged);
    else violations.push(judged);
  }
  return { tooManyLines: false, members, violations };
}
