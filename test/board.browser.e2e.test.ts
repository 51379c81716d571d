import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../bot/app.ts';
import { createFixedClock } from '../core/shared/clock.ts';
import { startTelegramApp, tempDatabase } from './support/app-harness.ts';
import { type BotApiEmulator, type EmulatorUser, startBotApiEmulator } from './support/bot-api-emulator.ts';
import { launchBrowser } from './support/browser.ts';
import { emulatorChat } from './support/emulator-chat.ts';

/**
 * Issue 17 §3 acceptance: the live board open in a real Chromium while donors pledge through the
 * real grammY bot against the Bot API emulator; each pledge is on the page within 2 s, without a
 * reload, the donor named only with consent; a reload shows the same at once.
 */

// 10/03/2025 10:00 in Vietnam: the fixture's campaign runs.
const clock = createFixedClock('2025-03-10T03:00:00Z');
const named: EmulatorUser = { id: 8801, first_name: 'Hà' };
const unnamed: EmulatorUser = { id: 8802, first_name: 'Bình' };

let emulator: BotApiEmulator;
let db: ReturnType<typeof tempDatabase>;
let app: App;
let browser: Browser;
let board: string;

const { say, press, keyboard } = emulatorChat(() => emulator);

beforeAll(async () => {
  emulator = await startBotApiEmulator();
  db = tempDatabase();
  app = await startTelegramApp(emulator, db.url, { clock });
  const { port } = app.http.server.address() as { port: number };
  board = `http://127.0.0.1:${port}/bang-tin`;
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await emulator?.close();
  await db?.cleanup();
});

/** The /ungho conversation up to its summary; `confirm` then presses "Xác nhận". */
async function pledgeUpToConfirm(user: EmulatorUser, name: string, amount: string, publicName: boolean) {
  await say(user, '/ungho');
  await press(user, 'donorKind:enterprise');
  if ((await say(user, name)).includes('điện thoại')) {
    await say(user, '0912 345 678');
  }
  await press(user, 'kind:money');
  await say(user, amount);
  if (keyboard(user).some((b) => b.callback_data?.startsWith('level:'))) {
    await press(user, 'level:');
  }
  if (keyboard(user).some((b) => b.callback_data === 'target:0')) {
    await press(user, 'target:0');
  }
  await press(user, 'dueOn:');
  await press(user, publicName ? 'publicName:yes' : 'publicName:no');
  return () => press(user, '@confirm:yes');
}

/** Presses "Xác nhận" and measures how long until the page lists one more pledge. */
async function confirmAndWait(
  page: Page,
  confirm: () => Promise<string>,
): Promise<{ ms: number; ref: string }> {
  const before = await page.getByTestId('pledge').count();
  const started = Date.now();
  const shown = page.waitForFunction(
    (n) => document.querySelectorAll('[data-testid="pledge"]').length > n,
    before,
    { timeout: 10_000, polling: 'raf' },
  );
  const receipt = await confirm();
  await shown;
  const ms = Date.now() - started;
  const ref = /UH-\d{4}/.exec(receipt)?.[0] ?? '';
  expect(ref, receipt).not.toBe('');
  return { ms, ref };
}

describe('the live board in a browser', () => {
  it('shows each pledge made in Telegram within 2 s, named only with consent, and again after a reload', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(board);
    await expect(page.getByTestId('total-pledged').textContent()).resolves.toMatch(/đ$/);
    const totalBefore = (await page.getByTestId('total-pledged').textContent()) ?? '';

    const first = await confirmAndWait(
      page,
      await pledgeUpToConfirm(named, 'Công ty TNHH Ánh Dương', '50tr', true),
    );
    expect(first.ms).toBeLessThan(2_000);
    const firstRow = page.locator(`[data-ref="${first.ref}"]`);
    await expect(firstRow.textContent()).resolves.toContain('Công ty TNHH Ánh Dương');
    await expect(firstRow.textContent()).resolves.toContain('50.000.000 đ');
    expect(await page.getByTestId('total-pledged').textContent()).not.toBe(totalBefore);

    const second = await confirmAndWait(
      page,
      await pledgeUpToConfirm(unnamed, 'Công ty Không Nêu Tên', '7tr', false),
    );
    expect(second.ms).toBeLessThan(2_000);
    const secondRow = page.locator(`[data-ref="${second.ref}"]`);
    await expect(secondRow.textContent()).resolves.toContain('Một doanh nghiệp');
    await expect(secondRow.textContent()).resolves.toContain('7.000.000 đ');
    expect(await page.content()).not.toContain('Không Nêu Tên');
    expect(await page.content()).not.toMatch(/0912\s?345\s?678/);
    // The newest first.
    await expect(page.getByTestId('pledge').first().getAttribute('data-ref')).resolves.toBe(second.ref);

    const total = await page.getByTestId('total-pledged').textContent();
    await page.reload();
    // The state comes with the page: no wait for the event stream.
    await expect(page.getByTestId('total-pledged').textContent()).resolves.toBe(total);
    await expect(page.locator(`[data-ref="${first.ref}"]`).count()).resolves.toBe(1);
    await expect(page.locator(`[data-ref="${second.ref}"]`).count()).resolves.toBe(1);
    // The start link's QR code: the bot's deep link, from getMe.
    await expect(page.getByTestId('qr-telegram').locator('a').getAttribute('href')).resolves.toBe(
      `https://t.me/${emulator.botInfo.username}?start=ungho`,
    );
    await page.close();
  }, 60_000);
});
