import type { Campaign } from '../../campaigns/campaign.ts';
import { addressOf, closedRefusal } from '../../campaigns/campaign-of.ts';
import type { Text } from '../../flows/flow.ts';
import type { AuditChannel } from '../../messaging/outbox.repository.ts';
import { keepsLevel } from '../../people/fund-levels.ts';
import type { Actor } from '../../shared/actor.ts';
import { AppError } from '../../shared/app-error.ts';
import { fromIsoDate } from '../../shared/calendar.ts';
import { formatDate, formatMoney } from '../../shared/format.ts';
import { PHASE, progressPhase } from '../../shared/progress.ts';
import type { Tx } from '../../unit-of-work.ts';
import { verifyByReceipt } from '../flows/receipt.ts';
import type { NewFundEntry } from '../fund.repository.ts';
import { fundEntry, recordReceipt, recordReceipts, toLedgerEntry } from '../fund-service.ts';
import { fold } from '../ledger.ts';
import { noticeReceipt, noticeReceipts, type PledgeReceipt } from '../receipt-notice.ts';
import type { BankMapping } from './bank-mapping.ts';
import { fingerprints } from './fingerprint.ts';
import type { NewStatementLine, StatementLineRecord } from './statement.repository.ts';
import { indexPledges, matchCredit, type PledgeIndex } from './statement-match.ts';
import type {
  ConfirmAllOutcome,
  DebitCandidate,
  ImportStatementInput,
  StatementDecision,
  StatementLineStatus,
  StatementLineView,
  StatementOutcome,
  StatementOutcomeLine,
} from './statement-types.ts';

export type * from './statement-types.ts';
export type { BankMapping };

/**
 * Bank statements matched to pledges (issue 17 §2): the use cases the CLI and the chat call. A fund
 * officer's statement (CSV/XLSX as the bank exports it, read by bot/statements/statement-file.ts)
 * becomes `StatementRow`s; `importStatement` keeps each line once per fund level (its fingerprint)
 * and classifies it: a credit naming a live pledge's reference is recorded at once as a receipt
 * against it ("matched"); one whose payer's name and amount fit an open pledge is "proposed" for
 * the officer to confirm; other credits are "unmatched" (they may become walk-in receipts); debits
 * are listed beside the disbursements they may be.
 *
 * `actor`: the fund officer in a chat (refused at a level they do not keep), or null for the
 * operator's shell (the CLI, channel 'cli'). Each use case writes its audit row in `tx`.
 */

const ENTITY = 'StatementLine';

/** Whatever refuses work at the level: not the actor's level, no such campaign, a closed one. */
async function refusalAt(
  tx: Tx,
  actor: Actor | null,
  campaignId: number,
  levelUnitId: number,
  now: Date,
  writing: boolean,
): Promise<{ campaign: Campaign; refusal: null } | { campaign: Campaign | undefined; refusal: Text }> {
  const campaign = await tx.campaigns.findById(campaignId);
  if (!campaign) {
    return { campaign, refusal: { key: 'fund.refused.nothing_saved' } };
  }
  if (actor && !(await keepsLevel(tx, actor, 'fund.receipt', levelUnitId))) {
    return { campaign, refusal: { key: 'fund.refused.not_fund_officer' } };
  }
  const closed = writing ? await closedRefusal(tx, campaign, 'fund', now, addressOf(campaign)) : undefined;
  return closed ? { campaign, refusal: closed } : { campaign, refusal: null };
}

const ledgerChannel = (channel: AuditChannel) => (channel === 'cli' ? null : channel);

/** A credit as a receipt of its level: the bank's transaction number as the voucher, its day as the day received. */
function creditReceipt(
  credit: {
    campaignId: number;
    levelUnitId: number;
    amount: bigint;
    bankRef: string | null;
    postedOn: string;
  },
  actor: Actor | null,
  channel: AuditChannel,
  fields: Partial<NewFundEntry>,
): NewFundEntry & { kind: 'receipt' } {
  return {
    ...fundEntry({
      campaignId: credit.campaignId,
      kind: 'receipt',
      levelUnitId: credit.levelUnitId,
      amount: credit.amount,
      documentRef: credit.bankRef,
      occurredOn: credit.postedOn,
      personId: actor?.personId ?? null,
      channel: ledgerChannel(channel),
      ...fields,
    }),
    kind: 'receipt',
  };
}

