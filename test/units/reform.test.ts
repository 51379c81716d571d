import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatedUnit } from '../../core/units/unit.repository.ts';
import type { PrismaClient } from '../../prisma/client.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import { createStore } from '../../prisma/store.ts';
import type { CliContext } from '../../scripts/cli/context.ts';
import { unitsImport } from '../../scripts/cli/units-import.ts';
import { unitsReorganise } from '../../scripts/cli/units-reorg.ts';
import { migratedDb } from '../support/app-harness.ts';
import { rawNumber } from '../support/raw-sql.ts';

// The reform of 01/07/2025 on a small tree: Bắc Kạn province (06) into Thái Nguyên (19, the code
// kept), the city 058 and the district 061 end, Dương Quang (01849, of the city) and Đôn Phong
// (01882, of Bạch Thông) become xã Phong Quang under the code 01849, a ward is renamed.
const NOW = new Date('2026-12-01T03:00:00Z');

const UNITS_CSV = `Danh sách đơn vị hành chính
Mã,Tên,Cấp/Loại,Mã cấp trên,Hiệu lực từ,Hiệu lực đến
06,Tỉnh Bắc Kạn,tỉnh,,1997-01-01,
19,Tỉnh Thái Nguyên,tỉnh,,1997-01-01,
058,Thành phố Bắc Kạn,thành phố,06,2015-03-11,
061,Huyện Bạch Thông,huyện,06,1997-01-01,
01840,Phường Đức Xuân,phường,058,2015-03-11,
01843,Phường Phùng Chí Kiên,phường,058,2015-03-11,
01846,Phường Huyền Tụng,phường,058,2015-03-11,
01849,Xã Dương Quang,xã,058,2015-03-11,
01882,Xã Đôn Phong,xã,061,2015-03-11,
HLHPN-058,Hội Liên hiệp Phụ nữ thành phố Bắc Kạn,tổ chức thành viên,058,2015-03-11,
`;

const REFORM_YAML = `on: 2025-07-01
source: "Nghị quyết 1683/NQ-UBTVQH15 (thử nghiệm)"
events:
  - type: merge
    from: ["06", "19"]
    into: { code: "19", name: "Tỉnh Thái Nguyên", kind: tỉnh }
  - type: merge
    from: ["01849", "01882"]
    into: { code: "01849", name: "Xã Phong Quang", parent: "19" }
  - type: rename
    code: "01843"
    name: "Phường Bắc Kạn"
    parent: "19"
  - type: merge
    from: ["01840", "01846"]
    into: { code: "01840", name: "Phường Đức Xuân", parent: "19" }
    note: "chưa kiểm chứng"
  - type: end
    code: "058"
    successor: "19"
  - type: end
    code: "061"
`;

let db: SqlDb;
let close: () => Promise<void>;
let dir: string;

function context(): CliContext & { lines: string[] } {
  const lines: string[] = [];
  return {
    prisma: undefined as unknown as PrismaClient,
    db,
    now: NOW,
    timeZone: 'Asia/Ho_Chi_Minh',
    out: (line) => lines.push(line),
    lines,
  };
}

const store = () => createStore(db);
const units = () => store().run((tx) => tx.units.listAllDated());
const validOn = (all: DatedUnit[], day: string) =>
  all
    .filter((u) => u.validFrom <= day && (u.validTo === null || u.validTo >= day))
    .map((u) => u.code)
    .sort();
const count = (table: string, where = '') => rawNumber(db, `SELECT COUNT(*) AS n FROM "${table}" ${where}`);

async function file(name: string, text: string): Promise<string> {
  const at = path.join(dir, name);
  await writeFile(at, text);
  return at;
}

/** A person holding `role` at the unit with `code` valid on 2025-06-30. */
async function member(fullName: string, code: string, role: 'unit_officer' | 'leader' | 'org_leader') {
  return store().run(async (tx) => {
    const unit = await tx.units.findByCode(code, '2025-06-30');
    if (!unit) {
      throw new Error(`no unit ${code}`);
    }
    const personId = await tx.people.create({ fullName, locale: 'vi' }, NOW);
    await tx.people.addMembership(personId, unit.id, role, NOW);
    return personId;
  });
}

async function liveUnitsOf(personId: number): Promise<string[]> {
  const all = await units();
  const byId = new Map(all.map((u) => [u.id, u]));
  const rows = await store().run((tx) =>
    tx.people.liveMemberships(
      all.map((u) => u.id),
      ['unit_officer', 'leader', 'org_leader'],
    ),
  );
  return rows
    .filter((m) => m.personId === personId)
    .map((m) => {
      const u = byId.get(m.unitId);
      return `${u?.code}@${u?.validFrom}`;
    });
}

