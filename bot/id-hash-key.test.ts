import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { hashIdNumber } from '../core/households/id-number.ts';
import { tempDatabase } from '../test/support/app-harness.ts';
import { startBotApiEmulator } from '../test/support/bot-api-emulator.ts';
import { TEST_ID_HASH_KEY, TEST_ID_HASH_KEY_HEX } from '../test/support/id-hash-key.ts';
import { createApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import {
  ID_HASH_KEY_REQUIRED,
  idNumberHasherFor,
  localIdHashKeyFile,
  resolveIdHashKey,
} from './id-hash-key.ts';
import { createLogger } from './logger.ts';

const TOKEN = '123456789:AAtesttokentesttokentesttoken';
const dirs: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'id-hash-key-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('ID_HASH_KEY', () => {
  it('takes 32 bytes or more as hex or base64, refuses less or anything else, and keeps it out of logs', () => {
    const hex = loadConfig({ ID_HASH_KEY: TEST_ID_HASH_KEY_HEX });
    expect(hex.idHashKey?.equals(TEST_ID_HASH_KEY)).toBe(true);
    expect(hex.secrets).toContain(TEST_ID_HASH_KEY_HEX);
    expect(
      loadConfig({ ID_HASH_KEY: TEST_ID_HASH_KEY.toString('base64') }).idHashKey?.equals(TEST_ID_HASH_KEY),
    ).toBe(true);
    expect(loadConfig({}).idHashKey).toBeUndefined();
    for (const bad of [
      'abc123',
      TEST_ID_HASH_KEY_HEX.slice(0, 62),
      'not a key at all, just words!!',
      'ø'.repeat(50),
    ]) {
      expect(() => loadConfig({ ID_HASH_KEY: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ ID_HASH_KEY: bad })).toThrow(/ID_HASH_KEY must be at least 32 random bytes/);
    }
  });

  it('is required to hash an ID number when a messenger token is set: a clear refusal, no key file', () => {
    const dir = tempDir();
    const config = loadConfig({
      DATABASE_URL: `file:${path.join(dir, 'bot.db')}`,
      TELEGRAM_BOT_TOKEN: TOKEN,
    });
    expect(() => resolveIdHashKey(config)).toThrow(ConfigError);
    const hash = idNumberHasherFor(config);
    expect(() => hash('001058012345')).toThrow(ID_HASH_KEY_REQUIRED);
    expect(fs.existsSync(localIdHashKeyFile(config))).toBe(false);
    // With the key set the token changes nothing.
    const keyed = loadConfig({
      ...configEnv(dir),
      TELEGRAM_BOT_TOKEN: TOKEN,
      ID_HASH_KEY: TEST_ID_HASH_KEY_HEX,
    });
    expect(idNumberHasherFor(keyed)('001058012345')).toBe(hashIdNumber(TEST_ID_HASH_KEY, '001058012345'));
  });

  it('without a token and without a key (the playground) makes a random key beside the SQLite file, 0600, once', () => {
    const dir = tempDir();
    const config = loadConfig(configEnv(dir));
    const file = localIdHashKeyFile(config);
    expect(file).toBe(path.join(dir, 'id-hash.key'));
    expect(fs.existsSync(file)).toBe(false);
    const first = resolveIdHashKey(config);
    expect(first).toHaveLength(32);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${first.toString('hex')}\n`);
    // The next process (the CLI after the bot) reads the same key; nothing is left aside.
    expect(resolveIdHashKey(loadConfig(configEnv(dir))).equals(first)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['id-hash.key']);
    // Another playground database (another folder) gets a key of its own.
    expect(resolveIdHashKey(loadConfig(configEnv(tempDir()))).equals(first)).toBe(false);
    // ID_HASH_KEY wins over the file.
    const keyed = loadConfig({ ...configEnv(dir), ID_HASH_KEY: TEST_ID_HASH_KEY_HEX });
    expect(resolveIdHashKey(keyed).equals(TEST_ID_HASH_KEY)).toBe(true);
  });

  it('refuses a damaged local key file instead of making another key', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'id-hash.key'), 'oops\n');
    expect(() => resolveIdHashKey(loadConfig(configEnv(dir)))).toThrow(/does not hold an ID hash key/);
  });
});

describe('the bot with a messenger token', () => {
  it('starts without ID_HASH_KEY (it never asks for an ID number) and says in its log that imports need it', {
    timeout: 60_000,
  }, async () => {
    const emulator = await startBotApiEmulator();
    onTestFinished(() => emulator.close());
    for (const withKey of [false, true]) {
      const database = tempDatabase();
      onTestFinished(database.cleanup);
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
          done();
        },
      });
      const config = loadConfig({
        DATABASE_URL: database.url,
        PORT: '0',
        TELEGRAM_BOT_TOKEN: emulator.token,
        TELEGRAM_API_ROOT: emulator.apiRoot,
        ...(withKey ? { ID_HASH_KEY: TEST_ID_HASH_KEY_HEX } : {}),
      });
      const app = await createApp(config, createLogger({ level: 'warn', secrets: config.secrets }, sink), {
        scheduler: false,
        telegramBotInfo: emulator.botInfo,
      });
      await app.stop();
      const warned = lines.filter((l) => l.includes('ID_HASH_KEY is not set'));
      expect(warned).toHaveLength(withKey ? 0 : 1);
      expect(lines.join('\n')).not.toContain(TEST_ID_HASH_KEY_HEX);
    }
  });
});

function configEnv(dir: string): Record<string, string> {
  return { DATABASE_URL: `file:${path.join(dir, 'bot.db')}` };
}
