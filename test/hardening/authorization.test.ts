/**
 * Authorization beyond the generated matrix (authorization-matrix.test.ts: every command and button
 * of the feature registry × every person of the cast × objects of both wards, judged by the access
 * table), on the same world (test/support/access-world.ts; SQLite, or PostgreSQL with
 * TEST_DATABASE=postgres): area-scoped reads (/tinhhinh, /quy, exports, household lists and
 * searches, pledge lists, feedback lists, /tracuu) checked for the other ward's names and data,
 * with a positive control for each so the checks are not vacuous; forged buttons inside a
 * conversation; and a role removed mid-conversation, refused at confirmation. (Not fixed, noted: a
 * ward's own leader gets an empty /tinhhinh — the view lists the units under the leader's — and a
 * ward's /quy shows the city's funds by design, `fundScope`.)
 *
 * Load-bearing (checked by hand, then restored; the cells named are now the generated matrix's):
 * - removed the role check at the top of `fundRollupFor` (core/funds/fund-reports.ts): the cells
 *   "/quy" and "menu:fund" failed ("officer-ducxuan: expected a refusal, got: 💼 TÌNH HÌNH QUỸ …",
 *   the same for the other officer, the organisation leaders, the donors and the citizen).
 * - removed the fund-level check of `receiptStart` (`!levels.some((l) => l.id === p.fundUnitId)`,
 *   core/funds/fund-flows.ts): the three "menu:receipt:<pledge …>" cells failed ("fund-songcau:
 *   expected a refusal, got: Số tiền nhận theo đăng ký UH-0003 …", "… a refused action changed
 *   FlowState").
 * - made `findOwnHousehold` (core/households/household-flows.ts) accept any officer: the cells
 *   "menu:hh:<DX-001>", "menu:hh:<SC-001>" and both "menu:hhmove:…:approved" failed
 *   ("officer-songcau: expected a refusal, got: 🏠 Nông Văn Tư (mã DX-001) …").
 * Guards added with the hand-written matrix (core fixes), each reverted once to see the test fail:
 * - the private donors of the /quy roll-up for a ward's leader or fund officer (`fundRollupFor`,
 *   fund-reports.ts): "a ward leader's /quy …" and "a ward fund officer's /quy …" failed (leaked
 *   "Bế Thị Riêng", a donor to Sông Cầu's fund who did not agree to be named, to Đức Xuân's
 *   leader; "Đinh Văn Kín" to Sông Cầu's fund officer).
 * - the area check of `decideGroup` (core/digests/group-registration.ts): the "menu:grpok/grpno:…"
 *   cells failed ("admin-songcau: expected a refusal, got: ✅ Đã xác nhận nhóm …", "… a refused
 *   action changed AuditLog, LeadershipGroup, Outbox").
 * - the refusal of `householdList` for someone who is no officer: "menu:hhlist" cells failed
 *   ("admin: expected a refusal, got: Đơn vị chưa có hộ nào trong danh sách.").
 * - the id check at the top of `onMenu` (core/inbound/handle-inbound.ts): "garbled or missing ids …"
 *   failed ("menu:acksend:pplybind!d: expected 'Chức năng này dành cho cán bộ Quỹ …' to contain
 *   'Nút này thuộc câu hỏi trước'"); on PostgreSQL such an id made the handler throw (found by
 *   fuzz-prompts.test.ts).
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appealRunner } from '../../core/appeals/appeal-flow.ts';
import { committeeReportRunner } from '../../core/committee/committee-flow.ts';
import { exampleRunner } from '../../core/examples/model-examples.ts';
import { buildExport } from '../../core/exports/build-export.ts';
import { EXPORT_KINDS, type ExportRequest } from '../../core/exports/export-request.ts';
import { commandNames, telegramCommandLists } from '../../core/features/derive.ts';
import { FEATURES } from '../../core/features/registry.ts';
import { feedbackAnswerRunner } from '../../core/feedback/feedback-handling.ts';
import { SHOWN_CHOICES_FLOW } from '../../core/flows/shown-choices.ts';
import { ackRefuseRunner } from '../../core/funds/flows/ack-refuse.ts';
import { allocationRunner } from '../../core/funds/flows/allocation.ts';
import { batchPledgeRunner } from '../../core/funds/flows/batch-pledge.ts';
import { disbursementRunner } from '../../core/funds/flows/disbursement.ts';
import { pledgeSearchRunner } from '../../core/funds/flows/pledge-search.ts';
import { receiptRunner } from '../../core/funds/flows/receipt.ts';
import { receiptSearchRunner } from '../../core/funds/flows/receipt-search.ts';
import { statementWalkInRunner } from '../../core/funds/flows/statement-walk-in.ts';
import { transferRunner } from '../../core/funds/flows/transfer.ts';
import { pledgeCancelRunner } from '../../core/funds/my-pledges.ts';
import { pledgeRunner } from '../../core/funds/pledge-flow.ts';
import { pledgeRejectRunner } from '../../core/funds/pledge-verify-chat.ts';
import { householdAddRunner } from '../../core/households/household-add.ts';
import { householdSearchRunner, householdStatusRunner } from '../../core/households/household-flows.ts';
import { FLOW_RUNNERS } from '../../core/inbound/handle-inbound.ts';
import { type MessageKey, t } from '../../core/messaging/catalog.ts';
import { plainText } from '../../core/messaging/markup.ts';
import { inviteCreateRunner } from '../../core/people/invite-flow.ts';
import { narrativeReportRunner } from '../../core/reports/narrative-report.ts';
import { reportRunner } from '../../core/reports/report-runner.ts';
import { ROLES } from '../../core/shared/actor.ts';
import type { TestUser } from '../../core/testing/builders.ts';
import { executeCommand, parseCommand } from '../../scripts/cli/commands.ts';
import {
  CAST,
  CITY,
  changedTables,
  chat,
  checksums,
  closeAccessWorld,
  DX,
  guestPledge,
  ids,
  one,
  type Person,
  refusalIn,
  SC,
  sql,
  startAccessWorld,
  storeOf,
  user,
} from '../support/access-world.ts';
import type { ChatReply } from '../support/sqlite-chat.ts';
import { unmatchedStatementLine } from '../support/statement-lines.ts';

const member = (p: Person) => p.roles.length > 0;

// ---------------------------------------------------------------------------------------------
// Helpers over the chat.

/** All the texts a reply leads to through the given buttons (a list and its pages). */
async function readAll(who: TestUser, first: ChatReply, prefix: string): Promise<string> {
  const texts = [first.text];
  for (const id of first.buttons.filter((b) => b.startsWith(prefix))) {
    texts.push((await chat.press(who, id)).text);
  }
  return texts.join('\n');
}

