import { type ChildProcess, spawn } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlDb } from '../prisma/sql-db.ts';
import { freePort, tempDatabase } from './support/app-harness.ts';
import { launchBrowser } from './support/browser.ts';

/**
 * The README promise, as a new user meets it: `npm start` with no .env prints the playground's
 * address; in a real browser an officer completes a monthly report there.
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
    expect(asked.includes('kỳ nào') ? await click(page, 'period:') : asked).toContain('XÂY MỚI');
    expect(await type(page, 'abc')).toContain('⚠️');
    for (const answer of ['12', '5', '10', '4', '6', '3', '5', '2']) {
      await type(page, answer);
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

    // The demo's reports of the months before, and this one.
    const sql = openSqlDb(db.url);
    const rows = await sql.kysely
      .selectFrom('Report')
      .select(['ref', 'approvedNew', 'moneyReceived', 'channel'])
      .where('ref', '=', ref ?? '')
      .execute();
    await sql.close();
    expect(rows).toEqual([
      expect.objectContaining({ approvedNew: 12, moneyReceived: 1_500_000_000n, channel: 'playground' }),
    ]);
    await page.close();
  });
});
