import fs from 'node:fs';
import path from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { defineConfig } from 'prisma/config';

// The JS engine with a driver adapter runs migrate diff/deploy from the WebAssembly engines shipped
// in the npm packages, so nothing is downloaded (DESIGN.md §7).
const sqliteFile = path.resolve('data', 'prisma-cli.db');

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  async adapter() {
    // A fresh clone has no data/ folder yet, and SQLite does not create folders.
    fs.mkdirSync(path.dirname(sqliteFile), { recursive: true });
    return new PrismaBetterSQLite3({ url: `file:${sqliteFile}` });
  },
});