/** What a search shows (its echo of the query left out), with the cards of what it found. */
async function search(who: TestUser, button: string, query: string): Promise<string> {
  await chat.press(who, button);
  const found = await chat.say(who, query);
  await chat.command(who, 'huy');
  return (
    found.text.split(`"${query}"`).join('"…"') +
    found.replies.flatMap((r) => (r.choices ?? []).flat().map((c) => c.label)).join('\n')
  );
}

/** The workbook an export button leads to, built as the channel builds it at send time, as text. */
async function exportText(who: TestUser, kind: string): Promise<{ scope: number[]; text: string }> {
  const reply = await chat.press(who, `menu:export:${kind}`);
  const document = reply.replies.find((r) => r.document)?.document;
  if (!document) {
    throw new Error(reply.text);
  }
  const request = { kind: document.kind, params: document.params } as ExportRequest;
  const built = await storeOf(chat).run((tx) => buildExport(tx, request, chat.clock.now()));
  if (!built.ok) {
    throw new Error(JSON.stringify(built));
  }
  const text = JSON.stringify(built.workbook, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  return { scope: request.params.scope, text };
}

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  await startAccessWorld();
}, 60_000);

afterAll(async () => {
  await closeAccessWorld();
});

describe('the cast and the command lists', () => {
  it('the commands Telegram shows in its menus are all handled, each in its scope', () => {
    const commandsIn = (scope: 'private' | 'group') =>
      FEATURES.flatMap((f) => f.commands ?? [])
        .filter((c) => c.scope === scope)
        .flatMap(commandNames);
    for (const list of telegramCommandLists(FEATURES)) {
      const handled = commandsIn(list.scope === 'group' ? 'group' : 'private');
      expect(list.commands.map((c) => c.command).filter((c) => !handled.includes(c))).toEqual([]);
    }
  });

  it('every role of core/people is played by someone, and a stranger', () => {
    const played = new Set(CAST.flatMap((p) => p.roles));
    expect(ROLES.filter((r) => !played.has(r))).toEqual([]);
    expect(CAST.some((p) => p.roles.length === 0)).toBe(true);
  });

  it('the cast is who the database says', async () => {
    for (const p of CAST.filter(member)) {
      const rows = await sql(
        chat,
        `SELECT m.role AS role, u.code AS code FROM "Membership" m
           JOIN "ChannelIdentity" i ON i."personId" = m."personId"
           JOIN "Unit" u ON u.id = m."unitId"
         WHERE i.channel = 'playground' AND i."externalUserId" = ? AND m."revokedAt" IS NULL`,
        [p.key],
      );
      expect(
        rows.map((r) => `${r.role}@${r.code}`),
        p.key,
      ).toEqual(p.roles.map((r) => `${r}@${p.unit}`));
    }
  });
});
describe('area-scoped reads: a ward sees its own data and never another ward’s', () => {
  const OTHER_WARDS_OF_DX = [
    'Sông Cầu',
    'Minh Khai',
    'Chí Kiên',
    'Huyền Tụng',
    'Dương Quang',
    'Nông Thượng',
    'Xuất Hóa',
  ];
  const DX_DATA = ['Nông Văn Tư', 'Hoàng Thị Mai', 'Triệu Thị Hoa', 'DX-00', 'Đinh Văn Kín', 'Nhà ông Tư'];
  const SC_DATA = ['Sầm Văn Cầu', 'SC-001', 'Bế Thị Riêng', 'cần được khảo sát'];
  const CITY_DATA = ['Hội Liên hiệp Phụ nữ', 'Hội Nông dân'];

  function expectScoped(text: string, own: string[], foreign: string[]): void {
    for (const s of own) {
      expect(text, `missing own data "${s}"`).toContain(s);
    }
    for (const s of foreign) {
      expect(text, `leaked "${s}"`).not.toContain(s);
    }
  }

  it('the households of an officer: list, search, card — own ward only', async () => {
    for (const [key, own, foreign] of [
      ['officer-ducxuan', ['Nông Văn Tư', 'Triệu Thị Hoa'], SC_DATA],
      ['officer-songcau', ['Sầm Văn Cầu'], DX_DATA],
    ] as const) {
      const who = user(key);
      const list = await readAll(who, await chat.press(who, 'menu:hhlist'), 'menu:hhlist:');
      expectScoped(list, [...own], [...foreign]);
      for (const query of ['Sầm', 'SC-001', 'Nông Văn', 'DX-001', 'Tổ', 'a']) {
        const found = await search(who, 'menu:hhsearch', query);
        expectScoped(found, [], [...foreign]);
      }
    }
    expect(await search(user('officer-ducxuan'), 'menu:hhsearch', 'Tư')).toContain('Nông Văn Tư');
    expect(await search(user('officer-songcau'), 'menu:hhsearch', 'Cầu')).toContain('Sầm Văn Cầu');
  });

  it('feedback lists and /tracuu: the ward’s officers and the admins above it only', async () => {
    const dxList = (await chat.press(user('officer-ducxuan'), 'menu:fblist')).text;
    expectScoped(dxList, [ids.feedback.dx.ref, 'Nhà ông Tư'], [ids.feedback.sc.ref, 'khảo sát']);
    const scList = (await chat.press(user('officer-songcau'), 'menu:fblist')).text;
    expectScoped(scList, [ids.feedback.sc.ref, 'khảo sát'], [ids.feedback.dx.ref, 'Nhà ông Tư']);
    const wardAdmin = (await chat.press(user('admin-songcau'), 'menu:fblist')).text;
    expectScoped(wardAdmin, [ids.feedback.sc.ref], [ids.feedback.dx.ref, 'Nhà ông Tư']);
    const cityAdmin = (await chat.press(user('admin'), 'menu:fblist')).text;
    expectScoped(cityAdmin, [ids.feedback.sc.ref, ids.feedback.dx.ref], []);
    for (const key of ['officer-ducxuan', 'leader', 'fund', 'org-phunu', 'donor-dx', 'citizen', 'stranger']) {
      const reply = (await chat.command(user(key), 'tracuu', ids.feedback.sc.ref)).text;
      expectScoped(reply, ['Không tìm thấy phản ánh'], ['khảo sát', 'Sầm']);
    }
    expect((await chat.command(user('citizen-chat-sc'), 'tracuu', ids.feedback.sc.ref)).text).toContain(
      ids.feedback.sc.ref,
    );
  });

  it('/tinhhinh of a ward leader and of a ward admin: no other ward; the city leader sees all', async () => {
    // The view lists the units *under* the leader's: a ward's own leader gets an empty table.
    const ward = (await chat.command(user('leader-ducxuan'), 'tinhhinh')).text;
    expectScoped(ward, ['Tình hình'], OTHER_WARDS_OF_DX);
    const wardAdmin = (await chat.command(user('admin-songcau'), 'tinhhinh')).text;
    expectScoped(wardAdmin, ['Tình hình'], ['Đức Xuân', 'Huyền Tụng']);
    const city = (await chat.command(user('leader'), 'tinhhinh')).text;
    expectScoped(city, ['Đức Xuân', ...OTHER_WARDS_OF_DX], []);
  });

  // A ward's money view shows its city's funds, level by level (`fundScope`, as /congkhai shows
  // them to anyone); what is not public is the name of a donor who asked not to be named.
  it("a ward leader's /quy names no donor who asked not to be, the city leader's names them all", async () => {
    const ward = (await chat.command(user('leader-ducxuan'), 'quy')).text;
    expectScoped(ward, ['Đức Xuân', ...CITY_DATA], ['Bế Thị Riêng', 'Đinh Văn Kín']);
    const city = (await chat.command(user('leader'), 'quy')).text;
    expectScoped(city, ['Đức Xuân', 'Sông Cầu', 'Đinh Văn Kín', 'Bế Thị Riêng', ...CITY_DATA], []);
  });

  it("a ward fund officer's /quy, open pledges, searches and payments: no other level's donors", async () => {
    const fund = user('fund-songcau');
    const rollup = (await chat.command(fund, 'quy')).text;
    expectScoped(rollup, ['Sông Cầu', ...CITY_DATA], ['Đinh Văn Kín', 'Bế Thị Riêng']);
    expectScoped((await chat.command(user('fund'), 'quy')).text, ['Đinh Văn Kín', 'Bế Thị Riêng'], []);
    const open = (await chat.press(fund, 'menu:receiptpick')).text;
    expectScoped(open, [], ['Đinh Văn Kín', ...CITY_DATA]);
    for (const query of ['UH', 'Hội', 'Đinh', 'Bế', 'a']) {
      expectScoped(
        await search(fund, 'menu:pledgesearch:receipt', query),
        [],
        ['Đinh Văn Kín', ...CITY_DATA],
      );
      expectScoped(await search(fund, 'menu:acksearch', query), [], ['Đinh Văn Kín', ...CITY_DATA]);
    }
    expect(await search(fund, 'menu:pledgesearch:receipt', 'Bế')).toContain('Bế Thị Riêng');
    expectScoped((await chat.press(fund, 'menu:disbpick')).text, [], DX_DATA);
    for (const query of ['Nông', 'DX-001', 'Tổ', 'a']) {
      expectScoped(await search(fund, 'menu:alloc', query), [], DX_DATA);
    }
    expect(await search(user('fund'), 'menu:alloc', 'Cầu')).toContain('Sầm Văn Cầu');
  });

  it('the exports of a ward leader cover their ward only', async () => {
    for (const kind of EXPORT_KINDS) {
      const ward = await exportText(user('leader-ducxuan'), kind);
      expect(ward.scope).toEqual([ids.unit[DX]]);
      expectScoped(ward.text, [], [...OTHER_WARDS_OF_DX, 'Sầm Văn Cầu', 'Bế Thị Riêng']);
      const wardAdmin = await exportText(user('admin-songcau'), kind);
      expect(wardAdmin.scope).toEqual([ids.unit[SC]]);
      expectScoped(wardAdmin.text, [], ['Đức Xuân', 'Nông Văn Tư', 'Đinh Văn Kín']);
    }
    expect((await exportText(user('leader-ducxuan'), 'households')).text).toContain('Nông Văn Tư');
    expect((await exportText(user('leader'), 'households')).text).toContain('Sầm Văn Cầu');
  });

  it('pledge lists: an organisation leader sees only their organisation’s, a donor only their own', async () => {
    const mine = async (key: string) => {
      const who = user(key);
      return readAll(who, await chat.press(who, 'menu:mypledges'), 'menu:pledgecard:');
    };
    expectScoped(await mine('org-phunu'), ['Hội Liên hiệp Phụ nữ'], ['Hội Nông dân', 'Bế', 'Đinh']);
    expectScoped(await mine('org-nongdan'), ['Hội Nông dân'], ['Hội Liên hiệp Phụ nữ', 'Bế', 'Đinh']);
    expectScoped(await mine('donor-sc'), ['Bế Thị Riêng'], ['Đinh Văn Kín', ...CITY_DATA]);
    expectScoped(await mine('donor-dx'), ['Đinh Văn Kín'], ['Bế Thị Riêng', ...CITY_DATA]);
    for (const key of ['leader', 'officer-ducxuan', 'citizen', 'fund']) {
      expectScoped(await mine(key), [], ['Bế Thị Riêng', 'Đinh Văn Kín', ...CITY_DATA]);
    }
  });

  it('the public summary names no donor who did not agree and shows no phone number', async () => {
    for (const key of ['stranger', 'citizen', 'donor-sc']) {
      const text = (await chat.command(user(key), 'congkhai')).text;
      expectScoped(text, ['Hội Liên hiệp Phụ nữ'], ['Bế Thị Riêng', 'Đinh Văn Kín', '0912', '345 678']);
    }
  });
});

