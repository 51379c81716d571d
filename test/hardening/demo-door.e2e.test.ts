import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type App, type AppOptions, createApp } from '../../bot/app.ts';
import { loadConfig } from '../../bot/config.ts';
import { createLogger } from '../../bot/logger.ts';
import { createFixedClock } from '../../core/shared/clock.ts';
import { createPrismaClient } from '../../prisma/client.ts';
import {
  findDemoData,
  LIVING_DEMO_PEOPLE,
  SEEDED_NOTE_VI,
  START_CAMPAIGN_COMMANDS,
} from '../../prisma/seed.ts';
import { createStore } from '../../prisma/store.ts';
import { executeCommand, parseCommand } from '../../scripts/cli/commands.ts';
import { seededDatabase, tempDatabase } from '../support/app-harness.ts';
import { type BotApiEmulator, type EmulatorUser, startBotApiEmulator } from '../support/bot-api-emulator.ts';
import { recordEntry } from '../support/fixtures.ts';

/**
 * Issue 13 §1, no demo door in a real deployment: a bot with a messenger token seeds no demo
 * person and no invite; on a database that still holds the demo it refuses the demo codes and
 * says in its start-up log which command removes them; the first admin comes from
 * `npm run cli -- admin create`; `npm run cli -- demo remove` takes the demo out. Issue 15: what a
 * real deployment's empty database gets is the Bắc Kạn history only (the campaign closed, the units
 * reorganised on 01/07/2025), no open campaign — a stranger who wants to give is told so and whom to
 * contact — and the three commands start its own campaign at once. The real app (grammY, long
 * polling) against the Bot API emulator, on SQLite or PostgreSQL.
 */

const run = promisify(execFile);
const stranger: EmulatorUser = { id: 7401, first_name: 'Lạ', language_code: 'vi' };
const firstAdmin: EmulatorUser = { id: 7402, first_name: 'Quản', language_code: 'vi' };
const latecomer: EmulatorUser = { id: 7403, first_name: 'Muộn', language_code: 'vi' };
const REMOVE_COMMAND = 'npm run cli -- demo remove';
const UNKNOWN = /Mã mời không đúng/;
/** A real deployment's today: 18 months after the Bắc Kạn campaign closed. */
const DECEMBER_2026 = '2026-12-07T03:00:00Z';

let emulator: BotApiEmulator;
let app: App | undefined;
let cleanups: (() => Promise<void>)[] = [];
let lines: string[] = [];

function env(url: string): Record<string, string> {
  return {
    DATABASE_URL: url,
    PORT: '0',
    LOG_LEVEL: 'info',
    TELEGRAM_BOT_TOKEN: emulator.token,
    TELEGRAM_API_ROOT: emulator.apiRoot,
  };
}

/** The app as `npm start` builds it (no test seeding option), its log lines collected. */
async function boot(url: string, options: AppOptions = {}): Promise<App> {
  const config = loadConfig(env(url));
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  app = await createApp(config, createLogger({ level: 'info', secrets: config.secrets }, sink), {
    outboxPollMs: 200,
    scheduler: false,
    telegramBotInfo: emulator.botInfo,
    ...options,
  });
  await app.start();
  return app;
}

async function say(user: EmulatorUser, text: string): Promise<string> {
  const before = emulator.messagesTo(user.id).length;
  emulator.sendText(user, text);
  return (await emulator.waitForMessages(user.id, before + 1, 15_000)).at(-1)?.text ?? '';
}

async function telegramPeople(target: App): Promise<number> {
  return target.prisma.channelIdentity.count({ where: { channel: 'telegram' } });
}

beforeEach(async () => {
  emulator = await startBotApiEmulator();
  lines = [];
  cleanups = [];
});

afterEach(async () => {
  await app?.stop();
  app = undefined;
  await emulator.close();
  for (const cleanup of cleanups.reverse()) {
    await cleanup();
  }
});