/** The disbursements of the level and its allocations not yet paid, by amount (debits' candidates). */
async function debitCandidates(
  tx: Tx,
  campaignId: number,
  levelUnitId: number,
): Promise<Map<bigint, DebitCandidate[]>> {
  const rows = await tx.funds.entriesTouching(campaignId, { levels: [levelUnitId], householdIds: [] });
  const state = fold(rows.map(toLedgerEntry));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const found: Omit<DebitCandidate, 'householdName'>[] = [];
  for (const r of rows) {
    if (r.kind === 'disbursement' && r.levelUnitId === levelUnitId && !state.reversed.has(r.id)) {
      found.push({
        entryId: r.id,
        kind: 'disbursement',
        householdId: r.householdId ?? 0,
        amount: r.amount,
        occurredOn: r.occurredOn,
      });
    }
  }
  for (const [key, a] of state.allocations) {
    const unpaid = a.amount - a.paid;
    if (a.level === levelUnitId && unpaid > 0n) {
      found.push({
        entryId: a.entryId,
        kind: 'allocation',
        householdId: Number(key.split(':')[0]),
        amount: unpaid,
        occurredOn: byId.get(a.entryId)?.occurredOn ?? '',
      });
    }
  }
  const names = new Map<number, string>();
  const byAmount = new Map<bigint, DebitCandidate[]>();
  for (const c of found) {
    if (!names.has(c.householdId)) {
      names.set(c.householdId, (await tx.households.findById(c.householdId))?.headName ?? '');
    }
    const list = byAmount.get(c.amount) ?? [];
    list.push({ ...c, householdName: names.get(c.householdId) ?? '' });
    byAmount.set(c.amount, list);
  }
  return byAmount;
}

function emptyOutcome(input: ImportStatementInput, refusal: Text): StatementOutcome {
  return {
    refusal,
    importId: null,
    dryRun: input.dryRun,
    bank: input.bank,
    fileName: input.fileName,
    levelUnitId: input.levelUnitId,
    counts: { lines: input.rows.length, matched: 0, proposed: 0, unmatched: 0, debit: 0, alreadySeen: 0 },
    lines: [],
  };
}

/**
 * Reads a statement into the level's lines: classifies every line (see the module comment) and,
 * unless `dryRun`, records the matches as receipts against their pledges (the bank's transaction
 * number as the voucher, the bank's day as the day received, overpayment flagged), keeps the new
 * lines and the import, tells each match's donor and audits it. Lines an earlier import brought are reported as seen and
 * change nothing, so importing a file again, or one overlapping it, adds only what is new.
 */
