import { messageLanguage, renderMessage, withoutCardNumbers } from './message-templates';

describe('message templates', () => {
  it.each([
    ['en-GB', 'en'],
    ['de-DE', 'de'],
    ['fr-FR', 'fr'],
    ['nl-NL', 'nl'],
    ['NL-be', 'nl'],
    ['de', 'de'],
    ['es-ES', 'en'],
    [null, 'en'],
    ['', 'en'],
  ])('writes to a shopper preferring %j in %s', (preferred, language) => {
    expect(messageLanguage(preferred)).toBe(language);
  });

  it.each([
    ['card 4111111111111111', 'card ••••••••••••••••'],
    ['card 4111 1111 1111 1111.', 'card •••• •••• •••• ••••.'],
    ['code AB12CD34EF, 3 years', 'code AB12CD34EF, 3 years'],
    ['call 020 7946 0018', 'call 020 7946 0018'],
  ])('masks what looks like a card number in %j', (text, masked) => {
    expect(withoutCardNumbers(text)).toBe(masked);
  });

  it('never shows a card number, even typed into a name', () => {
    const message = renderMessage({
      kind: 'offer-issued',
      givenName: '6006491234567890',
      language: 'en-GB',
      offer: {
        code: 'ABC123',
        reward: { kind: 'percentOff', percent: 10 },
        validUntil: new Date('2027-01-31T12:00:00Z'),
      },
      years: null,
      timeZone: 'Europe/London',
    });
    expect(`${message.subject}${message.text}${message.html}`).not.toMatch(/\d{12}/);
    expect(message.text).toContain('10% off: use code ABC123 until 31 January 2027.');
  });

  it('escapes the shopper name in HTML', () => {
    const message = renderMessage({
      kind: 'birthday',
      givenName: '<b>Sam</b>',
      language: 'fr-FR',
      offer: null,
      years: null,
      timeZone: 'Europe/Paris',
    });
    expect(message.subject).toBe('Joyeux anniversaire !');
    expect(message.html).toContain('<p>Bonjour &lt;b&gt;Sam&lt;/b&gt;,</p>');
    expect(message.text).toContain('Bonjour <b>Sam</b>,');
  });

  it('counts the years of a purchase anniversary', () => {
    const message = (years: number) =>
      renderMessage({
        kind: 'purchase-anniversary',
        givenName: null,
        language: 'de-DE',
        offer: null,
        years,
        timeZone: 'Europe/Berlin',
      }).text;
    expect(message(1)).toContain('ein Jahr her');
    expect(message(4)).toContain('4 Jahre her');
  });
});
