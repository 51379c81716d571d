import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCsv } from '../bot/files/csv.ts';
import { readStatementFile } from '../bot/statements/statement-file.ts';
import type { Campaign } from '../core/campaigns/campaign.ts';
import {
  confirmAllProposals,
  confirmProposal,
  dismissLine,
  importStatement,
  type StatementRow,
  statementLines,
  walkInFromLine,
} from '../core/funds/statements/statement.ts';
import type { Outbound } from '../core/messaging/message.ts';
import type { Actor } from '../core/shared/actor.ts';
import { fromIsoDate } from '../core/shared/calendar.ts';
import { formatDate, formatMoney } from '../core/shared/format.ts';
import type { UnitOfWork } from '../core/unit-of-work.ts';
import type { SqlDb } from '../prisma/sql-db.ts';
import { createStore } from '../prisma/store.ts';
import {
  ACCEPTANCE_MIX,
  type GeneratedPledge,
  generateStatement,
  giveDonorsChats,
  insertPledges,
  pledgeSpecs,
  statementTable,
} from '../scripts/dev/generate-statement.ts';
import { seededDatabase } from './support/app-harness.ts';
import { recordEntry } from './support/fixtures.ts';

// Issue 17 §2 acceptance: a generated statement — 1,700 credits with a reference in ten mangled
// forms, 200 matching only by name and amount, 100 unmatched (the 2,000 credits), and 50
// debits: 2,050 lines — gives exactly those counts in a dry run; importing it twice, or an
// overlapping one, adds nothing more.
const NOW = new Date('2025-03-20T03:00:00Z');
let db: SqlDb;
let store: UnitOfWork;
let close: () => Promise<void>;
let campaign: Campaign;
let levelUnitId: number;
let pledges: GeneratedPledge[];
let rows: StatementRow[];
let withChat: Set<number>;

const input = (r: StatementRow[], dryRun: boolean, fileName = 'saoke.csv') => ({
  campaignId: campaign.id,
  levelUnitId,
  bank: 'vcb',
  fileName,
  rows: r,
  dryRun,
});

/** What the ledger and the statement tables hold: counts and sums that must not move on a re-import. */
async function snapshot() {
  const k = db.kysely;
  const entries = await k
    .selectFrom('FundEntry')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const totals = await k
    .selectFrom('FundTotal')
    .select(['levelUnitId', 'kind', 'amount', 'entries'])
    .orderBy('levelUnitId')
    .orderBy('kind')
    .execute();
  const lines = await k
    .selectFrom('StatementLine')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const received = await k.selectFrom('Pledge').select(['id', 'received']).orderBy('id').execute();
  return {
    entries: Number(entries.n),
    totals: totals.map((t) => `${t.levelUnitId}:${t.kind}:${t.amount}:${t.entries}`),
    lines: Number(lines.n),
    received: received.map((r) => `${r.id}:${r.received}`),
  };
}

beforeAll(async () => {
  ({ db, close } = await seededDatabase(NOW));
  store = createStore(db);
  await store.run(async (tx) => {
    const current = await tx.campaigns.findCurrent();
    const city = (await tx.units.listByKinds(['city'])).find((u) => u.code === '058');
    if (!current || !city) {
      throw new Error('seed missing');
    }
    campaign = current;
    levelUnitId = city.id;
  });
  pledges = await insertPledges(
    db,
    { campaignId: campaign.id, levelUnitId, at: NOW },
    pledgeSpecs(ACCEPTANCE_MIX),
  );
  ({ rows } = generateStatement(pledges, ACCEPTANCE_MIX, { seed: 7, firstDay: '2025-03-01' }));
  // Every other pledge was registered from a Telegram chat; the others have no one to tell.
  withChat = new Set(pledges.filter((_, i) => i % 2 === 0).map((p) => p.id));
  await giveDonorsChats(
    db,
    pledges.filter((p) => withChat.has(p.id)),
    NOW,
  );
}, 60_000);