beforeAll(async () => {
  ({ db, close } = await migratedDb());
  dir = await mkdtemp(path.join(tmpdir(), 'units-reform-'));
  const imported = await unitsImport(context(), {
    file: await file('units-2024.csv', UNITS_CSV),
    dryRun: false,
  });
  expect(imported).toMatchObject({ problems: [], added: 10, written: true });
});

afterAll(async () => {
  await close();
  await rm(dir, { recursive: true, force: true });
});

describe('the reform of 01/07/2025 replayed from an events file', () => {
  let officer = 0;
  let leader = 0;
  let orgLeader = 0;

  it('checks the file with --dry-run and writes nothing', async () => {
    const before = await count('Unit');
    const ctx = context();
    const result = await unitsReorganise(ctx, { file: await file('reform.yaml', REFORM_YAML), dryRun: true });
    expect(result.problems).toBe(0);
    expect(ctx.lines.join('\n')).toContain('Chạy thử (--dry-run): 6 sự kiện hợp lệ, không ghi gì.');
    expect(await count('Unit')).toBe(before);
    expect(await count('AuditLog', `WHERE "action" = 'units.reorganise'`)).toBe(0);
  });

  it('applies every shape at once: successions, reused codes, a cross-parent merge, a new province, the end of a level', async () => {
    officer = await member('Nguyễn Thị Lan', '01840', 'unit_officer');
    leader = await member('Trần Văn Hùng', '058', 'leader');
    orgLeader = await member('Hoàng Thị Mai', 'HLHPN-058', 'org_leader');
    const ctx = context();
    const result = await unitsReorganise(ctx, {
      file: await file('reform.yaml', REFORM_YAML),
      dryRun: false,
    });
    expect(result.problems).toBe(0);
    const text = ctx.lines.join('\n');
    expect(text).toContain(
      'Sáp nhập Xã Dương Quang (01849), Xã Đôn Phong (01882) thành Xã Phong Quang (01849)',
    );
    expect(text).toContain('Đổi tên Phường Phùng Chí Kiên (01843) thành Phường Bắc Kạn');
    expect(text).toContain('1 tổ chức thành viên cũng kết thúc (HLHPN-058)');

    const all = await units();
    expect(validOn(all, '2025-06-30')).toEqual(
      ['01840', '01843', '01846', '01849', '01882', '058', '061', '06', '19', 'HLHPN-058'].sort(),
    );
    expect(validOn(all, '2025-07-01')).toEqual(['01840', '01843', '01849', '19']);

    // A code names one unit at a time: findByCode reads it at a day, the latest without one.
    const [before, after, latest] = await store().run((tx) =>
      Promise.all([
        tx.units.findByCode('01849', '2025-06-30'),
        tx.units.findByCode('01849', '2025-07-01'),
        tx.units.findByCode('01849'),
      ]),
    );
    expect(before?.name).toBe('Xã Dương Quang');
    expect(after?.name).toBe('Xã Phong Quang');
    expect(latest?.id).toBe(after?.id);

    // The new commune sits under the new province record; the old one keeps the city.
    const province = all.find((u) => u.code === '19' && u.validFrom === '2025-07-01');
    const oldCity = all.find((u) => u.code === '058');
    expect(after?.parentId).toBe(province?.id);
    expect(before?.parentId).toBe(oldCity?.id);
    expect(all.find((u) => u.code === '01843' && u.validFrom === '2025-07-01')).toMatchObject({
      name: 'Phường Bắc Kạn',
      parentId: province?.id,
    });

    // Successions from the effective day: two into Phong Quang, old 19 and 06 into the new 19, the city too.
    const links = await store().run((tx) => tx.units.successions());
    const code = (id: number) => {
      const u = all.find((x) => x.id === id);
      return `${u?.code}@${u?.validFrom}`;
    };
    const described = links
      .map((l) => `${code(l.predecessorId)}→${code(l.successorId)} ${l.effectiveOn}`)
      .sort();
    expect(described).toEqual(
      [
        '01840@2015-03-11→01840@2025-07-01 2025-07-01',
        '01843@2015-03-11→01843@2025-07-01 2025-07-01',
        '01846@2015-03-11→01840@2025-07-01 2025-07-01',
        '01849@2015-03-11→01849@2025-07-01 2025-07-01',
        '01882@2015-03-11→01849@2025-07-01 2025-07-01',
        '058@2015-03-11→19@2025-07-01 2025-07-01',
        '06@1997-01-01→19@2025-07-01 2025-07-01',
        '19@1997-01-01→19@2025-07-01 2025-07-01',
      ].sort(),
    );
    // Every predecessor ends the day before; the member organisation too, with no successor.
    for (const c of ['06', '058', '061', '01846', '01882', 'HLHPN-058']) {
      expect(all.find((u) => u.code === c)?.validTo).toBe('2025-06-30');
    }

    // The officer follows her ward, the city's leader goes to the province, the organisation's is revoked.
    expect(await liveUnitsOf(officer)).toEqual(['01840@2025-07-01']);
    expect(await liveUnitsOf(leader)).toEqual(['19@2025-07-01']);
    expect(await liveUnitsOf(orgLeader)).toEqual([]);

    // One audit row for the whole file, naming the changes and the people.
    const audits = await rawNumber(
      db,
      `SELECT COUNT(*) AS n FROM "AuditLog" WHERE "action" = 'units.reorganise'`,
    );
    expect(audits).toBe(1);
    const after2 = await store().run(async (tx) => tx.units.listAllDated());
    expect(after2.length).toBe(all.length);
  });

  it('refuses the same file again, naming every problem, and writes nothing', async () => {
    const unitsBefore = await count('Unit');
    const linksBefore = await count('UnitSuccession');
    const ctx = context();
    const result = await unitsReorganise(ctx, {
      file: await file('reform.yaml', REFORM_YAML),
      dryRun: false,
    });
    expect(result.problems).toBeGreaterThanOrEqual(6);
    const text = ctx.lines.join('\n');
    expect(text).toMatch(
      /dòng 5, events\[0\]\.from\[0\]: Tỉnh Bắc Kạn \(06\) đã hết hiệu lực từ sau ngày 30\/06\/2025/,
    );
    expect(text).toContain('Không ghi gì vào cơ sở dữ liệu.');
    expect(await count('Unit')).toBe(unitsBefore);
    expect(await count('UnitSuccession')).toBe(linksBefore);
    expect(await count('AuditLog', `WHERE "action" = 'units.reorganise'`)).toBe(1);
  });
});

