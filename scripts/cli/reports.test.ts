import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../prisma/client.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import { seededDatabase } from '../../test/support/app-harness.ts';
import { recordingCliContext } from '../../test/support/cli-context.ts';
import { FINAL_ANSWERS, SONG_CAU_LATE_Q4, sendNarrative } from '../../test/support/narratives.ts';
import { parseCommand } from './commands.ts';
import { UsageError } from './context.ts';
import { reportsList, reportsShow } from './reports.ts';

/**
 * The wards' written reports in `reports list` and `reports show` (issue 16 §1): after Đức Xuân
 * sent its final report twice, Sông Cầu its fourth-quarter report late, and Phùng Chí Kiên a final
 * report numbered the old way (BCTK-…), the city reads every one of them.
 */

const SEEDED_AT = new Date('2025-11-01T03:00:00Z');
const NOW = new Date('2025-12-20T03:00:00Z');

let prisma: PrismaClient;
let db: SqlDb;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ prisma, db, close } = await seededDatabase(SEEDED_AT));
  await sendNarrative(db, {
    ref: 'BCKQ-01840-1',
    periodCode: 'final',
    unitCode: '01840',
    answers: { ...FINAL_ANSWERS, commendations: '' },
    at: new Date('2025-12-01T02:15:00Z'),
  });
  await sendNarrative(db, {
    ref: 'BCKQ-01840-2',
    periodCode: 'final',
    unitCode: '01840',
    answers: FINAL_ANSWERS,
    at: new Date('2025-12-05T09:30:00Z'),
  });
  await sendNarrative(db, SONG_CAU_LATE_Q4);
  await sendNarrative(db, {
    ref: 'BCTK-01843-1',
    periodCode: 'final',
    unitCode: '01843',
    answers: FINAL_ANSWERS,
    at: new Date('2025-12-08T03:00:00Z'),
  });
}, 60_000);

afterAll(async () => {
  await close();
});

const context = () => recordingCliContext(db, NOW, { prisma });

const rowOf = (lines: string[], ref: string) => lines.find((line) => line.startsWith(`${ref} `)) ?? '';

describe('reports list of written reports', () => {
  it('lists the final reports, every revision, the latest marked, with time and lateness', async () => {
    const ctx = context();
    await reportsList(ctx, { period: 'final' });
    expect(ctx.text()).not.toContain('Không có báo cáo nào');
    expect(rowOf(ctx.lines, 'BCKQ-01840-1')).toMatch(
      /Báo cáo kết quả thực hiện Kế hoạch \(final\)\s+01840 Phường Đức Xuân\s+1\s+Đúng hạn\s+01\/12\/2025 09:15/,
    );
    expect(rowOf(ctx.lines, 'BCKQ-01840-2')).toMatch(/\s2\s+✓\s+Đúng hạn\s+05\/12\/2025 16:30/);
    // A report numbered before the final report was renamed stays listed.
    expect(rowOf(ctx.lines, 'BCTK-01843-1')).toMatch(/01843 Phường Phùng Chí Kiên\s+1\s+✓/);
    expect(ctx.text()).not.toContain('BCQ-2025Q4');
    expect(ctx.lines.at(-1)).toContain('Tổng: 3 bản gửi, 2 báo cáo mới nhất (kỳ final)');
  });

  it('lists every quarterly report with --period quarterly, and a quarter by its code', async () => {
    const all = context();
    await reportsList(all, { period: 'quarterly' });
    expect(rowOf(all.lines, 'BCQ-2025Q4-01837-1')).toMatch(
      /Báo cáo quý IV\/2025 \(2025-Q4\)\s+01837 Phường Sông Cầu\s+1\s+✓\s+Trễ hạn\s+16\/12\/2025 08:00/,
    );
    expect(all.text()).not.toContain('BCKQ');
    const one = context();
    await reportsList(one, { period: '2025-Q4' });
    expect(one.text()).toContain('BCQ-2025Q4-01837-1');
    const none = context();
    await reportsList(none, { period: '2025-Q1' });
    expect(none.lines).toEqual(['Không có báo cáo nào (kỳ 2025-Q1).']);
  });

  it('lists a unit’s written reports with the rest, in the order they fell due', async () => {
    const ctx = context();
    await reportsList(ctx, { unit: '01840' });
    const refs = ctx.lines.map((l) => l.split(' ')[0]).filter((r) => r?.startsWith('BC'));
    expect(refs).toEqual(['BCKQ-01840-1', 'BCKQ-01840-2']);
  });

  it('reads --period quarterly in any case', () => {
    expect(parseCommand(['reports', 'list', '--period', 'Quarterly'])).toEqual({
      name: 'reports list',
      args: { period: 'quarterly' },
    });
  });
});

describe('reports show of a written report', () => {
  it('shows every answer of the final report under its Vietnamese label, and its revisions', async () => {
    const ctx = context();
    await reportsShow(ctx, { ref: 'bckq-01840-2' });
    const text = ctx.text();
    expect(ctx.lines[0]).toBe('Báo cáo BCKQ-01840-2 (bản mới nhất)');
    expect(text).toMatch(/Kỳ\s+Báo cáo kết quả thực hiện Kế hoạch \(final\), hạn trước ngày 10\/12\/2025/);
    expect(text).toMatch(/Đơn vị\s+Phường Đức Xuân \(01840\)/);
    expect(text).toMatch(/Gửi lúc\s+05\/12\/2025 16:30/);
    expect(text).toMatch(/Đánh giá chung\s+Hoàn thành 100% số nhà theo kế hoạch, đúng đối tượng\./);
    expect(text).toMatch(/Kết quả nổi bật\s+Huy động 1\.200 ngày công/);
    expect(text).toMatch(/Khó khăn, vướng mắc\s+Giá vật liệu tăng cao\./);
    expect(text).toMatch(/Đề xuất, kiến nghị\s+Đề nghị hỗ trợ thêm/);
    expect(text).toMatch(/Đề nghị khen thưởng\s+Chi hội Phụ nữ tổ 5/);
    expect(text).toMatch(/1\s+BCKQ-01840-1\s+Đúng hạn\s+01\/12\/2025 09:15/);
    expect(text).toMatch(/2\s+BCKQ-01840-2\s+✓\s+Đúng hạn.*← đang xem/);
  });

  it('marks an older revision, shows an empty answer as such and the quarterly report’s own questions', async () => {
    const old = context();
    await reportsShow(old, { ref: 'BCKQ-01840-1' });
    expect(old.lines[0]).toBe('Báo cáo BCKQ-01840-1 (bản cũ; bản mới nhất là lần 2)');
    expect(old.text()).toMatch(/Đề nghị khen thưởng\s+\(không có\)/);

    const quarter = context();
    await reportsShow(quarter, { ref: 'BCQ-2025Q4-01837-1' });
    expect(quarter.text()).toMatch(/Hạn\s+Trễ hạn/);
    expect(quarter.text()).toMatch(/Kết quả nổi bật\s+Khởi công 3 nhà/);
    expect(quarter.text()).toMatch(/Đề xuất, kiến nghị\s+\(không có\)/);
    expect(quarter.text()).not.toContain('Đánh giá chung');
  });

  it('finds a final report numbered the old way, and refuses an unknown reference', async () => {
    const ctx = context();
    await reportsShow(ctx, { ref: 'BCTK-01843-1' });
    expect(ctx.text()).toMatch(/Đơn vị\s+Phường Phùng Chí Kiên \(01843\)/);
    await expect(reportsShow(context(), { ref: 'BCKQ-09999-1' })).rejects.toBeInstanceOf(UsageError);
  });
});
