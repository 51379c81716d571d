import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../prisma/client.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import { seededDatabase } from '../../test/support/app-harness.ts';
import { executeCommand, parseCommand } from './commands.ts';
import type { CliContext } from './context.ts';

const NOW = new Date('2025-04-14T00:30:00Z');
let db: SqlDb;
let prisma: PrismaClient;
let dir: string;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ db, prisma, close, dir } = await seededDatabase(NOW));
});

afterAll(async () => {
  await close();
});

async function run(argv: string[]): Promise<string[]> {
  const lines: string[] = [];
  const ctx: CliContext = { prisma, db, now: NOW, out: (l) => lines.push(l), timeZone: 'Asia/Ho_Chi_Minh' };
  await executeCommand(parseCommand(argv), ctx);
  return lines;
}

describe('digest preview and reminder commands', () => {
  it('prints the digest a group would get and writes its chart as a PNG', async () => {
    const out = path.join(dir, 'bieu-do.png');
    const lines = await run(['digest', 'preview', '--at', '2025-04-14T07:30:00+07:00', '--out', out]);
    expect(lines[0]).toBe('📊 Bản tin tuần: xóa nhà tạm, nhà dột nát');
    expect(lines.join('\n')).toContain('Đức Xuân: 3 duyệt');
    expect(fs.readFileSync(out).subarray(1, 4).toString()).toBe('PNG');
  });

  it('plans without writing, then runs, then a repeat adds nothing', async () => {
    const plan = await run(['reminders', 'plan', '--at', '2025-04-09T08:00:00+07:00']);
    expect(plan.join('\n')).toContain('Chạy thử: 2 lời nhắc');
    // For the operator: Vietnamese, dd/mm/yyyy, each recipient by name.
    expect(plan[1]).toMatch(/^Giờ gửi\s+Loại\s+Người nhận\s+Khóa\s+Lý do$/);
    const ducXuan = plan.find((l) => l.includes('Phường Đức Xuân chưa gửi'));
    expect(ducXuan).toMatch(
      /^08:00 ngày 09\/04\/2025\s+nhắc báo cáo\s+Nguyễn Thị Lan \(#\d+\)\s+\S+\s+Báo cáo tháng 3\/2025, hạn 14\/04\/2025, nhắc trước 5 ngày: Phường Đức Xuân chưa gửi$/,
    );
    for (const line of plan) {
      expect(line).not.toMatch(/\d{4}-\d{2}-\d{2}|\b(due|before|has not|reported|slot|kind|person|reason)\b/);
    }
    expect(await prisma.outbox.count({ where: { purpose: 'reminder' } })).toBe(0);
    expect((await run(['reminders', 'run', '--at', '2025-04-09T08:00:00+07:00'])).at(-1)).toContain(
      'Đã đưa 2 tin',
    );
    expect((await run(['reminders', 'run', '--at', '2025-04-09T08:00:00+07:00'])).at(-1)).toContain(
      'Đã đưa 0 tin',
    );
    expect((await run(['outbox', 'status'])).join('\n')).toMatch(
      /reminder\s+pending\s+2\s.*nhắc báo cáo, chờ gửi/,
    );
  });

  it('changes the policy with an audit entry and refuses a bad one', async () => {
    const lines = await run(['reminders', 'policy', '--set', '{"offsetsDays":[7,3,0]}']);
    expect(lines[0]).toBe('Đã lưu chính sách nhắc mới:');
    expect(await prisma.auditLog.count({ where: { action: 'reminder.policy' } })).toBe(1);
    await expect(run(['reminders', 'policy', '--set', '{"offsetsDays":"soon"}'])).rejects.toThrow(
      /chính sách nhắc không hợp lệ: offsetsDays – cần danh sách, nhận được chữ$/,
    );
    // A mistyped key is named in Vietnamese, not in zod's English ("Unrecognized key").
    await expect(run(['reminders', 'policy', '--set', '{"offsetDays":[7]}'])).rejects.toThrow(
      /chính sách nhắc không hợp lệ: .*không có mục "offsetDays"/,
    );
    expect(() => parseCommand(['reminders', 'plan', '--at', 'hôm qua'])).toThrow(/--at cần thời điểm ISO/);
  });
});
