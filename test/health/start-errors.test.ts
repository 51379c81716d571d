import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startApp } from '../support/app-harness.ts';

/**
 * A database the bot cannot open stops the start with one line naming DATABASE_URL (issue 18 §3):
 * before, the operator read a bare driver error ("unable to open database file", "ECONNREFUSED").
 */
describe('a database that cannot be opened at start-up', () => {
  it('SQLite: names DATABASE_URL and the reason', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mttq-start-'));
    // A file where the database's folder should be: nothing can be created under it.
    fs.writeFileSync(path.join(dir, 'data'), '');
    const url = `file:${path.join(dir, 'data', 'bot.db')}`;
    try {
      await expect(startApp({ DATABASE_URL: url })).rejects.toThrow(
        new RegExp(`^Invalid configuration: DATABASE_URL \\(${url}\\): the database cannot be opened: .+`),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('PostgreSQL: names DATABASE_URL without its password, and the reason', async () => {
    // Nothing listens on port 1.
    const error = await startApp({ DATABASE_URL: 'postgresql://bot:s3cret-pass@127.0.0.1:1/mttq' }).catch(
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /^Invalid configuration: DATABASE_URL \(postgresql:\/\/bot:\*\*\*@127\.0\.0\.1:1\/mttq\): the database cannot be opened: .*ECONNREFUSED/,
    );
    expect((error as Error).message).not.toContain('s3cret-pass');
  });
});
