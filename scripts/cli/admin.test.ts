import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../prisma/client.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import { seededDatabase } from '../../test/support/app-harness.ts';
import { executeCommand, parseCommand } from './commands.ts';
import type { CliContext } from './context.ts';

const NOW = new Date('2025-04-10T03:00:00Z');
let db: SqlDb;
let prisma: PrismaClient;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ db, prisma, close } = await seededDatabase(NOW));
});

afterAll(async () => {
  await close();
});

async function run(argv: string[]): Promise<string> {
  const lines: string[] = [];
  const ctx: CliContext = { prisma, db, now: NOW, out: (l) => lines.push(l), timeZone: 'Asia/Ho_Chi_Minh' };
  await executeCommand(parseCommand(argv), ctx);
  return lines.join('\n');
}

const audits = (action: string) => prisma.auditLog.count({ where: { action } });

describe('administration from the CLI', () => {
  it('revokes an unused invite, and refuses a used or unknown one', async () => {
    expect(await run(['invite', 'revoke', 'DEMO2025'])).toContain('Đã thu hồi mã mời DEMO2025');
    expect((await prisma.invite.findUniqueOrThrow({ where: { code: 'DEMO2025' } })).revokedAt).not.toBeNull();
    expect(await audits('invite.revoke')).toBe(1);
    await expect(run(['invite', 'revoke', 'ZZZZ2222'])).rejects.toThrow(/không có mã mời/);
  });

  it('deactivates and reactivates a person, and gives and takes a role', async () => {
    const lan = await prisma.person.findFirstOrThrow({ where: { fullName: 'Nguyễn Thị Lan' } });
    expect(await run(['people', 'deactivate', String(lan.id)])).toContain(
      'Đã ngừng hoạt động Nguyễn Thị Lan',
    );
    expect((await prisma.person.findUniqueOrThrow({ where: { id: lan.id } })).active).toBe(false);
    expect(await run(['people', 'activate', String(lan.id)])).toContain('Đã kích hoạt lại');
    expect(await run(['people', 'role', String(lan.id), '--add', 'fund_officer@01840'])).toContain(
      'Đã giao vai trò fund_officer tại Phường Đức Xuân',
    );
    expect(await run(['people', 'role', String(lan.id), '--remove', 'fund_officer@01840'])).toContain(
      'Đã thu hồi',
    );
    expect(await audits('membership.add')).toBe(1);
    expect(await audits('membership.remove')).toBe(1);
    expect(() => parseCommand(['people', 'role', String(lan.id), '--add', 'boss@01840'])).toThrow(
      /vai trò không hợp lệ/,
    );
    expect(() => parseCommand(['people', 'role', String(lan.id)])).toThrow(/đúng một trong hai/);
  });

  it('changes norms and deadlines of periods not yet due, with an audit entry', async () => {
    const out = await run(['campaign', 'set', '--norm-new-build', '65tr', '--monthly-due-day', '10']);
    expect(out).toContain('Định mức xây mới: 65.000.000 đ');
    const periods = await prisma.reportingPeriod.findMany({
      where: { kind: 'monthly' },
      orderBy: { dueOn: 'asc' },
    });
    // Already due (before 10/04/2025): unchanged; later ones move to the 10th.
    expect(periods.find((p) => p.code === '2025-02')?.dueOn).toBe('2025-03-15');
    expect(periods.find((p) => p.code === '2025-04')?.dueOn).toBe('2025-05-10');
    expect(await audits('campaign.set')).toBe(1);
    expect(() => parseCommand(['campaign', 'set', '--norm-repair', 'abc'])).toThrow(/số tiền không hợp lệ/);
  });

  it('lists, confirms and stops leadership groups', async () => {
    const city = await prisma.unit.findFirstOrThrow({
      orderBy: { validFrom: 'desc' },
      where: { code: '058' },
    });
    const group = await prisma.leadershipGroup.create({
      data: { channel: 'telegram', chatId: '-1001', title: 'Thường trực', unitId: city.id, requestedAt: NOW },
    });
    expect(await run(['groups', 'list'])).toMatch(/Thường trực.*đang chờ xác nhận \(pending\)/);
    await run(['groups', 'confirm', String(group.id)]);
    expect((await prisma.leadershipGroup.findUniqueOrThrow({ where: { id: group.id } })).status).toBe(
      'active',
    );
    await run(['groups', 'stop', String(group.id)]);
    expect((await prisma.leadershipGroup.findUniqueOrThrow({ where: { id: group.id } })).status).toBe(
      'removed',
    );
  });
});