export async function importStatement(
  tx: Tx,
  actor: Actor | null,
  input: ImportStatementInput,
  now: Date,
  channel: AuditChannel,
): Promise<StatementOutcome> {
  const { campaignId, levelUnitId, rows, dryRun } = input;
  const checked = await refusalAt(tx, actor, campaignId, levelUnitId, now, !dryRun);
  if (checked.refusal) {
    return emptyOutcome(input, checked.refusal);
  }
  const prints = fingerprints(rows);
  const seen = await tx.statements.seen(levelUnitId, prints);
  const index = indexPledges(await tx.statements.levelPledges(campaignId, levelUnitId));
  const hasDebits = rows.some((r, i) => r.direction === 'debit' && !seen.has(prints[i] ?? ''));
  const debits = hasDebits ? await debitCandidates(tx, campaignId, levelUnitId) : new Map();
  const counts = { lines: rows.length, matched: 0, proposed: 0, unmatched: 0, debit: 0, alreadySeen: 0 };
  const checking = progressPhase(input.progress, PHASE.check, 'dòng', rows.length);
  const lines: StatementOutcomeLine[] = rows.map((row, i) => {
    checking.at(i);
    const base: StatementOutcomeLine = {
      id: null,
      seenId: seen.get(prints[i] ?? '') ?? null,
      line: row.line,
      postedOn: row.postedOn,
      direction: row.direction,
      amount: row.amount,
      description: row.description,
      counterparty: row.counterparty ?? null,
      bankRef: row.bankRef ?? null,
      status: 'seen',
      pledgeId: null,
      pledgeRef: null,
      donorName: null,
      score: null,
      entryId: null,
      overpayment: false,
      candidates: [],
    };
    if (base.seenId !== null) {
      counts.alreadySeen++;
      return base;
    }
    if (row.direction === 'debit') {
      counts.debit++;
      return { ...base, status: 'debit', candidates: debits.get(row.amount) ?? [] };
    }
    const match = matchCredit(index, row);
    counts[match.status]++;
    if (match.status === 'unmatched') {
      return { ...base, status: 'unmatched' };
    }
    const { pledge } = match;
    const named = { pledgeId: pledge.id, pledgeRef: pledge.ref, donorName: pledge.donorName };
    return match.status === 'matched'
      ? { ...base, ...named, status: 'matched', score: 1, overpayment: match.overpayment }
      : { ...base, ...named, status: 'proposed', score: match.score };
  });
  checking.finish();
  const outcome: StatementOutcome = {
    refusal: null,
    importId: null,
    dryRun,
    bank: input.bank,
    fileName: input.fileName,
    levelUnitId,
    counts,
    lines,
  };
  if (dryRun) {
    return outcome;
  }
  const freshAt = lines.flatMap((l, i) => (l.status === 'seen' ? [] : [i]));
  const fresh = freshAt.map((i) => lines[i] as StatementOutcomeLine);
  const writing = progressPhase(input.progress, PHASE.write, 'dòng', fresh.length);
  outcome.importId = await tx.statements.createImport(
    {
      campaignId,
      levelUnitId,
      bank: input.bank,
      fileName: input.fileName,
      lines: rows.length,
      added: fresh.length,
      personId: actor?.personId ?? null,
      channel,
    },
    now,
  );
  const matches = fresh.filter((l) => l.status === 'matched' && l.pledgeId !== null);
  const entries = matches.map((l) =>
    creditReceipt({ ...l, campaignId, levelUnitId }, actor, channel, {
      pledgeId: l.pledgeId,
      overpayment: l.overpayment,
    }),
  );
  const recorded = await recordReceipts(tx, entries, now);
  if (!recorded.ok) {
    throw new AppError('INTERNAL', `a statement receipt was refused: ${recorded.refusal.code}`);
  }
  matches.forEach((l, i) => {
    l.entryId = recorded.ids[i] ?? null;
  });
  // Money received against a pledge waiting for verification verifies it, as the receipt flow does.
  if (actor) {
    const paid = new Set(matches.map((l) => l.pledgeId));
    const pending = [...index.byRef.values()].filter((p) => p.verification === 'pending' && paid.has(p.id));
    for (const p of pending) {
      await verifyByReceipt(tx, actor, p, now, ledgerChannel(channel));
    }
  }
  await noticeMatches(tx, index, matches, entries, now);
  const toStore: NewStatementLine[] = fresh.map((l, i) => ({
    campaignId,
    levelUnitId,
    importId: outcome.importId ?? 0,
    fingerprint: prints[freshAt[i] ?? 0] ?? '',
    postedOn: l.postedOn,
    direction: l.direction,
    amount: l.amount,
    description: l.description,
    counterparty: l.counterparty,
    bankRef: l.bankRef,
    status: l.status,
    pledgeId: l.pledgeId,
    entryId: l.entryId,
    score: l.score,
  }));
  const ids = await tx.statements.insertLines(toStore, now);
  writing.finish();
  fresh.forEach((l, i) => {
    l.id = ids[i] ?? null;
  });
  await tx.audit.record(
    {
      personId: actor?.personId ?? null,
      channel,
      action: 'fund.statement.import',
      entity: 'StatementImport',
      entityId: String(outcome.importId),
      after: {
        bank: input.bank,
        fileName: input.fileName,
        levelUnitId,
        ...counts,
        receipts: fresh.flatMap((l) => (l.entryId === null ? [] : [l.entryId])),
      },
    },
    now,
  );
  return outcome;
}

/**
 * The donors hear of the matches (one notice per receipt, all enqueued at once), each with what its
 * pledge has received with it: a pledge paid twice in the file hears of both, in the file's order.
 */
async function noticeMatches(
  tx: Tx,
  index: PledgeIndex,
  matches: readonly StatementOutcomeLine[],
  entries: readonly NewFundEntry[],
  now: Date,
): Promise<void> {
  const levelUnitId = entries[0]?.levelUnitId;
  if (levelUnitId === undefined) {
    return;
  }
  const levelName = (await tx.units.findById(levelUnitId))?.name ?? '';
  const received = new Map<number, bigint>();
  const receipts: PledgeReceipt[] = [];
  matches.forEach((l, i) => {
    const pledge = l.pledgeRef === null ? undefined : index.byRef.get(l.pledgeRef);
    const entry = entries[i];
    if (!pledge || pledge.personId === null || !entry || l.entryId === null) {
      return;
    }
    const after = (received.get(pledge.id) ?? pledge.received) + l.amount;
    received.set(pledge.id, after);
    receipts.push({ entry: { ...entry, id: l.entryId, createdAt: now }, pledge, received: after, levelName });
  });
  await noticeReceipts(tx, receipts, now);
}

