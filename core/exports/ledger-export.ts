import type { FundEntryRecord, PledgeView } from '../funds/fund.repository.ts';
import { toLedgerEntry } from '../funds/fund-service.ts';
import { available, fold, held, type LevelTotals, zeroTotals } from '../funds/ledger.ts';
import type { HouseholdView } from '../households/household.repository.ts';
import { HOUSEHOLD_NEED_LABELS, isHouseholdNeed } from '../households/household.ts';
import { fromIsoDate } from '../shared/calendar.ts';
import { formatDate, formatMoney } from '../shared/format.ts';
import type { UnitView } from '../units/unit.repository.ts';
import { displayUnitName } from './export-scope.ts';
import { type ExportColumn, type ExportRow, type ExportSheet, STT_COLUMN, sheet } from './sheet.ts';

export const LEDGER_COLUMNS: ExportColumn[] = [
  STT_COLUMN,
  { key: 'id', header: 'Số bút toán', width: 8, format: 'integer' },
  { key: 'date', header: 'Ngày', width: 11, format: 'date' },
  { key: 'kind', header: 'Loại', width: 14, format: 'text' },
  { key: 'details', header: 'Nội dung', width: 40, format: 'text' },
  { key: 'documentRef', header: 'Chứng từ', width: 11, format: 'text' },
  { key: 'increase', header: 'Tăng (đồng)', width: 16, format: 'money', total: 'sum' },
  { key: 'decrease', header: 'Giảm (đồng)', width: 16, format: 'money', total: 'sum' },
  { key: 'balance', header: 'Còn có thể phân bổ (đồng)', width: 17, format: 'money' },
  { key: 'disbursed', header: 'Đã chi trả cho hộ (đồng)', width: 16, format: 'money', total: 'sum' },
  { key: 'note', header: 'Ghi chú', width: 22, format: 'text' },
];

export const LEDGER_TITLE = 'SỔ THEO DÕI QUỸ "VÌ NGƯỜI NGHÈO"';

const KIND_LABELS: Record<FundEntryRecord['kind'], string> = {
  receipt: 'Thu',
  in_kind: 'Nhận hiện vật, ngày công',
  allocation: 'Phân bổ cho hộ',
  disbursement: 'Chi trả cho hộ',
  transfer: 'Chuyển quỹ',
  reversal: 'Điều chỉnh (hủy)',
};

/** Names the ledger rows mention. */
export interface LedgerNames {
  units: ReadonlyMap<number, UnitView>;
  pledges: ReadonlyMap<number, PledgeView>;
  households: ReadonlyMap<number, HouseholdView>;
}

/**
 * What one entry does to each level's totals: the ledger's own fold of the entry alone, or for a
 * reversal the opposite of what its target did.
 */
export function entryEffect(
  e: FundEntryRecord,
  byId: ReadonlyMap<number, FundEntryRecord>,
): Map<number, LevelTotals> {
  if (e.kind === 'reversal') {
    const target = e.reversesId === null ? undefined : byId.get(e.reversesId);
    if (!target || target.kind === 'reversal') {
      return new Map();
    }
    const negated = new Map<number, LevelTotals>();
    for (const [level, t] of entryEffect(target, byId)) {
      negated.set(level, {
        received: -t.received,
        transferredIn: -t.transferredIn,
        transferredOut: -t.transferredOut,
        allocated: -t.allocated,
        disbursed: -t.disbursed,
        inKind: -t.inKind,
      });
    }
    return negated;
  }
  return fold([toLedgerEntry(e)]).levels;
}

/**
 * One fund level's book: every entry touching it, in order, with what it added to or took from
 * the money the level can still allocate (received + transferred in − transferred out −
 * allocated) and that balance after it; payments to households in their own column. The notes
 * close with the balances from the ledger's fold of all entries, the figures the bot shows.
 */
