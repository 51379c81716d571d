/**
 * Database chores: `npm run db:deploy` applies pending migrations (and seeds an empty database:
 * the demo only when no messenger token is configured, as the bot does), `npm run db:seed` puts
 * the playground's living demo in afresh,
 * `npm run db:migration -- <name>` writes a new migration from the change in prisma/schema.prisma —
 * one for SQLite and one for PostgreSQL, and refreshes prisma/postgres/schema.prisma.
 * `prisma migrate dev` cannot run on the WebAssembly engine (DESIGN.md §7), hence the second one.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../bot/config.ts';
import { demoResetRefusal, resetDemoDatabase } from '../prisma/demo-reset.ts';
import {
  applyMigrations,
  latestSchemaSnapshot,
  MIGRATIONS_DIR,
  PG_MIGRATIONS_DIR,
  PG_SCHEMA_FILE,
  postgresSchemaFrom,
  SCHEMA_FILE,
} from '../prisma/migrate.ts';
import { SEEDED_LOG, seedIfEmpty, wantsDemo } from '../prisma/seed.ts';
import { openSqlDb } from '../prisma/sql-db.ts';

async function deploy(): Promise<void> {
  if (fs.existsSync('.env')) {
    process.loadEnvFile('.env');
  }
  const config = loadConfig(process.env);
  const db = openSqlDb(config.databaseUrl);
  try {
    const applied = await applyMigrations(db);
    console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
    const demo = wantsDemo(config) && 'living';
    if (await seedIfEmpty(db, new Date(), { demo })) {
      console.log(SEEDED_LOG[demo || 'reference']);
    }
  } finally {
    await db.close();
  }
}

/**
 * `npm run db:seed`: the playground's living demo, fresh as of today — into an empty database, or
 * in place of the demo a database already holds (as the playground's "Bắt đầu lại"). Never with a
 * messenger token (a real deployment) nor over a database with other data in it.
 */
async function seedDemo(): Promise<void> {
  if (fs.existsSync('.env')) {
    process.loadEnvFile('.env');
  }
  const config = loadConfig(process.env);
  if (!wantsDemo(config)) {
    console.error(
      'Dữ liệu mẫu chỉ dành cho môi trường thử nghiệm (không có token Telegram/Zalo): cấu hình này có token, nên không nạp. / Demo data is for the playground only (no Telegram/Zalo token); this configuration has one.',
    );
    process.exit(1);
  }
  const db = openSqlDb(config.databaseUrl);
  try {
    await applyMigrations(db);
    if (await seedIfEmpty(db, new Date(), { demo: 'living' })) {
      console.log(SEEDED_LOG.living);
      return;
    }
    const refusal = await demoResetRefusal(db);
    if (refusal) {
      console.error(
        `Cơ sở dữ liệu này không chỉ có dữ liệu mẫu (có người dùng Telegram/Zalo, hoặc không do bản mẫu tạo ra), nên không nạp lại. Dùng một DATABASE_URL khác cho môi trường thử nghiệm. / This database holds more than the demo (${refusal}); use another DATABASE_URL for the playground.`,
      );
      process.exit(1);
    }
    await resetDemoDatabase(db, new Date(), 'living');
    console.log(
      'Đã bắt đầu lại dữ liệu mẫu của môi trường thử nghiệm: như mới, tính đến hôm nay. / The playground demo started over, as new as of today.',
    );
  } finally {
    await db.close();
  }
}

/** The SQL that takes the newest migration's schema to `schema` (from nothing for a first one). */
function diffScript(dir: string, schema: string): string {
  const from = latestSchemaSnapshot(dir);
  // Diffing two schema files needs no database, so it works offline with the WebAssembly engine.
  return execFileSync(
    path.join('node_modules', '.bin', 'prisma'),
    [
      'migrate',
      'diff',
      ...(from ? ['--from-schema-datamodel', from] : ['--from-empty']),
      '--to-schema-datamodel',
      schema,
      '--script',
    ],
    { encoding: 'utf8' },
  );
}

function newMigration(name: string | undefined): void {
  if (!name || !/^[a-z0-9_]+$/.test(name)) {
    console.error('Usage: npm run db:migration -- <name_in_snake_case>');
    process.exit(2);
  }
  fs.mkdirSync(path.dirname(PG_SCHEMA_FILE), { recursive: true });
  fs.writeFileSync(PG_SCHEMA_FILE, postgresSchemaFrom(fs.readFileSync(SCHEMA_FILE, 'utf8')));
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  let wrote = false;
  for (const [dir, schema] of [
    [MIGRATIONS_DIR, SCHEMA_FILE],
    [PG_MIGRATIONS_DIR, PG_SCHEMA_FILE],
  ] as const) {
    const sql = diffScript(dir, schema);
    if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
      continue;
    }
    const target = path.join(dir, `${stamp}_${name}`);
    fs.mkdirSync(target, { recursive: true });
    fs.writeFileSync(path.join(target, 'migration.sql'), sql);
    fs.copyFileSync(schema, path.join(target, 'schema.prisma'));
    console.log(`Wrote ${path.relative(process.cwd(), target)}/migration.sql`);
    wrote = true;
  }
  if (!wrote) {
    console.log('No schema change: no migration written.');
  }
}

const [command, arg] = process.argv.slice(2);
if (command === 'deploy') {
  deploy().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
} else if (command === 'seed') {
  seedDemo().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
} else if (command === 'migration') {
  newMigration(arg);
} else {
  console.error('Usage: tsx scripts/db.ts deploy | seed | migration <name>');
  process.exit(2);
}
