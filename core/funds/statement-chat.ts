import { z } from 'zod';
import type { Text } from '../flows/flow.ts';
import { type Locale, t } from '../messaging/catalog.ts';
import type { Channel, Choice, Inbound, InboundMedia, Outbound } from '../messaging/message.ts';
import { fundLevelsFor, keepsLevel } from '../people/fund-levels.ts';
import type { Actor } from '../shared/actor.ts';
import { fromIsoDate } from '../shared/calendar.ts';
import { formatDate, formatMoney } from '../shared/format.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import type { Tx } from '../unit-of-work.ts';
import { confirmedCampaign, entryCampaign } from './flows/shared.ts';
import { fundName } from './fund-views.ts';
import type { StatementLineRecord } from './statements/statement.repository.ts';
import {
  confirmAllProposals,
  confirmProposal,
  type DebitCandidate,
  dismissLine,
  importStatement,
  type StatementDecision,
  type StatementLineStatus,
  type StatementLineView,
  type StatementOutcome,
  type StatementRow,
  statementLines,
} from './statements/statement.ts';

/**
 * A fund officer imports a bank statement in the chat (issue 17 §2): they send the file, the bot
 * answers "Đang đọc sao kê…" and a worker of the bot (bot/statements/statement-worker.ts) fetches
 * the file from the channel, reads it and imports it — outside the message's transaction, which must
 * not wait on a download. The officer then confirms proposals one tap each or all at once, turns
 * unmatched credits into walk-in receipts or sets them aside; every press re-checks the officer's
 * level and the line's status in its own transaction.
 *
 * The upload waiting for the worker is a FlowState row of its own (flow `statement-upload`, under
 * the chat id `statement:<chat>`): durable across a restart, one per chat, beside the chat's own
 * conversation (which stays open), with no table of its own. Its steps: `level` (the officer keeps
 * several fund levels and is asked which), `queued` (for the worker), `reading` (claimed by it).
 */

export const STATEMENT_UPLOAD_FLOW = 'statement-upload';
export const STATEMENT_UPLOAD_VERSION = 1;
export type StatementUploadStep = 'level' | 'queued' | 'reading';
/** Statements larger than this are refused (a month of a busy fund's account is far below). */
export const STATEMENT_MAX_BYTES = 5 * 1024 * 1024;
/** An upload not read within an hour (the bot down meanwhile) is forgotten; the officer sends it again. */
const UPLOAD_KEEP_MS = 60 * 60_000;
/** Downloads that failed for a passing reason are tried this many times in all. */
export const STATEMENT_FETCH_ATTEMPTS = 3;
/** At most this many lines of a file are read (a year of a ward fund's account is a few hundred). */
const MAX_LINES = 20_000;

export const ZStatementUpload = z.object({
  /** The message that brought the file (its channel event id): the result's outbox keys. */
  uploadId: z.string(),
  fileId: z.string(),
  fileName: z.string(),
  personId: z.number(),
  campaignId: z.number(),
  /** Null while the officer is asked which of their levels the statement is of. */
  levelUnitId: z.number().nullable(),
  attempts: z.number(),
});
export type TStatementUpload = z.infer<typeof ZStatementUpload>;

/** An upload as its FlowState row's data holds it; undefined when it holds something else. */
export function parseUpload(data: string): TStatementUpload | undefined {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return undefined;
  }
  const parsed = ZStatementUpload.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/** The FlowState chat id an upload is kept under, beside the chat's own conversation. */
export function uploadChatId(chatId: string): string {
  return `statement:${chatId}`;
}

/** An answer to the officer: lines, buttons, or the main menu after them (`menu`). */
export interface StatementAnswer {
  lines: Text[];
  choices?: Choice[][];
  menu?: boolean;
}

const SHEET_EXTENSIONS = ['csv', 'xlsx'];
const SHEET_TYPES = [
  'text/csv',
  'application/csv',
  'text/comma-separated-values',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
];

