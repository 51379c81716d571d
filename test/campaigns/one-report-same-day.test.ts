import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shortUnitName } from '../../core/households/unit-progress.ts';
import { runReminders } from '../../core/reminders/run-reminders.ts';
import type { DatedUnit } from '../../core/units/unit.repository.ts';
import { createStore } from '../../prisma/store.ts';
import { digestLines, exportedSheet, leadersLines, UNIT_COLUMN } from '../support/area-views.ts';
import type { ChatReply, SqliteChat } from '../support/sqlite-chat.ts';
import { startSqliteChat } from '../support/sqlite-chat.ts';

/**
 * "One report serves two obligations due the same day" (issue 15 §1) in every view, on the seeded
 * fixture: the Bắc Kạn campaign's definition says `schedule.oneReportWhenSameDay: true`, and its
 * May report and second-quarter report are both due before 15/06/2025. Each officer is reminded
 * once, under the combined key `remind:2025-05+2025-Q2:…`. Đức Xuân then sends the quarterly
 * (written) report only, Sông Cầu the May figures only: both obligations are met for both wards —
 * the queued combined reminders are withdrawn, and the digest (both lines), `/tinhhinh`, the late
 * list, the progress export and the reminders' late list agree on who has not reported.
 */

const REMIND = '2025-06-09T01:00:00Z'; // 08:00 on 09/06: five days before the last day on time
const AFTER_DUE = new Date('2025-06-20T03:00:00Z');

let chat: SqliteChat;
let city: DatedUnit;
const store = () => createStore(chat.db);

beforeAll(async () => {
  chat = await startSqliteChat(REMIND);
  await store().run((tx) => runReminders(tx, new Date(REMIND)));
  const found = await store().run((tx) => tx.units.findByCode('058', '2025-06-20'));
  if (!found) {
    throw new Error('no city');
  }
  city = found;
}, 60_000);

afterAll(async () => {
  await chat.close();
});

/** The reminders queued for an officer's chat: key (without the chat suffix) and status. */
async function remindersOf(chatId: string) {
  const rows = await chat.db.kysely
    .selectFrom('Outbox')
    .select(['idempotencyKey', 'status'])
    .where('purpose', '=', 'reminder')
    .where('chatId', '=', chatId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ key: r.idempotencyKey.split(':').slice(0, 2).join(':'), status: r.status }));
}

/** Answers a flow to its confirmation: the first button offered, else a written answer. */
async function answerThrough(officer: ReturnType<SqliteChat['user']>, first: ChatReply): Promise<ChatReply> {
  let reply = first;
  for (let i = 0; i < 30 && !reply.buttons.includes('@confirm:yes'); i++) {
    reply =
      reply.buttons.length > 0
        ? await chat.press(officer, reply.buttons[0] ?? '')
        : await chat.say(officer, 'Đã hoàn thành các hộ theo kế hoạch.');
  }
  return chat.press(officer, '@confirm:yes');
}

describe('one report for the May and second-quarter reports, due the same day', () => {
  it('either report withdraws the combined reminders still queued', async () => {
    for (const chatId of ['officer-ducxuan', 'officer-songcau']) {
      expect(await remindersOf(chatId)).toEqual([{ key: 'remind:2025-05+2025-Q2', status: 'pending' }]);
    }
    chat.clock.set('2025-06-10T03:00:00Z');
    // Sông Cầu sends May's figures (/baocao).
    const songCau = chat.user('officer-songcau');
    const figures = await answerThrough(songCau, await chat.command(songCau, 'baocao'));
    expect(figures.text).toContain('tháng 5/2025');
    expect(await remindersOf('officer-songcau')).toEqual([
      { key: 'remind:2025-05+2025-Q2', status: 'cancelled' },
    ]);
    // Đức Xuân sends the quarterly written report.
    const ducXuan = chat.user('officer-ducxuan');
    const written = await answerThrough(ducXuan, await chat.press(ducXuan, 'menu:narrative'));
    expect(written.text).toContain('quý II/2025');
    expect(await remindersOf('officer-ducxuan')).toEqual([
      { key: 'remind:2025-05+2025-Q2', status: 'cancelled' },
    ]);
    // The next reminder slot (12/06) asks neither again.
    const next = await store().run((tx) =>
      runReminders(tx, new Date('2025-06-12T01:00:00Z'), { dryRun: true }),
    );
    expect(next?.planned.filter((p) => /officer-(ducxuan|songcau)/.test(JSON.stringify(p.chats)))).toEqual(
      [],
    );
  });

  it('every view counts both wards as having sent both reports, and agrees on who has not', async () => {
    const digest = await digestLines(chat.db, city.id, AFTER_DUE);
    const leaders = await leadersLines(chat.db, city, AFTER_DUE);
    const late = await exportedSheet(
      chat.db,
      { kind: 'late', scope: [city.id], period: '2025-05' },
      AFTER_DUE,
    );
    const progress = await exportedSheet(
      chat.db,
      { kind: 'progress', scope: [city.id], period: '2025-05' },
      AFTER_DUE,
    );
    const reminders = await store().run((tx) => runReminders(tx, AFTER_DUE, { dryRun: true }));

    const names = (line: string | undefined) =>
      line ? (line.split(': ')[1]?.split(/,\s*/) ?? []).filter((n) => n !== '').sort() : [];
    /** The digest's status line of a period and the names below it ("⏰ Chưa nộp: …", wrapped on "   …"). */
    const digestOf = (label: string) => {
      const at = digest.findIndex((l) => l.startsWith(`📝 Báo cáo ${label} (`));
      let list = digest[at + 1]?.startsWith('⏰ Chưa nộp:') ? (digest[at + 1] ?? '') : undefined;
      for (let i = at + 2; list !== undefined && digest[i]?.startsWith('   '); i++) {
        list += ` ${digest[i]?.trim()}`;
      }
      return { status: digest[at], missing: names(list) };
    };
    const may = digestOf('tháng 5/2025');
    const quarter = digestOf('quý II/2025');
    const missing = may.missing;
    // The fixture's other six wards and communes have sent neither report.
    expect(missing).toHaveLength(6);
    expect(missing).not.toContain('Đức Xuân');
    expect(missing).not.toContain('Sông Cầu');
    expect(may.status).toContain('2/8 đơn vị đã nộp');
    expect(quarter.status).toContain('2/8 đơn vị đã nộp');
    expect(quarter.missing).toEqual(missing);
    expect(names(leaders.find((l) => l.startsWith('⏰ Chưa nộp báo cáo tháng 5/2025:')))).toEqual(missing);
    expect(late.rows.map((r) => shortUnitName(String(r[UNIT_COLUMN]))).sort()).toEqual(missing);
    expect(progress.notes).toContain(`Còn ${missing.length} đơn vị chưa gửi báo cáo kỳ này.`);
    const ducXuanRow = progress.rows.find((r) => r[UNIT_COLUMN] === 'Phường Đức Xuân');
    expect(ducXuanRow?.['Đúng hạn / muộn']).toBe('Đã gửi báo cáo chung cùng hạn');
    expect(
      reminders?.late
        .filter((l) => l.periodCode === '2025-05+2025-Q2')
        .map((l) => shortUnitName(l.unitName))
        .sort(),
    ).toEqual(missing);
  });
});
