import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Terminal } from './access';

// A terminal API key is `tk_<keyId>_<secret>`. Only a SHA-256 of the secret is stored: the secret
// is 256 random bits, so a fast hash is safe (no password stretching needed) and keeps the lane fast.
const KEY_PATTERN = /^tk_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$/;

export interface NewTerminalKey {
  apiKey: string;
  keyId: string;
  secretHash: string;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function generateTerminalKey(): NewTerminalKey {
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { apiKey: `tk_${keyId}_${secret}`, keyId, secretHash: hashSecret(secret) };
}

export function parseTerminalKey(apiKey: string): { keyId: string; secret: string } | null {
  const match = KEY_PATTERN.exec(apiKey);
  return match ? { keyId: match[1], secret: match[2] } : null;
}

/** A terminal key as its owner stores it: only a hash of the secret. */
export interface StoredTerminalKey {
  keyId: string;
  storeId: string;
  terminalId: string;
  secretHash: string;
}

/**
 * How an app finds a terminal's key that is not revoked: each app provides its own (the app that
 * owns the keys reads its table; another app reads it through a named query of its own).
 */
export abstract class TerminalKeyLookup {
  abstract findActive(keyId: string): Promise<StoredTerminalKey | null>;
}

/** The terminal an API key authenticates, or null for a malformed, unknown, revoked or wrong key. */
export async function authenticateTerminalKey(
  lookup: TerminalKeyLookup,
  apiKey: string,
): Promise<Terminal | null> {
  const parsed = parseTerminalKey(apiKey);
  if (!parsed) return null;
  const stored = await lookup.findActive(parsed.keyId);
  if (!stored) return null;
  const expected = Buffer.from(stored.secretHash, 'hex');
  const actual = Buffer.from(hashSecret(parsed.secret), 'hex');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;
  return { keyId: stored.keyId, storeId: stored.storeId, terminalId: stored.terminalId };
}
