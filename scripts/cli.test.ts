import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../bot/config.ts';
import { localIdHashKeyFile } from '../bot/id-hash-key.ts';
import type { PrismaClient } from '../prisma/client.ts';
import type { SqlDb } from '../prisma/sql-db.ts';
import { failingAuditStore, seededDatabase, tempDatabase } from '../test/support/app-harness.ts';
import { recordingCliContext } from '../test/support/cli-context.ts';
import { runCli } from '../test/support/cli-process.ts';
import { TEST_ID_HASH_KEY_HEX } from '../test/support/id-hash-key.ts';
import { type CliCommand, executeCommand, parseCommand, usageText } from './cli/commands.ts';
import { UsageError } from './cli/context.ts';
import { inviteCreate } from './cli/invite-create.ts';
import { peopleList } from './cli/people-list.ts';
import { reportsList, reportsShow } from './cli/reports.ts';
import { unitsList } from './cli/units-list.ts';
import { GENERATED_HEADER, generateHouseholdRows, writeCsv } from './dev/generate-household-file.ts';

/** 10:00 on 10/03/2025 in Hà Nội. */
const NOW = new Date('2025-03-10T03:00:00Z');

let prisma: PrismaClient;
let db: SqlDb;

let close: () => Promise<void>;

beforeAll(async () => {
  ({ prisma, db, close } = await seededDatabase(NOW));
});

afterAll(async () => {
  await close();
});

const context = () => recordingCliContext(db, NOW, { prisma });

