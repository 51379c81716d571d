import { z } from 'zod';
import type { Campaign } from '../../core/campaigns/campaign.ts';
import { buildAcknowledgementDocument } from '../../core/exports/acknowledgement-document.ts';
import {
  NATIONAL_MOTTO,
  NATIONAL_TITLE,
  type OfficialDocument,
  RECIPIENTS_LABEL,
  recipientLines,
} from '../../core/exports/official-document.ts';
import type { Text } from '../../core/flows/flow.ts';
import {
  ACK_DOCUMENT_KIND,
  giftsOf,
  issueAcknowledgement,
  type LoadedGift,
  loadGift,
} from '../../core/funds/acknowledgements.ts';
import type { FundEntryRecord, PledgeView } from '../../core/funds/fund.repository.ts';
import { loadRollup, publicSummary } from '../../core/funds/fund-reports.ts';
import { fundEntry, levelTotals, recordFundEntry, toLedgerEntry } from '../../core/funds/fund-service.ts';
import { rollupLines } from '../../core/funds/fund-views.ts';
import { available, type Entry, fold, type LedgerRefusal } from '../../core/funds/ledger.ts';
import { giftShort, giverOf, receivedOn } from '../../core/funds/receipt-words.ts';
import { type FundTrace, traceFunds } from '../../core/funds/trace.ts';
import type { HouseholdView } from '../../core/households/household.repository.ts';
import { HOUSEHOLD_NEED_LABELS, isHouseholdNeed } from '../../core/households/household.ts';
import { t } from '../../core/messaging/catalog.ts';
import { plainText } from '../../core/messaging/markup.ts';
import { CLI_SOURCE } from '../../core/messaging/outbox.repository.ts';
import { dateInZone, toIsoDate } from '../../core/shared/calendar.ts';
import { formatMoney } from '../../core/shared/format.ts';
import { normalizeVi } from '../../core/shared/parse.ts';
import type { Tx } from '../../core/unit-of-work.ts';
import { FUND_LEVEL_KINDS, type UnitView } from '../../core/units/unit.repository.ts';
import { campaignByOption, ZCampaignOption } from './campaign-option.ts';
import { type CliContext, DEFAULT_TIME_ZONE, storeOf, UsageError } from './context.ts';
import { documentWrittenLines, writeOfficialDocument } from './document-file.ts';
import { clean, formatInstant, formatIsoDate, renderTable } from './text.ts';

// ---------------------------------------------------------------------------------------------
// Shared by `funds`, `pledges show` and `households show`

/** Catalog texts in Vietnamese as read (no bold in a terminal), one output line per line of text. */
export function renderTexts(texts: readonly Text[]): string[] {
  return texts.flatMap((text) => plainText(t('vi', text.key, text.params)).split('\n'));
}

/** The transactional store on the CLI's database connection (the one the bot uses). */
/**
 * The campaign of `--campaign <code>` (by default the only open one, else the latest) and today's
 * ISO day on its clock; UsageError when there is none.
 */
export async function currentCampaign(
  tx: Tx,
  now: Date,
  code?: string,
): Promise<{ campaign: Campaign; today: string }> {
  const campaign = await campaignByOption(tx, code, now);
  return { campaign, today: toIsoDate(dateInZone(now, campaign.timeZone)) };
}

const UNIT_KINDS = ['province', 'city', 'district', 'ward', 'commune', 'member_org'];

/** Everything the fund views read, from one transaction: the ledger, the pledges and the trace. */
export interface FundData {
  campaign: Campaign;
  today: string;
  units: Map<number, UnitView>;
  pledges: PledgeView[];
  pledgesById: Map<number, PledgeView>;
  entries: FundEntryRecord[];
  entriesById: Map<number, FundEntryRecord>;
  /** entry id → the reversal that cancelled it. */
  reversedBy: Map<number, FundEntryRecord>;
  /** The households the entries and pledges name. */
  households: Map<number, HouseholdView>;
  /** FIFO attribution of every allocation to receipts (core/funds/trace.ts). */
  trace: FundTrace;
}

