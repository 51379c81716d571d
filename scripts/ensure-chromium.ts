/**
 * Before the suite runs (`npm test`): the browser tests drive Debian's Chromium (never a downloaded
 * browser), so it must be there. Present (CHROMIUM_PATH, default /usr/bin/chromium): nothing to do.
 * Missing on a Debian machine where we run as root: installed with apt-get from the Debian archive.
 * Otherwise: exits non-zero with the one command to run — browser tests never skip silently.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const executable = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const INSTALL = 'sudo apt-get install -y chromium';

function install(): boolean {
  if (process.getuid?.() !== 0 || !fs.existsSync('/usr/bin/apt-get')) {
    return false;
  }
  console.log("Installing Debian's chromium for the browser tests (apt-get)...");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
    return true;
  } catch {
    return false;
  }
}

if (!fs.existsSync(executable)) {
  if (!(process.env.CHROMIUM_PATH === undefined && install() && fs.existsSync(executable))) {
    console.error(
      `The browser tests need Chromium at ${executable} and it is not there. Install Debian's package: ${INSTALL}` +
        ' (or set CHROMIUM_PATH to a Chromium binary), then run npm test again.',
    );
    process.exit(1);
  }
}
