/**
 * ID numbers (CCCD) cannot be recovered from the database or a backup (issue 13 §3).
 *
 * A commune's list with the heads' CCCD numbers is imported through the real CLI import into a real
 * database (SQLite file, or PostgreSQL with TEST_DATABASE=postgres). Then, as an attacker holding a
 * copy of the database, every column of every household is read and each stored hash is attacked by
 * enumeration: a CCCD is 3 digits of province, 1 of century and sex, 2 of birth year and 6 more, and
 * with the birth year and the last 4 digits stored only 96 × 2 × 100 candidates are left. Each is
 * hashed the old way (an unkeyed SHA-256 of a fixed prefix and the digits) and in every keyless way
 * tried below; none may match. A positive control runs the same attack on the old hashes of the
 * same numbers and recovers every one, so the attack is a real one. The key itself must be nowhere
 * in the database's bytes nor in a backup's; duplicate detection by ID number still works with it.
 */

import { execFileSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLikelyDuplicates } from '../../core/households/duplicates.ts';
import { idNumberHasher } from '../../core/households/id-number.ts';
import { createHouseholdWriter } from '../../prisma/household-writer.ts';
import { applyMigrations, migrationsDir } from '../../prisma/migrate.ts';
import { openSqlDb, type SqlDb } from '../../prisma/sql-db.ts';
import { backupDatabase, sqliteConnectionOf } from '../../scripts/cli/backup.ts';
import { householdsImport } from '../../scripts/cli/households.ts';
import { householdsSetIds } from '../../scripts/cli/households-ids.ts';
import {
  GENERATED_HEADER,
  generateHouseholdRows,
  writeCsv,
} from '../../scripts/dev/generate-household-file.ts';
import { seededDatabase, TEST_DIALECT, TEST_PG_URL, tempDatabase } from '../support/app-harness.ts';
import { recordingCliContext } from '../support/cli-context.ts';
import { TEST_ID_HASH_KEY, TEST_ID_HASH_KEY_HEX, testIdNumberHasher } from '../support/id-hash-key.ts';

const NOW = new Date('2025-03-10T03:00:00Z');
const UNIT = '01852';
const ID_COLUMN = GENERATED_HEADER.indexOf('Số CCCD');
const BIRTH_COLUMN = GENERATED_HEADER.indexOf('Năm sinh');
const CODE_COLUMN = GENERATED_HEADER.indexOf('Mã hộ');

let db: SqlDb;
let url: string;
let dir: string;
let file: string;
let close: () => Promise<void>;
/** The commune's list as imported: code → full ID number. */
const idByCode = new Map<string, string>();

const context = (hashIdNumber = testIdNumberHasher) => recordingCliContext(db, NOW, { prisma, hashIdNumber });
let prisma: Awaited<ReturnType<typeof seededDatabase>>['prisma'];

beforeAll(async () => {
  ({ db, prisma, url, dir, file, close } = await seededDatabase(NOW));
  // 16 households of a commune list, each with a birth year and a CCCD (as in the reproduction).
  const { rows } = generateHouseholdRows(40, { seed: 13 });
  const list = [rows[0] ?? []];
  for (const row of rows.slice(1)) {
    if (list.length <= 16 && row[ID_COLUMN] !== '' && row[BIRTH_COLUMN] !== '') {
      list.push(row);
      idByCode.set(row[CODE_COLUMN] ?? '', row[ID_COLUMN] ?? '');
    }
  }
  const csv = path.join(dir, 'xa-dong-phuc.csv');
  await writeCsv(csv, list);
  const outcome = await householdsImport(context(), {
    file: csv,
    unit: UNIT,
    dryRun: false,
    acceptValid: false,
  });
  expect(outcome.written).toBe(16);
});

afterAll(async () => {
  await close();
});

