/**
 * Issue 15 acceptance: a campaign for an area the seed does not know, started from files with the
 * operator's commands only — no code change. A units file of a province and three of its
 * communes (Cao Bằng, province code 04; the communes' codes and names are invented for the test),
 * `units import`, `campaign create --file` with its own schedule (monthly reports due before the
 * 10th, the window opening on the 25th, reminders 3 days before and on the day at 07:30) and its
 * fund's bank account, `invite create`; then, through the real grammY bot against the Bot API
 * emulator: the officer joins, is reminded by the rules of that file (not the seed's 5/2/0 days
 * before the 15th), reports, is not reminded again; a stranger pledges to the province's fund and
 * is told where to transfer. The bot starts as a real deployment does (a messenger token, seed
 * 'auto'), so nothing of the demo is there to lean on.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../bot/app.ts';
import { createFixedClock } from '../../core/shared/clock.ts';
import { executeCommand, parseCommand } from '../../scripts/cli/commands.ts';
import { startApp, tempDatabase } from '../support/app-harness.ts';
import { type BotApiEmulator, type EmulatorUser, startBotApiEmulator } from '../support/bot-api-emulator.ts';
import { emulatorChat } from '../support/emulator-chat.ts';
import { decodeVietQr } from '../support/emvco.ts';
import { FIRST_REPORT_ANSWERS } from '../support/fixtures.ts';
import { scanQrPng } from '../support/qr-scan.ts';

const officer: EmulatorUser = { id: 9501, first_name: 'Bế' };
const donor: EmulatorUser = { id: 9502, first_name: 'Nông' };
/** 10:00 on 20/03/2026 in Hà Nội: March's report is not open yet, February's is overdue. */
const clock = createFixedClock('2026-03-20T03:00:00Z');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'new-area-'));
let emulator: BotApiEmulator;
let db: ReturnType<typeof tempDatabase>;
let app: App;

const UNITS_CSV = [
  'Mã,Tên,Cấp/Loại,Mã cấp trên,Hiệu lực từ,Hiệu lực đến',
  '04,Tỉnh Cao Bằng,tỉnh,,2025-07-01,',
  '90101,Phường Thử Nghiệm A,phường,04,2025-07-01,',
  '90102,Xã Thử Nghiệm B,xã,04,2025-07-01,',
  '90103,Xã Thử Nghiệm C,xã,04,2025-07-01,',
  'HLHPN-04,Hội Liên hiệp Phụ nữ tỉnh Cao Bằng,tổ chức thành viên,04,2025-07-01,',
].join('\n');

const CAMPAIGN_YAML = `# Chương trình thử nghiệm: mọi con số là ví dụ.
code: CB-NCC-2026
name: Hỗ trợ nhà ở cho người có công tỉnh Cao Bằng 2026
area: "04"
startsOn: 2026-01-01
endsOn: 2026-12-31
addressForm: anh/chị
schedule:
  monthly: { dueDay: 10, dueMonth: next, opensDay: 25 }
  final: { dueOn: 2026-12-05 }
categories:
  - { code: merit, label: Người có công }
  - { code: poor, label: Hộ nghèo }
norms:
  - { from: 2026-01-01, newBuild: 60tr, repair: 30tr }
funds:
  - { unit: "04", bank: Vietcombank, bin: "970436", accountNumber: "0081000999999", accountName: UB MTTQ VN TINH CAO BANG }
reminders:
  offsetsDays: [3, 0]
  sendAt: "07:30"
`;

async function cli(...argv: string[]): Promise<string> {
  const out: string[] = [];
  await executeCommand(parseCommand(argv), {
    prisma: app.prisma,
    db: app.db,
    now: clock.now(),
    out: (line) => out.push(line),
    timeZone: 'Asia/Ho_Chi_Minh',
  });
  return out.join('\n');
}

const { say, press, keyboard } = emulatorChat(() => emulator);

/** Runs the reminder scheduler at `at` and returns what it sent the officer. */
async function remindersAt(at: string): Promise<string> {
  const before = emulator.messagesTo(officer.id).length;
  clock.set(at);
  await app.scheduler.runOnce();
  // The scheduler enqueues; the dispatcher sends what is pending now.
  await app.dispatcher.flush();
  return emulator
    .messagesTo(officer.id)
    .slice(before)
    .map((m) => m.text)
    .join('\n\n');
}

beforeAll(async () => {
  emulator = await startBotApiEmulator();
  db = tempDatabase();
  app = await startApp(
    { DATABASE_URL: db.url, TELEGRAM_BOT_TOKEN: emulator.token, TELEGRAM_API_ROOT: emulator.apiRoot },
    { clock, telegramBotInfo: emulator.botInfo, seed: 'auto' },
  );
  fs.writeFileSync(path.join(dir, 'don-vi.csv'), UNITS_CSV);
  fs.writeFileSync(path.join(dir, 'cuoc-van-dong.yaml'), CAMPAIGN_YAML);
});

