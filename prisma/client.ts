import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from './generated/client/index.js';

export type { PrismaClient };

/** The Prisma client on the SQLite file through the better-sqlite3 driver adapter (no native engine). */
export function createPrismaClient(sqliteFile: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: `file:${sqliteFile}` }) });
}
