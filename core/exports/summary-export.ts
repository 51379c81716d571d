import { type AppealResult, appealResults } from '../appeals/appeal-report.ts';
import { completionPercent } from '../households/unit-progress.ts';
import type { Proposal } from '../summaries/commendations.ts';
import { punctuality } from '../summaries/proposals.ts';
import type { Tx } from '../unit-of-work.ts';
import { type CommendationProposals, commendationProposals } from './commendation-proposals.ts';
import type { ExportScope } from './export-scope.ts';
import { loadNarratives, narrativeCountLine, narrativeSheets } from './narrative-export.ts';
import { type ExportColumn, type ExportSheet, ratio, STT_COLUMN, sheet } from './sheet.ts';

/**
 * The six-monthly / final summary (issue 7 §4): progress and punctual reporting per ward, money per
 * member organisation, the collectives and people proposed for commendation by the campaign's
 * criteria — each with the figures behind it — next to the wards' own proposals, and the wards'
 * written reports, one sheet per quarterly period and the final one (issue 16 §1, §6).
 */

const KIND_LABELS: Record<Proposal['kind'], string> = {
  unit: 'Tập thể (phường, xã)',
  organisation: 'Tập thể (tổ chức thành viên)',
  donor: 'Doanh nghiệp, cá nhân',
};

/** The kind of a row a ward proposed in its report. */
const FIELD_KIND = 'Do cơ sở đề nghị';

export async function summarySheets(tx: Tx, scope: ExportScope): Promise<ExportSheet[]> {
  // The wards and communes as they are today (merged ones counted in their successor's row), their
  // progress, the money and the proposals.
  const proposals = await commendationProposals(
    tx,
    scope.campaign,
    scope.own.map((u) => u.id),
    scope.today,
  );
  if (!proposals) {
    return [];
  }
  const { units, progress, rollup } = proposals;
  const { due, onTime } = await punctuality(tx, scope.campaign, units, scope.today);
  const unitRecords = units.map((u, i) => {
    const p = progress[i] ?? { approved: 0, started: 0, completed: 0, handedOver: 0 };
    return { unit: u, p, due, onTime: onTime.get(u.id) ?? 0 };
  });
  const narratives = await loadNarratives(tx, scope);
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
      ...(narratives.length > 0
        ? [
            'Báo cáo bằng văn bản của các phường, xã (nội dung ở các trang "BC …" tiếp theo):',
            ...narratives.map((n) => `- ${narrativeCountLine(n)}.`),
          ]
        : []),
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
      { ...PAID_SHARE, header: 'Tỷ lệ' },
    ],
    rows: rollup.organisations.map((o, i) => ({
      stt: i + 1,
      org: o.name,
      pledged: o.pledged,
      received: o.received,
      share: o.pledged > 0n ? Number(o.received) / Number(o.pledged) : null,
    })),
  });
  const appeals = await appealResults(tx, scope.campaign);
  return [
    progressSheet,
    moneySheet,
    ...(appeals.length > 0 ? [appealsSheet(appeals)] : []),
    commendationSheet(proposals),
    ...narrativeSheets(narratives, scope.campaign.timeZone),
  ];
}

/** Received over pledged, in the rows and the totals. */
const PAID_SHARE: ExportColumn = {
  key: 'share',
  header: 'Tỷ lệ đã nộp',
  width: 9,
  format: 'percent',
  total: { ratio: { numerator: ['received'], denominator: ['pledged'] } },
};

/** What each appeal (Thư kêu gọi) brought: its recipients, the pledges made from it and the money received. */
export function appealsSheet(appeals: readonly AppealResult[]): ExportSheet {
  return sheet({
    name: 'Thư kêu gọi',
    title: 'KẾT QUẢ VẬN ĐỘNG THEO THƯ KÊU GỌI ỦNG HỘ',
    subtitle: 'Các khoản đăng ký qua đường dẫn hoặc nút "Đăng ký ủng hộ" của từng thư',
    columns: [
      STT_COLUMN,
      { key: 'code', header: 'Thư kêu gọi', width: 12, format: 'text' },
      { key: 'sentOn', header: 'Ngày gửi', width: 11, format: 'text' },
      { key: 'recipients', header: 'Số nơi nhận', width: 10, format: 'integer', total: 'sum' },
      { key: 'pledges', header: 'Số lượt đăng ký', width: 10, format: 'integer', total: 'sum' },
      { key: 'pledged', header: 'Đã đăng ký (đồng)', width: 16, format: 'money', total: 'sum' },
      { key: 'received', header: 'Đã nộp (đồng)', width: 16, format: 'money', total: 'sum' },
      PAID_SHARE,
    ],
    rows: appeals.map((a, i) => ({
      stt: i + 1,
      code: a.code,
      sentOn: a.sentOn,
      recipients: a.recipients,
      pledges: a.pledges,
      pledged: a.pledged,
      received: a.received,
      share: ratio(Number(a.received), Number(a.pledged)),
    })),
    notes: ['Không tính đăng ký đã hủy hoặc đang chờ xác minh.'],
  });
}

/**
 * Who is proposed for commendation: by the campaign's criteria (with the figures), then what each
 * ward proposed in its reports, with the ward's name and the report.
 */
export function commendationSheet(proposals: CommendationProposals): ExportSheet {
  const { criteria, field } = proposals;
  const basis = proposals.basis.charAt(0).toUpperCase() + proposals.basis.slice(1);
  return sheet({
    name: 'Đề xuất khen thưởng',
    title: 'DANH SÁCH ĐỀ XUẤT KHEN THƯỞNG',
    subtitle: `${basis} (hoàn thành nhà, báo cáo đúng hạn, kết quả vận động) và đề nghị của các phường, xã`,
    columns: [
      STT_COLUMN,
      { key: 'name', header: 'Tập thể, cá nhân', width: 34, format: 'text' },
      { key: 'kind', header: 'Loại', width: 22, format: 'text' },
      { key: 'reason', header: 'Thành tích', width: 50, format: 'text' },
      { key: 'source', header: 'Căn cứ đề xuất', width: 34, format: 'text' },
    ],
    rows: [
      ...criteria.map((p) => ({
        name: p.name,
        kind: KIND_LABELS[p.kind],
        reason: p.reason,
        source: 'Đạt tiêu chí của cuộc vận động',
      })),
      ...field.map((f) => ({
        name: f.text,
        kind: FIELD_KIND,
        reason: '',
        source: `Đề nghị của ${f.unit} (${f.report}, số ${f.ref})`,
      })),
    ].map((row, i) => ({ stt: i + 1, ...row })),
    notes: [
      ...(criteria.length === 0 ? ['Chưa có tập thể, cá nhân nào đạt tiêu chí.'] : []),
      ...(field.length === 0 ? ['Các phường, xã chưa gửi đề nghị khen thưởng trong báo cáo.'] : []),
    ],
  });
}
