import { InvalidCardNumberError } from './errors';
import { isLuhnValid, luhnCheckDigit, makeCardNumber, parseCardNumber } from './card-number';

describe('card numbers', () => {
  it.each([
    ['79927398713', true],
    ['79927398710', false],
    ['4111111111111111', true],
    ['4111111111111112', false],
    ['0', false],
  ])('Luhn check of %p is %p', (digits, valid) => {
    expect(isLuhnValid(digits)).toBe(valid);
  });

  it('computes the check digit', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3);
    expect(makeCardNumber('900000000001')).toBe('9000000000019');
  });

  it.each([
    ['12345', 'must be 12 to 19 digits'],
    ['90000000000a6', 'must be 12 to 19 digits'],
    ['12345678901234567890', 'must be 12 to 19 digits'],
    ['9000000000016', 'wrong check digit'],
  ])('rejects %p', (raw, message) => {
    expect(() => parseCardNumber(raw)).toThrow(InvalidCardNumberError);
    expect(() => parseCardNumber(raw)).toThrow(message);
  });

  it('accepts a valid card number', () => {
    expect(parseCardNumber('9000000000019')).toBe('9000000000019');
  });
});
