import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { PrismaClient } from '../../prisma/client.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import { createStore } from '../../prisma/store.ts';
import { seededDatabase } from '../../test/support/app-harness.ts';
import { campaignCreate } from './campaigns.ts';
import { executeCommand, parseCommand } from './commands.ts';
import type { CliContext } from './context.ts';

/** 10/04/2026: the sample campaign (from 01/03/2026) runs; the seed's Bắc Kạn campaign is past its end. */
const NOW = new Date('2026-04-10T03:00:00Z');
const EXAMPLE = path.join(import.meta.dirname, '../../campaigns/examples/campaign-example.yaml');

let db: SqlDb;
let prisma: PrismaClient;
let close: () => Promise<void>;
let dir: string;

beforeAll(async () => {
  ({ db, prisma, close } = await seededDatabase(NOW));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campaign-cli-'));
  // The sample's area: the Thái Nguyên province of after 01/07/2025 (not in the fixture's 2024 units).
  await createStore(db).run(async (tx) => {
    await tx.units.create(
      { code: '19', name: 'Tỉnh Thái Nguyên', kind: 'province', parentId: null, validFrom: '2025-07-01' },
      NOW,
    );
  });
});

afterAll(async () => {
  await close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function context(lines: string[]): CliContext {
  return { prisma, db, now: NOW, out: (l) => lines.push(l), timeZone: 'Asia/Ho_Chi_Minh' };
}

async function run(argv: string[]): Promise<string> {
  const lines: string[] = [];
  await executeCommand(parseCommand(argv), context(lines));
  return lines.join('\n');
}

/** Runs a command that may refuse: its output and the exit code it asks for (restored afterwards). */
async function runCode(argv: string[]): Promise<{ out: string; exitCode: number }> {
  const saved = process.exitCode;
  process.exitCode = 0;
  try {
    const out = await run(argv);
    return { out, exitCode: Number(process.exitCode ?? 0) };
  } finally {
    process.exitCode = saved;
  }
}

function file(name: string, text: string): string {
  const at = path.join(dir, name);
  fs.writeFileSync(at, text);
  return at;
}

/** Rows of the tables a refused file must leave alone. */
async function counts() {
  return {
    campaigns: await prisma.campaign.count(),
    periods: await prisma.reportingPeriod.count(),
    audit: await prisma.auditLog.count(),
    units: await prisma.unit.count(),
  };
}

describe('campaign create / list / show / update / close (issue 15 §1)', () => {
  it('checks the sample with --dry-run writing nothing, then creates it', async () => {
    const before = await counts();
    const dry = await runCode(['campaign', 'create', '--file', EXAMPLE, '--dry-run']);
    expect(dry.exitCode).toBe(0);
    expect(dry.out).toContain('hợp lệ. Chạy thử: chưa ghi gì');
    expect(dry.out).toContain(
      'Tạo cuộc vận động Hỗ trợ nhà ở cho người có công với cách mạng tỉnh Thái Nguyên năm 2026',
    );
    expect(await counts()).toEqual(before);

    const out = await run(['campaign', 'create', '--file', EXAMPLE]);
    expect(out).toContain(
      'Đã tạo cuộc vận động Hỗ trợ nhà ở cho người có công với cách mạng tỉnh Thái Nguyên năm 2026 (TN-NCC-2026).',
    );
    expect(out).toMatch(/Thêm \d+ kỳ báo cáo: tháng 3\/2026, /);
    const row = await prisma.campaign.findUniqueOrThrow({ where: { code: 'TN-NCC-2026' } });
    const province = await prisma.unit.findFirstOrThrow({ where: { code: '19' } });
    expect(row.areaUnitId).toBe(province.id);
    expect(row.normNewBuild).toBe(60_000_000n);
    expect(JSON.parse(row.settings).pledgeSafeguards).toEqual({
      perChatPerDay: 3,
      anonymousPerHour: 30,
      verifyAbove: 500_000_000,
    });
    expect(JSON.parse(row.definition).funds[0].accountNumber).toBe('0000000000019');
    const periods = await prisma.reportingPeriod.findMany({ where: { campaignId: row.id } });
    expect(periods.map((p) => p.code)).toEqual(
      expect.arrayContaining(['2026-03', '2026-Q1', '2026-H2', 'final']),
    );
    expect(
      await prisma.auditLog.count({
        where: { action: 'campaign.create', entityId: String(row.id), channel: 'cli' },
      }),
    ).toBe(1);
  });

  it('accepts the same definition as JSON', async () => {
    const definition = parseYaml(fs.readFileSync(EXAMPLE, 'utf8'), { schema: 'core' });
    definition.code = 'TN-NCC-2026-JSON';
    const out = await run([
      'campaign',
      'create',
      '--file',
      file('dinh-nghia.json', JSON.stringify(definition, null, 2)),
    ]);
    expect(out).toContain('(TN-NCC-2026-JSON).');
    const yaml = await prisma.campaign.findUniqueOrThrow({ where: { code: 'TN-NCC-2026' } });
    const json = await prisma.campaign.findUniqueOrThrow({ where: { code: 'TN-NCC-2026-JSON' } });
    expect({ ...JSON.parse(json.definition), code: '' }).toEqual({
      ...JSON.parse(yaml.definition),
      code: '',
    });
    const dates = async (campaignId: number) =>
      (await prisma.reportingPeriod.findMany({ where: { campaignId }, orderBy: { id: 'asc' } })).map(
        (p) => `${p.code} ${p.opensOn} ${p.dueOn}`,
      );
    expect(await dates(json.id)).toEqual(await dates(yaml.id));
  });

  it('names every problem of a wrong file with its line and writes nothing', async () => {
    const wrong = file(
      'sai.yaml',
      [
        'code: "X"',
        'name: Thử',
        'area: 19',
        'startsOn: 2026-02-30',
        'endsOn: 2026-12-31',
        'schedule:',
        '  monthly:',
        '    dueDay: 32',
        '  final:',
        '    dueOn: 2026-12-10',
        'norms:',
        '  - from: 2026-01-01',
        '    newBuild: abc',
        '    repair: 30tr',
        'colour: red',
      ].join('\n'),
    );
    const before = await counts();
    const { out, exitCode } = await runCode(['campaign', 'create', '--file', wrong]);
    expect(exitCode).toBe(1);
    const lines = out.split('\n');
    expect(lines[0]).toBe(`Tệp ${wrong} có 7 lỗi, chưa ghi gì vào cơ sở dữ liệu:`);
    // One problem a line, in the file's order, each with its line, its field and the fix.
    expect(lines.slice(1, 8)).toEqual([
      '  dòng 1, code: mã chỉ gồm chữ không dấu, số, "-" và "_" (2–40 ký tự), ví dụ "TN-NCC-2026"',
      '  dòng 2, name: tên cuộc vận động quá ngắn',
      '  dòng 3, area: mã đơn vị phải viết trong dấu nháy để giữ số 0 ở đầu, ví dụ "058"',
      '  dòng 4, startsOn: phải là một ngày có thật dạng YYYY-MM-DD, ví dụ 2026-01-15',
      '  dòng 8, schedule.monthly.dueDay: Hạn nộp phải từ 1 đến 31',
      '  dòng 13, norms[0].newBuild: phải là số tiền (đồng), ví dụ 60000000 hoặc "60tr"',
      expect.stringMatching(/^ {2}dòng 15: không có mục "colour": chỉ nhận các mục code, name, /),
    ]);
    expect(await counts()).toEqual(before);
  });

  it('names the problems against the database with their lines: duplicate code, unknown area and fund unit', async () => {
    const text = fs
      .readFileSync(EXAMPLE, 'utf8')
      .replace('area: "19"', 'area: "99"')
      .replace('  - unit: "19"', '  - unit: "77"');
    const lines = text.split('\n');
    const lineOf = (start: string) => lines.findIndex((l) => l.startsWith(start)) + 1;
    const before = await counts();
    const { out, exitCode } = await runCode(['campaign', 'create', '--file', file('trung.yaml', text)]);
    expect(exitCode).toBe(1);
    expect(out).toContain(`có 3 lỗi, chưa ghi gì`);
    expect(out).toContain(`dòng ${lineOf('code:')}, code: đã có cuộc vận động mã "TN-NCC-2026"`);
    expect(out).toContain(`dòng ${lineOf('area:')}, area: không có đơn vị mã "99"`);
    expect(out).toContain(`dòng ${lineOf('  - unit:')}, funds[0].unit: không có đơn vị mã "77"`);
    expect(await counts()).toEqual(before);
    // The outcome the command's exit code follows.
    expect(await campaignCreate(context([]), { file: path.join(dir, 'trung.yaml'), dryRun: false })).toEqual({
      ok: false,
    });
  });

  it('lists the campaigns with their area and state, and shows one in officials’ words', async () => {
    const list = await run(['campaign', 'list']);
    expect(list).toMatch(/TN-NCC-2026 .*Tỉnh Thái Nguyên \(19\).*01\/03\/2026 – 31\/12\/2026 +đang chạy/);
    expect(list).toMatch(/BK-XNT-2025 .*đang chạy \(đã qua ngày kết thúc 31\/12\/2025, chưa khép lại\)/);

    const show = await run(['campaign', 'show', 'TN-NCC-2026']);
    for (const line of [
      'Hỗ trợ nhà ở cho người có công với cách mạng tỉnh Thái Nguyên năm 2026 (TN-NCC-2026)',
      'Địa bàn: Tỉnh Thái Nguyên (19)',
      'Thời gian: 01/03/2026 – 31/12/2026',
      'Trạng thái: đang chạy',
      'Xưng hô với cán bộ: đồng chí',
      '  Báo cáo tháng: trước ngày 15 tháng sau; nhận báo cáo từ ngày 20 của tháng báo cáo.',
      '  Báo cáo quý: trước ngày 15 tháng cuối quý.',
      '  Báo cáo kết quả thực hiện Kế hoạch: trước ngày 10/12/2026; nhận từ 30 ngày trước hạn.',
      '  Báo cáo tháng và báo cáo quý cùng hạn: phường, xã gửi một báo cáo.',
      '  từ 01/03/2026 đến 30/06/2026: xây mới 60.000.000 đ, sửa chữa 30.000.000 đ',
      '  từ 01/07/2026: xây mới 70.000.000 đ, sửa chữa 35.000.000 đ',
      'Nhóm hộ được hỗ trợ: Người có công với cách mạng, Thân nhân liệt sĩ; ghi nhận nhưng không hỗ trợ: Hộ nghèo, Khác.',
      '  Nghị định 351/2025/NĐ-CP (từ 01/01/2026)',
      'Kỳ sắp đến hạn: tháng 3/2026, hạn trước ngày 15/04/2026',
    ]) {
      expect(show.split('\n')).toContain(line);
    }
    expect(show).toMatch(/Tỉnh Thái Nguyên \(19\): Ngân hàng TMCP Ngoại thương .*số tài khoản 0000000000019/);

    // Several campaigns run: without a code, the latest started.
    expect((await run(['campaign', 'show'])).split('\n')[0]).toContain('(TN-NCC-2026');
    // A campaign from before definition files: its deadlines as stored, no area.
    await createStore(db).run((tx) =>
      tx.campaigns.create({
        code: 'OLD-2024',
        name: 'Chiến dịch cũ 2024',
        timeZone: 'Asia/Ho_Chi_Minh',
        startsOn: '2024-01-01',
        endsOn: '2024-12-31',
        monthlyDueDay: 10,
        quarterlyDueDay: 12,
        finalDueOn: '2024-12-20',
        normNewBuild: 40_000_000n,
        normRepair: 20_000_000n,
        areaUnitId: null,
        addressForm: 'anh/chị',
        closedOn: '2025-01-01',
        definition: '{}',
        settings: '{}',
      }),
    );
    const old = await run(['campaign', 'show', 'OLD-2024']);
    for (const line of [
      'Địa bàn: mọi đơn vị (chưa gắn địa bàn)',
      'Trạng thái: đã khép lại từ 01/01/2025',
      'Xưng hô với cán bộ: anh/chị',
      'Hạn báo cáo tháng: trước ngày 10; quý: trước ngày 12 tháng cuối quý; báo cáo kết quả: trước ngày 20/12/2024',
    ]) {
      expect(old.split('\n')).toContain(line);
    }
    expect(old).not.toContain('Kỳ sắp đến hạn');
    await expect(run(['campaign', 'show', 'KHONG-CO'])).rejects.toThrow(
      /không có cuộc vận động mã "KHONG-CO"/,
    );
  });

  it('updates from the edited file: future deadlines move, past ones stay', async () => {
    const edited = fs
      .readFileSync(EXAMPLE, 'utf8')
      .replace('monthly:\n    dueDay: 15', 'monthly:\n    dueDay: 20')
      .replace('perChatPerDay: 3', 'perChatPerDay: 5');
    const at = file('sua.yaml', edited);
    const before = await counts();
    const dry = await run(['campaign', 'update', '--file', at, '--dry-run']);
    expect(dry).toContain('Cập nhật cuộc vận động');
    expect(dry).toContain('Dời hạn tháng 4/2026: từ 15/05/2026 sang 20/05/2026.');
    expect(await counts()).toEqual(before);

    const out = await run(['campaign', 'update', '--file', at]);
    expect(out).toContain('Đã cập nhật cuộc vận động');
    // 10/04/2026: March's report (due 15/04) is not yet due either.
    expect(out).toContain('Dời hạn tháng 3/2026: từ 15/04/2026 sang 20/04/2026.');
    const row = await prisma.campaign.findUniqueOrThrow({ where: { code: 'TN-NCC-2026' } });
    expect(row.monthlyDueDay).toBe(20);
    expect(JSON.parse(row.settings).pledgeSafeguards.perChatPerDay).toBe(5);
    const due = async (code: string) =>
      (await prisma.reportingPeriod.findFirstOrThrow({ where: { campaignId: row.id, code } })).dueOn;
    expect(await due('2026-03')).toBe('2026-04-20');
    expect(await due('2026-Q1')).toBe('2026-03-15');
    expect(await due('2026-04')).toBe('2026-05-20');
    expect(await prisma.auditLog.count({ where: { action: 'campaign.update' } })).toBe(1);

    const unknown = await runCode([
      'campaign',
      'update',
      '--file',
      file('moi.yaml', edited.replace('code: TN-NCC-2026', 'code: TN-MOI-2026')),
    ]);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.out).toMatch(/dòng \d+, code: chưa có cuộc vận động mã "TN-MOI-2026"/);
  });

  it('changes the settings of the campaign named with --campaign only', async () => {
    await run(['campaign', 'pledges', '--campaign', 'TN-NCC-2026-JSON', '--set', '{"perChatPerDay":7}']);
    const settings = async (code: string) =>
      JSON.parse((await prisma.campaign.findUniqueOrThrow({ where: { code } })).settings);
    expect((await settings('TN-NCC-2026-JSON')).pledgeSafeguards.perChatPerDay).toBe(7);
    expect((await settings('TN-NCC-2026')).pledgeSafeguards.perChatPerDay).toBe(5);
    const set = await run(['campaign', 'set', '--campaign', 'BK-XNT-2025', '--norm-repair', '32tr']);
    expect(set).toContain('(BK-XNT-2025)');
    expect((await prisma.campaign.findUniqueOrThrow({ where: { code: 'BK-XNT-2025' } })).normRepair).toBe(
      32_000_000n,
    );
    await expect(run(['campaign', 'commendation', '--campaign', 'KHONG-CO'])).rejects.toThrow(
      /không có cuộc vận động mã "KHONG-CO"/,
    );
  });

  it('closes a campaign from a day and reopens it, audited', async () => {
    expect(() => parseCommand(['campaign', 'close', 'TN-NCC-2026'])).toThrow(/đúng một trong hai/);
    expect(() => parseCommand(['campaign', 'close', 'TN-NCC-2026', '--on', '2026-02-30'])).toThrow(
      /--on cần một ngày có thật/,
    );
    // Three campaigns run: closing needs a code.
    await expect(run(['campaign', 'close', '--on', '2026-12-31'])).rejects.toThrow(/đang chạy .*ghi mã/);
    await expect(run(['campaign', 'close', 'TN-NCC-2026', '--on', '2026-01-01'])).rejects.toThrow(
      /ngày khép lại phải từ ngày bắt đầu 01\/03\/2026/,
    );

    const closed = await run(['campaign', 'close', 'TN-NCC-2026-JSON', '--on', '2026-04-01']);
    expect(closed).toContain('Đã khép lại cuộc vận động');
    expect(closed).toContain('từ ngày 01/04/2026');
    expect(closed).toContain('Trạng thái: đã khép lại từ 01/04/2026');
    expect(await run(['campaign', 'list'])).toMatch(/TN-NCC-2026-JSON .*đã khép lại từ 01\/04\/2026/);
    expect(await run(['campaign', 'close', 'TN-NCC-2026-JSON', '--on', '2026-04-01'])).toContain('rồi');

    const reopened = await run(['campaign', 'close', 'TN-NCC-2026-JSON', '--reopen']);
    expect(reopened).toContain('Đã mở lại cuộc vận động');
    expect(reopened).toContain('Trạng thái: đang chạy');
    expect(await prisma.auditLog.count({ where: { action: 'campaign.close' } })).toBe(1);
    expect(await prisma.auditLog.count({ where: { action: 'campaign.reopen' } })).toBe(1);
  });
});