describe('forged buttons inside a conversation', () => {
  async function expectStale(who: TestUser, id: string): Promise<void> {
    const before = await checksums();
    const reply = await chat.press(who, id);
    expect(reply.text, id).toContain(t('vi', 'flow.stale_button').split('{')[0]?.slice(0, 30));
    expect(changedTables(before, await checksums()), id).toEqual([]);
  }

  it('a ward admin cannot pick a ward outside their area for an invite', async () => {
    const admin = user('admin-songcau');
    await chat.press(admin, 'menu:invite');
    const units = await chat.press(admin, 'role:unit_officer');
    expect(units.buttons).toContain(`unit:${ids.unit[SC]}`);
    expect(units.buttons).not.toContain(`unit:${ids.unit[DX]}`);
    await expectStale(admin, `unit:${ids.unit[DX]}`);
    await expectStale(admin, `unit:${ids.unit[CITY]}`);
    await chat.command(admin, 'huy');
  });

  it('a fund officer cannot send money to a level that is not next to theirs, nor from another level', async () => {
    const fund = user('fund-songcau');
    const to = await chat.press(fund, 'menu:transfer');
    expect(to.buttons).toContain(`to:${ids.unit[CITY]}`);
    await expectStale(fund, `to:${ids.unit[DX]}`);
    await expectStale(fund, `level:${ids.unit[CITY]}`);
    await chat.command(fund, 'huy');
  });

  it('garbled or missing ids are refused before they reach the database (PostgreSQL threw on NaN)', async () => {
    const admin = user('admin');
    for (const id of [
      'menu:ackok:pplybind!d',
      'menu:ackentry:NaN',
      'menu:fbanswer',
      'menu:fbhandle:1e3',
      'menu:hh:99999999999999999999',
      'menu:hhmove:x:approved',
      'menu:pledgecard:-1',
      'menu:grpok:',
      'menu:pause:1.5',
      'menu:disb',
      'menu:receipt:abc',
    ]) {
      await expectStale(admin, id);
    }
    // Without an id these two are choices of their own.
    expect((await chat.press(admin, 'menu:receipt')).text).toMatch(
      /Quỹ của cấp nào|Tên người hoặc đơn vị nộp/,
    );
    await chat.command(admin, 'huy');
  });

  it('buttons of another flow, or of another step, are refused without saving anything', async () => {
    const officerUser = user('officer-ducxuan');
    await chat.press(officerUser, 'menu:hhadd');
    for (const id of ['@confirm:yes', 'kind:money', 'level:1', 'period:1', 'role:admin', 'category:poor']) {
      await expectStale(officerUser, id);
    }
    await chat.command(officerUser, 'huy');
    const citizen = user('citizen-chat-new');
    await chat.command(citizen, 'phananh');
    await chat.press(citizen, 'topic:fund');
    await expectStale(citizen, 'unit:999999');
    await expectStale(citizen, '@confirm:yes');
    await chat.command(citizen, 'huy');
  });
});