/** What a file looks like by its name and type: a statement's format, something else, or unknown. */
function fileKind(media: InboundMedia): 'sheet' | 'other' | 'unknown' {
  const extension = /\.([a-z0-9]{1,5})$/i.exec(media.fileName ?? '')?.[1]?.toLowerCase();
  const type = media.mimeType?.toLowerCase();
  if ((extension && SHEET_EXTENSIONS.includes(extension)) || (type && SHEET_TYPES.includes(type))) {
    return 'sheet';
  }
  return extension || (type && type !== 'application/octet-stream') ? 'other' : 'unknown';
}

/** The file's name as the officer sees it (a name-less Zalo file is "tệp sao kê"). */
function shownName(media: InboundMedia, locale: Locale): string {
  const name = (media.fileName ?? '').replace(/[\r\n\t]/g, ' ').trim();
  return name === '' ? t(locale, 'stmtchat.unnamed') : name.slice(0, 80);
}

async function uploadOf(
  tx: Tx,
  channel: Channel,
  chatId: string,
  now: Date,
): Promise<{ step: StatementUploadStep; upload: TStatementUpload } | undefined> {
  const stored = await tx.flows.find(channel, uploadChatId(chatId));
  if (
    !stored ||
    stored.flow !== STATEMENT_UPLOAD_FLOW ||
    stored.version !== STATEMENT_UPLOAD_VERSION ||
    stored.expiresAt <= now
  ) {
    return undefined;
  }
  const upload = parseUpload(stored.data);
  const step = stored.step as StatementUploadStep;
  return upload && ['level', 'queued', 'reading'].includes(step) ? { step, upload } : undefined;
}

async function saveUpload(
  tx: Tx,
  channel: Channel,
  chatId: string,
  step: StatementUploadStep,
  upload: TStatementUpload,
  now: Date,
): Promise<void> {
  await tx.flows.save(
    channel,
    uploadChatId(chatId),
    {
      flow: STATEMENT_UPLOAD_FLOW,
      version: STATEMENT_UPLOAD_VERSION,
      step,
      data: JSON.stringify(upload),
      expiresAt: new Date(now.getTime() + UPLOAD_KEEP_MS),
    },
    now,
  );
}

/**
 * A member sent a file. Taken (an answer) when it is a fund officer's — queued for reading, or
 * refused with what to do — or a statement-like file of someone else (refused politely); undefined
 * for anyone else's other files, which the chat answers as before.
 */
export async function receiveStatementFile(
  tx: Tx,
  actor: Actor,
  inbound: Pick<Inbound, 'channel' | 'chatId' | 'externalId'>,
  media: InboundMedia,
  now: Date,
  locale: Locale,
): Promise<StatementAnswer | undefined> {
  const kind = fileKind(media);
  const file = shownName(media, locale);
  const levels = await fundLevelsFor(tx, actor, 'fund.receipt');
  if (levels.length === 0) {
    return kind === 'sheet'
      ? {
          lines: [{ key: 'fund.refused.not_fund_officer' }, { key: 'stmtchat.not_read', params: { file } }],
          menu: true,
        }
      : undefined;
  }
  if (kind === 'other') {
    return { lines: [{ key: 'stmtchat.refused.format', params: { file } }], menu: true };
  }
  if (media.size !== undefined && media.size > STATEMENT_MAX_BYTES) {
    return { lines: [tooLarge(file, media.size)], menu: true };
  }
  const current = await entryCampaign(tx, now, actor);
  if (!current.ok) {
    return { lines: [current.reason, { key: 'stmtchat.not_read', params: { file } }], menu: true };
  }
  const waiting = await uploadOf(tx, inbound.channel, inbound.chatId, now);
  if (waiting && waiting.step !== 'level') {
    return { lines: [{ key: 'stmtchat.busy', params: { file: waiting.upload.fileName } }] };
  }
  const only = levels.length === 1 ? levels[0] : undefined;
  const upload: TStatementUpload = {
    uploadId: inbound.externalId,
    fileId: media.fileId,
    fileName: file,
    personId: actor.personId,
    campaignId: current.campaign.id,
    levelUnitId: only?.id ?? null,
    attempts: 0,
  };
  await saveUpload(tx, inbound.channel, inbound.chatId, only ? 'queued' : 'level', upload, now);
  if (only) {
    return { lines: [{ key: 'stmtchat.reading', params: { file, fund: fundName(only.name) } }] };
  }
  return {
    lines: [{ key: 'stmtchat.ask_level', params: { file } }],
    choices: levels.map((l) => [
      { id: menuButtonId('stmtlevel', l.id), label: render(locale, [fundName(l.name)]) },
    ]),
  };
}