afterAll(async () => {
  await app?.stop();
  await emulator?.close();
  await db?.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a new campaign for an area the seed does not know, from files (issue 15)', () => {
  let inviteCode = '';

  it('units import, campaign create and invite create set it up', async () => {
    const imported = await cli('units', 'import', '--file', path.join(dir, 'don-vi.csv'));
    expect(imported).toContain('5');
    const created = await cli('campaign', 'create', '--file', path.join(dir, 'cuoc-van-dong.yaml'));
    expect(created).toContain('CB-NCC-2026');
    const shown = await cli('campaign', 'show', 'CB-NCC-2026');
    expect(shown).toContain('Tỉnh Cao Bằng');
    expect(shown).toContain('0081000999999');
    const invite = await cli(
      'invite',
      'create',
      '--role',
      'unit_officer',
      '--unit',
      '90102',
      '--bot',
      'emulator_bot',
    );
    const code = /([A-Z0-9]{4})-([A-Z0-9]{4})/.exec(invite);
    expect(code, invite).not.toBeNull();
    inviteCode = `${code?.[1]}${code?.[2]}`;
  });

  it('the officer joins and is reminded by the rules of that file', async () => {
    const welcome = await say(officer, `/start ${inviteCode}`);
    expect(welcome).toContain('Xã Thử Nghiệm B');
    // March's report is due before 10/04, so 09/04 is its last day on time. The seed's policy would
    // remind 5 days before it at 08:00 (04/04); this campaign's says 3 days before, at 07:30.
    expect(await remindersAt('2026-04-04T01:00:00Z')).not.toContain('tháng 3/2026');
    const reminder = await remindersAt('2026-04-06T00:30:00Z');
    expect(reminder).toContain('tháng 3/2026');
    expect(reminder).toContain('09/04/2026');
  });

  it('the officer reports into the campaign of the new area, and is not reminded again', async () => {
    expect(await say(officer, '/baocao')).toContain('kỳ nào');
    expect(await press(officer, 'period:', 'tháng 3/2026')).toContain('XÂY MỚI');
    for (const answer of FIRST_REPORT_ANSWERS) {
      await say(officer, answer);
    }
    expect(emulator.lastMessageTo(officer.id)?.text).toContain('Xem lại');
    const receipt = await press(officer, '@confirm:yes');
    const ref = /BC-202603-90102-1/.exec(receipt)?.[0];
    expect(ref, receipt).toBeDefined();
    expect(await cli('reports', 'list', '--unit', '90102')).toContain('BC-202603-90102-1');
    // The report is in: the reminder of the due day does not come.
    expect(await remindersAt('2026-04-09T00:30:00Z')).not.toContain('tháng 3/2026');
  });

  it('a stranger pledges to the province fund and is told where to transfer', async () => {
    clock.set('2026-04-10T03:00:00Z');
    const first = await say(donor, '/ungho');
    // Where another campaign is open too, the donor picks this one by its name.
    const start = first.includes('cuộc vận động nào') ? await press(donor, 'campaign:', 'Cao Bằng') : first;
    expect(start).toContain('Người ủng hộ là');
    await press(donor, 'donorKind:enterprise');
    if ((await say(donor, 'Công ty TNHH Thử Nghiệm')).includes('điện thoại')) {
      await say(donor, '0912 345 678');
    }
    await press(donor, 'kind:money');
    await say(donor, '5tr');
    if (keyboard(donor).some((b) => b.callback_data?.startsWith('level:'))) {
      await press(donor, 'level:', 'Cao Bằng');
    }
    if (keyboard(donor).some((b) => b.callback_data === 'target:0')) {
      await press(donor, 'target:0');
    }
    await press(donor, 'dueOn:');
    await press(donor, 'publicName:no');
    // The receipt is two messages: the VietQR picture of the province fund, then the text.
    const before = emulator.messagesTo(donor.id).length;
    await press(donor, '@confirm:yes');
    const sent = (await emulator.waitForMessages(donor.id, before + 2)).slice(before);
    const receipt = sent.find((m) => m.method === 'sendMessage')?.text ?? '';
    const ref = /UH-\d{4}/.exec(receipt)?.[0];
    expect(ref, receipt).toBeDefined();
    expect(receipt).toContain('Vietcombank');
    expect(receipt).toContain('0081000999999');
    const picture = sent.find((m) => m.method === 'sendPhoto')?.upload;
    expect(picture, 'the receipt comes with a QR picture').toBeDefined();
    const qr = decodeVietQr(scanQrPng(picture?.bytes ?? Buffer.alloc(0)));
    expect(qr).toMatchObject({
      bin: '970436',
      accountNumber: '0081000999999',
      amount: '5000000',
      crcValid: true,
    });
    expect(qr.purpose).toMatch(new RegExp(`^${ref} `));
    const pledges = await cli('pledges', 'list', '--campaign', 'CB-NCC-2026');
    expect(pledges).toContain('5.000.000');
  });
});
