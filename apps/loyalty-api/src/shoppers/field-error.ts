import { BadRequestException } from '@nestjs/common';

/** A 400 shaped like the validation pipe's, for rules checked after it (they need config). */
export function fieldError(field: string, message: string): BadRequestException {
  return new BadRequestException({
    statusCode: 400,
    code: 'VALIDATION_FAILED',
    message: `${field}: ${message}`,
    errors: [{ field, messages: [message] }],
  });
}
