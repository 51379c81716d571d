/**
 * The world of the authorization tests (test/hardening/authorization*.test.ts): one seeded database
 * (SQLite, or PostgreSQL with TEST_DATABASE=postgres) with one person per role — two wards for the
 * ward-scoped roles — and the objects buttons point at in both wards (households, pledges of each
 * fund level, feedback, leadership groups), all made through the chat itself. Plus what the tests
 * judge an answer by: a checksum of every table (a refusal changes nothing) and the refusal texts.
 */

import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { SHOWN_CHOICES_FLOW } from '../../core/flows/shown-choices.ts';
import { type MessageKey, t } from '../../core/messaging/catalog.ts';
import { plainText } from '../../core/messaging/markup.ts';
import type { Role } from '../../core/shared/actor.ts';
import { createStore } from '../../prisma/store.ts';
import { type Param, type Row, rawRows } from './raw-sql.ts';
import { type ChatReply, type SqliteChat, startSqliteChat } from './sqlite-chat.ts';

// ---------------------------------------------------------------------------------------------
// The one door to the database (the harness's `chat.db` is becoming the async SqlDb: both shapes
// are accepted here and nowhere else).

export type { Param, Row };

export function sql(chat: SqliteChat, text: string, params: Param[] = []): Promise<Row[]> {
  return rawRows(chat.db, text, params);
}

/** A unit of work on the chat's database, for building an export as the channel does at send time. */
export function storeOf(chat: SqliteChat) {
  return createStore(chat.db as never);
}