describe('no demo door in a real deployment', () => {
  it('a Telegram bot on an empty database seeds the Bắc Kạn history only: closed, reorganised, nobody, no open campaign; DEMO2025 registers nobody', async () => {
    const db = tempDatabase();
    cleanups.push(db.cleanup);
    const bot = await boot(db.url, { clock: createFixedClock(DECEMBER_2026) });
    // The campaign as it ended: closed from the day the city ceased to exist.
    const campaigns = await bot.prisma.campaign.findMany();
    expect(campaigns.map((c) => [c.code, c.closedOn])).toEqual([['BK-XNT-2025', '2025-07-01']]);
    // The units of 2024 ended on 30/06/2025; their successors of 01/07/2025 are valid today.
    const units = await bot.prisma.unit.findMany({ orderBy: [{ code: 'asc' }, { validFrom: 'asc' }] });
    const dated = (code: string) => units.filter((u) => u.code === code).map((u) => [u.validFrom, u.validTo]);
    expect(dated('058')).toEqual([['2015-03-11', '2025-06-30']]);
    expect(dated('19')).toEqual([['2025-07-01', null]]);
    expect(dated('01840').at(-1)).toEqual(['2025-07-01', null]);
    expect(dated('HLHPN-058')[0]?.[1]).toBe('2025-06-30');
    for (const table of ['person', 'channelIdentity', 'invite', 'household', 'pledge', 'report'] as const) {
      expect(await (bot.prisma[table] as { count(): Promise<number> }).count(), table).toBe(0);
    }

    expect(await say(stranger, '/start DEMO2025')).toMatch(UNKNOWN);
    expect(await say(stranger, 'DEMO2025')).toMatch(UNKNOWN);
    // No campaign is open: a stranger who wants to give is told so and whom to contact.
    expect(await say(stranger, '/ungho')).toBe(
      'Hiện chưa có cuộc vận động nào nhận đăng ký ủng hộ qua bot. Cuộc vận động gần nhất, ' +
        '«Xóa nhà tạm, nhà dột nát thành phố Bắc Kạn 2024–2025», đã khép lại từ ngày 01/07/2025. ' +
        'Anh/chị muốn ủng hộ hoặc cần hỏi thêm, xin liên hệ Ban Thường trực Ủy ban MTTQ tỉnh Thái Nguyên.',
    );
    expect(await bot.prisma.person.count()).toBe(0);
    expect(await bot.prisma.membership.count()).toBe(0);
    expect(await bot.prisma.pledge.count()).toBe(0);
    const seeded =
      lines.map((l) => String(JSON.parse(l).msg)).find((m) => m.includes('reference data seeded')) ?? '';
    expect(seeded).toContain('no campaign is open, no people, no invite code');
    for (const command of START_CAMPAIGN_COMMANDS) {
      expect(seeded).toContain(command);
    }
  });

  it('`npm run db:deploy` with a token seeds the reference data only, without one the demo; `db:seed` the demo only', async () => {
    const real = tempDatabase();
    const playground = tempDatabase();
    cleanups.push(real.cleanup, playground.cleanup);
    const deploy = (vars: Record<string, string>) =>
      run(process.execPath, ['--import', 'tsx', 'scripts/db.ts', 'deploy'], {
        env: { PATH: process.env.PATH ?? '', ...vars },
      });
    const realOut = (await deploy(env(real.url))).stdout;
    expect(realOut).toContain('no campaign is open, no people, no invite code');
    expect(realOut).toContain('npm run cli -- campaign create --file');
    expect((await deploy({ DATABASE_URL: playground.url })).stdout).toContain('playground demo seeded');
    // A real deployment: the closed Bắc Kạn campaign only; the playground: it and the open demo
    // campaign (issue 15 §3).
    for (const [url, campaigns, people, invites] of [
      [real.url, [['BK-XNT-2025', '2025-07-01']], 0, 0],
      [
        playground.url,
        [
          ['BK-XNT-2025', '2025-07-01'],
          ['TN-XNT-DEMO', null],
        ],
        LIVING_DEMO_PEOPLE.length,
        1,
      ],
    ] as const) {
      const prisma = createPrismaClient(url);
      try {
        const found = await prisma.campaign.findMany({ orderBy: { id: 'asc' } });
        expect(found.map((c) => [c.code, c.closedOn])).toEqual(campaigns);
        expect(await prisma.person.count()).toBe(people);
        expect(await prisma.invite.count()).toBe(invites);
      } finally {
        await prisma.$disconnect();
      }
    }
    // `npm run db:seed` (issue 18 §1): the playground's demo started over; never a real deployment's.
    const seed = (vars: Record<string, string>) =>
      run(process.execPath, ['--import', 'tsx', 'scripts/db.ts', 'seed'], {
        env: { PATH: process.env.PATH ?? '', ...vars },
      });
    expect((await seed({ DATABASE_URL: playground.url })).stdout).toContain('started over');
    await expect(seed({ DATABASE_URL: real.url })).rejects.toMatchObject({
      stderr: expect.stringContaining('không chỉ có dữ liệu mẫu'),
    });
    await expect(seed(env(playground.url))).rejects.toMatchObject({
      stderr: expect.stringContaining('có token'),
    });
  });

  it('on a database holding the demo, refuses the demo codes like unknown ones and names the remove command at start-up', async () => {
    const seeded = await seededDatabase(new Date());
    cleanups.push(seeded.close);
    const demoAdmin = await seeded.prisma.person.findFirstOrThrow({ where: { fullName: 'Trần Văn Hùng' } });
    const commune = await seeded.prisma.unit.findFirstOrThrow({
      orderBy: { validFrom: 'desc' },
      where: { code: '01852' },
    });
    // An invite the demo admin made on the playground is a demo code too.
    await seeded.prisma.invite.create({
      data: {
        code: 'PLAYGRD2',
        role: 'leader',
        unitId: commune.id,
        createdBy: `person:${demoAdmin.id}`,
        expiresAt: new Date(Date.now() + 86_400_000),
      },
    });
    const bot = await boot(seeded.url);
    const warning = lines.find((l) => l.includes(REMOVE_COMMAND));
    expect(warning, lines.join('\n')).toBeDefined();
    expect(JSON.parse(warning ?? '{}').level).toBe(40);

    expect(await say(stranger, '/start DEMO2025')).toMatch(UNKNOWN);
    expect(await say(stranger, 'PLAYGRD2')).toMatch(UNKNOWN);
    expect(await telegramPeople(bot)).toBe(0);
    expect(await bot.prisma.invite.count({ where: { usedAt: { not: null } } })).toBe(0);
    expect(await bot.prisma.auditLog.count({ where: { action: 'invite.redeem' } })).toBe(0);
  });

  it('the three commands start a campaign at once on the reference data: `campaign create` over province 19, `admin create` a one-time admin invite, a stranger gives to it', async () => {
    const db = tempDatabase();
    cleanups.push(db.cleanup);
    // The operator's shell on a fresh deployment: the CLI sees the token, seeds the reference data
    // (no demo) and says what it holds and the three commands; the area is there (no units import).
    const cli = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', ...args], {
        env: { PATH: process.env.PATH ?? '', ...env(db.url) },
      });
    const created = await cli('campaign', 'create', '--file', 'campaigns/examples/campaign-example.yaml');
    expect(created.stderr).toContain(SEEDED_NOTE_VI);
    expect(SEEDED_NOTE_VI).toContain('chưa có cuộc vận động nào đang chạy');
    expect(created.stdout).toContain('TN-NCC-2026');
    // The operator asks Telegram (getMe) for the bot's username for the link.
    const { stdout } = await cli('admin', 'create', '--name', 'Đinh Thị Quản', '--unit', '19');
    const code = /([A-Z0-9]{4})-([A-Z0-9]{4})/.exec(stdout);
    expect(code, stdout).not.toBeNull();
    const plain = `${code?.[1]}${code?.[2]}`;
    expect(stdout).toContain(`https://t.me/emulator_bot?start=${plain}`);
    expect(stdout).toContain('admin (quản trị)');
    expect(stdout).toContain('Tỉnh Thái Nguyên (19)');
    expect(stdout).toContain('sau 7 ngày');

    const bot = await boot(db.url, { clock: createFixedClock(DECEMBER_2026) });
    expect(await bot.prisma.person.count()).toBe(0);
    expect((await bot.prisma.campaign.findMany()).map((c) => [c.code, c.closedOn])).toEqual([
      ['BK-XNT-2025', '2025-07-01'],
      ['TN-NCC-2026', null],
    ]);
    const invite = await bot.prisma.invite.findUniqueOrThrow({ where: { code: plain } });
    expect(invite.role).toBe('admin');
    expect(invite.fullName).toBe('Đinh Thị Quản');
    expect(await bot.prisma.auditLog.count({ where: { action: 'invite.create', channel: 'cli' } })).toBe(1);

    const welcome = await say(firstAdmin, `/start ${plain}`);
    expect(welcome).toContain('Đăng ký thành công');
    expect(welcome).toContain('quản trị');
    const person = await bot.prisma.person.findFirstOrThrow({
      where: { identities: { some: { channel: 'telegram', externalUserId: String(firstAdmin.id) } } },
      include: { memberships: { include: { unit: true } } },
    });
    expect(person.fullName).toBe('Đinh Thị Quản');
    expect(person.memberships.map((m) => [m.role, m.unit.code, m.revokedAt])).toEqual([
      ['admin', '19', null],
    ]);

    expect(await say(latecomer, `/start ${plain}`)).toContain('đã được sử dụng');
    expect(await bot.prisma.person.count()).toBe(1);
    // The campaign is open: a stranger who wants to give is asked the pledge form's first question.
    expect(await say(stranger, '/ungho')).toContain('Người ủng hộ là');
  });

  it('`demo remove` takes the demo people, codes and untouched households out, keeps real data, and is idempotent', async () => {
    const seeded = await seededDatabase(new Date());
    cleanups.push(seeded.close);
    const { prisma } = seeded;
    const city = await prisma.unit.findFirstOrThrow({
      orderBy: { validFrom: 'desc' },
      where: { code: '058' },
    });
    const real = await prisma.person.create({
      data: {
        fullName: 'Người Thật',
        memberships: { create: { unitId: city.id, role: 'admin' } },
        identities: { create: { channel: 'telegram', externalUserId: '555' } },
      },
    });
    // Someone worked on DX-003 since the seed: it is kept.
    const worked = await prisma.household.findFirstOrThrow({ where: { code: 'DX-003' } });
    await prisma.householdEvent.create({
      data: {
        householdId: worked.id,
        kind: 'edit',
        note: 'Sửa diện tích',
        personId: real.id,
        at: new Date(),
      },
    });
    const cli = async (...argv: string[]) => {
      const out: string[] = [];
      await executeCommand(parseCommand(argv), {
        prisma,
        db: seeded.db,
        now: new Date(),
        out: (l) => out.push(l),
        timeZone: 'Asia/Ho_Chi_Minh',
      });
      return out.join('\n');
    };

    // What playground people entered: a 100 tỷ pledge and one of 1 triệu (nothing paid: cancelled),
    // and one with money received against it (kept: `funds reverse` first); a real person's stays.
    const pledgedTotal = async () => {
      const summary = await cli('funds', 'summary');
      const total = /Tổng: đăng ký ([\d.]+) đ/.exec(summary)?.[1];
      expect(total, summary).toBeDefined();
      return BigInt(total?.replaceAll('.', '') ?? '');
    };
    const pledgedBefore = await pledgedTotal();
    const demoAdmin = await prisma.person.findFirstOrThrow({ where: { fullName: 'Trần Văn Hùng' } });
    const demoFund = await prisma.person.findFirstOrThrow({ where: { fullName: 'Phạm Thị Thu' } });
    const refs = await createStore(seeded.db).run(async (tx) => {
      const campaign = await tx.campaigns.findCurrent();
      if (!campaign) {
        throw new Error('no campaign');
      }
      const pledge = (personId: number, amount: bigint) =>
        tx.pledges.create(
          {
            campaignId: campaign.id,
            donorKind: 'individual',
            donorName: 'Khách thử',
            donorPhone: null,
            personId,
            orgUnitId: null,
            fundUnitId: city.id,
            kind: 'money',
            description: null,
            quantity: null,
            quantityUnit: null,
            amount,
            householdId: null,
            targetUnitId: null,
            dueOn: null,
            publicName: false,
            channel: 'playground',
          },
          new Date(),
        );
      const big = await pledge(demoAdmin.id, 100_000_000_000n);
      const small = await pledge(demoFund.id, 1_000_000n);
      const paid = await pledge(demoFund.id, 2_000_000n);
      const mine = await pledge(real.id, 3_000_000n);
      await recordEntry(
        tx,
        campaign,
        { levelUnitId: city.id, amount: 2_000_000n, pledgeId: paid.id },
        new Date(),
        {
          occurredOn: campaign.startsOn,
          channel: 'playground',
        },
      );
      return { big: big.ref, small: small.ref, paid: paid.ref, mine: mine.ref };
    });
    expect(await pledgedTotal()).toBe(pledgedBefore + 100_000_000_000n + 6_000_000n);

    const removed = await cli('demo', 'remove');
    expect(removed).toContain(
      `Đăng ký ủng hộ của người dùng mẫu đã hủy: 2 (${refs.big}, ${refs.small}); còn lại đã có khoản nộp, cần xử lý bằng funds reverse: 1 (${refs.paid})`,
    );
    // The pledged total is back to what it was, with the paid demo pledge and the real one.
    expect(await pledgedTotal()).toBe(pledgedBefore + 5_000_000n);
    const cancelled = await prisma.pledge.findMany({
      where: { cancelledAt: { not: null } },
      orderBy: { id: 'asc' },
    });
    expect(cancelled.map((p) => [p.ref, p.cancelReason])).toEqual([
      [refs.big, 'Dữ liệu mẫu (playground)'],
      [refs.small, 'Dữ liệu mẫu (playground)'],
    ]);
    const totals = await prisma.fundTotal.findMany({ where: { kind: { in: ['pledged', 'unverified'] } } });
    const live = await prisma.pledge.findMany({ where: { cancelledAt: null } });
    expect(totals.reduce((sum, t) => sum + BigInt(t.amount), 0n)).toBe(
      live.reduce((sum, p) => sum + p.amount, 0n),
    );
    expect(removed).toContain('Người dùng mẫu đã ngừng hoạt động: 6');
    expect(removed).toContain('Trần Văn Hùng');
    expect(removed).toContain('DEMO2025');
    expect(removed).toContain('Hộ mẫu đã xóa: 3 (DX-001, DX-002, DX-004)');
    expect(await prisma.channelIdentity.count({ where: { channel: 'playground' } })).toBe(0);
    expect(await prisma.person.count({ where: { active: true } })).toBe(1);
    expect(await prisma.membership.count({ where: { revokedAt: null } })).toBe(1);
    expect((await prisma.invite.findUniqueOrThrow({ where: { code: 'DEMO2025' } })).revokedAt).not.toBeNull();
    expect(await prisma.household.count({ where: { code: { startsWith: 'DX-' } } })).toBe(1);
    expect(await prisma.person.findUniqueOrThrow({ where: { id: real.id } })).toMatchObject({ active: true });
    expect(await prisma.channelIdentity.count({ where: { personId: real.id } })).toBe(1);
    const audit = await prisma.auditLog.findFirstOrThrow({
      where: { action: 'demo.remove', channel: 'cli' },
    });
    expect(JSON.parse(audit.after ?? '{}')).toMatchObject({
      pledgesCancelled: [refs.big, refs.small],
      pledgesPaid: [refs.paid],
    });
    expect(await findDemoData(seeded.db)).toEqual({ people: [], invites: [], households: [] });

    expect(await cli('demo', 'remove')).toContain('không có gì để gỡ');
    expect(await prisma.auditLog.count({ where: { action: 'demo.remove' } })).toBe(1);

    // The bot on the cleaned database: no warning, and DEMO2025 is gone for good.
    const bot = await boot(seeded.url);
    expect(lines.filter((l) => l.includes(REMOVE_COMMAND))).toEqual([]);
    expect(await say(stranger, 'DEMO2025')).toMatch(/Mã mời (không đúng|này đã bị thu hồi)/);
    expect(await telegramPeople(bot)).toBe(1);
  });
});
