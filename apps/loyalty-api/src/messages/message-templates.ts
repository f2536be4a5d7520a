export const MESSAGE_KINDS = [
  'offer-issued',
  'offer-expiring',
  'birthday',
  'purchase-anniversary',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export const YEARLY_KINDS = ['birthday', 'purchase-anniversary'] as const satisfies MessageKind[];

export interface MessageOffer {
  code: string;
  /** The reward as the wallet holds it; only its kind and percent are shown. */
  reward: { kind: string; percent?: number };
  validUntil: Date;
}

/** What a message says; no address, no card number. */
export interface MessageFacts {
  kind: MessageKind;
  givenName: string | null;
  /** The account holder's preferred language (BCP 47, e.g. de-DE); English when unknown. */
  language: string | null;
  offer: MessageOffer | null;
  /** Years since the first purchase (a purchase anniversary). */
  years: number | null;
  timeZone: string;
}

export interface RenderedMessage {
  language: Language;
  subject: string;
  text: string;
  html: string;
}

const LANGUAGES = ['en', 'de', 'fr', 'nl'] as const;
type Language = (typeof LANGUAGES)[number];

const LOCALES: Record<Language, string> = { en: 'en-GB', de: 'de-DE', fr: 'fr-FR', nl: 'nl-NL' };

interface Wording {
  hello(name: string | null): string;
  subject: Record<MessageKind, string>;
  body: Record<MessageKind, (facts: { years: number }) => string>;
  offer(reward: string, code: string, until: string): string;
  anOffer: string;
  percentOff(percent: number): string;
  signOff: string;
}

const WORDING: Record<Language, Wording> = {
  en: {
    hello: (name) => (name ? `Hello ${name},` : 'Hello,'),
    subject: {
      'offer-issued': 'A new offer for you',
      'offer-expiring': 'Your offer ends soon',
      birthday: 'Happy birthday!',
      'purchase-anniversary': 'Thank you for shopping with us',
    },
    body: {
      'offer-issued': () => 'There is a new offer in your wallet.',
      'offer-expiring': () => 'Your offer ends soon: use it while you can.',
      birthday: () => 'Happy birthday from all of us!',
      'purchase-anniversary': ({ years }) =>
        `It is ${years === 1 ? 'a year' : `${years} years`} since your first purchase with us. Thank you!`,
    },
    offer: (reward, code, until) => `${reward}: use code ${code} until ${until}.`,
    anOffer: 'Your offer',
    percentOff: (percent) => `${percent}% off`,
    signOff: 'See you soon!',
  },
  de: {
    hello: (name) => (name ? `Hallo ${name},` : 'Hallo,'),
    subject: {
      'offer-issued': 'Ein neues Angebot für Sie',
      'offer-expiring': 'Ihr Angebot läuft bald ab',
      birthday: 'Alles Gute zum Geburtstag!',
      'purchase-anniversary': 'Danke für Ihre Treue',
    },
    body: {
      'offer-issued': () => 'In Ihrer Geldbörse wartet ein neues Angebot.',
      'offer-expiring': () => 'Ihr Angebot läuft bald ab: nutzen Sie es noch.',
      birthday: () => 'Wir wünschen Ihnen alles Gute zum Geburtstag!',
      'purchase-anniversary': ({ years }) =>
        `Ihr erster Einkauf bei uns ist ${years === 1 ? 'ein Jahr' : `${years} Jahre`} her. Vielen Dank!`,
    },
    offer: (reward, code, until) => `${reward}: Code ${code}, gültig bis ${until}.`,
    anOffer: 'Ihr Angebot',
    percentOff: (percent) => `${percent} % Rabatt`,
    signOff: 'Bis bald!',
  },
  fr: {
    hello: (name) => (name ? `Bonjour ${name},` : 'Bonjour,'),
    subject: {
      'offer-issued': 'Une nouvelle offre pour vous',
      'offer-expiring': 'Votre offre expire bientôt',
      birthday: 'Joyeux anniversaire !',
      'purchase-anniversary': 'Merci de votre fidélité',
    },
    body: {
      'offer-issued': () => 'Une nouvelle offre vous attend.',
      'offer-expiring': () => 'Votre offre expire bientôt : profitez-en.',
      birthday: () => 'Toute l’équipe vous souhaite un joyeux anniversaire !',
      'purchase-anniversary': ({ years }) =>
        `Votre premier achat chez nous date d’il y a ${years === 1 ? 'un an' : `${years} ans`}. Merci !`,
    },
    offer: (reward, code, until) => `${reward} : code ${code}, valable jusqu’au ${until}.`,
    anOffer: 'Votre offre',
    percentOff: (percent) => `${percent} % de réduction`,
    signOff: 'À bientôt !',
  },
  nl: {
    hello: (name) => (name ? `Hallo ${name},` : 'Hallo,'),
    subject: {
      'offer-issued': 'Een nieuwe aanbieding voor u',
      'offer-expiring': 'Uw aanbieding verloopt binnenkort',
      birthday: 'Gefeliciteerd met uw verjaardag!',
      'purchase-anniversary': 'Bedankt voor uw trouw',
    },
    body: {
      'offer-issued': () => 'Er staat een nieuwe aanbieding voor u klaar.',
      'offer-expiring': () => 'Uw aanbieding verloopt binnenkort: gebruik hem nog.',
      birthday: () => 'Van harte gefeliciteerd met uw verjaardag!',
      'purchase-anniversary': ({ years }) =>
        `Uw eerste aankoop bij ons is ${years === 1 ? 'een jaar' : `${years} jaar`} geleden. Dank u wel!`,
    },
    offer: (reward, code, until) => `${reward}: code ${code}, geldig tot ${until}.`,
    anOffer: 'Uw aanbieding',
    percentOff: (percent) => `${percent}% korting`,
    signOff: 'Tot snel!',
  },
};

/** `de-DE`, `de` or `DE-at` read as German; anything unknown as English. */
export function messageLanguage(preferred: string | null): Language {
  const primary = (preferred ?? '').split(/[-_]/)[0].toLowerCase();
  return (LANGUAGES as readonly string[]).includes(primary) ? (primary as Language) : 'en';
}

// A run of 12 or more digits, spaces or dashes between them allowed: what a card number looks like.
const CARD_LIKE = /\d(?:[ -]?\d){11,}/g;

/** Masks anything that looks like a card number (a name or code typed with one, say). */
export function withoutCardNumbers(text: string): string {
  return text.replace(CARD_LIKE, (digits) => digits.replace(/\d/g, '•'));
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/** The message in the shopper's language, plain text and simple HTML, with the same paragraphs. */
export function renderMessage(facts: MessageFacts): RenderedMessage {
  const language = messageLanguage(facts.language);
  const words = WORDING[language];
  const paragraphs = [
    words.hello(facts.givenName),
    words.body[facts.kind]({ years: facts.years ?? 1 }),
  ];
  if (facts.offer !== null) {
    const { reward, code, validUntil } = facts.offer;
    const until = new Intl.DateTimeFormat(LOCALES[language], {
      dateStyle: 'long',
      timeZone: facts.timeZone,
    }).format(validUntil);
    const what =
      reward.kind === 'percentOff' && typeof reward.percent === 'number'
        ? words.percentOff(reward.percent)
        : words.anOffer;
    paragraphs.push(words.offer(what, code, until));
  }
  paragraphs.push(words.signOff);
  const safe = paragraphs.map(withoutCardNumbers);
  return {
    language,
    subject: withoutCardNumbers(words.subject[facts.kind]),
    text: `${safe.join('\n\n')}\n`,
    html: `<!doctype html><html lang="${LOCALES[language]}"><body>${safe
      .map((p) => `<p>${escapeHtml(p)}</p>`)
      .join('')}</body></html>`,
  };
}
