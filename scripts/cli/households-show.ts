import { z } from 'zod';
import { rulesOf } from '../../core/campaigns/campaign-rules.ts';
import { HOUSEHOLD_STATUS_LABELS, isHouseholdStatus } from '../../core/households/household.ts';
import { formatMoney } from '../../core/shared/format.ts';
import { type CliContext, storeOf, UsageError } from './context.ts';
import {
  disbursementNote,
  householdEvents,
  loadFundData,
  needLabel,
  payerOf,
  photoLine,
  reversedNote,
  unitName,
  zoneOf,
} from './funds.ts';
import { clean, formatInstant, formatIsoDate, renderFields } from './text.ts';

export const ZHouseholdsShowArgs = z.object({
  code: z
    .string({ error: 'thiếu mã hộ: npm run cli -- households show <mã hộ>, ví dụ DX-001' })
    .trim()
    .min(1, 'thiếu mã hộ: npm run cli -- households show <mã hộ>, ví dụ DX-001')
    .max(64, 'mã hộ quá dài'),
});
export type HouseholdsShowArgs = z.output<typeof ZHouseholdsShowArgs>;

const EVENT_LABELS: Record<string, string> = {
  created: 'Tạo hồ sơ',
  status: 'Chuyển trạng thái',
  edit: 'Sửa thông tin',
  override: 'Duyệt ngoại lệ',
};

function statusLabel(status: string | null): string {
  return status === null ? '' : isHouseholdStatus(status) ? HOUSEHOLD_STATUS_LABELS[status] : status;
}

/**
 * `households show <code>`: the household, its history with photos, the money allocated to it and
 * paid out, and where each allocation's money came from by the fund trace (receipt, pledge, donor).
 */
export async function householdsShow(ctx: CliContext, args: HouseholdsShowArgs): Promise<void> {
  const { prisma, out } = ctx;
  const zone = zoneOf(ctx);
  const campaign = await prisma.campaign.findFirst({ orderBy: { id: 'desc' } });
  if (!campaign) {
    throw new UsageError('chưa có chương trình nào trong cơ sở dữ liệu');
  }
  const include = { unit: true } as const;
  const household =
    (await prisma.household.findUnique({
      where: { campaignId_code: { campaignId: campaign.id, code: args.code } },
      include,
    })) ??
    (await prisma.household.findUnique({
      where: { campaignId_code: { campaignId: campaign.id, code: args.code.toUpperCase() } },
      include,
    }));
  if (!household) {
    throw new UsageError(`không có hộ mã "${args.code}" trong chương trình hiện tại`);
  }
  const data = await storeOf(ctx).run((tx) => loadFundData(tx, ctx.now));
  const events = await householdEvents(ctx, [household.id]);

  out(`Hộ ${household.code} – ${clean(household.headName)}`);
  const eligibility = household.eligible
    ? 'Đủ điều kiện theo tiêu chí'
    : household.overrideReason
      ? `Chưa đủ điều kiện theo tiêu chí; được duyệt với lý do: ${household.overrideReason}`
      : 'Chưa đủ điều kiện theo tiêu chí';
  const fields: [string, string][] = [
    ['Đơn vị', `${household.unit.name} (${household.unit.code})`],
    ['Thôn/Tổ', household.village],
    ['Năm sinh chủ hộ', household.birthYear === null ? '' : String(household.birthYear)],
    ['Diện', rulesOf(campaign, campaign.definition).categoryLabel(household.category)],
    ['Nhu cầu', needLabel(household.need)],
    ['Trạng thái', statusLabel(household.status)],
    ['Điều kiện', eligibility],
    ...(household.supportedBefore ? [['Đã được hỗ trợ', household.supportedBefore] as [string, string]] : []),
  ];
  for (const line of renderFields(fields)) {
    out(line);
  }

  out('');
  out(`Lịch sử (${events.length}):`);
  for (const e of events) {
    const move =
      e.fromStatus && e.toStatus
        ? ` ${statusLabel(e.fromStatus)} → ${statusLabel(e.toStatus)}`
        : e.toStatus
          ? ` (${statusLabel(e.toStatus)})`
          : '';
    out(
      `  ${formatInstant(e.at, zone)}  ${EVENT_LABELS[e.kind] ?? e.kind}${move}${e.note ? `: ${clean(e.note)}` : ''}`,
    );
    if (e.photos.length > 0) {
      out(`    Ảnh (${e.photos.length}):`);
      for (const photo of e.photos) {
        out(`      - ${photoLine(photo)}`);
      }
    }
  }
  const photoCount = events.reduce((s, e) => s + e.photos.length, 0);
  out(`  Tổng số ảnh: ${photoCount}`);

  const mine = data.entries.filter((e) => e.householdId === household.id && e.kind !== 'reversal');
  const allocations = mine.filter((e) => e.kind === 'allocation');
  const disbursements = mine.filter((e) => e.kind === 'disbursement');
  out('');
  if (allocations.length === 0) {
    out('Kinh phí phân bổ: chưa có.');
  } else {
    out(`Kinh phí phân bổ (${allocations.length}):`);
  }
  for (const a of allocations) {
    const reversed = reversedNote(data, a.id);
    out(
      `  #${a.id} ngày ${formatIsoDate(a.occurredOn)}, Quỹ ${unitName(data, a.levelUnitId)}: ${formatMoney(a.amount)} ` +
        `(${needLabel(a.need)})${a.overrideReason ? `; lý do vượt định mức: ${clean(a.overrideReason)}` : ''}` +
        (reversed ? `; ${reversed}` : ''),
    );
    if (reversed) {
      continue;
    }
    const sources = data.trace.sources.get(a.id) ?? [];
    out('    Nguồn tiền:');
    for (const s of sources) {
      const receipt = data.entriesById.get(s.receiptId);
      out(
        receipt
          ? `      - ${formatMoney(s.amount)} từ khoản thu #${receipt.id} ngày ${formatIsoDate(receipt.occurredOn)} ` +
              `(${formatMoney(receipt.amount)}, Quỹ ${unitName(data, receipt.levelUnitId)}): ${payerOf(data, receipt)}`
          : `      - ${formatMoney(s.amount)} từ khoản thu #${s.receiptId}`,
      );
    }
    const traced = sources.reduce((s, x) => s + x.amount, 0n);
    if (traced < a.amount) {
      out(`      - ${formatMoney(a.amount - traced)} chưa xác định được nguồn (số dư Quỹ đang âm)`);
    }
  }

  out('');
  if (disbursements.length === 0) {
    out('Chi trả: chưa có.');
  } else {
    const paid = disbursements.filter((d) => !data.reversedBy.has(d.id)).reduce((s, d) => s + d.amount, 0n);
    const allocated = allocations
      .filter((a) => !data.reversedBy.has(a.id))
      .reduce((s, a) => s + a.amount, 0n);
    out(`Chi trả (${disbursements.length}): đã chi ${formatMoney(paid)} / phân bổ ${formatMoney(allocated)}`);
    for (const d of disbursements) {
      const note = disbursementNote(data, d);
      out(
        `  #${d.id} ngày ${formatIsoDate(d.occurredOn)}, Quỹ ${unitName(data, d.levelUnitId)}: ` +
          `${formatMoney(d.amount)} (${needLabel(d.need)})${note ? `; ${note}` : ''}`,
      );
    }
  }
}
