import { Injectable } from '@nestjs/common';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { EntityManager } from 'typeorm';
import { MemberLine, MemberViolation } from './member-csv';

interface CardRow {
  card_number: string;
  household_id: string;
  status: string;
  erased: boolean;
  merged: boolean;
}

/** A household an upload names, as far as listing it goes. */
interface HouseholdRow {
  id: string;
  found: boolean;
  erased: boolean;
  merged: boolean;
}

export interface ResolvedMembers {
  /** A household per good line, in line order: duplicates kept (the list counts them once). */
  householdIds: string[];
  violations: MemberViolation[];
}

/** Lines judged between two yields to the event loop. */
const LINES_PER_TURN = 50_000;

/**
 * A PostgreSQL array literal of values that need no quoting (digits, UUIDs): one join, where the
 * driver would quote and escape half a million elements one by one.
 */
export function arrayLiteral(values: readonly string[]): string {
  return `{${values.join(',')}}`;
}

function judgeCard(line: number, row: CardRow | undefined): MemberViolation | string {
  if (!row) return { line, rule: 'unknown-card', message: 'No such card (or it was erased)' };
  // As at the till: a lost, blocked or replaced card stands for nobody.
  if (row.status !== 'active')
    return {
      line,
      rule: 'card-not-active',
      message: `The card is ${row.status}: list its household id or the card that replaced it`,
    };
  return judgeHousehold(line, row.household_id, { found: true, ...row });
}

// `problem` undefined: the household query found nothing wrong with it.
function judgeHousehold(
  line: number,
  id: string,
  problem: Omit<HouseholdRow, 'id'> | undefined,
): MemberViolation | string {
  if (!problem) return id;
  if (!problem.found) return { line, rule: 'unknown-household', message: 'No such household' };
  if (problem.erased)
    return { line, rule: 'household-erased', message: 'The household was erased' };
  if (problem.merged)
    return {
      line,
      rule: 'household-merged',
      message: 'The household was merged into another: list that one',
    };
  return id;
}

/**
 * The households an upload's lines stand for: every card number of the upload looked up in one
 * statement, every household id in another (unnest of the whole set), never a query per line.
 */
@Injectable()
export class MemberLookupQuery {
  async resolve(manager: EntityManager, members: MemberLine[]): Promise<ResolvedMembers> {
    const cards: string[] = [];
    const households: string[] = [];
    for (const member of members) (member.kind === 'card' ? cards : households).push(member.value);
    const cardRows: CardRow[] =
      cards.length === 0
        ? []
        : await manager.query(
            `SELECT c.card_number, c.household_id, c.status,
                    h.erased_at IS NOT NULL AS erased, h.merged_into IS NOT NULL AS merged
               FROM (SELECT DISTINCT unnest($1::text[]) AS card_number) u
               JOIN loyalty.cards c ON c.card_number = u.card_number
               JOIN loyalty.households h ON h.id = c.household_id`,
            [arrayLiteral(cards)],
          );
    // Only the household ids that cannot be listed come back: a list of good ones costs no rows.
    const householdRows: HouseholdRow[] =
      households.length === 0
        ? []
        : await manager.query(
            `SELECT u.id, h.id IS NOT NULL AS found,
                    h.erased_at IS NOT NULL AS erased, h.merged_into IS NOT NULL AS merged
               FROM (SELECT DISTINCT unnest($1::uuid[]) AS id) u
               LEFT JOIN loyalty.households h ON h.id = u.id
              WHERE h.id IS NULL OR h.erased_at IS NOT NULL OR h.merged_into IS NOT NULL`,
            [arrayLiteral(households)],
          );
    const cardsByNumber = new Map<string, CardRow>();
    for (let i = 0; i < cardRows.length; i++) {
      if (i > 0 && i % LINES_PER_TURN === 0) await yieldToEventLoop();
      cardsByNumber.set(cardRows[i].card_number, cardRows[i]);
    }
    const householdProblems = new Map(householdRows.map((row) => [row.id, row]));

    const householdIds: string[] = [];
    const violations: MemberViolation[] = [];
    for (let i = 0; i < members.length; i++) {
      if (i > 0 && i % LINES_PER_TURN === 0) await yieldToEventLoop();
      const { line, kind, value } = members[i];
      const judged =
        kind === 'card'
          ? judgeCard(line, cardsByNumber.get(value))
          : judgeHousehold(line, value, householdProblems.get(value));
      if (typeof judged === 'string') householdIds.push(judged);
      else violations.push(judged);
    }
    return { householdIds, violations };
  }
}
