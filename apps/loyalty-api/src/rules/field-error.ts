import { BadRequestException } from '@nestjs/common';

/** A 400 shaped like the validation pipe's, for a parameter judged after it. */
export function fieldError(field: string, message: string): BadRequestException {
  return new BadRequestException({
    statusCode: 400,
    code: 'VALIDATION_FAILED',
    message: `${field} ${message}`,
    errors: [{ field, messages: [message] }],
  });
}