describe('a wrong events file', () => {
  it('names the line, the field and the fix of every problem, and writes nothing', async () => {
    const unitsBefore = await count('Unit');
    const ctx = context();
    const wrong = `on: 2025-07-01
events:
  - type: merge
    from: ["99999"]
    into: { code: "01960", name: "Xã Mới", parent: "19" }
  - type: rename
    code: 01843
    name: "Phường X"
  - type: split
    from: "01849"
    into: [{ code: "01970", name: "Xã A" }]
  - type: sap_nhap
    from: ["01840"]
`;
    const result = await unitsReorganise(ctx, { file: await file('wrong.yaml', wrong), dryRun: false });
    const text = ctx.lines.join('\n');
    expect(result.problems).toBe(3);
    expect(text).toMatch(/dòng 7, events\[1\]\.code: mã đơn vị phải viết trong dấu nháy/);
    expect(text).toMatch(/dòng 11, events\[2\]\.into: cần ít nhất hai đơn vị mới/);
    expect(text).toMatch(/dòng 12, events\[3\]/);
    expect(await count('Unit')).toBe(unitsBefore);

    // Valid YAML but wrong against the units: an unknown code, a code in use, a parent not valid then.
    const ctx2 = context();
    const clash = `events:
  - type: merge
    on: 2025-08-01
    from: ["99999"]
    into: { code: "01960", name: "Xã Mới" }
  - type: add
    on: 2025-08-01
    code: "01843"
    name: "Phường Trùng Mã"
    kind: phường
    parent: "19"
  - type: add
    on: 2025-08-01
    code: "01990"
    name: "Phường Không Cha"
    kind: phường
    parent: "058"
  - type: move
    on: 2199-01-01
    code: "01840"
    parent: "19"
`;
    const result2 = await unitsReorganise(ctx2, { file: await file('clash.yaml', clash), dryRun: false });
    const text2 = ctx2.lines.join('\n');
    expect(result2.problems).toBe(4);
    expect(text2).toMatch(/dòng 4, events\[0\]\.from\[0\]: không có đơn vị mã "99999"/);
    expect(text2).toMatch(/dòng 8, events\[1\]\.code: mã "01843" đã dùng cho Phường Bắc Kạn/);
    expect(text2).toMatch(
      /dòng 17, events\[2\]\.parent: không có đơn vị cấp trên mã "058" còn hiệu lực ngày 01\/08\/2025/,
    );
    expect(text2).toMatch(/dòng 19, events\[3\]\.on: ngày hiệu lực 01\/01\/2199 quá xa/);
    expect(await count('Unit')).toBe(unitsBefore);
  });
});
