/**
 * How an ID number (CMND/CCCD) of a household head is kept: never the number itself, only a keyed
 * hash (HMAC-SHA-256 under ID_HASH_KEY, a secret of the deployment that is never written to the
 * database or a backup) to recognise the same person twice, and the last 4 digits to show an official
 * which number was meant.
 *
 * Why keyed: a CCCD is 3 digits of province, 1 of century and sex, 2 of birth year and 6 more; with the
 * last 4 digits and the birth year stored beside it only a few hundred thousand candidates are left,
 * and an unkeyed hash of each is computed in milliseconds. Without the key no candidate can be checked.
 */
import { createHmac } from 'node:crypto';

/** The shortest key accepted: 32 bytes (256 bits), HMAC-SHA-256's output size. */
export const ID_HASH_KEY_MIN_BYTES = 32;

/** Hashes one ID number with the deployment's key (see `idNumberHasher`). */
export type IdNumberHasher = (idNumber: string) => string;

/**
 * The key written as hex (64 or more hex digits) or base64 (44 or more characters), e.g. the output
 * of `openssl rand -hex 32`; undefined when it is neither or shorter than 32 bytes.
 */
export function parseIdHashKey(text: string): Buffer | undefined {
  const value = text.trim();
  let key: Buffer | undefined;
  if (/^(?:[0-9a-fA-F]{2})+$/.test(value)) {
    key = Buffer.from(value, 'hex');
  } else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value) && value.replace(/=+$/, '').length % 4 !== 1) {
    key = Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64');
  }
  return key && key.length >= ID_HASH_KEY_MIN_BYTES ? key : undefined;
}

/**
 * The stored hash of an ID number: HMAC-SHA-256 under `key` of its digits (spaces, dots and a
 * leading apostrophe from a spreadsheet are ignored), 64 hex characters. The same number under the
 * same key always gives the same hash, so duplicate detection compares hashes; under another key,
 * or without one, nothing can be learnt from it.
 */
export function hashIdNumber(key: Uint8Array, idNumber: string): string {
  return createHmac('sha256', key)
    .update(`household-id:${idNumber.replace(/\D/g, '')}`)
    .digest('hex');
}

/** `hashIdNumber` with the key bound, for the writers that hash many rows. */
export function idNumberHasher(key: Uint8Array): IdNumberHasher {
  return (idNumber) => hashIdNumber(key, idNumber);
}

/** The last 4 digits shown to officials (and kept in the registry), or null without a number. */
export function idNumberLast4(idNumber: string | undefined | null): string | null {
  const digits = (idNumber ?? '').replace(/\D/g, '');
  return digits === '' ? null : digits.slice(-4);
}
