import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Flags for a quiet, sandbox-free headless Chromium in containers and CI. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where the browser is expected: `CHROMIUM_PATH`, else Debian's chromium package. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

/**
 * Launches the system Chromium for browser tests. playwright-core never downloads a browser here
 * (tests must not fetch binaries), so a missing executable gets an explicit, actionable error
 * instead of Playwright's generic one.
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}. Browser tests use the system Chromium: \`npm test\` installs ` +
        'it (scripts/ensure-chromium.ts, `apt-get install -y chromium`); or set CHROMIUM_PATH.',
    );
  }
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}
