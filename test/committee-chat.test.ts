import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDigest, digestText } from '../core/digests/digest.ts';
import type { Outbound } from '../core/messaging/message.ts';
import { runReminders } from '../core/reminders/run-reminders.ts';
import { createStore } from '../prisma/store.ts';
import { unitIdOf } from './support/db-reads.ts';
import { type SqliteChat, startSqliteChat } from './support/sqlite-chat.ts';

/**
 * The committee's own six-monthly report (issue 16 §2) on the seeded database (SQLite, or
 * PostgreSQL with TEST_DATABASE=postgres): the city's staff are reminded of it and the wards are
 * not; the digest shows it as the committee's; an admin opens it in chat, gets the draft, adds the
 * committee's texts and issues it with the next number of the register; a revision gets the next.
 */

let chat: SqliteChat;
let store: ReturnType<typeof createStore>;

/** 10/07/2025 09:00 in Hà Nội: the first half-year's report (due before 15/07) is open. */
const NOW = '2025-07-10T02:00:00Z';

beforeAll(async () => {
  chat = await startSqliteChat(NOW);
  store = createStore(chat.db);
});

afterAll(async () => {
  await chat.close();
});

const outbox = () =>
  chat.db.kysely
    .selectFrom('Outbox')
    .select(['chatId', 'idempotencyKey', 'purpose', 'payload'])
    .orderBy('id')
    .execute();