export async function loadFundData(tx: Tx, now: Date, code?: string): Promise<FundData> {
  const { campaign, today } = await currentCampaign(tx, now, code);
  // One after another: a transaction's statements share one connection (PostgreSQL: one client).
  const units = await tx.units.listByKinds(UNIT_KINDS);
  const pledges = await tx.pledges.listByCampaign(campaign.id);
  const entries = await tx.funds.listByCampaign(campaign.id);
  const reversedBy = new Map<number, FundEntryRecord>();
  for (const e of entries) {
    if (e.kind === 'reversal' && e.reversesId !== null) {
      reversedBy.set(e.reversesId, e);
    }
  }
  const designated = new Map<string, number>();
  for (const p of pledges) {
    if (p.householdId !== null) {
      designated.set(String(p.id), p.householdId);
    }
  }
  const householdIds = new Set<number>([
    ...entries.flatMap((e) => (e.householdId === null ? [] : [e.householdId])),
    ...designated.values(),
  ]);
  const households = new Map<number, HouseholdView>();
  for (const id of householdIds) {
    const h = await tx.households.findById(id);
    if (h) {
      households.set(id, h);
    }
  }
  return {
    campaign,
    today,
    units: new Map(units.map((u) => [u.id, u])),
    pledges,
    pledgesById: new Map(pledges.map((p) => [p.id, p])),
    entries,
    entriesById: new Map(entries.map((e) => [e.id, e])),
    reversedBy,
    households,
    trace: traceFunds(entries.map(toLedgerEntry), designated),
  };
}

/** A fund level unit by code; UsageError when unknown or not a level with a fund. */
export async function fundLevelByCode(tx: Tx, code: string): Promise<UnitView> {
  const units = await tx.units.listByKinds(UNIT_KINDS);
  const unit =
    units.find((u) => u.code === code) ?? units.find((u) => u.code.toUpperCase() === code.toUpperCase());
  if (!unit) {
    throw new UsageError(`không có đơn vị mã "${code}". Xem các mã đơn vị bằng: npm run cli -- units list`);
  }
  if (!(FUND_LEVEL_KINDS as readonly string[]).includes(unit.kind)) {
    throw new UsageError(
      `${unit.name} (${unit.code}) không có Quỹ "Vì người nghèo"; dùng mã của thành phố, phường hoặc xã`,
    );
  }
  return unit;
}

export const ENTRY_KIND_LABELS: Record<FundEntryRecord['kind'], string> = {
  receipt: 'Thu',
  in_kind: 'Nhận hiện vật/ngày công',
  allocation: 'Phân bổ',
  disbursement: 'Chi trả',
  transfer: 'Chuyển quỹ',
  reversal: 'Điều chỉnh',
};

export function needLabel(need: string | null): string {
  return need !== null && isHouseholdNeed(need) ? HOUSEHOLD_NEED_LABELS[need] : (need ?? '');
}

export function unitName(data: FundData, id: number | null): string {
  return id === null ? '' : (data.units.get(id)?.name ?? `#${id}`);
}

export function householdLabel(data: FundData, id: number | null): string {
  if (id === null) {
    return '';
  }
  const h = data.households.get(id);
  return h ? `${h.code} – ${h.headName}` : `hộ #${id}`;
}

/** "đã hủy bởi bút toán #7 (lý do)" for a reversed entry, or ''. */
export function reversedNote(data: FundData, id: number): string {
  const r = data.reversedBy.get(id);
  return r
    ? `đã hủy bởi bút toán #${r.id} ngày ${formatIsoDate(r.occurredOn)} (${clean(r.reason ?? '')})`
    : '';
}

/** Who paid a receipt: the pledge and its donor, or the payer noted on a receipt without pledge. */
export function payerOf(data: FundData, e: FundEntryRecord): string {
  if (e.pledgeId !== null) {
    const p = data.pledgesById.get(e.pledgeId);
    return p ? `đăng ký ${p.ref} – ${p.donorName}` : `đăng ký #${e.pledgeId}`;
  }
  return `khoản thu không theo đăng ký${e.note ? ` – ${e.note}` : ''}`;
}

/** A disbursement's voucher and correction, for lists already headed by the household. */
export function disbursementNote(data: FundData, e: FundEntryRecord): string {
  return [e.documentRef ? `chứng từ ${e.documentRef}` : '', reversedNote(data, e.id)]
    .filter((p) => p.length > 0)
    .join('; ');
}

