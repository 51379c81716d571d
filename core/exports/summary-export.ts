import { buildRollup } from '../funds/fund-rollup.ts';
import { completionPercent, loadUnitProgress } from '../households/unit-progress.ts';
import type { Proposal } from '../summaries/commendations.ts';
import { proposalsFor, punctuality } from '../summaries/proposals.ts';
import type { Tx } from '../unit-of-work.ts';
import type { ExportScope } from './export-scope.ts';
import { scopeUnitsAt } from './period-units.ts';
import { type ExportSheet, ratio, STT_COLUMN, sheet } from './sheet.ts';

/**
 * The six-monthly / final summary (issue 7 §4): progress and punctual reporting per ward, money per
 * member organisation, and the collectives and people proposed for commendation by the campaign's
 * criteria — each with the figures behind it.
 */

const KIND_LABELS: Record<Proposal['kind'], string> = {
  unit: 'Tập thể (phường, xã)',
  organisation: 'Tập thể (tổ chức thành viên)',
  donor: 'Doanh nghiệp, cá nhân',
};

export async function summarySheets(tx: Tx, scope: ExportScope): Promise<ExportSheet[]> {
  // The wards and communes as they are today, merged ones counted in their successor's row.
  const { units, countsUnder } = await scopeUnitsAt(tx, scope, scope.today);
  const progress = await loadUnitProgress(tx, units, countsUnder);
  const { due, onTime } = await punctuality(tx, scope.campaign, units, scope.today);
  const unitRecords = units.map((u, i) => {
    const p = progress[i] ?? { approved: 0, started: 0, completed: 0, handedOver: 0 };
    return { unit: u, p, due, onTime: onTime.get(u.id) ?? 0 };
  });
  const rollup = buildRollup(
    await tx.units.listByKinds(['province', 'city', 'district', 'ward', 'commune', 'member_org']),
    await tx.pledges.listByCampaign(scope.campaign.id),
    await tx.funds.listByCampaign(scope.campaign.id),
  );
  const proposals = await proposalsFor(tx, scope.campaign, units, progress, rollup, scope.today);
  const progressSheet = sheet({
    name: 'Tiến độ',
    title: 'KẾT QUẢ XÓA NHÀ TẠM, NHÀ DỘT NÁT THEO ĐƠN VỊ',
    subtitle: `Lũy kế đến ngày ${scope.today.split('-').reverse().join('/')}`,
    columns: [
      STT_COLUMN,
      { key: 'unit', header: 'Đơn vị', width: 26, format: 'text' },
      { key: 'approved', header: 'Được duyệt', group: 'Số nhà', width: 10, format: 'integer', total: 'sum' },
      { key: 'started', header: 'Khởi công', group: 'Số nhà', width: 10, format: 'integer', total: 'sum' },
      { key: 'completed', header: 'Hoàn thành', group: 'Số nhà', width: 10, format: 'integer', total: 'sum' },
      { key: 'handedOver', header: 'Bàn giao', group: 'Số nhà', width: 10, format: 'integer', total: 'sum' },
      {
        key: 'completedShare',
        header: 'Tỷ lệ hoàn thành',
        width: 11,
        format: 'percent',
        total: { ratio: { numerator: ['completed'], denominator: ['approved'] } },
      },
      {
        key: 'onTime',
        header: 'Đúng hạn',
        group: 'Báo cáo tháng',
        width: 9,
        format: 'integer',
        total: 'sum',
      },
      { key: 'due', header: 'Số kỳ', group: 'Báo cáo tháng', width: 9, format: 'integer', total: 'sum' },
    ],
    rows: unitRecords.map((r, i) => ({
      stt: i + 1,
      unit: r.unit.name,
      approved: r.p.approved,
      started: r.p.started,
      completed: r.p.completed,
      handedOver: r.p.handedOver,
      completedShare: ratio(r.p.completed, r.p.approved),
      onTime: r.onTime,
      due: r.due,
    })),
    notes: [
      `Tỷ lệ hoàn thành trên số nhà được duyệt (${completionPercent({ approved: 1, completed: 1 })}% = hoàn thành toàn bộ).`,
    ],
  });
  const moneySheet = sheet({
    name: 'Vận động ủng hộ',
    title: 'KẾT QUẢ VẬN ĐỘNG ỦNG HỘ THEO TỔ CHỨC THÀNH VIÊN',
    subtitle: 'Quỹ "Vì người nghèo" các cấp',
    columns: [
      STT_COLUMN,
      { key: 'org', header: 'Tổ chức', width: 34, format: 'text' },
      { key: 'pledged', header: 'Đăng ký (đồng)', width: 16, format: 'money', total: 'sum' },
      { key: 'received', header: 'Đã nộp (đồng)', width: 16, format: 'money', total: 'sum' },
      {
        key: 'share',
        header: 'Tỷ lệ',
        width: 9,
        format: 'percent',
        total: { ratio: { numerator: ['received'], denominator: ['pledged'] } },
      },
    ],
    rows: rollup.organisations.map((o, i) => ({
      stt: i + 1,
      org: o.name,
      pledged: o.pledged,
      received: o.received,
      share: o.pledged > 0n ? Number(o.received) / Number(o.pledged) : null,
    })),
  });
  const commendationSheet = sheet({
    name: 'Đề xuất khen thưởng',
    title: 'DANH SÁCH ĐỀ XUẤT KHEN THƯỞNG',
    subtitle: 'Theo tiêu chí của Ban Chỉ đạo (hoàn thành nhà, báo cáo đúng hạn, kết quả vận động)',
    columns: [
      STT_COLUMN,
      { key: 'name', header: 'Tập thể, cá nhân', width: 34, format: 'text' },
      { key: 'kind', header: 'Loại', width: 22, format: 'text' },
      { key: 'reason', header: 'Thành tích', width: 60, format: 'text' },
    ],
    rows: proposals.map((p, i) => ({
      stt: i + 1,
      name: p.name,
      kind: KIND_LABELS[p.kind],
      reason: p.reason,
    })),
    notes: proposals.length === 0 ? ['Chưa có tập thể, cá nhân nào đạt tiêu chí.'] : [],
  });
  return [progressSheet, moneySheet, commendationSheet];
}
