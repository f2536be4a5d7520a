import { isCardNumber } from '@loyalty/domain';
import { ValidationOptions, registerDecorator } from 'class-validator';

export function IsCardNumber(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCardNumber',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: '$property must be 12 to 19 digits with a valid check digit',
        ...options,
      },
      validator: { validate: (value: unknown) => typeof value === 'string' && isCardNumber(value) },
    });
}