describe('summaries and commendation criteria', () => {
  it('adjusts the criteria and the summary export proposes by them', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const ExcelJS = (await import('exceljs')).default;
    const out = await run([
      'campaign',
      'commendation',
      '--set',
      '{"minCompletedShare":0,"minHousesCompleted":1,"minOnTimeShare":0}',
    ]);
    expect(out).toContain('Đã lưu tiêu chí đề xuất khen thưởng');
    await expect(run(['campaign', 'commendation', '--set', '{"minCompletedShare":5}'])).rejects.toThrow(
      /tiêu chí không hợp lệ/,
    );
    // Đức Xuân completes one house: proposed under the loosened criteria.
    await prisma.household.update({
      where: { campaignId_code: { campaignId: 1, code: 'DX-003' } },
      data: { status: 'completed' },
    });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sum-')), 'so-ket.xlsx');
    await run(['export', 'summary', file]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    // Then one sheet per written-report period due so far (the quarterly reports of the fixture's days).
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      'Tiến độ',
      'Vận động ủng hộ',
      'Đề xuất khen thưởng',
      'BC quý IV-2024',
      'BC quý I-2025',
    ]);
    const sheet = wb.getWorksheet('Đề xuất khen thưởng');
    const cells: string[] = [];
    sheet?.eachRow((row) => {
      row.eachCell((cell) => {
        cells.push(String(cell.value));
      });
    });
    expect(cells).toContain('Phường Đức Xuân');
    expect(cells.some((c) => c.startsWith('Hoàn thành 1/3 nhà'))).toBe(true);
  });
});

describe('limits on pledges of donors with no invite (issue 13 §6)', () => {
  it('shows the defaults, changes them with an audit entry, and refuses a bad value', async () => {
    const shown = await run(['campaign', 'pledges']);
    expect(shown).toContain('"perChatPerDay": 3');
    expect(shown).toContain('"anonymousPerHour": 30');
    expect(shown).toContain('"verifyAbove": 500000000');
    const out = await run(['campaign', 'pledges', '--set', '{"verifyAbove":200000000,"perChatPerDay":2}']);
    expect(out).toContain('Đã lưu giới hạn đăng ký ủng hộ');
    expect(out).toContain('"verifyAbove": 200000000');
    expect(out).toContain('"anonymousPerHour": 30');
    const campaign = await prisma.campaign.findFirstOrThrow();
    expect(JSON.parse(campaign.settings).pledgeSafeguards).toEqual({
      perChatPerDay: 2,
      anonymousPerHour: 30,
      verifyAbove: 200_000_000,
    });
    expect(await audits('campaign.pledges')).toBe(1);
    await expect(run(['campaign', 'pledges', '--set', '{"perChatPerDay":0}'])).rejects.toThrow(
      /giới hạn không hợp lệ: perChatPerDay – phải từ 1 trở lên/,
    );
    await expect(run(['campaign', 'pledges', '--set', '{"perHour":5}'])).rejects.toThrow(
      /giới hạn không hợp lệ.*chỉ nhận các mục perChatPerDay, anonymousPerHour, verifyAbove/,
    );
    await expect(run(['campaign', 'pledges', '--set', 'abc'])).rejects.toThrow(
      /--set cần một đối tượng JSON/,
    );
    expect(await audits('campaign.pledges')).toBe(1);
  });
});