/** A stored line as the officer's lists show it. */
function lineView(r: StatementLineRecord, pledge?: { ref: string; donorName: string }): StatementLineView {
  return {
    id: r.id,
    importId: r.importId,
    seenId: null,
    line: 0,
    postedOn: r.postedOn,
    direction: r.direction,
    amount: r.amount,
    description: r.description,
    counterparty: r.counterparty,
    bankRef: r.bankRef,
    status: r.status as StatementLineStatus,
    pledgeId: r.pledgeId,
    pledgeRef: pledge?.ref ?? null,
    donorName: pledge?.donorName ?? null,
    score: r.score,
    entryId: r.entryId,
    overpayment: false,
    candidates: [],
  };
}

/** The line and its campaign, if the actor may decide on it; else why not. */
async function decidable(
  tx: Tx,
  actor: Actor | null,
  lineId: number,
  now: Date,
  statuses: readonly string[],
): Promise<{ ok: true; line: StatementLineRecord } | { ok: false; reason: Text }> {
  const line = await tx.statements.findLine(lineId);
  if (!line) {
    return { ok: false, reason: { key: 'statement.refused.gone' } };
  }
  const checked = await refusalAt(tx, actor, line.campaignId, line.levelUnitId, now, true);
  if (checked.refusal) {
    return { ok: false, reason: checked.refusal };
  }
  if (!statuses.includes(line.status)) {
    return { ok: false, reason: { key: 'statement.refused.decided', params: { id: line.id } } };
  }
  return { ok: true, line };
}

async function auditDecision(
  tx: Tx,
  actor: Actor | null,
  line: StatementLineRecord,
  after: { status: string; entryId: number | null },
  now: Date,
  channel: AuditChannel,
): Promise<void> {
  await tx.audit.record(
    {
      personId: actor?.personId ?? null,
      channel,
      action: `fund.statement.${after.status}`,
      entity: ENTITY,
      entityId: String(line.id),
      before: { status: line.status },
      after,
    },
    now,
  );
}

const nothingSaved = { ok: false, reason: { key: 'fund.refused.nothing_saved' } } as const;

/** The line moves from its status to `to` (unless another decision came first) and that is audited. */
async function decideLine(
  tx: Tx,
  actor: Actor | null,
  line: StatementLineRecord,
  to: { status: string; entryId: number | null; pledgeId: number | null },
  now: Date,
  channel: AuditChannel,
): Promise<boolean> {
  if (!(await tx.statements.decide(line.id, line.status, to, actor?.personId ?? null, now))) {
    return false;
  }
  await auditDecision(tx, actor, line, { status: to.status, entryId: to.entryId }, now, channel);
  return true;
}

/**
 * The credit line becomes a receipt (`fields`: its pledge, payer…) and takes `status`; a receipt
 * against a pledge is announced to its donor.
 */
async function receiptFromLine(
  tx: Tx,
  actor: Actor | null,
  line: StatementLineRecord,
  status: 'confirmed' | 'walk_in',
  fields: Partial<NewFundEntry>,
  now: Date,
  channel: AuditChannel,
): Promise<{ ok: true; entryId: number } | typeof nothingSaved> {
  const recorded = await recordReceipt(tx, creditReceipt(line, actor, channel, fields), now);
  if (
    !recorded.ok ||
    !(await decideLine(
      tx,
      actor,
      line,
      { status, entryId: recorded.id, pledgeId: fields.pledgeId ?? null },
      now,
      channel,
    ))
  ) {
    return nothingSaved;
  }
  if (fields.pledgeId) {
    await noticeReceipt(tx, recorded.id, now);
  }
  return { ok: true, entryId: recorded.id };
}

/** A proposed line becomes a receipt against its pledge (status `confirmed`). */
export async function confirmProposal(
  tx: Tx,
  actor: Actor | null,
  lineId: number,
  now: Date,
  channel: AuditChannel,
): Promise<StatementDecision> {
  const found = await decidable(tx, actor, lineId, now, ['proposed']);
  if (!found.ok) {
    return found;
  }
  const { line } = found;
  const pledge = line.pledgeId === null ? undefined : await tx.pledges.findById(line.pledgeId);
  if (!pledge || pledge.cancelledAt !== null) {
    return {
      ok: false,
      reason: { key: 'fund.refused.pledge_cancelled', params: { ref: pledge?.ref ?? '' } },
    };
  }
  const overpayment = line.amount > pledge.amount - pledge.received;
  const recorded = await receiptFromLine(
    tx,
    actor,
    line,
    'confirmed',
    { pledgeId: pledge.id, overpayment },
    now,
    channel,
  );
  if (!recorded.ok) {
    return recorded;
  }
  const lines: Text[] = [
    {
      key: 'statement.confirmed',
      params: {
        amount: formatMoney(line.amount),
        donor: pledge.donorName,
        ref: pledge.ref,
        day: formatDate(fromIsoDate(line.postedOn)),
      },
    },
  ];
  if (actor) {
    lines.push(...(await verifyByReceipt(tx, actor, pledge, now, ledgerChannel(channel))));
  }
  if (overpayment) {
    const extra = pledge.received + line.amount - pledge.amount;
    lines.push({ key: 'pledge.card.overpaid', params: { extra: formatMoney(extra) } });
  }
  return { ok: true, lineId: line.id, entryId: recorded.entryId, lines };
}

