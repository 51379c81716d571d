import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINAL_ANSWERS, sendNarrative } from './support/narratives.ts';
import type { ChatReply, SqliteChat } from './support/sqlite-chat.ts';
import { startSqliteChat } from './support/sqlite-chat.ts';

/**
 * The wards' written reports in chat (issue 16 §1): Đức Xuân's officer sends the final report and
 * Sông Cầu's the fourth-quarter report through the bot — the receipts name the report once ("báo
 * cáo kết quả thực hiện Kế hoạch", "báo cáo quý IV/2025"), never "báo cáo báo cáo" — then the city's
 * leader reads the final reports of the eight wards and communes: a few units per message, a long
 * answer split, and the units that have not sent it named.
 */

const NOW = '2025-12-05T03:00:00Z';
const LONG = `${'Tuyên truyền, vận động nhân dân tham gia ngày công, hiến đất, góp vật liệu. '.repeat(26)}Hết.`;

let chat: SqliteChat;

beforeAll(async () => {
  chat = await startSqliteChat(NOW);
}, 60_000);

afterAll(async () => {
  await chat.close();
});

/** Answers a written report's questions with `answer` (or skips an optional one) up to the summary. */
async function answerAll(who: ReturnType<SqliteChat['user']>, first: ChatReply, prompts: string[]) {
  let reply = first;
  for (let i = 0; i < 10 && !reply.buttons.includes('@confirm:yes'); i++) {
    prompts.push(reply.text);
    reply = await chat.say(who, `Trả lời ${i + 1}.`);
  }
  return reply;
}

/** The period's button of a choice, by the start of its label. */
function choiceOf(reply: ChatReply, label: string): string {
  const choice = reply.replies
    .flatMap((r) => (r.choices ?? []).flat())
    .find((c) => c.label.startsWith(label));
  if (!choice) {
    throw new Error(`no choice "${label}" in ${JSON.stringify(reply.replies.map((r) => r.choices))}`);
  }
  return choice.id;
}

describe('a ward sends its written reports', () => {
  it('the final report: the whole campaign’s achievements asked, the receipt names the report once', async () => {
    const officer = chat.user('officer-ducxuan');
    const start = await chat.press(officer, 'menu:narrative');
    expect(start.text).toContain('gửi báo cáo nào');
    const prompts: string[] = [];
    const summary = await answerAll(
      officer,
      await chat.press(officer, choiceOf(start, 'Báo cáo kết quả thực hiện Kế hoạch')),
      prompts,
    );
    expect(prompts.join('\n')).toContain('Kết quả nổi bật trong toàn bộ thời gian thực hiện Kế hoạch?');
    expect(prompts.join('\n')).not.toContain('trong kỳ?');
    expect(summary.text).toContain('Báo cáo kết quả thực hiện Kế hoạch (hạn trước ngày 10/12/2025)');
    const receipt = await chat.press(officer, '@confirm:yes');
    expect(receipt.text).toContain('✅ Đã nhận báo cáo kết quả thực hiện Kế hoạch của Phường Đức Xuân.');
    expect(receipt.text).toContain('Số tham chiếu: BCKQ-01840-1');
    expect(receipt.text).not.toMatch(/báo cáo báo cáo|tổng kết/i);
  });

  it('the quarterly report: asked for the period’s achievements, the receipt names the quarter', async () => {
    const officer = chat.user('officer-songcau');
    const start = await chat.press(officer, 'menu:narrative');
    const prompts: string[] = [];
    await answerAll(officer, await chat.press(officer, choiceOf(start, 'Báo cáo quý IV/2025')), prompts);
    expect(prompts.join('\n')).toContain('Kết quả nổi bật đạt được trong kỳ?');
    const receipt = await chat.press(officer, '@confirm:yes');
    expect(receipt.text).toContain('✅ Đã nhận báo cáo quý IV/2025 của Phường Sông Cầu.');
    expect(receipt.text).toContain('BCQ-2025Q4-01837-1');
    expect(receipt.text).not.toContain('báo cáo báo cáo');
  });
});

describe('the leader reads them', () => {
  beforeAll(async () => {
    // Two more final reports, one with long answers.
    for (const [unitCode, answers] of [
      ['01834', { ...FINAL_ANSWERS, assessment: LONG, achievements: LONG }],
      ['01843', FINAL_ANSWERS],
    ] as const) {
      await sendNarrative(chat.db, {
        ref: `BCKQ-${unitCode}-1`,
        periodCode: 'final',
        unitCode,
        answers,
        at: new Date('2025-12-04T02:00:00Z'),
      });
    }
  });

  it('is offered the button, the periods with how many units sent each, and each unit’s texts', async () => {
    const leader = chat.user('leader');
    const menu = await chat.command(leader, 'menu');
    expect(menu.buttons).toContain('menu:narratives');
    const periods = await chat.press(leader, 'menu:narratives');
    expect(periods.text).toContain('thành phố Bắc Kạn');
    const final = choiceOf(periods, 'Báo cáo kết quả thực hiện Kế hoạch (3/8)');
    expect(choiceOf(periods, 'Báo cáo quý IV/2025 (1/8)')).toMatch(/^menu:narratives:\d+$/);

    const read = await chat.press(leader, final);
    const texts = read.replies.map((r) => r.text);
    expect(texts[0]).toMatch(
      /^📖 Báo cáo kết quả thực hiện Kế hoạch \(hạn trước ngày 10\/12\/2025\) – thành phố Bắc Kạn: 3\/8 đơn vị đã gửi\./,
    );
    // A few units per message, none too long for a messenger.
    expect(texts.length).toBeGreaterThan(2);
    expect(Math.max(...texts.map((t) => t.length))).toBeLessThanOrEqual(1_800);
    const all = texts.join('\n');
    expect(all).toMatch(
      /🏘 Phường Đức Xuân – gửi lúc \d\d:\d\d (ngày )?05\/12\/2025, đúng hạn \(số BCKQ-01840-1\)/,
    );
    expect(all).toContain('• Đánh giá chung: Trả lời 1.');
    expect(all).toContain(`• Đề nghị khen thưởng: ${FINAL_ANSWERS.commendations}`);
    // The long answer is split, nothing of it lost.
    expect(all).toContain('• Đánh giá chung (tiếp):');
    expect(all.replace(/\n• (Đánh giá chung|Kết quả nổi bật) \(tiếp\): /g, ' ')).toContain(LONG);
    expect(texts.at(-1)).toMatch(
      /⏰ Chưa gửi \(5\): Phường Sông Cầu, Phường Huyền Tụng, Xã Dương Quang, Xã Nông Thượng, Phường Xuất Hóa$/,
    );
  });

  it('is not offered to a ward’s officer, and refused to a person without the role', async () => {
    const officer = await chat.command(chat.user('officer-ducxuan'), 'menu');
    expect(officer.buttons).not.toContain('menu:narratives');
    const donor = await chat.press(chat.user('org-phunu'), 'menu:narratives');
    expect(donor.text).not.toContain('📖');
  });
});
