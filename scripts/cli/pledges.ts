import { z } from 'zod';
import type { FundEntryRecord, PledgeView } from '../../core/funds/fund.repository.ts';
import { PLEDGE_STATUS_ICONS, pledgeCard, pledgeWhat, statusOf } from '../../core/funds/fund-views.ts';
import { t } from '../../core/messaging/catalog.ts';
import { formatMoney } from '../../core/shared/format.ts';
import { ZCampaignOption } from './campaign-option.ts';
import { type CliContext, storeOf, UsageError } from './context.ts';
import {
  currentCampaign,
  disbursementNote,
  ENTRY_KIND_LABELS,
  type FundData,
  fundLevelByCode,
  householdEvents,
  householdLabel,
  loadFundData,
  needLabel,
  photoLines,
  renderTexts,
  reversedNote,
  unitName,
  zoneOf,
} from './funds.ts';
import { clean, formatIsoDate, renderTable } from './text.ts';

/** Options of `pledges list`. */
export const ZPledgesListOptions = z
  .object({
    unit: z.string().trim().min(1, '--unit không được để trống').max(64, '--unit quá dài').optional(),
  })
  .extend(ZCampaignOption.shape);
export type PledgesListOptions = z.output<typeof ZPledgesListOptions>;

const MISSING_REF = 'thiếu số đăng ký: pledges show <số đăng ký>, ví dụ UH-0001';

/** The argument of `pledges show`. */
export const ZPledgesShowArgs = z.object({
  ref: z.string({ error: MISSING_REF }).trim().min(1, MISSING_REF).max(50, 'số đăng ký quá dài'),
});
export type PledgeRefArgs = z.output<typeof ZPledgesShowArgs>;

/** `pledges ack` became `funds ack`: any receipt, not only a pledge's, is acknowledged (issue 16 §4). */
export function pledgesAckMoved(ref: string | undefined): never {
  throw new UsageError(
    `lệnh "pledges ack" đã đổi thành "funds ack": npm run cli -- funds ack ${ref ?? '<số đăng ký | số bút toán | số chứng từ>'}`,
  );
}

/** "0912345678" → "*******678": a phone number is never printed in full. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.length <= 3 ? '***' : `${'*'.repeat(digits.length - 3)}${digits.slice(-3)}`;
}

/** "UH-0001", "uh-1" and "1" all name pledge UH-0001. */
function normalizeRef(ref: string): string {
  const digits = /^(?:UH-?)?0*(\d+)$/i.exec(ref.trim())?.[1];
  return digits === undefined ? ref.trim() : `UH-${digits.padStart(4, '0')}`;
}

function notFound(ref: string): UsageError {
  return new UsageError(`không có đăng ký số "${ref}". Xem các đăng ký bằng: npm run cli -- pledges list`);
}

/**
 * `pledges list [--unit <code>]`: one line per pledge of the current campaign (or of one fund
 * level): ref, donor, what, fund level, status and what was received. No phone numbers.
 */
export async function pledgesList(ctx: CliContext, options: PledgesListOptions): Promise<void> {
  const { pledges, today, level } = await storeOf(ctx).run(async (tx) => {
    const { campaign, today } = await currentCampaign(tx, ctx.now, options.campaign);
    const level = options.unit === undefined ? undefined : await fundLevelByCode(tx, options.unit);
    const all = await tx.pledges.listByCampaign(campaign.id);
    return {
      today,
      level,
      pledges: level === undefined ? all : all.filter((p) => p.fundUnitId === level.id),
    };
  });
  if (pledges.length === 0) {
    ctx.out(
      level === undefined
        ? 'Chưa có đăng ký ủng hộ nào.'
        : `Chưa có đăng ký ủng hộ nào vào Quỹ của ${level.name} (${level.code}).`,
    );
    return;
  }
  const rows = pledges.map((p) => {
    const status = statusOf(p, today);
    return [
      p.ref,
      p.donorName,
      t('vi', pledgeWhat(p).key, pledgeWhat(p).params),
      p.fundUnitName,
      `${PLEDGE_STATUS_ICONS[status]} ${t('vi', `pledge.status.${status}`)}`,
      formatMoney(p.received),
    ];
  });
  for (const line of renderTable(
    ['Số đăng ký', 'Người ủng hộ', 'Nội dung', 'Quỹ tiếp nhận', 'Trạng thái', 'Đã nhận'],
    rows,
  )) {
    ctx.out(line);
  }
  const live = pledges.filter((p) => p.cancelledAt === null);
  const pledged = live.reduce((s, p) => s + p.amount, 0n);
  const received = live.reduce((s, p) => s + p.received, 0n);
  const cancelled = pledges.length - live.length;
  ctx.out(
    `Tổng: ${pledges.length} đăng ký${cancelled > 0 ? ` (${cancelled} đã hủy, không tính)` : ''}; ` +
      `đăng ký ${formatMoney(pledged)}; đã nhận ${formatMoney(received)}.`,
  );
}

async function findPledge(ctx: CliContext, ref: string): Promise<{ data: FundData; pledge: PledgeView }> {
  return storeOf(ctx).run(async (tx) => {
    const pledge = (await tx.pledges.findByRef(ref)) ?? (await tx.pledges.findByRef(normalizeRef(ref)));
    const data = await loadFundData(tx, ctx.now);
    if (!pledge || pledge.campaignId !== data.campaign.id) {
      throw notFound(ref);
    }
    return { data, pledge };
  });
}

