import { type ChildProcess, spawn } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlDb } from '../prisma/sql-db.ts';
import { freePort, tempDatabase } from './support/app-harness.ts';
import { launchBrowser } from './support/browser.ts';

/**
 * The README promise, as a new user meets it: `npm start` with no .env prints the playground's
 * address; in a real browser an officer completes a monthly report there. Issue 18 §1: what the bot
 * sends on its own shows on the receiver's page, a leadership group works there, a new stranger is
 * always at hand and "Bắt đầu lại" gives the demo back as new. The living demo is dated from today,
 * so these run on whatever day it is.
 */

let child: ChildProcess;
let browser: Browser;
let address: string;
let output = '';
const db = tempDatabase();

beforeAll(async () => {
  const port = await freePort();
  child = spawn(process.execPath, ['--import', 'tsx', 'bot/main.ts'], {
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, PORT: String(port), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no address printed:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Local playground.*?(http:\/\/localhost:\d+\/)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`bot exited with ${code}:\n${output}`)));
  });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  child?.kill('SIGTERM');
  await new Promise((resolve) => child?.once('exit', resolve));
  await db.cleanup();
});

async function botMessages(page: Page): Promise<number> {
  return page.getByTestId('msg-bot').count();
}

async function lastBotText(page: Page): Promise<string> {
  return (await page.getByTestId('msg-bot').last().textContent()) ?? '';
}

async function waitForReply(page: Page, before: number): Promise<string> {
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="msg-bot"]').length > n, before);
  return lastBotText(page);
}

async function type(page: Page, text: string): Promise<string> {
  const before = await botMessages(page);
  await page.getByTestId('input').fill(text);
  await page.getByTestId('send').click();
  return waitForReply(page, before);
}

async function click(page: Page, choicePrefix: string): Promise<string> {
  const before = await botMessages(page);
  await page.locator(`[data-testid^="choice-${choicePrefix}"]:enabled`).first().click();
  return waitForReply(page, before);
}

/** Presses the live button with this label (a ward's name, a registry count "📋 2"). */
async function clickLabel(page: Page, label: string | RegExp): Promise<string> {
  const before = await botMessages(page);
  await page.locator('button.choice:enabled', { hasText: label }).first().click();
  return waitForReply(page, before);
}

/** Back to the list, then the persona's page (its whole conversation, drawn from the server). */
async function openPersona(page: Page, id: string): Promise<void> {
  if (await page.getByTestId('switch-persona').isVisible()) {
    await page.getByTestId('switch-persona').click();
  }
  await page.getByTestId(`persona-${id}`).click();
  await page.getByTestId('chat-log').waitFor();
}

/** Waits until the open page shows a bot message holding `text` (it may come on its own). */
async function shown(page: Page, text: string): Promise<string> {
  const message = page.getByTestId('msg-bot').filter({ hasText: text }).last();
  await message.waitFor({ timeout: 20_000 });
  return (await message.textContent()) ?? '';
}

/** "Khách mới": a new stranger's page; returns their persona line ("Chưa đăng ký — … mã mời X"). */
async function newStranger(page: Page): Promise<string> {
  if (await page.getByTestId('switch-persona').isVisible()) {
    await page.getByTestId('switch-persona').click();
  }
  await page.getByTestId('persona-khach-moi').click();
  await page.getByTestId('persona-name').filter({ hasText: 'Khách' }).waitFor();
  return (await page.locator('#who-meta').textContent()) ?? '';
}

