import { isCardNumber, isLuhnValid, luhnCheckDigit } from './card-number';

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
    expect(luhnCheckDigit('900000000001')).toBe(9);
  });

  it.each([
    ['9000000000019', true],
    ['9000000000016', false],
    ['12345', false],
    ['90000000000a9', false],
    ['12345678901234567897', false],
  ])('%p is a card number: %p', (value, valid) => {
    expect(isCardNumber(value)).toBe(valid);
  });
});