/** What one entry is about, in a few words. */
export function entryDetails(data: FundData, e: FundEntryRecord): string {
  const parts: string[] = [];
  switch (e.kind) {
    case 'receipt':
    case 'in_kind':
      parts.push(payerOf(data, e));
      if (e.overpayment) {
        parts.push('nộp vượt đăng ký');
      }
      break;
    case 'allocation':
    case 'disbursement':
      parts.push(`hộ ${householdLabel(data, e.householdId)}`, needLabel(e.need));
      if (e.overrideReason) {
        parts.push(`vượt định mức: ${e.overrideReason}`);
      }
      break;
    case 'transfer':
      parts.push(`đến ${unitName(data, e.toUnitId)}`);
      if (e.note) {
        parts.push(e.note);
      }
      break;
    case 'reversal': {
      const target = e.reversesId === null ? undefined : data.entriesById.get(e.reversesId);
      parts.push(
        target
          ? `hủy bút toán #${target.id} (${ENTRY_KIND_LABELS[target.kind].toLowerCase()} ${formatMoney(target.amount)})`
          : `hủy bút toán #${e.reversesId ?? '?'}`,
        `lý do: ${e.reason ?? ''}`,
      );
      break;
    }
  }
  if (e.documentRef) {
    parts.push(`chứng từ ${e.documentRef}`);
  }
  const reversed = reversedNote(data, e.id);
  if (reversed) {
    parts.push(reversed);
  }
  return parts.filter((p) => p.length > 0).join('; ');
}

const ZPhotos = z.array(
  z.object({ channel: z.string(), fileId: z.string(), localPath: z.string().optional() }),
);

export interface PhotoEvent {
  householdId: number;
  at: Date;
  kind: string;
  fromStatus: string | null;
  toStatus: string | null;
  note: string | null;
  photos: z.infer<typeof ZPhotos>;
}

/** The history events of the households, oldest first, with their photos parsed. */
export async function householdEvents(ctx: CliContext, householdIds: number[]): Promise<PhotoEvent[]> {
  if (householdIds.length === 0) {
    return [];
  }
  const events = await ctx.prisma.householdEvent.findMany({
    where: { householdId: { in: householdIds } },
    orderBy: [{ at: 'asc' }, { id: 'asc' }],
  });
  return events.map((e) => {
    let photos: z.infer<typeof ZPhotos> = [];
    try {
      const parsed = ZPhotos.safeParse(JSON.parse(e.photos));
      photos = parsed.success ? parsed.data : [];
    } catch {
      photos = [];
    }
    return {
      householdId: e.householdId,
      at: e.at,
      kind: e.kind,
      fromStatus: e.fromStatus,
      toStatus: e.toStatus,
      note: e.note,
      photos,
    };
  });
}

/** One line per photo: "telegram AgAC… (data/photos/…)". */
export function photoLine(photo: PhotoEvent['photos'][number]): string {
  return `${clean(photo.channel)} ${clean(photo.fileId)}${photo.localPath ? ` (${clean(photo.localPath)})` : ''}`;
}

/** The photos of a household's history, with the time they were sent: heading then one line each. */
export function photoLines(events: readonly PhotoEvent[], timeZone: string, indent: string): string[] {
  const photos = events.flatMap((e) => e.photos.map((p) => ({ at: e.at, photo: p })));
  if (photos.length === 0) {
    return [`${indent}Ảnh: chưa có ảnh nào`];
  }
  return [
    `${indent}Ảnh: ${photos.length} ảnh`,
    ...photos.map(({ at, photo }) => `${indent}  - ${formatInstant(at, timeZone)}  ${photoLine(photo)}`),
  ];
}

// ---------------------------------------------------------------------------------------------
// funds summary | public

/** `funds summary`: the fund board's roll-up (the bot's /quy). */
export async function fundsSummary(ctx: CliContext): Promise<void> {
  const lines = await storeOf(ctx).run(async (tx) => {
    const loaded = await loadRollup(tx);
    if (!loaded) {
      throw new UsageError('chưa có chương trình nào trong cơ sở dữ liệu');
    }
    return rollupLines(loaded.rollup);
  });
  for (const line of renderTexts(lines)) {
    ctx.out(line);
  }
}

/** `funds public`: the public summary, word for word what the bot answers to /congkhai. */
export async function fundsPublic(ctx: CliContext): Promise<void> {
  const lines = await storeOf(ctx).run((tx) => publicSummary(tx, ctx.now));
  for (const line of renderTexts(lines)) {
    ctx.out(line);
  }
}

// ---------------------------------------------------------------------------------------------
// funds ledger