/** Receipts and in-kind handovers against a pledge, oldest first (reversed ones included, marked). */
function receiptsOf(data: FundData, pledgeId: number): FundEntryRecord[] {
  return data.entries.filter(
    (e) => (e.kind === 'receipt' || e.kind === 'in_kind') && e.pledgeId === pledgeId,
  );
}

/**
 * `pledges show <ref>`: the pledge card, every receipt against it, and where its money went by the
 * fund trace: each allocation it paid for, the household, the household's disbursements and photos.
 */
export async function pledgesShow(ctx: CliContext, args: PledgeRefArgs): Promise<void> {
  const { data, pledge } = await findPledge(ctx, args.ref);
  const zone = zoneOf(ctx);
  const out = ctx.out;
  for (const line of renderTexts(pledgeCard(pledge, data.today))) {
    out(line);
  }
  if (pledge.donorPhone) {
    out(`Điện thoại (che bớt): ${maskPhone(pledge.donorPhone)}`);
  }
  if (pledge.cancelledAt !== null) {
    out(`Lý do hủy: ${clean(pledge.cancelReason ?? '') || '(không ghi)'}`);
  }

  const receipts = receiptsOf(data, pledge.id);
  out('');
  if (receipts.length === 0) {
    out('Chưa có khoản nộp nào theo đăng ký này.');
    return;
  }
  out(`Các khoản đã nộp theo đăng ký (${receipts.length}):`);
  const rows = receipts.map((e) => [
    `#${e.id}`,
    formatIsoDate(e.occurredOn),
    ENTRY_KIND_LABELS[e.kind],
    formatMoney(e.amount),
    e.documentRef ?? '',
    [e.overpayment ? 'nộp vượt đăng ký' : '', reversedNote(data, e.id)].filter((s) => s).join('; '),
  ]);
  for (const line of renderTable(['Số', 'Ngày', 'Loại', 'Số tiền', 'Số chứng từ', 'Ghi chú'], rows)) {
    out(`  ${line}`);
  }
  out(`  Tổng đã nhận: ${formatMoney(pledge.received)}`);

  // Where the money went: the trace attributes allocations to receipts, first in, first out.
  const byAllocation = new Map<number, { amount: bigint; parts: string[] }>();
  for (const receipt of receipts) {
    for (const use of data.trace.uses.get(receipt.id) ?? []) {
      const row = byAllocation.get(use.allocationId) ?? { amount: 0n, parts: [] };
      row.amount += use.amount;
      row.parts.push(`#${receipt.id} ${formatMoney(use.amount)}`);
      byAllocation.set(use.allocationId, row);
    }
  }
  const unallocated = [...data.trace.unallocated].flatMap(([level, lots]) =>
    lots.filter((l) => l.pledgeRef === String(pledge.id)).map((l) => ({ level, amount: l.amount })),
  );
  const inKind = receipts.filter((e) => e.kind === 'in_kind' && !data.reversedBy.has(e.id));

  out('');
  out('Tiền đã đi đâu (mỗi khoản phân bổ lấy tiền theo thứ tự vào trước – ra trước):');
  if (byAllocation.size === 0) {
    out('  Chưa phân bổ cho hộ nào.');
  }
  const allocations = [...byAllocation].flatMap(([id, row]) => {
    const entry = data.entriesById.get(id);
    return entry ? [{ entry, ...row }] : [];
  });
  const events = await householdEvents(ctx, [
    ...new Set(allocations.flatMap((a) => (a.entry.householdId === null ? [] : [a.entry.householdId]))),
  ]);
  for (const { entry, amount, parts } of allocations) {
    out(
      `  → Phân bổ #${entry.id} ngày ${formatIsoDate(entry.occurredOn)}, Quỹ ${unitName(data, entry.levelUnitId)}: ` +
        `${formatMoney(amount)} từ đăng ký này (khoản thu ${parts.join(', ')}); tổng phân bổ ${formatMoney(entry.amount)}`,
    );
    const household = entry.householdId === null ? undefined : data.households.get(entry.householdId);
    out(
      `    Hộ ${householdLabel(data, entry.householdId)}` +
        (household ? ` – ${unitName(data, household.unitId)}, ${household.village}` : '') +
        `; nhu cầu ${needLabel(entry.need)}`,
    );
    const disbursements = data.entries.filter(
      (e) =>
        e.kind === 'disbursement' &&
        e.householdId === entry.householdId &&
        e.need === entry.need &&
        e.levelUnitId === entry.levelUnitId,
    );
    if (disbursements.length === 0) {
      out('    Chi trả: chưa chi');
    } else {
      const paid = disbursements.filter((d) => !data.reversedBy.has(d.id)).reduce((s, d) => s + d.amount, 0n);
      out(`    Chi trả: đã chi ${formatMoney(paid)} / ${formatMoney(entry.amount)}`);
      for (const d of disbursements) {
        const note = disbursementNote(data, d);
        out(
          `      - #${d.id} ngày ${formatIsoDate(d.occurredOn)}: ${formatMoney(d.amount)}${note ? `; ${note}` : ''}`,
        );
      }
    }
    for (const line of photoLines(
      events.filter((e) => e.householdId === entry.householdId),
      zone,
      '    ',
    )) {
      out(line);
    }
  }
  for (const lot of unallocated) {
    out(`  Chưa phân bổ: ${formatMoney(lot.amount)} đang ở Quỹ ${unitName(data, lot.level)}`);
  }
  if (inKind.length > 0) {
    out(
      `  Hiện vật/ngày công (${formatMoney(inKind.reduce((s, e) => s + e.amount, 0n))}) được trao trực tiếp, không qua phân bổ tiền.`,
    );
  }
}
