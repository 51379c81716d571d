import { createRequire } from 'node:module';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import type { PrismaClient } from './generated/client/index.js';
import { isPostgresUrl, postgresConnection } from './sql-db.ts';
import { sqlitePathFromUrl } from './sqlite.ts';

export type { PrismaClient };

/**
 * The generated clients (CommonJS, each with its WebAssembly query compiler) are loaded when a
 * client is made, not when this module is: the bot makes one only to seed an empty database or to
 * look for demo data, and the CLI only for the commands that use it (issue 14 §7, start-up).
 */
const load = createRequire(import.meta.url);
type SqliteClientModule = typeof import('./generated/client/index.js');
type PgClientModule = typeof import('./generated/pg-client/index.js');

/**
 * The Prisma client for a DATABASE_URL, through a driver adapter (no native engine): better-sqlite3
 * for `file:` URLs, node-postgres for `postgres(ql)://` ones. Both clients are generated from the
 * same models (prisma/postgres/schema.prisma is derived from prisma/schema.prisma), so the
 * PostgreSQL one has the same API and is typed as the SQLite one.
 */
export function createPrismaClient(url: string): PrismaClient {
  if (isPostgresUrl(url)) {
    const { connectionString, schema } = postgresConnection(url);
    // `schema` qualifies Prisma's own queries; the search_path serves raw SQL.
    const options = schema ? `-c search_path="${schema.replace(/"/g, '')}"` : undefined;
    const adapter = new PrismaPg({ connectionString, max: 4, options }, { schema });
    const { PrismaClient: PgPrismaClient }: PgClientModule = load('./generated/pg-client/index.js');
    const client = new PgPrismaClient({ adapter });
    return client as unknown as PrismaClient;
  }
  const { PrismaClient: SqlitePrismaClient }: SqliteClientModule = load('./generated/client/index.js');
  return new SqlitePrismaClient({
    adapter: new PrismaBetterSQLite3({ url: `file:${sqlitePathFromUrl(url)}` }),
  });
}
