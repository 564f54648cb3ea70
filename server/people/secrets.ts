// Random secrets (session cookies, personal tokens, sign-in links) and how they are stored:
// only a SHA-256 of each is kept, so a copy of the database signs nobody in. SHA-256 is enough
// here (unlike for passwords): the secrets are 256 random bits, not guessable words.
import { createHash, randomBytes } from 'node:crypto';

export const newSecret = (prefix = '') => `${prefix}${randomBytes(32).toString('base64url')}`;

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');
