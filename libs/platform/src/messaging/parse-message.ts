import { PoisonMessageError } from '@loyalty/kafka';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { fieldErrors } from '../http/validation';
import { exceedsJsonDepth } from '../json-depth';

/**
 * Deeper than any event contract nests. class-transformer and class-validator recurse into what
 * they are given: a deeper message is poison before they see it.
 */
const MAX_MESSAGE_DEPTH = 16;

/**
 * A Kafka message value as a JSON object, or poison saying why it is none. (JSON.parse itself
 * takes any depth; what walks the result must bound its own.)
 */
export function parseJsonObject(value: Buffer | null): object {
  let json: unknown;
  try {
    json = JSON.parse(value?.toString('utf8') ?? '');
  } catch {
    throw new PoisonMessageError('value is not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new PoisonMessageError('value is not a JSON object');
  }
  return json;
}

/**
 * Parses a Kafka message value as JSON and checks it against a class-validator contract. A message
 * that fails is poison: the reason names every bad field. Unknown extra fields are tolerated, so
 * producers can add fields without breaking consumers.
 */
export function parseMessage<T extends object>(contract: new () => T, value: Buffer | null): T {
  if (exceedsJsonDepth(value?.toString('utf8') ?? '', MAX_MESSAGE_DEPTH))
    throw new PoisonMessageError(`value nests deeper than ${MAX_MESSAGE_DEPTH} levels`);
  const json = parseJsonObject(value);
  const errors = fieldErrors(validateSync(plainToInstance(contract, json)));
  if (errors.length > 0) {
    throw new PoisonMessageError(
      errors.map((e) => `${e.field}: ${e.messages.join(', ')}`).join('; '),
    );
  }
  // The plain JSON, not the class instance: handlers work on the event contract's plain data.
  return json as T;
}