async function periodId(code: string): Promise<number> {
  const row = await chat.db.kysely
    .selectFrom('ReportingPeriod')
    .select('id')
    .where('code', '=', code)
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

const unitId = (code: string) => unitIdOf(chat.db, code);

describe('the committee’s six-monthly report', () => {
  it('is reminded to the city’s staff, never to the wards', async () => {
    // 08:00 on 09/07 (five days before the last day on time, 14/07).
    const run = await store.run((tx) => runReminders(tx, new Date('2025-07-09T01:00:00Z')));
    const h1 = await periodId('2025-H1');
    const city = await unitId('058');
    const committee = (run?.planned ?? []).filter((p) => p.subject.kind === 'committee');
    expect(committee.map((p) => p.subject)).toContainEqual({ kind: 'committee', periodId: h1, unitId: city });
    const rows = (await outbox()).filter((r) => r.idempotencyKey.startsWith(`remind:2025-H1:${city}:`));
    expect(rows.map((r) => r.chatId).sort()).toEqual(['admin', 'leader']);
    const message = JSON.parse(rows[0]?.payload ?? '{}') as Outbound;
    expect(message.text).toContain('Báo cáo 6 tháng đầu năm 2025 của Ban Thường trực');
    expect(message.text).toContain('hạn trước 15/07/2025 (còn 5 ngày)');
    expect(message.text).toContain('/baocao6thang');
    expect(message.choices?.flat().map((c) => c.id)).toEqual([`menu:committee:${h1}`]);
    // No ward is asked for a six-monthly report, nor listed late for it.
    expect(
      (await outbox()).filter(
        (r) => r.idempotencyKey.includes('2025-H1') && !r.idempotencyKey.includes(`:${city}:`),
      ),
    ).toEqual([]);
    const late = await store.run((tx) =>
      runReminders(tx, new Date('2025-08-01T01:00:00Z'), { dryRun: true }),
    );
    expect(late?.late.map((l) => l.periodCode)).not.toContain('2025-H1');
  });

  it('shows in the six-monthly digest as the committee’s, not as the wards’ missing reports', async () => {
    const city = await unitId('058');
    const text = await store.run(async (tx) => {
      const digest = await buildDigest(tx, {
        areaUnitId: city,
        kind: 'semiannual',
        now: new Date('2025-07-16T02:00:00Z'),
      });
      return digest ? digestText(digest, 'vi') : '';
    });
    expect(text).toContain(
      'Báo cáo 6 tháng đầu năm 2025 của Ban Thường trực: chưa ban hành, đã quá hạn (hạn trước 15/07/2025).',
    );
    expect(text).not.toMatch(/6 tháng đầu năm 2025 \(hạn[^)]*\): \d+\/\d+ đơn vị/);
  });

  it('a ward officer owes none; a fund officer may not open it', async () => {
    const ward = await chat.command(chat.user('officer-ducxuan'), 'baocao6thang');
    expect(ward.text).toContain('không phải gửi báo cáo 6 tháng');
    expect(ward.replies.some((r) => r.document)).toBe(false);
    const fund = await chat.command(chat.user('fund'), 'baocao6thang');
    expect(fund.text).toContain('do cán bộ Ủy ban MTTQ cấp phát động cuộc vận động soạn và ban hành');
  });

  it('sends the draft, asks the committee’s texts and issues a numbered report; a revision gets the next number', async () => {
    const admin = chat.user('admin');
    const h1 = await periodId('2025-H1');
    const city = await unitId('058');
    // Two periods are open (the second half of 2024 and the first of 2025): the bot asks which.
    const asked = await chat.command(admin, 'baocao6thang');
    expect(asked.buttons).toContain(`menu:committee:${h1}`);
    const opened = await chat.press(admin, `menu:committee:${h1}`);
    const draft = opened.replies.find((r) => r.document);
    expect(draft?.document).toMatchObject({
      kind: 'committee-report',
      params: { periodId: h1, unitId: city },
    });
    expect(draft?.document?.params).not.toHaveProperty('reportId');
    expect(draft?.text).toContain('Dự thảo Báo cáo 6 tháng đầu năm 2025');
    expect(opened.text).toContain('Đánh giá chung của Ban Thường trực');

    const issue = async (assessment: string): Promise<string> => {
      await chat.say(admin, assessment);
      await chat.press(admin, 'nextTasks:');
      const summary = await chat.say(admin, 'Đề nghị UBND thành phố bố trí kinh phí đối ứng.');
      expect(summary.buttons).toContain('@confirm:yes');
      return (await chat.press(admin, '@confirm:yes')).text;
    };
    const first = await issue('Các phường, xã triển khai đúng tiến độ.');
    expect(first).toContain('Đã ban hành Báo cáo 6 tháng đầu năm 2025');
    expect(first).toContain('Số: 1/BC-MTTQ-BTT, ngày 10/07/2025');
    expect(first).toContain('BC6T-2025H1-058-1');

    const report = await chat.db.kysely
      .selectFrom('NarrativeReport')
      .select(['id', 'answers', 'unitId'])
      .where('ref', '=', 'BC6T-2025H1-058-1')
      .executeTakeFirstOrThrow();
    expect(Number(report.unitId)).toBe(city);
    expect(JSON.parse(String(report.answers))).toEqual({
      assessment: 'Các phường, xã triển khai đúng tiến độ.',
      nextTasks: '',
      proposals: 'Đề nghị UBND thành phố bố trí kinh phí đối ứng.',
    });
    const sent = (await outbox()).find(
      (r) => r.idempotencyKey === `committee-report:${report.id}@playground`,
    );
    const issued = JSON.parse(sent?.payload ?? '{}') as Outbound;
    expect(issued.document).toMatchObject({
      kind: 'committee-report',
      params: { periodId: h1, unitId: city, reportId: Number(report.id) },
    });
    expect(issued.text).toContain('Số: 1/BC-MTTQ-BTT');
    // Its reminders still queued are withdrawn, and no more come.
    const queued = await chat.db.kysely
      .selectFrom('Outbox')
      .select('status')
      .where('idempotencyKey', 'like', `remind:2025-H1:${city}:%`)
      .execute();
    expect(queued.length).toBeGreaterThan(0);
    expect(queued.every((q) => q.status !== 'pending')).toBe(true);
    const later = await store.run((tx) =>
      runReminders(tx, new Date('2025-07-12T01:00:00Z'), { dryRun: true }),
    );
    expect(
      (later?.planned ?? []).filter((p) => p.subject.kind === 'committee' && p.subject.periodId === h1),
    ).toEqual([]);
    const audit = await chat.db.kysely
      .selectFrom('AuditLog')
      .select('action')
      .where('entity', '=', 'NarrativeReport')
      .where('entityId', '=', String(report.id))
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['committee.report']);

    // The digest now names the number.
    const digest = await store.run(async (tx) => {
      const d = await buildDigest(tx, {
        areaUnitId: city,
        kind: 'semiannual',
        now: new Date('2025-07-16T02:00:00Z'),
      });
      return d ? digestText(d, 'vi') : '';
    });
    expect(digest).toContain(
      'Báo cáo 6 tháng đầu năm 2025 của Ban Thường trực: đã ban hành, Số: 1/BC-MTTQ-BTT, ngày 10/07/2025.',
    );

    // A revision: a new document, the next number of the register.
    await chat.command(admin, 'baocao6thang');
    const again = await chat.press(admin, `menu:committee:${h1}`);
    expect(again.text).toContain('Đánh giá chung');
    const second = await issue('Bản sửa: bổ sung số liệu hộ cận nghèo.');
    expect(second).toContain('Số: 2/BC-MTTQ-BTT');
    expect(second).toContain('BC6T-2025H1-058-2');
  });
});