export const ZFundsLedgerOptions = z
  .object({
    unit: z.string().trim().min(1, '--unit không được để trống').max(64, '--unit quá dài').optional(),
  })
  .extend(ZCampaignOption.shape);
export type FundsLedgerOptions = z.output<typeof ZFundsLedgerOptions>;

/**
 * How an entry moves the available money of each level it touches. The ledger's own fold of the
 * entry alone says it; a reversal moves the opposite of what its target moved.
 */
function availableDelta(e: FundEntryRecord, byId: Map<number, FundEntryRecord>): Map<number, bigint> {
  const entry: Entry = toLedgerEntry(e);
  if (entry.kind === 'reversal') {
    const target = byId.get(entry.of);
    const delta = new Map<number, bigint>();
    if (target && target.kind !== 'reversal') {
      for (const [level, amount] of availableDelta(target, byId)) {
        delta.set(level, -amount);
      }
    }
    return delta;
  }
  const state = fold([entry]);
  return new Map([...state.levels].map(([level, totals]) => [level, available(totals)]));
}

/**
 * `funds ledger [--unit <code>]`: every entry of the campaign in order (or those touching one
 * level), with the available money of the level(s) it touched after it.
 */
export async function fundsLedger(ctx: CliContext, options: FundsLedgerOptions): Promise<void> {
  const { data, level } = await storeOf(ctx).run(async (tx) => ({
    level: options.unit === undefined ? undefined : await fundLevelByCode(tx, options.unit),
    data: await loadFundData(tx, ctx.now, options.campaign),
  }));
  const entries =
    level === undefined
      ? data.entries
      : data.entries.filter((e) => e.levelUnitId === level.id || e.toUnitId === level.id);
  if (entries.length === 0) {
    ctx.out(
      level === undefined
        ? 'Sổ quỹ chưa có bút toán nào.'
        : `Sổ quỹ của ${level.name} (${level.code}) chưa có bút toán nào.`,
    );
    return;
  }
  const balances = new Map<number, bigint>();
  const rows: string[][] = [];
  for (const e of data.entries) {
    const delta = availableDelta(e, data.entriesById);
    for (const [lvl, amount] of delta) {
      balances.set(lvl, (balances.get(lvl) ?? 0n) + amount);
    }
    if (level !== undefined && e.levelUnitId !== level.id && e.toUnitId !== level.id) {
      continue;
    }
    const touched = [e.levelUnitId, ...(e.toUnitId === null ? [] : [e.toUnitId])].filter(
      (l) => level === undefined || l === level.id,
    );
    const change = touched.reduce((s, l) => s + (delta.get(l) ?? 0n), 0n);
    rows.push([
      `#${e.id}`,
      formatIsoDate(e.occurredOn),
      ENTRY_KIND_LABELS[e.kind],
      e.kind === 'transfer'
        ? `${unitName(data, e.levelUnitId)} → ${unitName(data, e.toUnitId)}`
        : unitName(data, e.levelUnitId),
      formatMoney(e.amount),
      e.kind === 'transfer' && level === undefined
        ? ''
        : change === 0n
          ? ''
          : `${change > 0n ? '+' : ''}${formatMoney(change)}`,
      touched.map((l) => formatMoney(balances.get(l) ?? 0n)).join(' / '),
      entryDetails(data, e),
    ]);
  }
  const headers = ['Số', 'Ngày', 'Loại', 'Quỹ', 'Số tiền', 'Số dư +/-', 'Còn lại', 'Nội dung'];
  ctx.out(
    level === undefined
      ? `Sổ quỹ "Vì người nghèo" – ${data.campaign.name}`
      : `Sổ quỹ "Vì người nghèo" – ${level.name} (${level.code})`,
  );
  for (const line of renderTable(headers, rows)) {
    ctx.out(line);
  }
  // The closing balances, from the ledger's fold of all entries (the figures the bot shows).
  const state = fold(data.entries.map(toLedgerEntry));
  const levels = level === undefined ? [...state.levels.keys()] : [level.id];
  ctx.out('');
  ctx.out('Số dư (Còn lại = đã nhận + chuyển đến − chuyển đi − đã phân bổ):');
  for (const id of levels.sort((a, b) =>
    (data.units.get(a)?.code ?? '').localeCompare(data.units.get(b)?.code ?? ''),
  )) {
    const totals = levelTotals(state, id);
    ctx.out(
      `  ${unitName(data, id)}: còn ${formatMoney(available(totals))}; đã phân bổ chưa chi ${formatMoney(totals.allocated - totals.disbursed)}`,
    );
  }
  ctx.out(
    `Tổng: ${entries.length} bút toán. Bút toán không bao giờ bị sửa, xóa: điều chỉnh bằng bút toán hủy.`,
  );
}

