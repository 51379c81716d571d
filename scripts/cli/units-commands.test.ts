import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlDb } from '../../prisma/sql-db.ts';
import { createStore } from '../../prisma/store.ts';
import { migratedDb } from '../../test/support/app-harness.ts';
import { recordingCliContext } from '../../test/support/cli-context.ts';
import { rawNumber } from '../../test/support/raw-sql.ts';
import { executeCommand, parseCommand } from './commands.ts';
import { UsageError } from './context.ts';

const NOW = new Date('2026-12-01T03:00:00Z');

let db: SqlDb;
let close: () => Promise<void>;
let dir: string;

const context = () => recordingCliContext(db, NOW);

async function run(...argv: string[]): Promise<string> {
  const ctx = context();
  await executeCommand(parseCommand(argv), ctx);
  return ctx.text();
}

async function refusal(...argv: string[]): Promise<string> {
  const error = await run(...argv).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  return (error as Error).message;
}

const store = () => createStore(db);
const records = async (code: string) =>
  (await store().run((tx) => tx.units.listAllDated()))
    .filter((u) => u.code === code)
    .sort((a, b) => a.validFrom.localeCompare(b.validFrom));
const count = (table: string, where = '') => rawNumber(db, `SELECT COUNT(*) AS n FROM "${table}" ${where}`);

beforeAll(async () => {
  ({ db, close } = await migratedDb());
  dir = await mkdtemp(path.join(tmpdir(), 'units-commands-'));
  const list = path.join(dir, 'units.csv');
  await writeFile(
    list,
    `Mã,Tên,Cấp/Loại,Mã cấp trên,Hiệu lực từ
06,Tỉnh Bắc Kạn,tỉnh,,1997-01-01
058,Thành phố Bắc Kạn,thành phố,06,2015-03-11
061,Huyện Bạch Thông,huyện,06,1997-01-01
01840,Phường Đức Xuân,phường,058,2015-03-11
HLHPN-058,Hội LHPN thành phố Bắc Kạn,tổ chức thành viên,058,2015-03-11
`,
  );
  await run('units', 'import', '--file', list);
});

afterAll(async () => {
  await close();
  await rm(dir, { recursive: true, force: true });
});

describe('units add, rename, move and end', () => {
  let officer = 0;

  it('adds a unit from a day, under a parent valid that day', async () => {
    expect(
      await run(
        'units',
        'add',
        '01960',
        '--name',
        'Phường Mới',
        '--kind',
        'phường',
        '--parent',
        '058',
        '--from',
        '2025-01-01',
      ),
    ).toContain('Thêm phường Phường Mới (01960) từ 01/01/2025.');
    const [unit] = await records('01960');
    expect(unit).toMatchObject({ kind: 'ward', validFrom: '2025-01-01', validTo: null });
    officer = await store().run(async (tx) => {
      const id = await tx.people.create({ fullName: 'Lê Văn Bình', locale: 'vi' }, NOW);
      await tx.people.addMembership(id, unit?.id ?? 0, 'unit_officer', NOW);
      return id;
    });
    expect(
      await refusal(
        'units',
        'add',
        '01960',
        '--name',
        'Phường Khác',
        '--kind',
        'ward',
        '--from',
        '2025-02-01',
      ),
    ).toContain('mã "01960" đã dùng cho Phường Mới');
    expect(() =>
      parseCommand(['units', 'add', '01961', '--name', 'Phường X', '--kind', 'thôn', '--from', '2025-01-01']),
    ).toThrow('không hiểu loại đơn vị "thôn"');
  });

  it('renames: the old record ends the day before, the same code starts with the new name, the officer follows', async () => {
    const text = await run('units', 'rename', '01960', '--name', 'Phường Mới Đổi Tên', '--on', '2025-03-01');
    expect(text).toContain('Đổi tên Phường Mới (01960) thành Phường Mới Đổi Tên từ 01/03/2025.');
    expect(text).toContain('Chuyển sang đơn vị mới: Lê Văn Bình (unit_officer).');
    const [old, renamed] = await records('01960');
    expect(old).toMatchObject({ name: 'Phường Mới', validTo: '2025-02-28' });
    expect(renamed).toMatchObject({
      name: 'Phường Mới Đổi Tên',
      validFrom: '2025-03-01',
      validTo: null,
      parentId: old?.parentId,
    });
    const links = await store().run((tx) => tx.units.successions());
    expect(links).toContainEqual({
      predecessorId: old?.id,
      successorId: renamed?.id,
      effectiveOn: '2025-03-01',
    });
    expect(await store().run((tx) => tx.people.hasRole(officer, renamed?.id ?? 0, 'unit_officer'))).toBe(
      true,
    );
    expect(await store().run((tx) => tx.people.hasRole(officer, old?.id ?? 0, 'unit_officer'))).toBe(false);
  });

  it('moves a unit under another parent: a new record, the earlier one keeps the old parent', async () => {
    expect(await run('units', 'move', '01960', '--parent', '061', '--on', '2025-04-01')).toContain(
      'Chuyển Phường Mới Đổi Tên (01960) về Huyện Bạch Thông (061) từ 01/04/2025.',
    );
    const [, renamed, moved] = await records('01960');
    const [district] = await records('061');
    const [city] = await records('058');
    expect(renamed).toMatchObject({ parentId: city?.id, validTo: '2025-03-31' });
    expect(moved).toMatchObject({ parentId: district?.id, validFrom: '2025-04-01', validTo: null });
    expect(await refusal('units', 'move', '01960', '--parent', '061', '--on', '2025-05-01')).toContain(
      'đã thuộc Huyện Bạch Thông',
    );
  });

  it('ends a unit with a successor: figures and the officer go to it', async () => {
    const text = await run('units', 'end', '01960', '--on', '2025-06-01', '--successor', '01840');
    expect(text).toContain(
      'Phường Mới Đổi Tên (01960) hết hiệu lực sau ngày 31/05/2025, Phường Đức Xuân (01840) kế thừa.',
    );
    const [ward] = await records('01840');
    expect(await store().run((tx) => tx.people.hasRole(officer, ward?.id ?? 0, 'unit_officer'))).toBe(true);
    expect(await refusal('units', 'end', '01960', '--on', '2025-07-01')).toContain(
      'đã hết hiệu lực từ sau ngày 31/05/2025',
    );
  });

  it('refuses to end a city whose wards would be left under it, and ends it with its member organisations once they moved', async () => {
    const units = await count('Unit');
    expect(await refusal('units', 'end', '058', '--on', '2025-07-01')).toContain(
      'Phường Đức Xuân (01840) vẫn thuộc Thành phố Bắc Kạn (058)',
    );
    expect(await count('Unit')).toBe(units);
    await run('units', 'move', '01840', '--parent', '06', '--on', '2025-07-01');
    expect(await run('units', 'end', '058', '--on', '2025-07-01')).toContain(
      '1 tổ chức thành viên cũng kết thúc (HLHPN-058)',
    );
    expect((await records('HLHPN-058'))[0]?.validTo).toBe('2025-06-30');
    for (const action of ['unit.add', 'unit.rename', 'unit.move', 'unit.end']) {
      expect(await count('AuditLog', `WHERE "action" = '${action}'`)).toBeGreaterThan(0);
    }
  });
});
