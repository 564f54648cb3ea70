// Passwords: Argon2id at OWASP's recommended minimum (m = 19 MiB, t = 2, p = 1), through a
// maintained native binding. A password is never logged or returned; only its hash is stored.
import { hash, verify } from '@node-rs/argon2';
import { ODataError } from '../query/errors.ts';

const argon2id = 2; // @node-rs/argon2's Algorithm.Argon2id (a const enum, not importable as a value)
const options = { algorithm: argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const minPasswordLength = 10;
const maxPasswordLength = 256;

export function checkNewPassword(password: unknown): string {
  if (typeof password !== 'string' || password.length < minPasswordLength) {
    throw new ODataError(
      400,
      'WeakPassword',
      `Choose a password of at least ${minPasswordLength} characters`,
      'newPassword',
    );
  }
  if (password.length > maxPasswordLength) {
    throw new ODataError(400, 'WeakPassword', `A password has at most ${maxPasswordLength} characters`);
  }
  return password;
}

export const hashPassword = (password: string) => hash(password, options);

/** A hash of no one's password: checked when the email is unknown, so both answers take as long. */
let decoy: Promise<string> | undefined;

export async function passwordMatches(password: string, stored: string | null | undefined) {
  if (password.length > maxPasswordLength) return false;
  if (!stored) {
    decoy ??= hash('not a password of anyone', options);
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
