/**
 * Where the key of the ID number hash comes from (core/households/id-number.ts):
 * - ID_HASH_KEY in the environment: always, and required by a real deployment (a Telegram or Zalo
 *   token set): there an ID number is refused rather than hashed with a key kept next to the data;
 * - otherwise (the playground, development): a random key made on first use and kept in
 *   `id-hash.key` beside the SQLite database (./data/id-hash.key by default; PostgreSQL: ./data),
 *   readable by its owner only, so `npm start` and the CLI need nothing.
 * The key is never written to the database, so a database copy or a backup does not hold it.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  ID_HASH_KEY_MIN_BYTES,
  type IdNumberHasher,
  idNumberHasher,
  parseIdHashKey,
} from '../core/households/id-number.ts';
import { type Config, ConfigError } from './config.ts';

type KeyConfig = Pick<Config, 'idHashKey' | 'sqliteFile' | 'telegram' | 'zalo'>;

export const ID_HASH_KEY_REQUIRED =
  'chưa đặt ID_HASH_KEY: khi đã có token Telegram/Zalo, số CCCD chỉ được ghi với khóa bí mật này. ' +
  'Tạo khóa bằng `openssl rand -hex 32`, ghi ID_HASH_KEY=<khóa> vào .env (hoặc tệp môi trường của dịch vụ) ' +
  'rồi chạy lại; giữ khóa ngoài cơ sở dữ liệu và bản sao lưu (xem docs/deployment.md). ' +
  '(ID_HASH_KEY is required to store ID numbers when a messenger token is set.)';

/** The playground's key file: beside the SQLite database, or ./data/id-hash.key on PostgreSQL. */
export function localIdHashKeyFile(config: Pick<Config, 'sqliteFile'>): string {
  return path.join(path.dirname(config.sqliteFile ?? path.join('data', 'bot.db')), 'id-hash.key');
}

/** ID_HASH_KEY, or the local key without a messenger token; a ConfigError with a token and no key. */
export function resolveIdHashKey(config: KeyConfig): Buffer {
  if (config.idHashKey) {
    return config.idHashKey;
  }
  if (config.telegram || config.zalo) {
    throw new ConfigError(ID_HASH_KEY_REQUIRED);
  }
  return localKey(localIdHashKeyFile(config));
}

/**
 * A hasher that finds its key on first use (`resolveIdHashKey`), so a process that never sees an ID
 * number needs no key and makes no key file.
 */
export function idNumberHasherFor(config: KeyConfig): IdNumberHasher {
  let hasher: IdNumberHasher | undefined;
  return (idNumber) => {
    hasher ??= idNumberHasher(resolveIdHashKey(config));
    return hasher(idNumber);
  };
}

function readKey(file: string): Buffer {
  const key = parseIdHashKey(fs.readFileSync(file, 'utf8'));
  if (!key) {
    throw new ConfigError(
      `${file} does not hold an ID hash key (${ID_HASH_KEY_MIN_BYTES} bytes or more as hex)`,
    );
  }
  return key;
}

/** Reads the local key, or makes it: written aside (0600) and linked in, so two processes agree on one. */
function localKey(file: string): Buffer {
  if (fs.existsSync(file)) {
    return readKey(file);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(aside, `${randomBytes(ID_HASH_KEY_MIN_BYTES).toString('hex')}\n`, { mode: 0o600 });
  try {
    try {
      fs.linkSync(aside, file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        return readKey(file);
      }
      // A file system without hard links: an exclusive copy keeps the mode and refuses to overwrite.
      fs.copyFileSync(aside, file, fs.constants.COPYFILE_EXCL);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw error;
    }
  } finally {
    fs.rmSync(aside, { force: true });
  }
  return readKey(file);
}