/** Everything stored about the imported households: every column, as an attacker's copy reads it. */
async function storedHouseholds() {
  const rows = await db.kysely
    .selectFrom('Household')
    .selectAll()
    .where('idNumberLast4', 'is not', null)
    .execute();
  expect(rows).toHaveLength(16);
  return rows;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const hmac = (key: string, text: string) => createHmac('sha256', key).update(text).digest('hex');

/**
 * The keyless ways a hash of `digits` could have been made: the old one (an unkeyed SHA-256 of a
 * fixed prefix and the digits), a plain SHA-256 of the digits, and an HMAC under an empty key.
 * (A key stored anywhere in the database is ruled out by the next test, which looks for it in the
 * bytes.)
 */
function keylessHashes(digits: string): string[] {
  const old = `household-id:${digits}`;
  return [sha256(old), sha256(digits), hmac('', old)];
}

/** Every CCCD consistent with what is stored: any province, the century of the birth year, the last 4. */
function candidates(birthYear: number, last4: string): string[] {
  const century = birthYear < 2000 ? ['0', '1'] : ['2', '3'];
  const yy = String(birthYear % 100).padStart(2, '0');
  const out: string[] = [];
  for (let province = 1; province <= 96; province++) {
    for (const sex of century) {
      for (let middle = 0; middle < 100; middle++) {
        out.push(`${String(province).padStart(3, '0')}${sex}${yy}${String(middle).padStart(2, '0')}${last4}`);
      }
    }
  }
  return out;
}

/** The enumeration attack on one stored household; the ID numbers whose hash matched. */
function enumerate(
  row: { birthYear: number | null; idNumberLast4: string | null },
  storedHash: string,
  hashesOf: (digits: string) => string[],
): string[] {
  const found: string[] = [];
  for (const candidate of candidates(Number(row.birthYear), String(row.idNumberLast4))) {
    if (hashesOf(candidate).includes(storedHash)) {
      found.push(candidate);
    }
  }
  return found;
}

/** Where the key could appear in bytes: as configured (hex), raw, base64. */
function keyForms(): Buffer[] {
  return [
    Buffer.from(TEST_ID_HASH_KEY_HEX),
    Buffer.from(TEST_ID_HASH_KEY_HEX.toUpperCase()),
    TEST_ID_HASH_KEY,
    Buffer.from(TEST_ID_HASH_KEY.toString('base64')),
  ];
}

describe('ID numbers in a database copy and a backup', () => {
  it('no CCCD is recovered by enumeration from everything stored about a household (old way and keyless ways)', {
    timeout: 120_000,
  }, async () => {
    const rows = await storedHouseholds();
    let attacked = 0;
    const recovered: string[] = [];
    for (const row of rows) {
      expect(typeof row.idNumberHash).toBe('string');
      expect(Number(row.birthYear)).toBeGreaterThan(1900);
      recovered.push(...enumerate(row, String(row.idNumberHash), keylessHashes));
      attacked += 1;
    }
    expect(attacked).toBe(16);
    expect(recovered).toEqual([]);

    // Control: the same attack on the old hashes of the same rows recovers every number, exactly.
    const controlRecovered = rows.filter((row) => {
      const truth = idByCode.get(String(row.code)) ?? '';
      return (
        enumerate(row, sha256(`household-id:${truth}`), (d) => [sha256(`household-id:${d}`)]).join() === truth
      );
    });
    expect(controlRecovered).toHaveLength(16);
  });

  it('the key and the full ID numbers are nowhere in the database bytes nor in a backup', async () => {
    const dumps: { what: string; bytes: Buffer }[] = [];
    const stored = await storedHouseholds();
    if (TEST_DIALECT === 'sqlite') {
      const raw = sqliteConnectionOf(db);
      if (!raw) {
        throw new Error('no SQLite connection');
      }
      const backup = path.join(dir, 'backup.db');
      await backupDatabase(raw, backup, { force: false });
      for (const f of [file, `${file}-wal`, backup]) {
        if (fs.existsSync(f)) {
          dumps.push({ what: path.basename(f), bytes: fs.readFileSync(f) });
        }
      }
    } else {
      const schema = new URL(url).searchParams.get('schema') ?? '';
      const dump = execFileSync(
        'pg_dump',
        ['--format=plain', `--schema=${schema}`, `--dbname=${TEST_PG_URL}`],
        {
          maxBuffer: 256 * 1024 * 1024,
        },
      );
      dumps.push({ what: 'pg_dump', bytes: dump });
    }
    // Positive control: the backup (or the dump) does hold the households' keyed hashes.
    const copy = dumps.at(-1)?.bytes ?? Buffer.alloc(0);
    for (const row of stored) {
      expect(copy.includes(Buffer.from(String(row.idNumberHash)))).toBe(true);
    }
    for (const { what, bytes } of dumps) {
      for (const form of keyForms()) {
        expect(bytes.includes(form), `${what} holds the key`).toBe(false);
      }
      for (const id of idByCode.values()) {
        expect(bytes.includes(Buffer.from(id)), `${what} holds ${id.slice(-4)}`).toBe(false);
      }
    }
  });

  it('duplicate detection by ID number still finds the same person with the key, and only with it', async () => {
    const [code, id] = [...idByCode.entries()][3] ?? ['', ''];
    expect(id).toMatch(/^\d{12}$/);
    // The same CCCD under another name, in another village: only the ID number ties them.
    const rows = generateHouseholdRows(1, { seed: 99 }).rows;
    const row = [...(rows[1] ?? [])];
    row[CODE_COLUMN] = 'X00001';
    row[GENERATED_HEADER.indexOf('Họ tên chủ hộ')] = 'Triệu Thị Khác';
    row[GENERATED_HEADER.indexOf('Thôn/Tổ')] = 'Bản Xa Lạ';
    row[ID_COLUMN] = id;
    const csv = path.join(dir, 'again.csv');
    await writeCsv(csv, [rows[0] ?? [], row]);

    const withKey = context();
    const outcome = await householdsImport(withKey, {
      file: csv,
      unit: UNIT,
      dryRun: true,
      acceptValid: false,
    });
    expect(outcome.problems).toHaveLength(1);
    expect(outcome.problems[0]?.message).toContain(`(mã ${code})`);
    expect(outcome.problems[0]?.message).toContain('cùng số CCCD/CMND');

    // Under another key the stored hashes say nothing: the same row is no duplicate.
    const otherKey = context(idNumberHasher(Buffer.alloc(32, 7)));
    const other = await householdsImport(otherKey, {
      file: csv,
      unit: UNIT,
      dryRun: true,
      acceptValid: false,
    });
    expect(other.problems).toEqual([]);
  });
});

describe('no ID number without the key', () => {
  it('the registry writer refuses a household with an ID number when it has no key, and writes nothing', async () => {
    // COUNT is an integer on SQLite, a bigint on PostgreSQL.
    const households = async () =>
      Number(
        (
          await db.kysely
            .selectFrom('Household')
            .select((eb) => eb.fn.countAll<number | bigint>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await households();
    const unit = await db.kysely
      .selectFrom('Unit')
      .select('id')
      .where('code', '=', UNIT)
      .executeTakeFirstOrThrow();
    const campaign = await db.kysely
      .selectFrom('Campaign')
      .select('id')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    const household = {
      campaignId: campaign.id,
      unitId: unit.id,
      code: 'NOKEY1',
      village: 'Thôn 1',
      headName: 'Lý Văn Khóa',
      birthYear: 1960,
      idNumber: '006060012345',
      category: 'poor' as const,
      need: 'new_build' as const,
      foundationDurable: false,
      frameDurable: false,
      roofDurable: false,
      members: 3,
      landLegal: true,
      landUndisputed: true,
      outsideLandslideZone: true,
      confirmedByCommune: true,
    };
    await expect(
      db.transaction((tx) => createHouseholdWriter(tx).insert(household, NOW, null, 'cli')),
    ).rejects.toThrow(/ID_HASH_KEY/);
    expect(await households()).toBe(before);
  });
});

describe('migration clear_unkeyed_id_hashes', () => {
  it('removes the unkeyed hashes written before it and keeps the last 4 digits; households set-ids writes keyed ones back', async () => {
    const temp = tempDatabase();
    const before = fs.mkdtempSync(path.join(dir, 'migrations-'));
    const all = migrationsDir(TEST_DIALECT);
    const mine = fs.readdirSync(all).find((name) => name.endsWith('_clear_unkeyed_id_hashes'));
    expect(mine).toBeDefined();
    for (const name of fs.readdirSync(all)) {
      if (name < (mine ?? '')) {
        fs.cpSync(path.join(all, name), path.join(before, name), { recursive: true });
      }
    }
    const old = openSqlDb(temp.url);
    try {
      await applyMigrations(old, before);
      // The schema as it was before the migration, which the generated types do not describe:
      // Kysely sql templates, identifiers quoted.
      await sql`INSERT INTO "Unit" (code, name, kind, "validFrom")
        VALUES ('U1', 'Xã Thử', 'commune', '2024-01-01')`.execute(old.kysely);
      await sql`INSERT INTO "Campaign" (code, name, "startsOn", "endsOn", "finalDueOn", "normNewBuild", "normRepair")
         VALUES ('C1', 'Thử', '2024-01-01', '2025-12-31', '2025-12-10', 60000000, 30000000)`.execute(
        old.kysely,
      );
      const idOf = async (table: string, code: string) => {
        const { rows } = await sql<{
          id: number;
        }>`SELECT id FROM ${sql.table(table)} WHERE code = ${code}`.execute(old.kysely);
        return Number(rows[0]?.id);
      };
      const unitId = await idOf('Unit', 'U1');
      const campaignId = await idOf('Campaign', 'C1');
      for (const [code, id] of [
        ['A1', '006058012345'],
        ['A2', null],
      ] as const) {
        await sql`INSERT INTO "Household" ("campaignId", "unitId", code, village, "headName", "headNameKey",
             "birthYear", "idNumberHash", "idNumberLast4", category, need, "foundationDurable", "frameDurable",
             "roofDurable", members, "landLegal", "landUndisputed", "outsideLandslideZone", "confirmedByCommune",
             eligible, status, "createdAt", "updatedAt")
           VALUES (${campaignId}, ${unitId}, ${code}, 'Thôn 1', 'Nguyễn Văn A', 'nguyen van a', 1958,
             ${id ? sha256(`household-id:${id}`) : null}, ${id ? id.slice(-4) : null}, 'poor', 'new_build', false,
             false, false, 3, true, true, true, true, true, 'proposed', ${NOW}, ${NOW})`.execute(old.kysely);
      }
      expect(await applyMigrations(old)).toContain(mine);
      // Read after the migrations: the schema the generated types describe.
      const idColumns = () =>
        old.kysely
          .selectFrom('Household')
          .select(['code', 'idNumberHash', 'idNumberLast4'])
          .orderBy('code')
          .execute();
      const after = await idColumns();
      expect(after.map((r) => [r.code, r.idNumberHash, r.idNumberLast4])).toEqual([
        ['A1', null, '2345'],
        ['A2', null, null],
      ]);

      // The operator re-imports the ID numbers from the commune's list, matched by household code.
      const list = path.join(dir, 'ids.csv');
      await writeCsv(list, [
        ['Mã hộ', 'Họ tên chủ hộ', 'Số CCCD'],
        ['A1', 'Nguyễn Văn A', '006058012345'],
        ['a2', 'Nguyễn Văn A', '001070054321'],
        ['A1', 'Nguyễn Văn A', '006058019999'],
        ['ZZ9', 'Không Có', '001070000000'],
      ]);
      const lines: string[] = [];
      const ctx = {
        prisma,
        db: old,
        now: NOW,
        out: (l: string) => lines.push(l),
        hashIdNumber: testIdNumberHasher,
      };
      const outcome = await householdsSetIds(ctx, { file: list, unit: 'U1', dryRun: false });
      expect(outcome.updated).toBe(2);
      expect(outcome.problems.map((p) => p.row)).toEqual([4, 5]);
      expect(outcome.problems[0]?.message).toContain('khác số đã lưu (2345)');
      expect(lines.at(-1)).toContain('Đã cập nhật số CCCD (mã băm) của 2 hộ');
      const keyed = await idColumns();
      expect(keyed.map((r) => [r.code, r.idNumberHash, r.idNumberLast4])).toEqual([
        ['A1', testIdNumberHasher('006058012345'), '2345'],
        ['A2', testIdNumberHasher('001070054321'), '4321'],
      ]);
      // ID-based duplicate detection applies to them again.
      const registry = await createHouseholdWriter(old).duplicateSubjects(campaignId);
      const same = findLikelyDuplicates(
        {
          code: 'B1',
          unitId: 999,
          village: 'Nơi khác',
          headName: 'Tên Khác Hẳn',
          idNumberHash: testIdNumberHasher('001070054321'),
        },
        registry,
      );
      expect(same.map((m) => [m.household.code, m.level])).toEqual([['A2', 'certain']]);
    } finally {
      await old.close();
      await temp.cleanup();
    }
  });
});