/** The tables of the chat's database (SQLite or PostgreSQL, as the suite runs). */
async function tableNames(chat: SqliteChat): Promise<string[]> {
  const postgres = (chat.db as unknown as { dialect?: string }).dialect === 'postgres';
  const found = await sql(
    chat,
    postgres
      ? `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
      : `SELECT name FROM sqlite_master WHERE type = 'table'`,
  );
  return found
    .map((r) => String(r.name))
    .filter((n) => !n.startsWith('_') && !n.startsWith('sqlite_'))
    .sort();
}

// ---------------------------------------------------------------------------------------------
// The cast: one person per role (two wards for the ward-scoped roles).

export interface Person {
  key: string;
  roles: Role[];
  /** The unit code of the role (wards 01840 Đức Xuân and 01837 Sông Cầu, city 058, organisations). */
  unit: string;
}

export const CITY = '058';
export const DX = '01840';
export const SC = '01837';

export const CAST: Person[] = [
  { key: 'stranger', roles: [], unit: '' },
  { key: 'admin', roles: ['admin'], unit: CITY },
  { key: 'admin-songcau', roles: ['admin'], unit: SC },
  { key: 'leader', roles: ['leader'], unit: CITY },
  { key: 'leader-ducxuan', roles: ['leader'], unit: DX },
  { key: 'officer-ducxuan', roles: ['unit_officer'], unit: DX },
  { key: 'officer-songcau', roles: ['unit_officer'], unit: SC },
  { key: 'org-phunu', roles: ['org_leader'], unit: 'HLHPN-058' },
  { key: 'org-nongdan', roles: ['org_leader'], unit: 'HND-058' },
  { key: 'fund', roles: ['fund_officer'], unit: CITY },
  { key: 'fund-songcau', roles: ['fund_officer'], unit: SC },
  { key: 'donor-sc', roles: ['donor'], unit: SC },
  { key: 'donor-dx', roles: ['donor'], unit: DX },
  { key: 'citizen', roles: ['citizen'], unit: DX },
];

// ---------------------------------------------------------------------------------------------
// The objects the forged buttons point at, created in beforeAll through the chat.

export interface Ids {
  unit: Record<string, number>;
  household: Record<string, number>;
  pledge: { org: number; sc: number; dx: number };
  feedback: { dx: { id: number; ref: string }; sc: { id: number; ref: string } };
  /** A model example of each ward, recorded by its officer. */
  example: { dx: number; sc: number };
  group: { city: number; dx: number };
  period: number;
}
export let ids: Ids;

/** Pledge owners and levels. */
export const PLEDGES = {
  org: { owner: 'org-phunu', level: CITY },
  sc: { owner: 'donor-sc', level: SC },
  dx: { owner: 'donor-dx', level: DX },
} as const;

// ---------------------------------------------------------------------------------------------
// The dispatcher's vocabulary, read from the registry of features.
/** The answers that mean "not for you" (rendered up to their first parameter). */
const REFUSALS = (
  [
    'welcome.stranger',
    'leaders.refused',
    'report.refused.not_officer',
    'household.refused.not_officer',
    'household.refused.not_found',
    'pledge.refused.not_yours',
    'pledge.refused.not_org_leader',
    'fund.refused.not_fund_officer',
    'fund.refused.pledge_elsewhere',
    'ack.refused.elsewhere',
    'ack.refused.not_yours',
    'fund.refused.no_allocation',
    'feedback.refused.not_handler',
    'feedback.track.not_found',
    'invite.flow.refused',
    'export.refused',
    'narratives.refused',
    'committee.refused',
    'group.refused.not_leader',
    'group.refused.not_admin',
    'appeal.refused.not_admin',
    'example.refused.not_recorder',
    'example.refused.elsewhere',
    'batch.refused.no_level',
    'flow.stale_button',
    'flow.no_longer_allowed',
  ] satisfies MessageKey[]
).map((key) => ({ key, prefix: t('vi', key).split('{')[0]?.trim() ?? '' }));

export function refusalIn(text: string): string | undefined {
  return REFUSALS.find((r) => r.prefix.length > 10 && text.includes(r.prefix))?.key;
}

export const VIETNAMESE = /[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]/i;
export const LEAKED_INTERNALS = /undefined|NaN|\[object|Error|\bnull\b|\{[a-z]+\}/;
// ---------------------------------------------------------------------------------------------
// Helpers over the chat.

export let chat: SqliteChat;
export const user = (key: string) => chat.user(key);

let tables: string[] | undefined;

/** Every table but the inbound dedupe; of the outbox, all but this message's own replies. */
export async function checksums(): Promise<Map<string, string>> {
  tables ??= (await tableNames(chat)).filter((t) => t !== 'InboundSeen');
  if ((chat.db as unknown as { dialect?: string }).dialect === 'postgres') {
    // One round trip instead of one per table: the same digest, computed by the server.
    const row = `(to_jsonb(x) - 'lastInteractionAt')::text`;
    const parts = tables.map((t) => {
      // Replies and the list of choices a reply showed are what a refusal may write.
      const where =
        t === 'Outbox'
          ? ` WHERE x."idempotencyKey" NOT LIKE 'reply:%'`
          : t === 'FlowState'
            ? ` WHERE x.flow <> '${SHOWN_CHOICES_FLOW}'`
            : '';
      return `SELECT '${t}' AS t, md5(coalesce(string_agg(${row}, ',' ORDER BY ${row}), '')) AS h FROM "${t}" x${where}`;
    });
    const digests = await sql(chat, parts.join(' UNION ALL '));
    return new Map(digests.map((d) => [String(d.t), String(d.h)]));
  }
  const out = new Map<string, string>();
  for (const table of tables) {
    const where =
      table === 'Outbox'
        ? ` WHERE "idempotencyKey" NOT LIKE 'reply:%'`
        : table === 'FlowState'
          ? ` WHERE flow <> '${SHOWN_CHOICES_FLOW}'`
          : '';
    const rows = await sql(chat, `SELECT * FROM "${table}"${where}`);
    const stable = rows
      .map((r) => {
        const { lastInteractionAt: _seen, ...rest } = r;
        return JSON.stringify(rest, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
      })
      .sort();
    out.set(table, createHash('sha256').update(stable.join('\n')).digest('hex'));
  }
  return out;
}

export function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((n) => before.get(n) !== after.get(n));
}

export async function one(sqlText: string, params: Param[] = []): Promise<number> {
  const row = (await sql(chat, sqlText, params))[0];
  if (!row) {
    throw new Error(`no row: ${sqlText} ${params.join(',')}`);
  }
  return Number(Object.values(row)[0]);
}

export function choiceByLabel(reply: ChatReply, label: string): string {
  const found = reply.replies.flatMap((r) => (r.choices ?? []).flat()).find((c) => c.label === label);
  if (!found) {
    throw new Error(`no choice "${label}" in:\n${reply.text}`);
  }
  return found.id;
}

export async function expectText(reply: Promise<ChatReply>, pattern: RegExp): Promise<ChatReply> {
  const r = await reply;
  expect(plainText(r.text), r.text).toMatch(pattern);
  return r;
}

/** An admin creates the invite in chat; the invitee redeems it. */
async function invited(key: string, role: Role, unitName: string): Promise<void> {
  const admin = user('admin');
  await chat.press(admin, 'menu:invite');
  const units = await chat.press(admin, `role:${role}`);
  await chat.press(admin, choiceByLabel(units, unitName));
  await chat.say(admin, `Người thử ${key}`);
  await chat.say(admin, '14');
  const done = await chat.press(admin, '@confirm:yes');
  const code = /Mã mời: ([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(plainText(done.text))?.[1];
  if (!code) {
    throw new Error(done.text);
  }
  await expectText(chat.say(user(key), code), /Đăng ký thành công/);
}

export async function guestPledge(
  key: string,
  name: string,
  levelCode: string,
  amount: string,
): Promise<void> {
  const donor = user(key);
  await chat.command(donor, 'ungho');
  await chat.press(donor, 'donorKind:individual');
  await chat.say(donor, name);
  await chat.say(donor, '0912 345 678');
  await chat.press(donor, 'workplace:');
  await chat.press(donor, 'kind:money');
  await chat.say(donor, amount);
  await chat.press(donor, `level:${ids.unit[levelCode]}`);
  await chat.press(donor, 'dueOn:');
  await chat.press(donor, 'publicName:no');
  await expectText(chat.press(donor, '@confirm:yes'), /Số đăng ký: UH-/);
}

async function orgPledge(key: string, amount: string): Promise<void> {
  const org = user(key);
  await chat.press(org, 'menu:pledge');
  await chat.press(org, 'kind:money');
  await chat.say(org, amount);
  await chat.press(org, 'target:0');
  await chat.press(org, 'dueOn:');
  await chat.press(org, 'publicName:yes');
  await expectText(chat.press(org, '@confirm:yes'), /Số đăng ký: UH-/);
}

async function receipt(key: string, pledgeId: number, amount: string): Promise<void> {
  const fund = user(key);
  await chat.press(fund, `menu:receipt:${pledgeId}`);
  await chat.say(fund, amount);
  await chat.press(fund, 'occurredOn:2025-03-10');
  await chat.press(fund, 'documentRef:');
  await expectText(chat.press(fund, '@confirm:yes'), /Đã ghi nhận khoản thu/);
}

async function feedback(key: string, unitCode: string, text: string): Promise<void> {
  const citizen = user(key);
  await chat.command(citizen, 'phananh');
  await chat.press(citizen, 'topic:household');
  await chat.press(citizen, `unit:${ids.unit[unitCode]}`);
  await chat.say(citizen, text);
  await chat.press(citizen, 'photo:');
  await chat.press(citizen, 'name:');
  await expectText(chat.press(citizen, '@confirm:yes'), /Số theo dõi: PA-/);
}

/** A model example of the officer's ward, through "🌟 Gương điển hình"; its id. */
async function modelExample(key: string, who: string): Promise<number> {
  const officerUser = user(key);
  await chat.press(officerUser, 'menu:example');
  await chat.say(officerUser, who);
  await chat.say(officerUser, 'Góp 30 ngày công dựng nhà cho hộ nghèo của tổ dân phố.');
  await chat.press(officerUser, 'photo:');
  await expectText(chat.press(officerUser, '@confirm:yes'), /Đã ghi nhận gương điển hình/);
  return one('SELECT id FROM "ModelExample" WHERE who = ?', [who]);
}

async function addHousehold(key: string, code: string, headName: string): Promise<void> {
  const officerUser = user(key);
  await chat.press(officerUser, 'menu:hhadd');
  for (const answer of [code, 'Tổ 2', headName, '1958']) {
    await chat.say(officerUser, answer);
  }
  await chat.press(officerUser, 'category:poor');
  await chat.press(officerUser, 'need:new_build');
  for (const step of ['foundationDurable:no', 'frameDurable:no', 'roofDurable:no']) {
    await chat.press(officerUser, step);
  }
  await chat.say(officerUser, '20');
  await chat.say(officerUser, '3');
  for (const step of ['landLegal:yes', 'landDisputed:no', 'inLandslideZone:no', 'confirmedByCommune:yes']) {
    await chat.press(officerUser, step);
  }
  await expectText(chat.press(officerUser, '@confirm:yes'), /Đã thêm hộ/);
}

/** Builds the world (about 10 s on SQLite): call it once from `beforeAll`, `closeAccessWorld` after. */
export async function startAccessWorld(): Promise<void> {
  // 10/03/2025, 10:00 in Hà Nội: inside the seeded campaign, February's report open.
  chat = await startSqliteChat('2025-03-10T03:00:00Z');
  const units = await sql(chat, 'SELECT id, code FROM "Unit"');
  const unit: Record<string, number> = Object.fromEntries(units.map((u) => [String(u.code), Number(u.id)]));
  ids = { unit } as Ids;

  await invited('leader-ducxuan', 'leader', 'Phường Đức Xuân');
  await invited('fund-songcau', 'fund_officer', 'Phường Sông Cầu');
  await invited('admin-songcau', 'admin', 'Phường Sông Cầu');
  await invited('org-nongdan', 'org_leader', 'Hội Nông dân thành phố Bắc Kạn');
  // Nobody invites a citizen in chat: the seeded demo invite is turned into one.
  await sql(chat, `UPDATE "Invite" SET role = 'citizen', "unitId" = ? WHERE code = 'DEMO2025'`, [
    unit[DX] ?? 0,
  ]);
  await expectText(chat.say(user('citizen'), 'DEMO2025'), /Đăng ký thành công/);

  await guestPledge('donor-sc', 'Bế Thị Riêng', SC, '5tr');
  await guestPledge('donor-dx', 'Đinh Văn Kín', DX, '7tr');
  await orgPledge('org-phunu', '50tr');
  await orgPledge('org-nongdan', '20tr');
  const pledgeOf = (donor: string) => one('SELECT id FROM "Pledge" WHERE "donorName" = ?', [donor]);
  ids.pledge = {
    org: await pledgeOf('Hội Liên hiệp Phụ nữ thành phố Bắc Kạn'),
    sc: await pledgeOf('Bế Thị Riêng'),
    dx: await pledgeOf('Đinh Văn Kín'),
  };

  await addHousehold('officer-songcau', 'SC-001', 'Sầm Văn Cầu');
  const households = await sql(chat, 'SELECT id, code FROM "Household"');
  ids.household = Object.fromEntries(households.map((h) => [String(h.code), Number(h.id)]));

  // The city's money: the Women's Union pays, 10 triệu go to Đức Xuân, 30 triệu to Nông Văn Tư's house.
  await receipt('fund', ids.pledge.org, '50tr');
  await receipt('fund-songcau', ids.pledge.sc, '5tr');
  const fund = user('fund');
  const to = await chat.press(fund, 'menu:transfer');
  await chat.press(fund, choiceByLabel(to, 'Phường Đức Xuân'));
  await chat.say(fund, '10tr');
  await chat.press(fund, 'occurredOn:2025-03-10');
  await chat.press(fund, 'note:');
  await expectText(chat.press(fund, '@confirm:yes'), /Đã chuyển 10\.000\.000 đ/);
  await chat.press(fund, `menu:alloc:${ids.household['DX-001']}`);
  await chat.say(fund, '30tr');
  await expectText(chat.press(fund, '@confirm:yes'), /Đã phân bổ 30\.000\.000 đ/);

  await feedback('citizen-chat-dx', DX, 'Nhà ông Tư ở tổ 1 dột nặng khi mưa');
  await feedback('citizen-chat-sc', SC, 'Hộ Sầm Văn Cầu cần được khảo sát lại');
  const feedbackOf = async (code: string) => {
    const row = (
      await sql(chat, 'SELECT id, ref FROM "Feedback" WHERE "unitId" = ?', [ids.unit[code] ?? 0])
    )[0];
    return { id: Number(row?.id), ref: String(row?.ref) };
  };
  ids.feedback = { dx: await feedbackOf(DX), sc: await feedbackOf(SC) };
  ids.example = {
    dx: await modelExample('officer-ducxuan', 'Chi hội Cựu chiến binh tổ 5'),
    sc: await modelExample('officer-songcau', 'Gia đình ông Sầm Văn Phúc'),
  };

  const register = (key: string, group: string) =>
    chat.inGroup(user(key), group, { kind: 'command', command: 'dangkynhom', args: '' });
  await expectText(register('leader-ducxuan', 'grp-dx'), /Chờ quản trị viên xác nhận/);
  await expectText(register('leader', 'grp-city'), /Chờ quản trị viên xác nhận/);
  const groupOf = (chatId: string) => one('SELECT id FROM "LeadershipGroup" WHERE "chatId" = ?', [chatId]);
  ids.group = { dx: await groupOf('grp-dx'), city: await groupOf('grp-city') };
  ids.period = await one(`SELECT id FROM "ReportingPeriod" ORDER BY id LIMIT 1`);

  // Everyone starts from a clean chat.
  for (const p of CAST) {
    await chat.command(user(p.key), 'huy');
  }
}

export async function closeAccessWorld(): Promise<void> {
  await chat?.close();
}