/** The donors' receipt notices: one row per receipt and chat. */
const receiptNotices = () =>
  db.kysely
    .selectFrom('Outbox')
    .select(['idempotencyKey', 'chatId', 'channel', 'payload', 'purpose', 'personId'])
    .where('idempotencyKey', 'like', 'receipt-notice:%')
    .orderBy('id')
    .execute();

/** Exactly one notice per receipt against a pledge with a chat, to that chat; none for the others. */
async function expectOneNoticePerReceipt(
  lines: readonly { entryId: number | null; pledgeId: number | null }[],
): Promise<void> {
  const notices = await receiptNotices();
  const keys = new Set(notices.map((n) => n.idempotencyKey));
  for (const l of lines) {
    const key = `receipt-notice:${l.entryId}:telegram:${900_000 + (l.pledgeId ?? 0)}`;
    expect(keys.has(key)).toBe(withChat.has(l.pledgeId ?? 0));
  }
  expect(keys.size).toBe(notices.length);
}

afterAll(async () => {
  await close();
});

describe('bank statement import (issue 17 §2)', () => {
  it('the generated statement, read back from its CSV file, gives exactly the counts in a dry run and writes nothing', async () => {
    const csv = Buffer.from(`\uFEFF${formatCsv(statementTable('vcb', rows))}`, 'utf8');
    const file = await readStatementFile(csv, 'saoke.csv');
    expect(file.problems).toEqual([]);
    expect(file.bank).toBe('vcb');
    expect(file.rows).toHaveLength(2050);
    const before = await snapshot();
    const outcome = await store.run((tx) => importStatement(tx, null, input(file.rows, true), NOW, 'cli'));
    expect(outcome.refusal).toBeNull();
    expect(outcome.counts).toEqual({
      lines: 2050,
      matched: 1700,
      proposed: 200,
      unmatched: 100,
      debit: 50,
      alreadySeen: 0,
    });
    expect(outcome.importId).toBeNull();
    expect(await snapshot()).toEqual(before);
  }, 60_000);

  it('a real import records the matches as receipts; the same file again, and an overlapping one, add only what is new', async () => {
    const first = await store.run((tx) => importStatement(tx, null, input(rows, false), NOW, 'cli'));
    expect(first.counts).toMatchObject({
      matched: 1700,
      proposed: 200,
      unmatched: 100,
      debit: 50,
      alreadySeen: 0,
    });
    const matched = first.lines.filter((l) => l.status === 'matched');
    expect(matched.every((l) => l.entryId !== null && l.id !== null)).toBe(true);
    // A receipt against the pledge, on the bank's day, with the bank's transaction number.
    const sample = matched[0];
    const entry = await db.kysely
      .selectFrom('FundEntry')
      .selectAll()
      .where('id', '=', sample?.entryId ?? 0)
      .executeTakeFirstOrThrow();
    expect(entry).toMatchObject({
      kind: 'receipt',
      pledgeId: sample?.pledgeId,
      occurredOn: sample?.postedOn,
      documentRef: sample?.bankRef,
    });
    const pledge = await db.kysely
      .selectFrom('Pledge')
      .select(['amount', 'received'])
      .where('id', '=', sample?.pledgeId ?? 0)
      .executeTakeFirstOrThrow();
    expect(pledge.received).toBe(pledge.amount);

    // Each match's donor hears of it once, in their chat; a pledge without a person, nobody.
    await expectOneNoticePerReceipt(matched);
    const told = matched.filter((l) => withChat.has(l.pledgeId ?? 0));
    expect(told.length).toBeGreaterThan(800);
    expect(await receiptNotices()).toHaveLength(told.length);
    const heard = told[0];
    const notice = (await receiptNotices())[0];
    const paid = await db.kysely
      .selectFrom('Pledge')
      .select(['ref', 'donorName', 'amount', 'received'])
      .where('id', '=', heard?.pledgeId ?? 0)
      .executeTakeFirstOrThrow();
    const day = formatDate(fromIsoDate(heard?.postedOn ?? ''));
    expect(notice).toMatchObject({
      channel: 'telegram',
      chatId: String(900_000 + (heard?.pledgeId ?? 0)),
      purpose: 'notice',
      idempotencyKey: `receipt-notice:${heard?.entryId}:telegram:${900_000 + (heard?.pledgeId ?? 0)}`,
    });
    const message = JSON.parse(notice?.payload ?? '{}') as Outbound;
    expect(message.text).toBe(
      `💚 Quỹ "Vì người nghèo" thành phố Bắc Kạn đã nhận ${formatMoney(heard?.amount ?? 0n)} theo đăng ký ${paid.ref} (${paid.donorName}) ngày ${day}. Đến nay đã nộp ${formatMoney(paid.received)} trên ${formatMoney(paid.amount)} đã đăng ký. Trân trọng cảm ơn!`,
    );
    expect((message.choices ?? []).map((row) => row.map((c) => [c.id, c.label]))).toEqual([
      [[`menu:ackask:${heard?.entryId}`, `📄 Xin giấy xác nhận (${day})`]],
      [['menu:mypledges', '📄 Đăng ký của tôi']],
    ]);

    const after = await snapshot();
    expect(after.lines).toBe(2050);
    const again = await store.run((tx) => importStatement(tx, null, input(rows, false), NOW, 'cli'));
    expect(again.counts).toMatchObject({
      matched: 0,
      proposed: 0,
      unmatched: 0,
      debit: 0,
      alreadySeen: 2050,
    });
    expect(await snapshot()).toEqual(after);
    // Nothing recorded again, nobody told again.
    expect(await receiptNotices()).toHaveLength(told.length);

    // The last 1,050 lines again, and 20 new credits paying the first pledges a second time.
    const extra = generateStatement(
      pledges,
      { referenced: 20, byName: 0, unmatched: 0, debits: 0 },
      { seed: 8, firstDay: '2025-03-25' },
    ).rows;
    const overlapping = [...rows.slice(1000), ...extra].map((r, i) => ({ ...r, line: i + 1 }));
    const third = await store.run((tx) =>
      importStatement(tx, null, input(overlapping, false, 'saoke-2.csv'), NOW, 'cli'),
    );
    expect(third.counts).toMatchObject({ lines: 1070, alreadySeen: 1050, matched: 20 });
    const final = await snapshot();
    expect(final.lines).toBe(2070);
    expect(final.entries).toBe(after.entries + 20);
    const paidAgain = third.lines.filter((l) => l.status === 'matched');
    await expectOneNoticePerReceipt(paidAgain);
    expect(await receiptNotices()).toHaveLength(
      told.length + paidAgain.filter((l) => withChat.has(l.pledgeId ?? 0)).length,
    );
  }, 60_000);

  it('confirming proposals records receipts that update the pledge, once; walk-in and dismissal decide a line once', async () => {
    const proposed = await store.run((tx) =>
      statementLines(tx, null, { levelUnitId, status: 'proposed' }, 1000),
    );
    expect(proposed).toHaveLength(200);
    const one = proposed[0];
    if (!one) {
      throw new Error('no proposal');
    }
    const decided = await store.run((tx) => confirmProposal(tx, null, one.id, NOW, 'cli'));
    expect(decided.ok).toBe(true);
    const pledge = await db.kysely
      .selectFrom('Pledge')
      .select(['amount', 'received'])
      .where('id', '=', one.pledgeId ?? 0)
      .executeTakeFirstOrThrow();
    expect(pledge.received).toBe(pledge.amount);
    const twice = await store.run((tx) => confirmProposal(tx, null, one.id, NOW, 'cli'));
    expect(twice).toMatchObject({ ok: false, reason: { key: 'statement.refused.decided' } });
    const noticesBefore = (await receiptNotices()).length;

    const importId = one.importId;
    const all = await store.run((tx) => confirmAllProposals(tx, null, importId, NOW, 'cli'));
    expect(all).toMatchObject({ confirmed: 199, refused: 0 });
    // Each confirmed proposal is a receipt its donor hears of, once.
    const confirmed = await store.run((tx) =>
      statementLines(tx, null, { levelUnitId, status: 'confirmed' }, 1000),
    );
    expect(confirmed).toHaveLength(200);
    await expectOneNoticePerReceipt(confirmed);
    const toldConfirmed = confirmed.filter((l) => withChat.has(l.pledgeId ?? 0)).length;
    expect(toldConfirmed).toBeGreaterThan(0);
    expect((await receiptNotices()).length).toBe(
      noticesBefore + toldConfirmed - (withChat.has(one.pledgeId ?? 0) ? 1 : 0),
    );
    const openByName = await db.kysely
      .selectFrom('Pledge')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('amount', '>', 1_000_000n)
      .whereRef('received', '<', 'amount')
      .where('amount', '<', 1_500_000n)
      .where((eb) => eb('amount', 'not in', [1_500_000n, 1_000_000n]))
      .executeTakeFirstOrThrow();
    expect(Number(openByName.n)).toBe(0);

    const [unmatched, next] = await store.run((tx) =>
      statementLines(tx, null, { levelUnitId, status: 'unmatched' }, 2),
    );
    if (!unmatched || !next) {
      throw new Error('no unmatched lines');
    }
    const walkIn = await store.run((tx) =>
      walkInFromLine(tx, null, unmatched.id, { publicName: false }, NOW, 'cli'),
    );
    expect(walkIn.ok).toBe(true);
    const entry = await db.kysely
      .selectFrom('FundEntry')
      .selectAll()
      .where('id', '=', walkIn.ok ? (walkIn.entryId ?? 0) : 0)
      .executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ kind: 'receipt', pledgeId: null, amount: unmatched.amount });
    const dismissed = await store.run((tx) => dismissLine(tx, null, next.id, NOW, 'cli'));
    expect(dismissed.ok).toBe(true);
    expect(
      await store.run((tx) => walkInFromLine(tx, null, next.id, { publicName: false }, NOW, 'cli')),
    ).toMatchObject({ ok: false });
  }, 60_000);

  it('a debit is listed with the disbursement of the same amount it may be; a fund officer of another level is refused', async () => {
    const household = await db.kysely
      .selectFrom('Household')
      .select(['id', 'headName', 'need'])
      .limit(1)
      .executeTakeFirstOrThrow();
    await store.run(async (tx) => {
      const level = { levelUnitId, householdId: household.id, need: household.need as 'new_build' };
      await recordEntry(tx, campaign, { ...level, kind: 'allocation', amount: 40_000_000n }, NOW);
      await recordEntry(tx, campaign, { ...level, kind: 'disbursement', amount: 40_000_000n }, NOW);
    });
    const debit: StatementRow = {
      line: 1,
      postedOn: '2025-03-19',
      direction: 'debit',
      amount: 40_000_000n,
      description: 'CHI HO TRO XAY NHA',
    };
    const outcome = await store.run((tx) => importStatement(tx, null, input([debit], true), NOW, 'cli'));
    expect(outcome.lines[0]?.candidates).toEqual([
      expect.objectContaining({
        kind: 'disbursement',
        amount: 40_000_000n,
        householdName: household.headName,
      }),
    ]);
    const stranger: Actor = { personId: 999, fullName: 'Khác', locale: 'vi', memberships: [] };
    const refused = await store.run((tx) =>
      importStatement(tx, stranger, input([debit], false), NOW, 'telegram'),
    );
    expect(refused.refusal).toEqual({ key: 'fund.refused.not_fund_officer' });
    expect(refused.lines).toEqual([]);
  }, 60_000);
});