/**
 * Issue 13 §5: permissions are checked when an action takes effect. Each writing flow is started
 * with the role, the role is taken away as the CLI does it (`people role <ID> --remove …`, the
 * same code and SQL), and then confirmed: the answer must be the polite refusal, the conversation
 * ended, and nothing written (every table's checksum but the conversation's; the flow's own table
 * counted). The role is then given back and the same conversation confirmed, so each refusal is
 * shown to come from the check and not from a conversation that could not have succeeded anyway.
 * On the old code every case failed: each write went through ("✅ Đã nhận báo cáo tháng 2/2025 của
 * Phường Sông Cầu", "✅ Đã ghi nhận khoản thu 60.000.000 đ", a household added and moved, pledges
 * registered and cancelled, money allocated, paid and transferred, an invite created, searches
 * answered), the feedback answer was refused with another text (its submit re-checked already),
 * and a deactivated officer got the stranger's welcome with the conversation left open.
 */
describe('a role removed mid-conversation: refused at confirmation, nothing written', () => {
  const NO_LONGER = t('vi', 'flow.no_longer_allowed').split('{')[0]?.trim() ?? '';

  async function cli(...argv: string[]): Promise<string> {
    const lines: string[] = [];
    await executeCommand(parseCommand(argv), {
      prisma: chat.prisma,
      db: chat.db,
      now: chat.clock.now(),
      out: (l) => lines.push(l),
      timeZone: 'Asia/Ho_Chi_Minh',
    });
    return lines.join('\n');
  }

  const personOf = (key: string) =>
    one(`SELECT "personId" FROM "ChannelIdentity" WHERE channel = 'playground' AND "externalUserId" = ?`, [
      key,
    ]);
  const count = (table: string) => one(`SELECT COUNT(*) AS n FROM "${table}"`);
  const openFlows = (key: string) =>
    one(`SELECT COUNT(*) AS n FROM "FlowState" WHERE "chatId" = ? AND flow <> ?`, [key, SHOWN_CHOICES_FLOW]);

  /** Answers the current question with its first offered answer (or "0") until the summary shows. */
  async function untilSummary(who: TestUser, first: ChatReply): Promise<ChatReply> {
    let reply = first;
    for (let i = 0; i < 30 && !reply.buttons.includes('@confirm:yes'); i++) {
      const offered = reply.buttons.find((b) => !b.startsWith('menu:') && !b.startsWith('@'));
      reply = offered ? await chat.press(who, offered) : await chat.say(who, '0');
    }
    expect(reply.buttons, reply.text).toContain('@confirm:yes');
    return reply;
  }

  async function steps(who: TestUser, first: string, ...answers: string[]): Promise<ChatReply> {
    let reply = await chat.press(who, first);
    for (const answer of answers) {
      reply = /^[@a-zA-Z]+:/.test(answer) ? await chat.press(who, answer) : await chat.say(who, answer);
    }
    return reply;
  }

  const confirm = (who: TestUser) => chat.press(who, '@confirm:yes');
  /** A reply's text with its buttons' labels (a search shows what it found as buttons). */
  const shown = (r: ChatReply) =>
    [plainText(r.text), ...r.replies.flatMap((m) => (m.choices ?? []).flat().map((c) => c.label))].join('\n');

  interface Case {
    label: string;
    /** The id of the flow (of core/inbound's FLOW_RUNNERS) the case goes through. */
    flow: string;
    who: string;
    /** What the CLI takes away (`role@unit`), or `deactivate` for the person. */
    take: string;
    /** Up to the confirmation (or the last answer of a flow without one). */
    open: (who: TestUser) => Promise<ChatReply>;
    /** The confirmation: the summary's button, or the last answer. */
    act: (who: TestUser) => Promise<ChatReply>;
    /** The table the action writes to, counted before and after. */
    table: string;
    /** The answer when the role is still held. */
    done: RegExp;
    /** Text of the refused action's result that must not be shown. */
    leak?: string;
  }

  const CASES: Case[] = [
    {
      label: 'monthly report (unit_officer@01837)',
      flow: reportRunner.def.id,
      who: 'officer-songcau',
      take: `unit_officer@${SC}`,
      open: async (who) => untilSummary(who, await chat.press(who, `menu:report:${ids.unit[SC]}`)),
      act: confirm,
      table: 'Report',
      done: /Đã nhận báo cáo .*\n.*BC-\d{6}-01837-1/,
    },
    {
      label: 'quarterly / final report',
      flow: narrativeReportRunner.def.id,
      who: 'officer-songcau',
      take: `unit_officer@${SC}`,
      open: async (who) => untilSummary(who, await chat.press(who, 'menu:narrative')),
      act: confirm,
      table: 'NarrativeReport',
      done: /Đã nhận báo cáo/,
    },
    {
      label:
        "the committee's six-monthly report (leader@058, the area: no NarrativeReport, no DocumentNumber)",
      flow: committeeReportRunner.def.id,
      who: 'leader',
      take: `leader@${CITY}`,
      open: async (who) => {
        // Several periods open: the latest is offered first; the draft, then the committee's texts.
        let reply = await chat.press(who, 'menu:committee');
        const period = reply.buttons.find((b) => b.startsWith('menu:committee:'));
        if (period) {
          reply = await chat.press(who, period);
        }
        expect(reply.text).toContain('Đánh giá chung');
        return untilSummary(
          who,
          await chat.say(who, 'Các phường triển khai đúng kế hoạch, còn chậm ở Sông Cầu.'),
        );
      },
      act: confirm,
      table: 'NarrativeReport',
      done: /Đã ban hành Báo cáo .*\nSố: \d+\/BC-MTTQ-BTT/,
    },
    {
      label: 'new household',
      flow: householdAddRunner.def.id,
      who: 'officer-songcau',
      take: `unit_officer@${SC}`,
      open: (who) =>
        steps(
          who,
          'menu:hhadd',
          'SC-009',
          'Tổ 3',
          'Lục Văn Chín',
          '1960',
          'category:poor',
          'need:new_build',
          'foundationDurable:no',
          'frameDurable:no',
          'roofDurable:no',
          '20',
          '3',
          'landLegal:yes',
          'landDisputed:no',
          'inLandslideZone:no',
          'confirmedByCommune:yes',
        ),
      act: confirm,
      table: 'Household',
      done: /Đã thêm hộ/,
    },
    {
      label: 'household status change',
      flow: householdStatusRunner.def.id,
      who: 'officer-ducxuan',
      take: `unit_officer@${DX}`,
      open: async (who) =>
        untilSummary(who, await chat.press(who, `menu:hhmove:${ids.household['DX-004']}:approved`)),
      act: confirm,
      table: 'HouseholdEvent',
      done: /Đã chuyển hộ/,
    },
    {
      label: "an organisation's pledge by its leader (org_leader@HND-058)",
      flow: pledgeRunner.def.id,
      who: 'org-nongdan',
      take: 'org_leader@HND-058',
      open: (who) => steps(who, 'menu:pledge', 'kind:money', '15tr', 'target:0', 'dueOn:', 'publicName:yes'),
      act: confirm,
      table: 'Pledge',
      done: /Số đăng ký: UH-/,
    },
    {
      label: 'an appeal (admin@058)',
      flow: appealRunner.def.id,
      who: 'admin',
      take: `admin@${CITY}`,
      open: (who) =>
        steps(
          who,
          'menu:appeal',
          'Kính gửi các tổ chức thành viên: hãy chung tay ủng hộ Quỹ "Vì người nghèo".',
          'photo:',
          'audiences:members+groups',
        ),
      act: confirm,
      table: 'Appeal',
      done: /Đã gửi thư kêu gọi KG\d+/,
    },
    {
      label: 'a model example (unit_officer@01840)',
      flow: exampleRunner.def.id,
      who: 'officer-ducxuan',
      take: `unit_officer@${DX}`,
      open: (who) =>
        steps(
          who,
          'menu:example',
          'Chi hội Cựu chiến binh tổ 5',
          'Góp 120 ngày công dựng lại nhà cho hộ bà Lương Thị Năm.',
          'photo:',
        ),
      act: confirm,
      table: 'ModelExample',
      done: /Đã ghi nhận gương điển hình: Chi hội Cựu chiến binh tổ 5/,
    },
    {
      label: "cancelling an organisation's pledge",
      flow: pledgeCancelRunner.def.id,
      who: 'org-nongdan',
      take: 'org_leader@HND-058',
      open: async (who) =>
        steps(
          who,
          `menu:pledgecancel:${await one(`SELECT MAX(id) FROM "Pledge" WHERE "donorName" = 'Hội Nông dân thành phố Bắc Kạn'`)}`,
          'reason:',
        ),
      act: confirm,
      table: 'AuditLog',
      done: /Đã hủy đăng ký số UH-/,
    },
    {
      label: 'fund receipt of 60.000.000 đ (fund_officer@01837)',
      flow: receiptRunner.def.id,
      who: 'fund-songcau',
      take: `fund_officer@${SC}`,
      open: (who) =>
        steps(
          who,
          'menu:receipt:0',
          'Công ty Sông Cầu',
          'form:money',
          '60tr',
          'publicName:no',
          'occurredOn:2025-03-10',
          'documentRef:',
        ),
      act: confirm,
      table: 'FundEntry',
      done: /Đã ghi nhận khoản thu 60\.000\.000 đ/,
    },
    {
      label: 'fund allocation to a household',
      flow: allocationRunner.def.id,
      who: 'fund',
      take: `fund_officer@${CITY}`,
      open: (who) => steps(who, `menu:alloc:${ids.household['DX-002']}`, '5tr'),
      act: confirm,
      table: 'FundEntry',
      done: /Đã phân bổ 5\.000\.000 đ/,
    },
    {
      label: 'fund disbursement',
      flow: disbursementRunner.def.id,
      who: 'fund',
      take: `fund_officer@${CITY}`,
      open: (who) =>
        steps(who, `menu:disb:${ids.household['DX-001']}`, '15tr', 'occurredOn:2025-03-10', 'documentRef:'),
      act: confirm,
      table: 'FundEntry',
      done: /Đã ghi nhận chi 15\.000\.000 đ/,
    },
    {
      label: 'fund transfer between levels',
      flow: transferRunner.def.id,
      who: 'fund-songcau',
      take: `fund_officer@${SC}`,
      open: (who) =>
        steps(who, 'menu:transfer', `to:${ids.unit[CITY]}`, '1tr', 'occurredOn:2025-03-10', 'note:'),
      act: confirm,
      table: 'FundEntry',
      done: /Đã chuyển 1\.000\.000 đ/,
    },
    {
      label: 'pledges announced at the ceremony (fund_officer@01837)',
      flow: batchPledgeRunner.def.id,
      who: 'fund-songcau',
      take: `fund_officer@${SC}`,
      open: (who) => steps(who, 'menu:batchpledge', 'Công ty A 50tr\nBà Lê Thị C 2tr', 'publicName:yes'),
      act: confirm,
      table: 'Pledge',
      done: /Đã ghi nhận 2 đăng ký, tổng 52\.000\.000 đ/,
    },
    {
      label: 'walk-in receipt from a bank statement line (fund_officer@01837)',
      flow: statementWalkInRunner.def.id,
      who: 'fund-songcau',
      take: `fund_officer@${SC}`,
      open: async (who) => {
        const line = await unmatchedStatementLine(storeOf(chat), 'fund-songcau');
        return steps(who, `menu:stmtwalk:${line.id}`, 'Nguyễn Văn Xuân', 'publicName:yes');
      },
      act: confirm,
      table: 'FundEntry',
      done: /Đã ghi nhận khoản thu 1\.234\.000 đ của Nguyễn Văn Xuân/,
    },
    {
      label: 'invite created in chat (admin@01837)',
      flow: inviteCreateRunner.def.id,
      who: 'admin-songcau',
      take: `admin@${SC}`,
      open: (who) =>
        steps(who, 'menu:invite', 'role:unit_officer', `unit:${ids.unit[SC]}`, 'Người thử mời', '14'),
      act: confirm,
      table: 'Invite',
      done: /Mã mời: [A-Z0-9]{4}-[A-Z0-9]{4}/,
    },
    {
      label: 'answering a feedback (no summary: the answer is the confirmation)',
      flow: feedbackAnswerRunner.def.id,
      who: 'officer-ducxuan',
      take: `unit_officer@${DX}`,
      open: (who) => chat.press(who, `menu:fbanswer:${ids.feedback.dx.id}`),
      act: (who) => chat.say(who, 'Tuần sau cán bộ phường xuống kiểm tra mái nhà.'),
      table: 'Feedback',
      done: /Đã gửi câu trả lời phản ánh/,
    },
    {
      label: 'household search (reads: no household shown)',
      flow: householdSearchRunner.def.id,
      who: 'officer-songcau',
      take: `unit_officer@${SC}`,
      open: (who) => chat.press(who, 'menu:hhsearch'),
      act: (who) => chat.say(who, 'Cầu'),
      table: 'Household',
      done: /Sầm Văn Cầu/,
      leak: 'Sầm Văn Cầu',
    },
    {
      label: 'pledge search (reads: no donor shown)',
      flow: pledgeSearchRunner.def.id,
      who: 'fund-songcau',
      take: `fund_officer@${SC}`,
      open: (who) => chat.press(who, 'menu:pledgesearch:receipt'),
      act: (who) => chat.say(who, 'Bế'),
      table: 'Pledge',
      done: /Bế Thị Riêng/,
      leak: 'Bế Thị Riêng',
    },
    {
      label: 'receipt search for an acknowledgement (fund_officer@01837)',
      flow: receiptSearchRunner.def.id,
      who: 'fund-songcau',
      take: `fund_officer@${SC}`,
      open: (who) => chat.press(who, 'menu:acksearch'),
      act: (who) => chat.say(who, 'Bế'),
      table: 'Acknowledgement',
      done: /Bế Thị Riêng/,
      leak: 'Bế Thị Riêng',
    },
    {
      label: "refusing a donor's request for an acknowledgement (fund_officer@01837)",
      flow: ackRefuseRunner.def.id,
      who: 'fund-songcau',
      take: `fund_officer@${SC}`,
      open: async (who) => {
        const receipt = await one(`SELECT id FROM "FundEntry" WHERE kind = 'receipt' AND "pledgeId" = ?`, [
          ids.pledge.sc,
        ]);
        // Bế Thị Riêng asks (once; her request waits until it is refused).
        await chat.press(user('donor-sc'), `menu:ackask:${receipt}`);
        return steps(who, `menu:ackno:${receipt}`, 'Chưa đủ chứng từ để xác nhận.');
      },
      act: confirm,
      table: 'Acknowledgement',
      done: /không cấp giấy xác nhận, kèm lý do/,
    },
    {
      label: 'refusing a pledge that waits for verification (fund_officer@01837)',
      flow: pledgeRejectRunner.def.id,
      who: 'fund-songcau',
      take: `fund_officer@${SC}`,
      open: async (who) => {
        const pending = `SELECT COUNT(*) FROM "Pledge" WHERE "donorName" = 'Lò Văn Lớn' AND "cancelledAt" IS NULL`;
        if ((await one(pending)) === 0) {
          await guestPledge('donor-big', 'Lò Văn Lớn', SC, '600tr');
        }
        const id = await one(`SELECT MAX(id) FROM "Pledge" WHERE "donorName" = 'Lò Văn Lớn'`);
        return steps(who, `menu:pledgeno:${id}`, 'Không liên lạc được với người đăng ký.');
      },
      act: confirm,
      table: 'AuditLog',
      done: /Đã từ chối và hủy đăng ký số UH-\d{4}/,
    },
    {
      label: 'a person deactivated mid-conversation (people deactivate)',
      flow: householdAddRunner.def.id,
      who: 'officer-songcau',
      take: 'deactivate',
      open: (who) =>
        steps(
          who,
          'menu:hhadd',
          'SC-010',
          'Tổ 4',
          'Hà Thị Mười',
          '1955',
          'category:poor',
          'need:repair',
          'foundationDurable:yes',
          'frameDurable:no',
          'roofDurable:no',
          '25',
          '2',
          'landLegal:yes',
          'landDisputed:no',
          'inLandslideZone:no',
          'confirmedByCommune:yes',
        ),
      act: confirm,
      table: 'Household',
      done: /Đã thêm hộ/,
    },
  ];

  it.each(CASES.map((c) => [c.label, c] as const))('%s', async (_label, c) => {
    const who = user(c.who);
    const id = String(await personOf(c.who));
    const [take, give] =
      c.take === 'deactivate'
        ? [
            ['people', 'deactivate', id],
            ['people', 'activate', id],
          ]
        : [
            ['people', 'role', id, '--remove', c.take],
            ['people', 'role', id, '--add', c.take],
          ];
    await chat.command(who, 'huy');
    const opened = await c.open(who);
    expect(refusalIn(opened.text), opened.text).toBeUndefined();
    expect(await openFlows(c.who)).toBe(1);

    expect(await cli(...take)).toMatch(/Đã thu hồi|Đã ngừng hoạt động/);
    let given = false;
    try {
      const before = await checksums();
      const rows = await count(c.table);
      const refused = await c.act(who);
      expect(refused.text, refused.text).toContain(NO_LONGER);
      if (c.leak) {
        expect(shown(refused)).not.toContain(c.leak);
      }
      expect(await count(c.table)).toBe(rows);
      expect(await openFlows(c.who), 'the conversation is ended').toBe(0);
      expect(changedTables(before, await checksums())).toEqual(['FlowState']);

      // Control: with the right given back, the same conversation goes through.
      expect(await cli(...give)).toMatch(/Đã giao|Đã kích hoạt/);
      given = true;
      await c.open(who);
      const accepted = await c.act(who);
      expect(shown(accepted)).toMatch(c.done);
      expect(accepted.text).not.toContain(NO_LONGER);
    } finally {
      if (!given) {
        await cli(...give);
      }
    }
    await chat.command(who, 'huy');
  });

  // The one-press actions that write (no conversation: the press is the confirmation) check the
  // roles read in the press's own transaction; a button shown while the role was held and pressed
  // after it was taken away is refused and writes nothing. (These held on the old code too.)
  const PRESSES: {
    label: string;
    who: string;
    take: string;
    press: (who: TestUser) => Promise<ChatReply>;
    refusal: MessageKey;
  }[] = [
    {
      label: 'marking a feedback handled',
      who: 'officer-songcau',
      take: `unit_officer@${SC}`,
      press: (who) => chat.press(who, `menu:fbhandle:${ids.feedback.sc.id}`),
      refusal: 'feedback.refused.not_handler',
    },
    {
      label: 'pausing reminders ("đã báo cáo bằng văn bản")',
      who: 'officer-ducxuan',
      take: `unit_officer@${DX}`,
      press: (who) => chat.press(who, `menu:pause:${ids.period}`),
      refusal: 'report.refused.not_officer',
    },
    {
      label: "confirming a leadership group's registration",
      who: 'admin',
      take: `admin@${CITY}`,
      press: (who) => chat.press(who, `menu:grpok:${ids.group.dx}`),
      refusal: 'group.refused.not_admin',
    },
    {
      label: 'the acknowledgement letters of a fund',
      who: 'fund-songcau',
      take: `fund_officer@${SC}`,
      press: (who) => chat.press(who, 'menu:ackpick'),
      refusal: 'fund.refused.not_fund_officer',
    },
    {
      label: 'an export',
      who: 'leader-ducxuan',
      take: `leader@${DX}`,
      press: (who) => chat.press(who, 'menu:export:households'),
      refusal: 'export.refused',
    },
    {
      label: 'registering a leadership group',
      who: 'leader-ducxuan',
      take: `leader@${DX}`,
      press: (who) =>
        chat.inGroup(who, 'grp-after-removal', { kind: 'command', command: 'dangkynhom', args: '' }),
      refusal: 'group.refused.not_leader',
    },
  ];

  it.each(PRESSES.map((c) => [c.label, c] as const))('one press: %s', async (_label, c) => {
    const who = user(c.who);
    const id = String(await personOf(c.who));
    expect(await cli('people', 'role', id, '--remove', c.take)).toMatch(/Đã thu hồi/);
    try {
      const before = await checksums();
      const reply = await c.press(who);
      expect(reply.text).toContain(t('vi', c.refusal).split('{')[0]?.trim());
      expect(changedTables(before, await checksums())).toEqual([]);
    } finally {
      await cli('people', 'role', id, '--add', c.take);
    }
  });

  it('every flow of the dispatcher has a confirmation rule, and each one a case here', () => {
    const confirmed = FEATURES.flatMap((f) => f.confirmations ?? []).map((c) => c.flowId);
    expect(FLOW_RUNNERS.map((r) => r.def.id).filter((id) => !confirmed.includes(id))).toEqual([]);
    // A citizen's feedback is a stranger's flow: it needs no role (a donor's pledge neither, tried
    // by the matrix's strangers); every other flow is confirmed against a role in a case above.
    const cased = new Set(CASES.map((c) => c.flow));
    expect(FLOW_RUNNERS.map((r) => r.def.id).filter((id) => !cased.has(id))).toEqual(['feedback']);
  });

  it('the refusal has its English entry and names the flow in both languages', () => {
    const vi = t('vi', 'flow.no_longer_allowed', { title: { key: 'report.title' } });
    const en = t('en', 'flow.no_longer_allowed', { title: { key: 'report.title' } });
    expect(vi).toContain('báo cáo tiến độ tháng');
    expect(vi).toMatch(/Anh\/chị không còn quyền/);
    expect(en).toMatch(/no longer have the right/);
    expect(en).not.toEqual(vi);
  });
});
