import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlDb } from '../../prisma/sql-db.ts';
import { createStore } from '../../prisma/store.ts';
import { seededDatabase } from '../../test/support/app-harness.ts';
import { recordingCliContext } from '../../test/support/cli-context.ts';
import { moneyPledge } from '../../test/support/fixtures.ts';
import { executeCommand, parseCommand } from './commands.ts';

// The committed Vietcombank sample over six pledges of the city fund (058), as the operator runs it.
const NOW = new Date('2025-03-10T03:00:00Z');
const SAMPLE = path.join(import.meta.dirname, '../../docs/samples/statements/vietcombank.xlsx');
let db: SqlDb;
let close: () => Promise<void>;

async function run(argv: string[]) {
  const ctx = recordingCliContext(db, NOW);
  await executeCommand(parseCommand(argv), ctx);
  return ctx;
}

beforeAll(async () => {
  ({ db, close } = await seededDatabase(NOW));
  await createStore(db).run(async (tx) => {
    const campaign = await tx.campaigns.findCurrent();
    const city = (await tx.units.listByKinds(['city'])).find((u) => u.code === '058');
    if (!campaign || !city) {
      throw new Error('seed missing');
    }
    const donors: [string, bigint][] = [
      ['Hội Liên hiệp Phụ nữ thành phố Bắc Kạn', 50_000_000n],
      ['Nguyễn Văn Bình', 5_000_000n],
      ['Trần Thị Lan', 2_000_000n],
      ['Công ty TNHH Xây dựng Hoàng Long', 20_000_000n],
      ['Phạm Đức Thắng', 1_000_000n],
      ['Đoàn Thanh niên phường Đức Xuân', 10_000_000n],
    ];
    for (const [donorName, amount] of donors) {
      await tx.pledges.create(
        moneyPledge({
          campaignId: campaign.id,
          donorKind: 'individual',
          donorName,
          fundUnitId: city.id,
          amount,
        }),
        NOW,
      );
    }
  });
}, 60_000);

afterAll(async () => {
  await close();
});

describe('funds statement (CLI)', () => {
  it('--dry-run prints the counts and the lists in Vietnamese and writes nothing', async () => {
    const ctx = await run(['funds', 'statement', 'import', SAMPLE, '--level', '058', '--dry-run']);
    const text = ctx.text();
    expect(text).toContain('Xem thử (không ghi gì): vietcombank.xlsx · Vietcombank');
    expect(text).toContain(
      '8 dòng: 5 khớp số đăng ký, 1 đề xuất theo tên và số tiền, 1 chưa khớp, 1 khoản chi, 0 đã nhập trước đây.',
    );
    expect(text).toContain('UH-0004 Công ty TNHH Xây dựng Hoàng Long');
    const lines = await db.kysely.selectFrom('StatementLine').select('id').execute();
    expect(lines).toEqual([]);
  });

  it('imports, lists the proposal, confirms it; a second import adds nothing', async () => {
    const first = await run(['funds', 'statement', 'import', SAMPLE, '--level', '058']);
    expect(first.text()).toContain('5 khớp số đăng ký (đã ghi khoản thu), 1 đề xuất');
    const again = await run(['funds', 'statement', 'import', SAMPLE, '--level', '058']);
    expect(again.text()).toContain(
      '8 dòng: 0 khớp số đăng ký (đã ghi khoản thu), 0 đề xuất theo tên và số tiền, 0 chưa khớp, 0 khoản chi, 8 đã nhập trước đây.',
    );
    const listed = await run(['funds', 'statement', 'lines', '--level', '058', '--status', 'proposed']);
    const id = /#(\d+)/.exec(listed.text())?.[1];
    expect(id).toBeDefined();
    const confirmed = await run(['funds', 'statement', 'confirm', id ?? '']);
    expect(confirmed.text()).toContain(
      '✅ Đã ghi nhận 20.000.000 đ của Công ty TNHH Xây dựng Hoàng Long vào đăng ký UH-0004',
    );
    const pledge = await db.kysely
      .selectFrom('Pledge')
      .select(['received'])
      .where('ref', '=', 'UH-0004')
      .executeTakeFirstOrThrow();
    expect(pledge.received).toBe(20_000_000n);
  });

  it('refuses --bank with --mapping, and an unknown level', async () => {
    await expect(
      run(['funds', 'statement', 'import', SAMPLE, '--level', '058', '--bank', 'vcb', '--mapping', 'x.json']),
    ).rejects.toThrow('chỉ dùng một trong --bank và --mapping');
    await expect(
      run(['funds', 'statement', 'import', SAMPLE, '--level', 'ZZZ', '--dry-run']),
    ).rejects.toThrow('không có đơn vị mã "ZZZ"');
  });
});
