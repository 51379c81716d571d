import { spawn } from 'node:child_process';
import path from 'node:path';
import type { TempDatabase } from './app-harness.ts';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const TSX = path.join(REPO, 'node_modules', '.bin', 'tsx');
const CLI = path.join(REPO, 'scripts', 'cli.ts');

/** What a run of the CLI process printed and how it ended. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real CLI (scripts/cli.ts) in a directory without .env, on its own database (the suite's
 * dialect). Its stdout and stderr are pipes: not terminals, as in a log file or CI.
 */
export function runCli(
  args: string[],
  database: TempDatabase,
  env: Record<string, string> = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [CLI, ...args], {
      cwd: database.dir,
      env: { ...process.env, DATABASE_URL: database.url, TZ_CAMPAIGN: 'Asia/Ho_Chi_Minh', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
