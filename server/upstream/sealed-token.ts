// A person's upstream tokens at rest: encrypted with AES-256-GCM when UPSTREAM_TOKEN_KEY is set,
// as they come otherwise. The person's ID is bound in as associated data, so that a sealed
// token copied onto another person's row does not open.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const prefix = 'gcm1.';

export function sealToken(key: Buffer | undefined, personId: string, token: string): string {
  if (!key) return token;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(personId));
  const sealed = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return `${prefix}${[iv, cipher.getAuthTag(), sealed].map((b) => b.toString('base64url')).join('.')}`;
}

/**
 * The token, or undefined when it cannot be read: sealed with another key, or sealed and no key
 * is set now (the person connects again). One stored before a key was set reads as it is.
 */
export function openToken(key: Buffer | undefined, personId: string, stored: string): string | undefined {
  if (!stored.startsWith(prefix)) return stored;
  if (!key) return undefined;
  const [iv, tag, sealed] = stored
    .slice(prefix.length)
    .split('.')
    .map((part) => Buffer.from(part, 'base64url'));
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(personId));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(sealed), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
