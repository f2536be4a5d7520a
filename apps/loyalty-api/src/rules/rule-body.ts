import { BadRequestException } from '@nestjs/common';
import {
  ParseRuleOptions,
  RULE_LIMITS,
  RULE_SCHEMA_VERSION,
  Rule,
  Violation,
  parseRule,
} from '@loyalty/domain';

// The HTTP layer keeps only the envelope of a rule: the server's id and the schema version's
// default. Everything inside is judged by `parseRule`, so a new fact or reward kind is a
// change in the domain alone.

const UNPAIRED_SURROGATE = /\p{Cs}/u;

const at = (path: string, key: string) => (path ? `${path}.${key}` : key);

/**
 * Strings and keys holding an unpaired UTF-16 surrogate, by the parser's paths. The parser
 * passes them (they are no control characters), but no UTF-8 encodes them and PostgreSQL
 * refuses them in jsonb. The body's depth is bounded before a route sees it.
 */
function unpairedSurrogates(value: unknown, path: string, found: Violation[]): void {
  if (typeof value === 'string') {
    if (UNPAIRED_SURROGATE.test(value))
      found.push({
        field: path || 'the rule',
        rule: 'wellFormedText',
        message: `${path || 'the rule'} must not hold unpaired surrogates`,
      });
  } else if (Array.isArray(value)) {
    value.forEach((entry, index) => unpairedSurrogates(entry, `${path}[${index}]`, found));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, entry] of Object.entries(value)) {
      if (UNPAIRED_SURROGATE.test(key)) {
        found.push({
          field: path || 'the rule',
          rule: 'wellFormedText',
          message: `${path || 'the rule'} has a key that holds unpaired surrogates`,
        });
        continue;
      }
      unpairedSurrogates(entry, at(path, key), found);
    }
  }
}

/** A 400 listing every violation by path, as the parser names them; values are never echoed. */
export function ruleViolations(violations: Violation[]): BadRequestException {
  const listed = violations.slice(0, RULE_LIMITS.maxViolations);
  return new BadRequestException({
    statusCode: 400,
    code: 'VALIDATION_FAILED',
    message: listed.map((v) => v.message).join('; '),
    violations: listed,
    errors: listed.map((v) => ({ field: v.field, messages: [v.message] })),
  });
}

/**
 * The rule a create (`existingId` absent) or edit body states, with the server's `id`; a body
 * may leave out `schemaVersion` (the current one). A create names no id; an edit may repeat its
 * rule's own (a rule read back and sent again).
 */
export function judgeRuleBody(
  body: Record<string, unknown>,
  id: string,
  options: ParseRuleOptions,
  existingId?: string,
): Rule {
  const found: Violation[] = [];
  if (existingId === undefined && Object.hasOwn(body, 'id'))
    found.push({ field: 'id', rule: 'assignedByServer', message: 'id is assigned by the server' });
  if (existingId !== undefined && Object.hasOwn(body, 'id') && body.id !== existingId)
    found.push({
      field: 'id',
      rule: 'matchesPath',
      message: 'id must be left out or be the id in the path',
    });
  unpairedSurrogates(body, '', found);
  const parsed = parseRule({ schemaVersion: RULE_SCHEMA_VERSION, ...body, id }, options);
  if (!parsed.ok) found.push(...parsed.violations);
  if (found.length > 0 || !parsed.ok) throw ruleViolations(found);
  return parsed.rule;
}
