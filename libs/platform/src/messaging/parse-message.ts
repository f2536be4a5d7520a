import { PoisonMessageError } from '@loyalty/kafka';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { fieldErrors } from '../http/validation';

/**
 * Parses a Kafka message value as JSON and checks it against a class-validator contract. A message
 * that fails is poison: the reason names every bad field. Unknown extra fields are tolerated, so
 * producers can add fields without breaking consumers.
 */
export function parseMessage<T extends object>(
  contract: new () => T,
  value: Buffer | null,
  /**
   * A faster check of the same contract (e.g. compiled JSON Schema) that never accepts what the
   * class-validator contract refuses; what it refuses is judged by the contract, which words the reason.
   */
  accepts?: (json: object) => boolean,
): T {
  let json: unknown;
  try {
    json = JSON.parse(value?.toString('utf8') ?? '');
  } catch {
    throw new PoisonMessageError('value is not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new PoisonMessageError('value is not a JSON object');
  }
  if (accepts?.(json)) return json as T;
  const errors = fieldErrors(validateSync(plainToInstance(contract, json)));
  if (errors.length > 0) {
    throw new PoisonMessageError(
      errors.map((e) => `${e.field}: ${e.messages.join(', ')}`).join('; '),
    );
  }
  // The plain JSON, not the class instance: handlers work on the event contract's plain data.
  return json as T;
}