// ---------------------------------------------------------------------------------------------
// funds reverse

export const ZFundsReverseArgs = z.object({
  entryId: z
    .string({ error: 'thiếu số bút toán: funds reverse <số bút toán> --reason "lý do"' })
    .trim()
    .regex(/^#?\d{1,15}$/, 'số bút toán là một số, ví dụ 12 (xem trong: npm run cli -- funds ledger)')
    .transform((v) => Number(v.replace('#', '')))
    .refine((v) => v >= 1, 'số bút toán phải từ 1 trở lên'),
  reason: z
    .string({ error: 'phải ghi lý do điều chỉnh: --reason "lý do" (bút toán điều chỉnh được ghi nhật ký)' })
    .trim()
    .min(5, 'lý do quá ngắn: ghi rõ vì sao điều chỉnh (ít nhất 5 ký tự)')
    .max(500, 'lý do quá dài (tối đa 500 ký tự)'),
});
export type FundsReverseArgs = z.output<typeof ZFundsReverseArgs>;

function reversalRefusal(r: LedgerRefusal): string {
  switch (r.code) {
    case 'insufficient_balance':
      return 'Không điều chỉnh được: số tiền của bút toán này đã được dùng (phân bổ, chuyển đi hoặc chi trả), hủy nó sẽ làm số dư Quỹ âm. Điều chỉnh các bút toán dùng số tiền đó trước.';
    case 'already_reversed':
    case 'reversal_of_reversal':
    case 'reason_required':
    case 'unknown_entry':
      return t('vi', `fund.refused.${r.code}`);
    default:
      return `Sổ quỹ từ chối bút toán (${r.code}).`;
  }
}

export type ReverseOutcome = { ok: true; id: number } | { ok: false; message: string };

/**
 * `funds reverse <entry id> --reason "..."`: cancels an entry with a reversal (the ledger is
 * append-only) through the same ledger rules as the bot, and records it in the audit log, in one
 * transaction. A refusal writes nothing and is printed in Vietnamese.
 */
export async function fundsReverse(ctx: CliContext, args: FundsReverseArgs): Promise<ReverseOutcome> {
  const outcome = await storeOf(ctx).run(async (tx) => {
    const { campaign, today } = await currentCampaign(tx, ctx.now);
    const target = await tx.funds.findEntry(args.entryId);
    if (!target || target.campaignId !== campaign.id) {
      throw new UsageError(
        `không có bút toán số ${args.entryId}. Xem sổ quỹ bằng: npm run cli -- funds ledger`,
      );
    }
    const entry = fundEntry({
      campaignId: campaign.id,
      kind: 'reversal',
      levelUnitId: target.levelUnitId,
      amount: target.amount,
      reversesId: target.id,
      reason: args.reason,
      occurredOn: today,
    });
    const recorded = await recordFundEntry(tx, campaign, entry, ctx.now);
    if (!recorded.ok) {
      return { recorded, target };
    }
    await tx.audit.record(
      {
        ...CLI_SOURCE,
        action: 'fund.reversal',
        entity: 'FundEntry',
        entityId: String(recorded.id),
        before: {
          id: target.id,
          kind: target.kind,
          amount: target.amount.toString(),
          levelUnitId: target.levelUnitId,
          occurredOn: target.occurredOn,
        },
        after: { reversesId: target.id, reason: args.reason, occurredOn: today },
      },
      ctx.now,
    );
    const levels = [target.levelUnitId, ...(target.toUnitId === null ? [] : [target.toUnitId])];
    const names: (UnitView | undefined)[] = [];
    for (const id of levels) {
      names.push(await tx.units.findById(id));
    }
    const balances = levels.map(
      (id, i) =>
        `${names[i]?.name ?? `#${id}`} còn ${formatMoney(available(levelTotals(recorded.state, id)))}`,
    );
    return { recorded, target, balances };
  });
  const { recorded, target } = outcome;
  const what = `${ENTRY_KIND_LABELS[target.kind].toLowerCase()} ${formatMoney(target.amount)} ngày ${formatIsoDate(target.occurredOn)} (bút toán #${target.id})`;
  if (!recorded.ok) {
    const message = reversalRefusal(recorded.refusal);
    ctx.out(`❌ Chưa điều chỉnh ${what}: không có gì được lưu.`);
    ctx.out(message);
    return { ok: false, message };
  }
  ctx.out(`✅ Đã ghi bút toán điều chỉnh #${recorded.id}: hủy ${what}.`);
  ctx.out(`Lý do: ${clean(args.reason)}`);
  if ('balances' in outcome && outcome.balances) {
    ctx.out(`Số dư Quỹ: ${outcome.balances.join('; ')}.`);
  }
  ctx.out('Đã ghi nhật ký (fund.reversal).');
  return { ok: true, id: recorded.id };
}

/** The zone dates and times are shown in. */
export function zoneOf(ctx: CliContext): string {
  return ctx.timeZone ?? DEFAULT_TIME_ZONE;
}

// ---------------------------------------------------------------------------------------------
// funds ack

/** "UH-0001", "uh-1": a pledge's number as it is stored; undefined for anything else. */
export function pledgeRefOf(text: string): string | undefined {
  const digits = /^UH-?0*(\d+)$/i.exec(text.trim())?.[1];
  return digits === undefined ? undefined : `UH-${digits.padStart(4, '0')}`;
}

export const ZFundsAckArgs = z
  .object({
    receipt: z
      .string()
      .trim()
      .min(1, 'số khoản thu không được để trống')
      .max(100, 'số khoản thu quá dài')
      .optional(),
    out: z
      .string()
      .trim()
      .regex(/\.docx$/i, '--out là tên tệp Word, kết thúc bằng .docx')
      .optional(),
    pending: z.boolean().default(false),
  })
  .extend(ZCampaignOption.shape)
  .refine((a) => a.pending || a.receipt !== undefined, {
    error: 'thiếu khoản thu: funds ack <số bút toán | số chứng từ | số đăng ký>, hoặc funds ack --pending',
  });
export type FundsAckArgs = z.output<typeof ZFundsAckArgs>;

/**
 * The receipt `funds ack` names: a ledger entry ("12", "#12"), a pledge's number (its latest receipt
 * not yet acknowledged, else its latest) or a voucher number; UsageError when none is a gift.
 */
async function receiptNamed(tx: Tx, campaign: Campaign, text: string): Promise<LoadedGift> {
  const entryNo = /^#?(\d{1,15})$/.exec(text.trim())?.[1];
  if (entryNo !== undefined) {
    const gift = await loadGift(tx, Number(entryNo));
    if (gift && gift.campaign.id === campaign.id) {
      return gift;
    }
  }
  const ref = pledgeRefOf(text);
  if (ref !== undefined) {
    const pledge = await tx.pledges.findByRef(ref);
    if (!pledge || pledge.campaignId !== campaign.id) {
      throw new UsageError(
        `không có đăng ký số "${text}". Xem các đăng ký bằng: npm run cli -- pledges list`,
      );
    }
    const gifts = await giftsOf(
      tx,
      campaign,
      await tx.funds.receipts(campaign.id, { pledgeId: pledge.id }, 100),
    );
    let chosen = gifts[0];
    for (const g of gifts) {
      if (!(await tx.acknowledgements.findByEntry(g.entry.id))?.approvedAt) {
        chosen = g;
        break;
      }
    }
    if (!chosen) {
      throw new UsageError(`đăng ký ${ref} chưa có khoản nộp nào để xác nhận`);
    }
    return chosen;
  }
  const voucher = normalizeVi(text);
  const [byVoucher] = (await giftsOf(tx, campaign, await tx.funds.receipts(campaign.id, {}, 100_000))).filter(
    (g) => g.entry.documentRef !== null && normalizeVi(g.entry.documentRef) === voucher,
  );
  if (!byVoucher) {
    throw new UsageError(
      `không có khoản thu nào là "${text}" (số bút toán, số chứng từ hoặc số đăng ký). Xem sổ quỹ bằng: npm run cli -- funds ledger`,
    );
  }
  return byVoucher;
}

/** The letter as text: the heading, the title, the body and the footer, a line each. */
export function documentTextLines(doc: OfficialDocument): string[] {
  const { heading, footer } = doc;
  const body = doc.body.flatMap((block) => {
    if (block.kind === 'bullets') {
      return block.items.map((item) => `- ${item}`);
    }
    // Tables are for the Word document; a letter has none.
    return block.kind === 'table' ? [] : [block.text];
  });
  return [
    ...heading.issuer,
    ...(heading.nationalTitle ? [NATIONAL_TITLE, NATIONAL_MOTTO] : []),
    heading.number,
    heading.placeAndDate,
    '',
    ...(doc.draft ? ['DỰ THẢO'] : []),
    doc.title,
    ...(doc.summary ? [doc.summary] : []),
    '',
    ...body,
    '',
    RECIPIENTS_LABEL,
    ...recipientLines(footer.recipients),
    ...(footer.signature.authority ? [footer.signature.authority] : []),
    footer.signature.title,
    ...(footer.signature.name ? [footer.signature.name] : []),
  ];
}

/**
 * `funds ack <receipt> [--out giay.docx]`: the operator issues the receipt's acknowledgement letter
 * as a fund officer approves it in chat (numbered once, sent to the donor's chats when known) and
 * prints it; `--out` writes the Word document. `funds ack --pending`: the donors' requests waiting.
 */
export async function fundsAck(ctx: CliContext, args: FundsAckArgs): Promise<void> {
  if (args.pending) {
    await fundsAckPending(ctx, args.campaign);
    return;
  }
  const { issued, document } = await storeOf(ctx).run(async (tx) => {
    const { campaign } = await currentCampaign(tx, ctx.now, args.campaign);
    const gift = await receiptNamed(tx, campaign, args.receipt ?? '');
    const issued = await issueAcknowledgement(tx, gift, CLI_SOURCE, ctx.now);
    const document = await buildAcknowledgementDocument(tx, { acknowledgementId: issued.ackId }, ctx.now);
    return { issued, document };
  });
  if (!document) {
    throw new UsageError('không dựng được giấy xác nhận');
  }
  ctx.out(
    issued.issuedNow
      ? `✅ Đã cấp giấy xác nhận số ${issued.number} cho ${issued.donor}.`
      : `Khoản này đã được cấp giấy xác nhận số ${issued.number}; không cấp số mới.`,
  );
  if (issued.issuedNow) {
    ctx.out(
      issued.donorChats > 0
        ? 'Đã gửi giấy xác nhận vào tin nhắn của người ủng hộ.'
        : 'Người ủng hộ không nhận tin nhắn qua bot: in giấy xác nhận, ký, đóng dấu rồi trao cho họ.',
    );
  }
  ctx.out('');
  for (const line of documentTextLines(document)) {
    ctx.out(line);
  }
  if (args.out) {
    const written = await writeOfficialDocument(
      ctx,
      { kind: ACK_DOCUMENT_KIND, params: { acknowledgementId: issued.ackId } },
      args.out,
    );
    ctx.out('');
    for (const line of documentWrittenLines(written, args.out)) {
      ctx.out(line);
    }
  }
}

/** `funds ack --pending`: the donors' requests waiting for a fund officer, oldest first. */
async function fundsAckPending(ctx: CliContext, code: string | undefined): Promise<void> {
  const rows = await storeOf(ctx).run(async (tx) => {
    const { campaign } = await currentCampaign(tx, ctx.now, code);
    const out: string[][] = [];
    for (const ack of await tx.acknowledgements.pending(campaign.id, 1000)) {
      const g = await loadGift(tx, ack.entryId);
      if (g) {
        out.push([
          `#${g.entry.id}`,
          receivedOn(g),
          giverOf(g).name,
          renderTexts([giftShort(g)]).join(' '),
          g.levelName,
          formatInstant(ack.requestedAt, zoneOf(ctx)),
        ]);
      }
    }
    return out;
  });
  if (rows.length === 0) {
    ctx.out('Không có đề nghị cấp giấy xác nhận nào đang chờ duyệt.');
    return;
  }
  ctx.out(`Giấy xác nhận chờ duyệt (${rows.length}):`);
  for (const line of renderTable(
    ['Khoản thu', 'Ngày nhận', 'Người ủng hộ', 'Nội dung', 'Quỹ', 'Đề nghị lúc'],
    rows,
  )) {
    ctx.out(line);
  }
  ctx.out('Cấp giấy: npm run cli -- funds ack <số bút toán>, ví dụ funds ack 12');
}
