import { randomInt } from 'node:crypto';

/** No 0/O, 1/I/L: codes are read aloud and typed on phones. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const INVITE_CODE_LENGTH = 8;

export function generateInviteCode(): string {
  let code = '';
  for (let i = 0; i < INVITE_CODE_LENGTH; i++) {
    code += ALPHABET[randomInt(ALPHABET.length)];
  }
  return code;
}

/** "abcd-efgh", "ABCD EFGH" and "ABCDEFGH" are the same code; anything else is undefined. */
export function normalizeInviteCode(text: string): string | undefined {
  if (text.length > 40) {
    return undefined;
  }
  const code = text.toUpperCase().replace(/[\s\-_.]/g, '');
  return /^[A-Z0-9]{8}$/.test(code) ? code : undefined;
}

/** Shown as ABCD-EFGH, easier to read out and copy. */
export function displayInviteCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** The link that opens a chat with the Telegram bot and redeems the code there (`/start CODE`). */
export function inviteLink(botUsername: string, code: string): string {
  return `https://t.me/${botUsername}?start=${code}`;
}
