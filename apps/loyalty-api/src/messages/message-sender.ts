/** A message ready to go: already rendered, addressed to the account holder. */
export interface OutgoingMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  language: string;
}

/** How messages leave: SMTP today; a provider's HTTP API could be another. */
export interface MessageSender {
  send(message: OutgoingMessage): Promise<void>;
}

/** The injected sender, or null when none is configured (messages then stay queued). */
export const MESSAGE_SENDER = Symbol('MessageSender');
