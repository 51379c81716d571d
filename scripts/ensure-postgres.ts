/**
 * Before the suite runs on PostgreSQL (`npm run test:postgres`): checks that the test server answers
 * (TEST_PG_URL, default postgresql://postgres@127.0.0.1:5432/test) and, on a Debian machine where it
 * is installed but stopped, starts it with pg_ctlcluster. Exits non-zero with one clear line when
 * there is no PostgreSQL to test against.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import pg from 'pg';

const url = process.env.TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

async function answers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function startCluster(): boolean {
  if (!fs.existsSync('/etc/postgresql')) {
    return false;
  }
  for (const version of fs.readdirSync('/etc/postgresql')) {
    try {
      execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], {
        stdio: 'inherit',
      });
      return true;
    } catch {
      // Try the next installed version.
    }
  }
  return false;
}

if (!(await answers())) {
  console.log(`PostgreSQL does not answer at ${url.replace(/:[^:@/]*@/, ':***@')}; starting it...`);
  const started = startCluster();
  let ok = false;
  for (let i = 0; started && i < 30 && !ok; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    ok = await answers();
  }
  if (!ok) {
    console.error('No PostgreSQL for the tests: start one (trust auth, database "test") or set TEST_PG_URL.');
    process.exit(1);
  }
}
