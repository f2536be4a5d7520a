// A loyalty card number: 12 to 19 digits, the last one a Luhn check digit.
const CARD_PATTERN = /^\d{12,19}$/;

export function luhnCheckDigit(body: string): number {
  let sum = 0;
  // Double every second digit counting leftwards from the digit next to the check digit.
  for (let i = body.length - 1, double = true; i >= 0; i--, double = !double) {
    let digit = body.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

export function isLuhnValid(digits: string): boolean {
  return /^\d{2,}$/.test(digits) && luhnCheckDigit(digits.slice(0, -1)) === Number(digits.at(-1));
}

export function isCardNumber(value: string): boolean {
  return CARD_PATTERN.test(value) && isLuhnValid(value);
}