function usageError(argv: string[]): string {
  try {
    parseCommand(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error instanceof Error ? error.message : '';
  }
  throw new Error(`parseCommand accepted ${argv.join(' ')}`);
}

describe('parseCommand', () => {
  it('reads help in every spelling, including a bare command line', () => {
    for (const argv of [[], ['help'], ['--help'], ['-h']]) {
      expect(parseCommand(argv)).toEqual({ name: 'help' });
    }
    expect(parseCommand(['invite', '--help'])).toEqual({ name: 'help', topic: 'invite' });
    for (const argv of [
      ['invite', 'create', '-h'],
      ['invite', 'create', '--help'],
      ['help', 'invite', 'create'],
      // --help wins over what else is wrong on the line.
      ['invite', 'create', '--role', 'boss', '--help'],
    ]) {
      expect(parseCommand(argv)).toEqual({ name: 'help', topic: 'invite create' });
    }
    expect(parseCommand(['export', '--help'])).toEqual({ name: 'help', topic: 'export' });
  });

  it('validates and converts invite create options, with 7 days by default', () => {
    expect(parseCommand(['invite', 'create', '--role', 'unit_officer', '--unit', '01840'])).toEqual({
      name: 'invite create',
      args: { role: 'unit_officer', unit: '01840', days: 7 },
    });
    const command: CliCommand = parseCommand([
      'invite',
      'create',
      '--role=leader',
      '--unit',
      '058',
      '--days',
      '90',
      '--name',
      ' Lê Văn Tám ',
      '--bot',
      '@mttq_backan_bot',
    ]);
    expect(command).toEqual({
      name: 'invite create',
      args: { role: 'leader', unit: '058', days: 90, name: 'Lê Văn Tám', bot: 'mttq_backan_bot' },
    });
  });

  it('lists the valid roles when the role is wrong or missing', () => {
    const message = usageError(['invite', 'create', '--role', 'boss', '--unit', '058']);
    expect(message).toContain('"boss"');
    for (const role of [
      'admin',
      'leader',
      'unit_officer',
      'org_leader',
      'fund_officer',
      'donor',
      'citizen',
    ]) {
      expect(message).toContain(role);
    }
    expect(usageError(['invite', 'create', '--unit', '058'])).toMatch(/thiếu --role.*unit_officer/);
  });

  it('rejects days outside 1..90, a missing unit and a bot name that is not a bot', () => {
    for (const days of ['0', '91', '7.5', 'abc', '1e1']) {
      expect(usageError(['invite', 'create', '--role', 'admin', '--unit', '058', '--days', days])).toContain(
        '--days',
      );
    }
    expect(usageError(['invite', 'create', '--role', 'admin'])).toContain('--unit');
    expect(usageError(['invite', 'create', '--role', 'admin', '--unit', '058', '--bot', 'x'])).toContain(
      '--bot',
    );
  });

  it('names the unknown command, option or argument', () => {
    expect(usageError(['frobnicate'])).toContain('"frobnicate"');
    expect(usageError(['units'])).toContain('units list');
    expect(usageError(['units', 'delete'])).toContain('"units delete"');
    expect(usageError(['units', 'list', '--all'])).toContain('--all');
    expect(usageError(['units', 'list', 'extra'])).toContain('"extra"');
    expect(usageError(['invite', 'create', '--role'])).toContain('--role');
    expect(usageError(['reports', 'show'])).toContain('số tham chiếu');
    expect(usageError(['reports', 'show', 'A', 'B'])).toContain('"B"');
    expect(usageError(['reports', 'list', '--period', '2025-13'])).toContain('--period');
    expect(usageError(['--role', 'admin'])).toContain('thiếu lệnh');
  });

  it('accepts period codes in any case', () => {
    expect(parseCommand(['reports', 'list', '--period', '2025-q1', '--unit', '01840'])).toEqual({
      name: 'reports list',
      args: { period: '2025-Q1', unit: '01840' },
    });
    expect(parseCommand(['reports', 'show', 'BC-202502-01840-1'])).toEqual({
      name: 'reports show',
      args: { ref: 'BC-202502-01840-1' },
    });
  });
});

describe('help', () => {
  it("prints one command's usage only, in Vietnamese", async () => {
    const ctx = context();
    await executeCommand(parseCommand(['units', 'merge', '--help']), ctx);
    expect(ctx.lines[0]).toBe(
      'Cách dùng: npm run cli -- units merge <mã 1> <mã 2> … --into <mã mới> --name "<tên mới>" --on <YYYY-MM-DD> [--kind ward|commune] [--parent <mã cấp trên>]',
    );
    expect(ctx.text()).toContain('Sáp nhập phường, xã');
    expect(ctx.text()).toContain('Ví dụ:');
    // Nothing of the other commands.
    expect(ctx.text()).not.toContain('units split');
    expect(ctx.text()).not.toContain('invite create');
    expect(ctx.lines.length).toBeLessThan(12);
  });

  it('prints the usages of a group with its name alone', async () => {
    const ctx = context();
    await executeCommand(parseCommand(['units', '--help']), ctx);
    for (const command of ['units list', 'units merge', 'units split']) {
      expect(ctx.text()).toContain(`Cách dùng: npm run cli -- ${command}`);
    }
    expect(ctx.text()).not.toContain('people list');
  });

  it('lists every command', async () => {
    const ctx = context();
    await executeCommand({ name: 'help' }, ctx);
    expect(ctx.lines).toEqual(usageText());
    // One line per command: the list, not every usage.
    expect(ctx.text()).not.toContain('Cách dùng: npm run cli -- units merge');
    expect(ctx.text()).toContain('npm run cli -- <lệnh> --help');
    for (const command of [
      'invite create',
      'units list',
      'people list',
      'reports list',
      'reports show',
      'outbox failed',
      'help',
    ]) {
      expect(ctx.text()).toContain(command);
    }
  });
});

describe('invite create', () => {
  it('creates a single-use invite, audits it and prints the code, expiry and link', async () => {
    const ctx = context();
    const created = await inviteCreate(ctx, {
      role: 'unit_officer',
      unit: '01852',
      days: 7,
      name: 'Lê Văn Tám',
      bot: 'mttq_backan_bot',
    });

    const invite = await prisma.invite.findUniqueOrThrow({
      where: { id: created.id },
      include: { unit: true },
    });
    expect(invite.code).toMatch(/^[A-HJKMNP-Z2-9]{8}$/);
    expect(invite).toMatchObject({
      role: 'unit_officer',
      fullName: 'Lê Văn Tám',
      createdBy: 'cli',
      usedAt: null,
      revokedAt: null,
    });
    expect(invite.unit.code).toBe('01852');
    expect(invite.expiresAt.toISOString()).toBe('2025-03-17T03:00:00.000Z');

    const audit = await prisma.auditLog.findFirstOrThrow({
      where: { action: 'invite.create', entity: 'Invite', entityId: String(invite.id) },
    });
    expect(audit.at.toISOString()).toBe(NOW.toISOString());
    expect(audit.after).not.toContain(invite.code);
    expect(JSON.parse(audit.after ?? '{}')).toMatchObject({
      role: 'unit_officer',
      unitCode: '01852',
      days: 7,
    });

    const text = ctx.text();
    expect(text).toContain(`${invite.code.slice(0, 4)}-${invite.code.slice(4)}`);
    expect(text).toContain('unit_officer');
    expect(text).toContain('Xã Nông Thượng');
    expect(text).toContain('17/03/2025 10:00');
    expect(text).toContain(`https://t.me/mttq_backan_bot?start=${invite.code}`);
  });

  it('without --bot prints a placeholder link and the hint to pass --bot', async () => {
    const ctx = context();
    const created = await inviteCreate(ctx, { role: 'admin', unit: '058', days: 1 });
    expect(ctx.text()).toContain(`https://t.me/<tên_bot>?start=${created.code}`);
    expect(ctx.text()).toContain('--bot');
    expect(created.expiresAt.toISOString()).toBe('2025-03-11T03:00:00.000Z');
  });

  it('writes the invite and its audit row in one transaction: a failing audit leaves no invite', async () => {
    const before = await prisma.invite.count();
    const audits = await prisma.auditLog.count();
    const failingAudit = failingAuditStore(db);
    await expect(
      executeCommand(parseCommand(['invite', 'create', '--role', 'leader', '--unit', '058']), {
        ...context(),
        uow: failingAudit,
      }),
    ).rejects.toThrow('audit log unavailable');
    expect(await prisma.invite.count()).toBe(before);
    expect(await prisma.auditLog.count()).toBe(audits);
  });

  it('refuses an unknown unit code and points to units list, creating nothing', async () => {
    const before = await prisma.invite.count();
    await expect(inviteCreate(context(), { role: 'admin', unit: '99999', days: 7 })).rejects.toThrow(
      /"99999".*units list/,
    );
    expect(await prisma.invite.count()).toBe(before);
  });
});

describe('units list', () => {
  it('shows code, name, kind, parent code and validity', async () => {
    const ctx = context();
    await unitsList(ctx);
    expect(ctx.lines[0]).toMatch(/^Mã\s+Tên đơn vị\s+Loại\s+Đơn vị cha\s+Hiệu lực$/);
    const ducXuan = ctx.lines.find((line) => line.startsWith('01840 '));
    expect(ducXuan).toMatch(/^01840\s+Phường Đức Xuân\s+phường\s+058\s+từ 11\/03\/2015$/);
    const city = ctx.lines.find((line) => line.startsWith('058 '));
    expect(city).toMatch(/thành phố\s+06\s+11\/03\/2015 – 30\/06\/2025$/);
    expect(ctx.lines.at(-1)).toBe('Tổng: 15 đơn vị.');
  });
});

describe('people list', () => {
  it('shows roles, channels and the last interaction but never the phone number', async () => {
    const unit = await prisma.unit.findFirstOrThrow({
      orderBy: { validFrom: 'desc' },
      where: { code: '01846' },
    });
    await prisma.person.create({
      data: {
        fullName: 'Vi Văn Phúc',
        phone: '0912345678',
        memberships: { create: { unitId: unit.id, role: 'unit_officer' } },
        identities: {
          create: [
            {
              channel: 'telegram',
              externalUserId: '111',
              lastInteractionAt: new Date('2025-03-09T08:15:00Z'),
            },
            { channel: 'zalo', externalUserId: '222', lastInteractionAt: new Date('2025-03-01T00:00:00Z') },
          ],
        },
      },
    });
    const ctx = context();
    await peopleList(ctx);
    const text = ctx.text();
    expect(text).not.toContain('0912345678');
    expect(text).not.toContain('912');
    const phuc = ctx.lines.find((line) => line.includes('Vi Văn Phúc'));
    expect(phuc).toMatch(/unit_officer@01846\s+telegram, zalo\s+09\/03\/2025 15:15$/);
    expect(ctx.lines.find((line) => line.includes('Nguyễn Thị Lan'))).toMatch(
      /unit_officer@01840\s+playground\s+—$/,
    );
  });
});

describe('reports', () => {
  const figures = {
    approvedNew: 12,
    approvedRepair: 5,
    startedNew: 10,
    startedRepair: 4,
    completedNew: 8,
    completedRepair: 3,
    handedOverNew: 7,
    handedOverRepair: 3,
    moneyReceived: 60_000_000n,
    moneyPaid: 45_500_000n,
    labourDays: 1_250,
    difficulties: 'Thiếu vật liệu\nĐường vào thôn khó đi',
    proposals: 'Đề nghị hỗ trợ thêm xi măng',
    decreaseReason: null,
  };

  beforeAll(async () => {
    const period = await prisma.reportingPeriod.findFirstOrThrow({ where: { code: '2025-02' } });
    const ducXuan = await prisma.unit.findFirstOrThrow({
      orderBy: { validFrom: 'desc' },
      where: { code: '01840' },
    });
    const songCau = await prisma.unit.findFirstOrThrow({
      orderBy: { validFrom: 'desc' },
      where: { code: '01837' },
    });
    const lan = await prisma.person.findFirstOrThrow({ where: { fullName: 'Nguyễn Thị Lan' } });
    const minh = await prisma.person.findFirstOrThrow({ where: { fullName: 'Hoàng Văn Minh' } });
    const base = { periodId: period.id, channel: 'telegram' };
    await prisma.report.createMany({
      data: [
        {
          ...base,
          ...figures,
          ref: 'BC-202502-01840-1',
          unitId: ducXuan.id,
          personId: lan.id,
          revision: 1,
          late: false,
          submittedAt: new Date('2025-03-05T02:00:00Z'),
        },
        {
          ...base,
          ...figures,
          approvedNew: 11,
          decreaseReason: 'Một hộ chuyển sang diện sửa chữa',
          ref: 'BC-202502-01840-2',
          unitId: ducXuan.id,
          personId: lan.id,
          revision: 2,
          late: true,
          submittedAt: new Date('2025-03-16T01:30:00Z'),
        },
        {
          ...base,
          ...figures,
          ref: 'BC-202502-01837-1',
          unitId: songCau.id,
          personId: minh.id,
          revision: 1,
          late: false,
          submittedAt: new Date('2025-03-14T09:00:00Z'),
        },
      ],
    });
  });

  it('lists every revision with period, unit, lateness and the latest marked', async () => {
    const ctx = context();
    await reportsList(ctx, {});
    expect(ctx.lines[0]).toMatch(
      /^Số tham chiếu\s+Kỳ\s+Đơn vị\s+Lần\s+Mới nhất\s+Hạn\s+Gửi lúc\s+Người gửi$/,
    );
    const row = (ref: string) => ctx.lines.find((line) => line.startsWith(`${ref} `)) ?? '';
    expect(row('BC-202502-01840-1')).toMatch(
      /tháng 2\/2025 \(2025-02\)\s+01840 Phường Đức Xuân\s+1\s+Đúng hạn\s+05\/03\/2025 09:00\s+Nguyễn Thị Lan$/,
    );
    expect(row('BC-202502-01840-2')).toMatch(/\s2\s+✓\s+Trễ hạn\s+16\/03\/2025 08:30\s+Nguyễn Thị Lan$/);
    expect(row('BC-202502-01837-1')).toMatch(/01837 Phường Sông Cầu\s+1\s+✓\s+Đúng hạn/);
    expect(ctx.lines.at(-1)).toContain('Tổng: 3 bản gửi, 2 báo cáo mới nhất');
  });

  it('filters by period and unit, and says so when nothing matches', async () => {
    const ctx = context();
    await reportsList(ctx, { period: '2025-02', unit: '01837' });
    expect(ctx.text()).toContain('BC-202502-01837-1');
    expect(ctx.text()).not.toContain('BC-202502-01840');

    const empty = context();
    await reportsList(empty, { period: '2025-01' });
    expect(empty.lines).toEqual(['Không có báo cáo nào (kỳ 2025-01).']);
  });

  it('refuses an unknown period or unit code', async () => {
    await expect(reportsList(context(), { period: '2031-01' })).rejects.toThrow(/"2031-01".*2025-02/);
    await expect(reportsList(context(), { unit: 'NOPE' })).rejects.toThrow(/units list/);
  });

  it('shows all figures with Vietnamese labels and the revisions of the unit and period', async () => {
    const ctx = context();
    await reportsShow(ctx, { ref: 'bc-202502-01840-2' });
    const text = ctx.text();
    expect(ctx.lines[0]).toBe('Báo cáo BC-202502-01840-2 (bản mới nhất)');
    expect(text).toMatch(/Kỳ\s+tháng 2\/2025 \(2025-02\), hạn trước ngày 15\/03\/2025/);
    expect(text).toMatch(/Hạn\s+Trễ hạn/);
    expect(text).toMatch(/Hộ được duyệt – xây mới\s+11\n/);
    expect(text).toMatch(/Đã bàn giao – sửa chữa\s+3\n/);
    expect(text).toMatch(/Tiền đã tiếp nhận\s+60\.000\.000 đ/);
    expect(text).toMatch(/Tiền đã chi cho hộ\s+45\.500\.000 đ/);
    expect(text).toMatch(/Ngày công\s+1\.250/);
    expect(text).toMatch(/Khó khăn, vướng mắc\s+Thiếu vật liệu\n\s+Đường vào thôn khó đi/);
    expect(text).toMatch(/Đề xuất, kiến nghị\s+Đề nghị hỗ trợ thêm xi măng/);
    expect(text).toMatch(/Lý do giảm so với kỳ trước\s+Một hộ chuyển sang diện sửa chữa/);
    expect(text).toMatch(/1\s+BC-202502-01840-1\s+Đúng hạn/);
    expect(text).toMatch(/2\s+BC-202502-01840-2\s+✓\s+Trễ hạn.*← đang xem/);
  });

  it('marks an older revision as such and shows an absent decrease reason', async () => {
    const ctx = context();
    await reportsShow(ctx, { ref: 'BC-202502-01840-1' });
    expect(ctx.lines[0]).toBe('Báo cáo BC-202502-01840-1 (bản cũ; bản mới nhất là lần 2)');
    expect(ctx.text()).toMatch(/Lý do giảm so với kỳ trước\s+\(không có\)/);
  });

  it('refuses an unknown reference', async () => {
    await expect(reportsShow(context(), { ref: 'BC-000000-0-1' })).rejects.toBeInstanceOf(UsageError);
  });
});

describe('the real CLI process', () => {
  it('migrates and seeds a fresh database, then answers with the right exit codes', {
    timeout: 90_000,
  }, async () => {
    const file = tempDatabase();
    onTestFinished(file.cleanup);

    const units = await runCli(['units', 'list'], file);
    expect(units.stderr).toContain('migration');
    expect(units.code).toBe(0);
    expect(units.stdout).toContain('Phường Đức Xuân');

    const [badRole, unknown, invite, help] = await Promise.all([
      runCli(['invite', 'create', '--role', 'boss', '--unit', '01840'], file),
      runCli(['frobnicate'], file),
      runCli(
        ['invite', 'create', '--role', 'unit_officer', '--unit', '01840', '--bot', 'mttq_backan_bot'],
        file,
      ),
      runCli(['households', 'approve', '--help'], file),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(
      /^Cách dùng: npm run cli -- households approve <mã hộ> --reason "lý do" \[--campaign <mã cuộc vận động>\]\n/,
    );
    expect(help.stdout).not.toContain('households import');
    expect(badRole.code).toBe(2);
    expect(badRole.stdout).toBe('');
    expect(badRole.stderr).toContain('"boss"');
    expect(badRole.stderr).toContain('unit_officer');
    expect(badRole.stderr).toContain('npm run cli -- help');
    expect(badRole.stderr).toContain('npm run cli -- invite create --help');

    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('"frobnicate"');

    expect(invite.stderr).toBe('');
    expect(invite.code).toBe(0);
    const code = /Đã tạo mã mời: ([A-Z2-9]{4})-([A-Z2-9]{4})/.exec(invite.stdout);
    expect(code).not.toBeNull();
    expect(invite.stdout).toContain(`https://t.me/mttq_backan_bot?start=${code?.[1]}${code?.[2]}`);
  });

  it('stores ID numbers only with a key: refused next to a messenger token without ID_HASH_KEY, a local key file in the playground', {
    timeout: 180_000,
  }, async () => {
    const database = tempDatabase();
    onTestFinished(database.cleanup);
    const { rows } = generateHouseholdRows(3, { seed: 5 });
    const idAt = GENERATED_HEADER.indexOf('Số CCCD');
    rows.forEach((row, i) => {
      if (i > 0) {
        row[idAt] = `0060580${String(i).padStart(5, '0')}`;
      }
    });
    const list = path.join(database.dir, 'ds.csv');
    await writeCsv(list, rows);
    const importList = ['households', 'import', list, '--unit', '01852'];
    const keyFile = path.resolve(
      database.dir,
      localIdHashKeyFile(loadConfig({ DATABASE_URL: database.url })),
    );

    const refused = await runCli(importList, database, {
      TELEGRAM_BOT_TOKEN: '123456789:AAtesttokentesttoken',
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('chưa đặt ID_HASH_KEY');
    expect(refused.stdout).not.toContain('Đã nhập');
    expect(fs.existsSync(keyFile)).toBe(false);

    const playground = await runCli(importList, database);
    expect(playground.stdout).toContain('Đã nhập 3 hộ');
    expect(playground.code).toBe(0);
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);

    // The deployment's key set later: the same list writes the hashes again under it.
    const rekeyed = await runCli(['households', 'set-ids', list, '--unit', '01852'], database, {
      TELEGRAM_BOT_TOKEN: '123456789:AAtesttokentesttoken',
      ID_HASH_KEY: TEST_ID_HASH_KEY_HEX,
    });
    expect(rekeyed.stdout).toContain('Đã cập nhật số CCCD (mã băm) của 3 hộ');
    expect(rekeyed.code).toBe(0);
  });
});

describe('outbox failed', () => {
  it('says when nothing failed, then lists given-up and retrying messages with their errors', async () => {
    const empty = context();
    await executeCommand(parseCommand(['outbox', 'failed']), empty);
    expect(empty.text()).toContain('Không có tin nhắn nào gửi lỗi');

    const base = { channel: 'telegram', nextAttemptAt: NOW, createdAt: NOW };
    await prisma.outbox.createMany({
      data: [
        {
          ...base,
          chatId: '111',
          payload: JSON.stringify({ text: 'Đã nhận báo cáo' }),
          idempotencyKey: 'o1',
          status: 'failed',
          attempts: 1,
          lastError: '403 Forbidden: bot was blocked by the user',
        },
        {
          ...base,
          chatId: '222',
          payload: JSON.stringify({ text: 'Nhắc nộp báo cáo' }),
          idempotencyKey: 'o2',
          status: 'pending',
          attempts: 2,
          lastError: '502 Bad Gateway',
        },
        {
          ...base,
          chatId: '333',
          payload: JSON.stringify({ text: 'ok' }),
          idempotencyKey: 'o3',
          status: 'sent',
          attempts: 1,
        },
      ],
    });
    const ctx = context();
    await executeCommand(parseCommand(['outbox', 'failed']), ctx);
    const out = ctx.text();
    expect(out).toContain('bot was blocked by the user');
    expect(out).toContain('Đã bỏ');
    expect(out).toContain('Đang thử lại');
    expect(out).toContain('Nhắc nộp báo cáo');
    expect(out).not.toContain('333');
    expect(out).toContain('Tổng: 2 tin nhắn.');
  });
});