/** The officer picked the fund level of the file waiting in their chat: it is queued for reading. */
export async function chooseStatementLevel(
  tx: Tx,
  actor: Actor,
  inbound: Pick<Inbound, 'channel' | 'chatId'>,
  levelUnitId: number,
  now: Date,
): Promise<StatementAnswer> {
  if (!(await keepsLevel(tx, actor, 'fund.receipt', levelUnitId))) {
    return { lines: [{ key: 'fund.refused.not_fund_officer' }], menu: true };
  }
  const waiting = await uploadOf(tx, inbound.channel, inbound.chatId, now);
  if (waiting?.step !== 'level') {
    return { lines: [{ key: 'stmtchat.level_gone' }], menu: true };
  }
  const level = await tx.units.findById(levelUnitId);
  const upload = { ...waiting.upload, levelUnitId, personId: actor.personId };
  await saveUpload(tx, inbound.channel, inbound.chatId, 'queued', upload, now);
  return {
    lines: [
      { key: 'stmtchat.reading', params: { file: upload.fileName, fund: fundName(level?.name ?? '') } },
    ],
  };
}

function tooLarge(file: string, size: number): Text {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1).replace('.', ',')} MB`;
  return {
    key: 'stmtchat.refused.too_large',
    params: { file, size: mb(size), max: mb(STATEMENT_MAX_BYTES) },
  };
}

/** What the worker made of the file. */
export type StatementRead =
  | {
      ok: true;
      bank: string;
      bankName: string;
      rows: StatementRow[];
      /** Lines that could not be read (line 0: the whole file), in Vietnamese. */
      problems: { line: number; message: string }[];
    }
  /**
   * too_large: above the limit; unavailable: the channel no longer gives the file; unreadable: not
   * a spreadsheet or CSV at all; failed: the import itself failed (nothing was saved).
   */
  | { ok: false; reason: 'too_large' | 'unavailable' | 'unreadable' | 'failed'; size?: number };

/**
 * The worker's end of an upload, in one transaction: the upload claimed (`uploadId`) is taken off
 * the chat, the officer's level and the campaign are checked again, the statement is imported and
 * the result (or why nothing was saved) is put in the outbox for the chat. False when the upload
 * is no longer there (handled by another instance, replaced after it expired).
 */
export async function finishStatementUpload(
  tx: Tx,
  address: { channel: Channel; chatId: string },
  uploadId: string,
  read: StatementRead,
  now: Date,
): Promise<boolean> {
  const { channel, chatId } = address;
  await tx.lock(`statement:${channel}:${chatId}`);
  const stored = await tx.flows.find(channel, uploadChatId(chatId));
  const upload = stored?.flow === STATEMENT_UPLOAD_FLOW ? parseUpload(stored.data) : undefined;
  if (upload?.uploadId !== uploadId) {
    return false;
  }
  await tx.flows.delete(channel, uploadChatId(chatId));
  const actor = await tx.people.currentActor(upload.personId);
  const locale: Locale = actor?.locale === 'en' ? 'en' : 'vi';
  const messages = await resultOf(tx, actor, upload, read, now, channel, locale);
  await tx.outbox.enqueue(
    messages.map((message, n) => ({
      channel,
      chatId,
      message,
      idempotencyKey: `statement:${channel}:${chatId}:${uploadId}:${n}`,
    })),
    now,
  );
  return true;
}

/** A download that failed for a passing reason: queued again, or given up after the last try. */
export async function retryStatementUpload(
  tx: Tx,
  address: { channel: Channel; chatId: string },
  uploadId: string,
  now: Date,
): Promise<void> {
  await tx.lock(`statement:${address.channel}:${address.chatId}`);
  const waiting = await uploadOf(tx, address.channel, address.chatId, now);
  if (!waiting || waiting.upload.uploadId !== uploadId) {
    return;
  }
  const attempts = waiting.upload.attempts + 1;
  if (attempts >= STATEMENT_FETCH_ATTEMPTS) {
    await finishStatementUpload(tx, address, uploadId, { ok: false, reason: 'unavailable' }, now);
    return;
  }
  await saveUpload(tx, address.channel, address.chatId, 'queued', { ...waiting.upload, attempts }, now);
}

async function resultOf(
  tx: Tx,
  actor: Actor | undefined,
  upload: TStatementUpload,
  read: StatementRead,
  now: Date,
  channel: Channel,
  locale: Locale,
): Promise<Outbound[]> {
  const file = upload.fileName;
  const say = (lines: Text[], choices?: Choice[][]): Outbound =>
    choices && choices.length > 0
      ? { text: render(locale, lines), choices }
      : { text: render(locale, lines) };
  const level = upload.levelUnitId === null ? undefined : await tx.units.findById(upload.levelUnitId);
  if (!actor || !level || !(await keepsLevel(tx, actor, 'fund.receipt', level.id))) {
    return [say([{ key: 'fund.refused.not_fund_officer' }, { key: 'stmtchat.not_read', params: { file } }])];
  }
  const campaign = await confirmedCampaign(tx, upload.campaignId, now);
  if (!campaign.ok) {
    return [say([...campaign.lines, { key: 'stmtchat.not_read', params: { file } }])];
  }
  if (!read.ok) {
    return [say(failureLines(file, read.reason, read.size))];
  }
  if (read.problems.some((p) => p.line === 0)) {
    // The reader's own words name the CLI's mapping files; the officer is told what to do instead.
    return [say(failureLines(file, 'unreadable'))];
  }
  if (read.rows.length === 0) {
    return [
      say([
        { key: 'stmtchat.failed.unreadable', params: { file, problem: { key: 'stmtchat.failed.no_rows' } } },
      ]),
    ];
  }
  const outcome = await importStatement(
    tx,
    actor,
    {
      campaignId: upload.campaignId,
      levelUnitId: level.id,
      bank: read.bank,
      fileName: file,
      rows: read.rows.slice(0, MAX_LINES),
      dryRun: false,
    },
    now,
    channel,
  );
  if (outcome.refusal) {
    return [say([outcome.refusal, { key: 'stmtchat.not_read', params: { file } }])];
  }
  // The debits' possible disbursements are worked out by the import (the stored lines keep none).
  const candidates = new Map(
    outcome.lines.flatMap((l) => (l.id === null ? [] : [[l.id, l.candidates] as const])),
  );
  const messages = [
    say(
      summaryLines(outcome, {
        file,
        bank: read.bank,
        bankName: read.bankName,
        level: level.name,
        problems: read.problems,
      }),
    ),
  ];
  for (const section of SECTIONS) {
    const anchor = outcome.lines.find((l) => l.status === SECTION_STATUS[section] && l.id !== null)?.id;
    const page = anchor ? await sectionPage(tx, actor, anchor, section, 0, locale, candidates) : undefined;
    if (page && page.count > 0) {
      messages.push(say(page.lines, page.choices));
    }
  }
  return messages;
}

function failureLines(
  file: string,
  reason: Exclude<StatementRead, { ok: true }>['reason'],
  size?: number,
): Text[] {
  switch (reason) {
    case 'too_large':
      return [tooLarge(file, size ?? STATEMENT_MAX_BYTES + 1)];
    case 'unavailable':
      return [{ key: 'stmtchat.failed.unavailable', params: { file } }];
    case 'unreadable':
      return [
        { key: 'stmtchat.failed.unreadable', params: { file, problem: { key: 'stmtchat.failed.no_table' } } },
        { key: 'stmtchat.failed.advice' },
      ];
    case 'failed':
      return [{ key: 'stmtchat.failed.system', params: { file } }];
  }
}

function summaryLines(
  outcome: StatementOutcome,
  about: {
    file: string;
    bank: string;
    bankName: string;
    level: string;
    problems: { line: number; message: string }[];
  },
): Text[] {
  const c = outcome.counts;
  const matched = outcome.lines.filter((l) => l.status === 'matched').reduce((sum, l) => sum + l.amount, 0n);
  const lines: Text[] = [
    { key: 'stmtchat.result.title', params: { file: about.file, fund: fundName(about.level) } },
  ];
  if (about.bank !== 'generic' && about.bankName !== '') {
    // The generic layout is no bank's name.
    lines.push({ key: 'stmtchat.result.bank', params: { bank: about.bankName } });
  }
  if (c.alreadySeen === c.lines) {
    return [...lines, { key: 'stmtchat.result.all_seen', params: { count: c.lines } }];
  }
  lines.push(
    { key: 'stmtchat.result.lines', params: { count: c.lines } },
    c.matched > 0
      ? { key: 'stmtchat.result.matched', params: { count: c.matched, amount: formatMoney(matched) } }
      : { key: 'stmtchat.result.matched_none' },
    { key: 'stmtchat.result.proposed', params: { count: c.proposed } },
    { key: 'stmtchat.result.unmatched', params: { count: c.unmatched } },
    { key: 'stmtchat.result.debit', params: { count: c.debit } },
    { key: 'stmtchat.result.seen', params: { count: c.alreadySeen } },
  );
  if (about.problems.length > 0) {
    const shown: Text[] = about.problems
      .slice(0, 3)
      .map((p) => ({ key: 'stmtchat.result.problem', params: { line: p.line, message: p.message } }));
    lines.push({ key: 'stmtchat.result.problems', params: { count: about.problems.length, lines: shown } });
  }
  if (c.proposed + c.unmatched > 0) {
    lines.push({ key: 'stmtchat.result.next' });
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// The lists under the result: proposals, unmatched credits, debits — a page each, with buttons.

/** p: proposals to confirm; u: unmatched credits; d: debits. */
export const SECTIONS = ['p', 'u', 'd'] as const;
export type Section = (typeof SECTIONS)[number];
const SECTION_STATUS: Record<Section, StatementLineStatus> = { p: 'proposed', u: 'unmatched', d: 'debit' };
/** Lines per page: a proposal has one button, an unmatched credit two, a debit none (8–10 buttons). */
const PAGE_SIZE: Record<Section, number> = { p: 8, u: 4, d: 10 };

/**
 * A stored line the actor may decide on (they keep its level), or undefined. Buttons about a whole
 * import carry one of its lines ("anchor"): the line tells the import and the level, and the level
 * is checked before anything is shown.
 */
export async function lineForOfficer(
  tx: Tx,
  actor: Actor,
  lineId: number,
): Promise<StatementLineRecord | undefined> {
  const line = await tx.statements.findLine(lineId);
  return line && (await keepsLevel(tx, actor, 'fund.receipt', line.levelUnitId)) ? line : undefined;
}

/** One page of a section of the import `anchor` belongs to; undefined when the actor may not see it. */
export async function sectionPage(
  tx: Tx,
  actor: Actor,
  anchorId: number,
  section: Section,
  offset: number,
  locale: Locale,
  /** The debits' possible disbursements, when the import just worked them out. */
  candidates?: ReadonlyMap<number, readonly DebitCandidate[]>,
): Promise<{ lines: Text[]; choices: Choice[][]; count: number } | undefined> {
  const anchor = await lineForOfficer(tx, actor, anchorId);
  if (!anchor) {
    return undefined;
  }
  const all = (
    await statementLines(
      tx,
      actor,
      { levelUnitId: anchor.levelUnitId, importId: anchor.importId, status: SECTION_STATUS[section] },
      MAX_LINES,
    )
  ).sort((a, b) => a.id - b.id);
  const size = PAGE_SIZE[section];
  const start = Math.min(Math.max(0, offset), Math.max(0, all.length - 1));
  const page = all.slice(start, start + size);
  if (page.length === 0) {
    return { lines: [{ key: `stmtchat.${section}.none` }], choices: [], count: 0 };
  }
  const lines: Text[] = [{ key: `stmtchat.${section}.title`, params: { count: all.length } }];
  const choices: Choice[][] = [];
  page.forEach((line, i) => {
    const n = start + i + 1;
    lines.push(...lineTexts(line, section, n, candidates?.get(line.id)));
    choices.push(...lineButtons(line, section, n, locale));
  });
  if (section === 'p' && all.length > 1) {
    choices.push([
      { id: menuButtonId('stmtall', anchor.id), label: t(locale, 'stmtchat.p.all', { count: all.length }) },
    ]);
  }
  const rest = all.length - start - page.length;
  if (rest > 0) {
    choices.push([
      {
        id: menuButtonId('stmtpage', anchor.id, section, start + size),
        label: t(locale, 'stmtchat.more', { count: rest }),
      },
    ]);
  }
  if (start > 0) {
    // A tapped page loses its buttons on Telegram: the first page can always be had again.
    choices.push([
      { id: menuButtonId('stmtpage', anchor.id, section, 0), label: t(locale, 'stmtchat.first') },
    ]);
  }
  return { lines, choices, count: all.length };
}

function lineTexts(
  line: StatementLineView,
  section: Section,
  n: number,
  candidates: readonly DebitCandidate[] | undefined,
): Text[] {
  const base = {
    n,
    date: formatDate(fromIsoDate(line.postedOn)),
    amount: formatMoney(line.amount),
    description: line.description.replace(/\s+/g, ' ').trim().slice(0, 120),
    who: line.counterparty ? ` · ${line.counterparty}` : '',
  };
  if (section === 'p') {
    return [
      { key: 'stmtchat.p.line', params: base },
      { key: 'stmtchat.p.pledge', params: { ref: line.pledgeRef ?? '', donor: line.donorName ?? '' } },
    ];
  }
  if (section === 'u') {
    return [{ key: 'stmtchat.u.line', params: base }];
  }
  const maybe: Text[] = (candidates ?? line.candidates).slice(0, 3).map((c) => ({
    key: c.kind === 'allocation' ? 'stmtchat.d.allocation' : 'stmtchat.d.disbursement',
    params: {
      household: c.householdName,
      amount: formatMoney(c.amount),
      date: formatDate(fromIsoDate(c.occurredOn)),
    },
  }));
  const none: Text[] = candidates ? [{ key: 'stmtchat.d.no_candidate' }] : [];
  return [{ key: 'stmtchat.d.line', params: base }, ...(maybe.length > 0 ? maybe : none)];
}

function lineButtons(line: StatementLineView, section: Section, n: number, locale: Locale): Choice[][] {
  if (section === 'p') {
    return [
      [
        {
          id: menuButtonId('stmtok', line.id),
          label: t(locale, 'stmtchat.p.button', {
            ref: line.pledgeRef ?? '',
            donor: line.donorName ?? '',
            amount: formatMoney(line.amount),
          }),
        },
      ],
    ];
  }
  if (section === 'u') {
    return [
      [{ id: menuButtonId('stmtwalk', line.id), label: t(locale, 'stmtchat.u.walk_in', { n }) }],
      [{ id: menuButtonId('stmtskip', line.id), label: t(locale, 'stmtchat.u.dismiss', { n }) }],
    ];
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// The presses.

/** The officer's decision's lines, then what is left of the same section (or the menu when nothing is). */
async function afterDecision(
  tx: Tx,
  actor: Actor,
  lineId: number,
  section: Section,
  decided: Text[],
  locale: Locale,
): Promise<StatementAnswer> {
  const page = await sectionPage(tx, actor, lineId, section, 0, locale);
  if (!page || page.count === 0) {
    return { lines: page ? [...decided, ...page.lines] : decided, menu: true };
  }
  return { lines: [...decided, { key: 'stmtchat.gap' }, ...page.lines], choices: page.choices };
}

/** A refused decision; "already decided" in the list's words (the use case names the line's database id). */
function refusalLines(decision: Extract<StatementDecision, { ok: false }>): Text[] {
  return decision.reason.key === 'statement.refused.decided'
    ? [{ key: 'stmtchat.already_decided' }]
    : [decision.reason];
}

export function decisionLines(decision: StatementDecision): Text[] {
  return decision.ok ? decision.lines : refusalLines(decision);
}

/** A press of a statement button: in which transaction, by whom, when, where, in which language. */
export interface StatementPress {
  tx: Tx;
  actor: Actor;
  now: Date;
  channel: Channel;
  locale: Locale;
}

/** "✅ UH-0012 …": a proposal confirmed (recorded against its pledge), then the proposals left. */
export async function confirmOne(
  { tx, actor, now, channel, locale }: StatementPress,
  lineId: number,
): Promise<StatementAnswer | undefined> {
  if (!(await lineForOfficer(tx, actor, lineId))) {
    return undefined;
  }
  const decision = await confirmProposal(tx, actor, lineId, now, channel);
  return afterDecision(tx, actor, lineId, 'p', decisionLines(decision), locale);
}

/** "Bỏ qua": an unmatched credit set aside, then the unmatched credits left. */
export async function dismissOne(
  { tx, actor, now, channel, locale }: StatementPress,
  lineId: number,
): Promise<StatementAnswer | undefined> {
  const line = await lineForOfficer(tx, actor, lineId);
  if (!line) {
    return undefined;
  }
  const decision = await dismissLine(tx, actor, lineId, now, channel);
  const said: Text[] = decision.ok
    ? [
        {
          key: 'stmtchat.dismissed',
          params: { amount: formatMoney(line.amount), date: formatDate(fromIsoDate(line.postedOn)) },
        },
      ]
    : refusalLines(decision);
  return afterDecision(tx, actor, lineId, 'u', said, locale);
}

/** The unmatched credits left after a walk-in receipt (the walk-in flow's receipt shows them). */
export async function unmatchedLeft(
  tx: Tx,
  actor: Actor,
  lineId: number,
  decided: Text[],
  locale: Locale,
): Promise<StatementAnswer> {
  return afterDecision(tx, actor, lineId, 'u', decided, locale);
}

/** "✅ Xác nhận tất cả đề xuất": every proposal still open of the anchor's import. */
export async function confirmAll(
  { tx, actor, now, channel }: StatementPress,
  anchorId: number,
): Promise<StatementAnswer | undefined> {
  const anchor = await lineForOfficer(tx, actor, anchorId);
  if (!anchor) {
    return undefined;
  }
  const { confirmed, refused } = await confirmAllProposals(tx, actor, anchor.importId, now, channel);
  const lines: Text[] = [];
  if (confirmed > 0) {
    lines.push({ key: 'stmtchat.all.done', params: { count: confirmed } });
  }
  if (refused > 0) {
    lines.push({ key: 'stmtchat.all.refused', params: { count: refused } });
  }
  return { lines: lines.length > 0 ? lines : [{ key: 'stmtchat.p.none' }], menu: true };
}

/** `menu:stmtpage:<anchor>:<section>:<offset>`'s argument. */
export function parsePageArg(
  arg: string,
): { anchorId: number; section: Section; offset: number } | undefined {
  const [anchor, section, offset] = arg.split(':');
  const s = SECTIONS.find((x) => x === section);
  return s && /^\d{1,6}$/.test(offset ?? '')
    ? { anchorId: Number(anchor), section: s, offset: Number(offset) }
    : undefined;
}

function render(locale: Locale, lines: readonly Text[]): string {
  return lines.map((line) => t(locale, line.key, line.params)).join('\n');
}
