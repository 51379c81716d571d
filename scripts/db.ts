/**
 * Database chores: `npm run db:deploy` applies pending migrations (and seeds an empty database),
 * `npm run db:migration -- <name>` writes a new migration from the change in prisma/schema.prisma.
 * `prisma migrate dev` cannot run on the WebAssembly engine (DESIGN.md §7), hence the second one.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../bot/config.ts';
import { createPrismaClient } from '../prisma/client.ts';
import { applyMigrations, latestSchemaSnapshot, MIGRATIONS_DIR } from '../prisma/migrate.ts';
import { seedIfEmpty } from '../prisma/seed.ts';
import { openSqlite } from '../prisma/sqlite.ts';

async function deploy(): Promise<void> {
  if (fs.existsSync('.env')) {
    process.loadEnvFile('.env');
  }
  const config = loadConfig(process.env);
  const db = openSqlite(config.sqliteFile);
  const applied = applyMigrations(db);
  db.close();
  console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
  const prisma = createPrismaClient(config.sqliteFile);
  try {
    if (await seedIfEmpty(prisma, new Date())) {
      console.log('Empty database: demo campaign seeded.');
    }
  } finally {
    await prisma.$disconnect();
  }
}

function newMigration(name: string | undefined): void {
  if (!name || !/^[a-z0-9_]+$/.test(name)) {
    console.error('Usage: npm run db:migration -- <name_in_snake_case>');
    process.exit(2);
  }
  // Diffing two schema files needs no database, so it works offline with the WebAssembly engine.
  const sql = execFileSync(
    path.join('node_modules', '.bin', 'prisma'),
    [
      'migrate',
      'diff',
      '--from-schema-datamodel',
      latestSchemaSnapshot(),
      '--to-schema-datamodel',
      'prisma/schema.prisma',
      '--script',
    ],
    { encoding: 'utf8' },
  );
  if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
    console.log('No schema change: no migration written.');
    return;
  }
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'migration.sql'), sql);
  fs.copyFileSync('prisma/schema.prisma', path.join(dir, 'schema.prisma'));
  console.log(`Wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
}

const [command, arg] = process.argv.slice(2);
if (command === 'deploy') {
  deploy().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
} else if (command === 'migration') {
  newMigration(arg);
} else {
  console.error('Usage: tsx scripts/db.ts deploy | migration <name>');
  process.exit(2);
}