describe('the local playground', () => {
  it('prints its address and lets an officer complete a report in the browser', async () => {
    expect(address).toMatch(/^http:\/\/localhost:\d+\/$/);
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await page.goto(address);
    await expect(page.getByTestId('banner').textContent()).resolves.toContain('thử nghiệm');

    await page.getByTestId('persona-officer-ducxuan').click();
    expect(await type(page, '/menu')).toContain('Danh mục');
    // The living demo (issue 15 §3): the month due this month is owed; from the 20th the next one
    // opens too, and the bot asks which.
    const asked = await click(page, 'menu:report:');
    const first = asked.includes('kỳ nào') ? await click(page, 'period:') : asked;
    expect(first).toContain('XÂY MỚI');
    // The registry's count at the month's end (issue 18 §1: the demo's households have a history).
    expect(first).toMatch(/theo danh sách hộ: [1-9]/);
    expect(await type(page, 'abc')).toContain('⚠️');
    // Each count as the registry has it: one tap, no reason asked.
    for (let i = 0; i < 8; i += 1) {
      await clickLabel(page, /^📋/);
    }
    expect(await lastBotText(page)).toContain('tiếp nhận');
    expect(await type(page, '1,5 tỷ')).toContain('đã chi');
    expect(await type(page, '600tr')).toContain('ngày công');
    expect(await type(page, '1.250')).toContain('Khó khăn');
    expect(await click(page, 'difficulties:')).toContain('Đề xuất');
    expect(await click(page, 'proposals:')).toContain('Ảnh công trình');
    const summary = await click(page, 'photo:');
    expect(summary).toContain('1.500.000.000 đ');
    const receipt = await click(page, '@confirm:yes');
    expect(receipt).toContain('Đã nhận báo cáo');
    const ref = /BC-\d{6}-01840-1/.exec(receipt)?.[0];
    expect(ref, receipt).toBeDefined();
    // Inline emphasis (core/messaging/markup.ts) is drawn as elements, never shown as marker characters.
    expect(await page.getByTestId('chat-log').innerHTML()).not.toMatch(/[\uE000-\uE003]/);

    // The demo's reports of the months before, and this one.
    const sql = openSqlDb(db.url);
    const rows = await sql.kysely
      .selectFrom('Report')
      .select(['ref', 'approvedNew', 'moneyReceived', 'channel', 'registryReason'])
      .where('ref', '=', ref ?? '')
      .execute();
    await sql.close();
    expect(rows).toEqual([
      expect.objectContaining({ moneyReceived: 1_500_000_000n, channel: 'playground', registryReason: null }),
    ]);
    expect(rows[0]?.approvedNew).toBeGreaterThan(0);
    await page.close();
  });

  it("shows what the bot sends on its own on the receiver's page: a stranger's feedback, a donor's receipt", async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await page.goto(address);
    expect(await newStranger(page)).toContain('/phananh');
    expect(await type(page, '/phananh')).toContain('phản ánh về việc gì');
    // Only the wards of today: Đức Xuân once, though the units of 2024 had one too.
    const wards = await click(page, 'topic:other');
    expect(wards).toContain('phường, xã nào');
    await expect(page.locator('button.choice:enabled', { hasText: 'Phường Đức Xuân' }).count()).resolves.toBe(
      1,
    );
    await clickLabel(page, 'Phường Đức Xuân');
    await type(page, 'Mái nhà bà Tư ở tổ 1 bị dột sau mưa, chưa ai đến xem.');
    await click(page, 'photo:');
    await click(page, 'name:');
    const done = await click(page, '@confirm:yes');
    const ref = /PA-\d{4}/.exec(done)?.[0] ?? '';
    expect(ref, done).not.toBe('');

    // The alert was queued to the officer's identity: it is on her page, in the browser.
    await openPersona(page, 'officer-ducxuan');
    expect(await shown(page, ref)).toContain('Có phản ánh mới');
    await openPersona(page, 'admin');
    expect(await shown(page, ref)).toContain('Mái nhà bà Tư');

    // The fund officer records the donor persona's payment; the donor's page has the notice.
    await openPersona(page, 'fund');
    await type(page, '/menu');
    await click(page, 'menu:receiptpick');
    await clickLabel(page, 'Lê Văn Bình');
    await click(page, 'amount:');
    await click(page, 'occurredOn:');
    await click(page, 'documentRef:');
    expect(await click(page, '@confirm:yes')).toContain('Đã ghi nhận khoản thu 5.000.000 đ');
    await openPersona(page, 'donor');
    expect(await shown(page, 'Trân trọng cảm ơn')).toContain('đã nhận 5.000.000 đ');
    await page.close();
  });

  it('has a leadership group: registered by the leader, approved by the admin, a digest with its chart', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await page.goto(address);
    await openPersona(page, 'nhom-thuong-truc');
    await expect(page.getByTestId('persona-name').textContent()).resolves.toContain('Nhóm Thường trực');
    // The leader writes; the admin is a member too.
    await expect(page.getByTestId('as-member').inputValue()).resolves.toBe('leader');
    let before = await botMessages(page);
    await page.getByTestId('quick-dangkynhom').click();
    expect(await waitForReply(page, before)).toContain('Chờ quản trị viên xác nhận');
    await expect(page.getByTestId('msg-user').last().textContent()).resolves.toContain('Lường Thị Hoa');

    await openPersona(page, 'admin');
    expect(await shown(page, 'đề nghị nhóm')).toContain('Nhóm Thường trực MTTQ tỉnh');
    await click(page, 'menu:grpok:');

    await openPersona(page, 'nhom-thuong-truc');
    expect(await shown(page, 'đã được đăng ký')).toContain('Tỉnh Thái Nguyên');
    before = await botMessages(page);
    await page.getByTestId('quick-digest').click();
    const digest = await waitForReply(page, before);
    expect(digest).toContain('Tiến độ theo phường, xã');
    // Money of the last weeks: the demo's pledges and receipts.
    expect(digest).toMatch(/Đăng ký ủng hộ: [1-9]/);
    const chart = page.getByTestId('msg-image').last();
    await chart.waitFor();
    expect(await chart.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    expect((await chart.boundingBox())?.width).toBeGreaterThan(200);
    if (process.env.PLAYGROUND_SCREENSHOT) {
      await chart.scrollIntoViewIfNeeded();
      await page.screenshot({ path: process.env.PLAYGROUND_SCREENSHOT });
    }
    await page.close();
  });

  it('makes a new stranger each time, a demo invite for each, and starts over on a confirmed "Bắt đầu lại"', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await page.goto(address);
    const line = await newStranger(page);
    const code = /mã mời (DEMO\w{4})/.exec(line)?.[1] ?? '';
    expect(code, line).not.toBe('');
    expect(await type(page, `/start ${code}`)).toContain('Đăng ký thành công');
    // The invite is used: the next stranger gets another one, the registered one is a persona now.
    const next = await newStranger(page);
    expect(next).toMatch(/mã mời DEMO\w{4}/);
    expect(next).not.toContain(code);
    await page.getByTestId('switch-persona').click();
    await page.getByTestId('persona-list').filter({ hasText: 'Phường Bắc Kạn' }).waitFor();

    // Dismissed: nothing happens; accepted: the demo as new, the conversations gone.
    page.once('dialog', (dialog) => void dialog.dismiss());
    await page.getByTestId('reset').click();
    await expect(page.getByTestId('picker-notice').isVisible()).resolves.toBe(false);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('reset').click();
    await page.getByTestId('picker-notice').filter({ hasText: 'Đã bắt đầu lại' }).waitFor();
    await expect(page.getByTestId('persona-list').textContent()).resolves.not.toContain('Phường Bắc Kạn');
    expect(await newStranger(page)).toContain('mã mời DEMO2025');
    await openPersona(page, 'officer-ducxuan');
    await expect(page.getByTestId('msg-bot').count()).resolves.toBe(0);
    const sql = openSqlDb(db.url);
    const reports = await sql.kysely
      .selectFrom('Report')
      .select('ref')
      .where('channel', '=', 'playground')
      .execute();
    const feedback = await sql.kysely.selectFrom('Feedback').select('id').execute();
    await sql.close();
    expect(feedback).toEqual([]);
    expect(reports.length).toBeGreaterThan(0);
    await page.close();
  });
});