export function ledgerSheet(input: {
  level: UnitView;
  /** Every entry of the campaign, in order (reversals need their targets). */
  entries: FundEntryRecord[];
  names: LedgerNames;
  today: string;
}): ExportSheet {
  const { level, names } = input;
  const byId = new Map(input.entries.map((e) => [e.id, e]));
  const reversedBy = new Map<number, number>();
  for (const e of input.entries) {
    if (e.kind === 'reversal' && e.reversesId !== null) {
      reversedBy.set(e.reversesId, e.id);
    }
  }
  let balance = 0n;
  const rows: ExportRow[] = [];
  for (const e of input.entries) {
    if (e.levelUnitId !== level.id && e.toUnitId !== level.id) {
      continue;
    }
    const effect = entryEffect(e, byId).get(level.id) ?? zeroTotals();
    const change = available(effect);
    balance += change;
    const reversal = reversedBy.get(e.id);
    rows.push({
      stt: rows.length + 1,
      id: e.id,
      date: e.occurredOn,
      kind: KIND_LABELS[e.kind],
      details: details(e, level, byId, names),
      documentRef: e.documentRef,
      increase: change > 0n ? change : null,
      decrease: change < 0n ? -change : null,
      balance,
      disbursed: effect.disbursed === 0n ? null : effect.disbursed,
      note: reversal === undefined ? null : `Đã hủy bởi bút toán số ${reversal}`,
    });
  }
  const totals = fold(input.entries.map(toLedgerEntry)).levels.get(level.id) ?? zeroTotals();
  return sheet({
    name: `Quỹ ${displayUnitName(level)}`,
    title: LEDGER_TITLE,
    subtitle: `Quỹ cấp ${displayUnitName(level)} – các bút toán đến ngày ${formatDate(fromIsoDate(input.today))}`,
    columns: LEDGER_COLUMNS,
    rows,
    notes: [
      rows.length === 0 ? 'Sổ quỹ cấp này chưa có bút toán nào.' : closingNote(totals),
      'Bút toán không bao giờ bị sửa hay xóa: sai sót được điều chỉnh bằng bút toán hủy có ghi lý do.',
    ],
  });
}

/**
 * The level's closing figures: what the fund holds (tồn quỹ), of it what is still to allocate and
 * what was allocated but not paid; goods and labour at their value only when there were some.
 */
function closingNote(totals: LevelTotals): string {
  const inKind =
    totals.inKind === 0n ? '' : `; hiện vật, ngày công đã nhận (quy đổi) ${formatMoney(totals.inKind)}`;
  return `Cuối kỳ: tồn quỹ ${formatMoney(held(totals))}, trong đó còn có thể phân bổ ${formatMoney(available(totals))}, đã phân bổ chưa chi trả ${formatMoney(totals.allocated - totals.disbursed)}${inKind}.`;
}

function details(
  e: FundEntryRecord,
  level: UnitView,
  byId: ReadonlyMap<number, FundEntryRecord>,
  names: LedgerNames,
): string {
  const unit = (id: number | null) => {
    const u = id === null ? undefined : names.units.get(id);
    return u ? displayUnitName(u) : `#${id ?? '?'}`;
  };
  const household = (id: number | null) => {
    const h = id === null ? undefined : names.households.get(id);
    return h ? `${h.code} – ${h.headName}` : `hộ #${id ?? '?'}`;
  };
  const need =
    e.need !== null && isHouseholdNeed(e.need) ? `, ${HOUSEHOLD_NEED_LABELS[e.need].toLowerCase()}` : '';
  switch (e.kind) {
    case 'receipt':
    case 'in_kind': {
      const pledge = e.pledgeId === null ? undefined : names.pledges.get(e.pledgeId);
      const from = pledge
        ? `${pledge.ref} – ${pledge.donorName}`
        : `không theo đăng ký${e.note ? ` – ${e.note}` : ''}`;
      return `${from}${e.overpayment ? ' (nộp vượt đăng ký)' : ''}`;
    }
    case 'allocation':
      return `Hộ ${household(e.householdId)}${need}${e.overrideReason ? ` (vượt định mức: ${e.overrideReason})` : ''}`;
    case 'disbursement':
      return `Hộ ${household(e.householdId)}${need}`;
    case 'transfer':
      return e.levelUnitId === level.id ? `Chuyển đến ${unit(e.toUnitId)}` : `Nhận từ ${unit(e.levelUnitId)}`;
    case 'reversal': {
      const target = e.reversesId === null ? undefined : byId.get(e.reversesId);
      const what = target ? `${KIND_LABELS[target.kind].toLowerCase()} ${formatMoney(target.amount)}` : '';
      return `Hủy bút toán số ${e.reversesId ?? '?'} ${what} – lý do: ${e.reason ?? ''}`.replace(/\s+/g, ' ');
    }
  }
}