/** Every proposal still open of an import becomes a receipt. */
export async function confirmAllProposals(
  tx: Tx,
  actor: Actor | null,
  importId: number,
  now: Date,
  channel: AuditChannel,
): Promise<ConfirmAllOutcome> {
  const first = (await tx.statements.listLines({ importId, status: 'proposed' }, 100_000)).reverse();
  let confirmed = 0;
  let refused = 0;
  for (const line of first) {
    const decision = await confirmProposal(tx, actor, line.id, now, channel);
    if (decision.ok) {
      confirmed++;
    } else {
      refused++;
    }
  }
  return {
    confirmed,
    refused,
    lines: [{ key: 'statement.confirmed_all', params: { confirmed, refused } }],
  };
}

/** A credit no pledge fits becomes a receipt without a pledge (status `walk_in`). */
export async function walkInFromLine(
  tx: Tx,
  actor: Actor | null,
  lineId: number,
  payer: { payerName?: string; publicName: boolean },
  now: Date,
  channel: AuditChannel,
): Promise<StatementDecision> {
  const found = await decidable(tx, actor, lineId, now, ['unmatched', 'proposed']);
  if (!found.ok) {
    return found;
  }
  const { line } = found;
  if (line.direction !== 'credit') {
    return { ok: false, reason: { key: 'statement.refused.not_credit' } };
  }
  const payerName = (payer.payerName ?? line.counterparty ?? '').trim();
  const recorded = await receiptFromLine(
    tx,
    actor,
    line,
    'walk_in',
    { note: payerName, publicName: payer.publicName },
    now,
    channel,
  );
  if (!recorded.ok) {
    return recorded;
  }
  return {
    ok: true,
    lineId: line.id,
    entryId: recorded.entryId,
    lines: [
      {
        key: 'statement.walk_in',
        params: {
          amount: formatMoney(line.amount),
          payer: payerName,
          day: formatDate(fromIsoDate(line.postedOn)),
        },
      },
    ],
  };
}

/** The officer sets a line aside (status `dismissed`); nothing is recorded in the ledger. */
export async function dismissLine(
  tx: Tx,
  actor: Actor | null,
  lineId: number,
  now: Date,
  channel: AuditChannel,
): Promise<StatementDecision> {
  const found = await decidable(tx, actor, lineId, now, ['proposed', 'unmatched', 'debit']);
  if (!found.ok) {
    return found;
  }
  const { line } = found;
  if (
    !(await decideLine(
      tx,
      actor,
      line,
      { status: 'dismissed', entryId: null, pledgeId: line.pledgeId },
      now,
      channel,
    ))
  ) {
    return nothingSaved;
  }
  return {
    ok: true,
    lineId: line.id,
    entryId: null,
    lines: [{ key: 'statement.dismissed', params: { id: line.id } }],
  };
}

/** The stored lines of a level (newest first), optionally of one status or one import. */
export async function statementLines(
  tx: Tx,
  actor: Actor | null,
  filter: { levelUnitId: number; status?: StatementLineStatus; importId?: number },
  limit: number,
): Promise<StatementLineView[]> {
  if (actor && !(await keepsLevel(tx, actor, 'fund.receipt', filter.levelUnitId))) {
    return [];
  }
  const rows = await tx.statements.listLines(filter, limit);
  const pledges = new Map<number, { ref: string; donorName: string }>();
  for (const r of rows) {
    if (r.pledgeId !== null && !pledges.has(r.pledgeId)) {
      const p = await tx.pledges.findById(r.pledgeId);
      pledges.set(r.pledgeId, { ref: p?.ref ?? '', donorName: p?.donorName ?? '' });
    }
  }
  return rows.map((r) => lineView(r, r.pledgeId === null ? undefined : pledges.get(r.pledgeId)));
}
