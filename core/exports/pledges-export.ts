import type { PledgeView } from '../funds/fund.repository.ts';
import { buildRollup } from '../funds/fund-rollup.ts';
import { pledgeWhat, statusOf } from '../funds/fund-views.ts';
import { t } from '../messaging/catalog.ts';
import { dateInZone, fromIsoDate, toIsoDate } from '../shared/calendar.ts';
import { formatDate } from '../shared/format.ts';
import type { UnitView } from '../units/unit.repository.ts';
import { displayUnitName } from './export-scope.ts';
import {
  type ExportColumn,
  type ExportRow,
  type ExportSheet,
  ratio,
  STT_COLUMN,
  sheet,
  type TotalSpec,
} from './sheet.ts';

const PAID_RATIO: TotalSpec = { ratio: { numerator: ['received'], denominator: ['pledged'] } };

export const ORGANISATION_COLUMNS: ExportColumn[] = [
  STT_COLUMN,
  { key: 'name', header: 'Tổ chức thành viên (gồm các cơ sở)', width: 40, format: 'text' },
  { key: 'pledges', header: 'Số lượt đăng ký', width: 10, format: 'integer', total: 'sum' },
  { key: 'pledged', header: 'Đã đăng ký (đồng)', width: 18, format: 'money', total: 'sum' },
  { key: 'received', header: 'Đã nộp (đồng)', width: 18, format: 'money', total: 'sum' },
  { key: 'outstanding', header: 'Còn phải nộp (đồng)', width: 18, format: 'money', total: 'sum' },
  { key: 'percent', header: 'Tỷ lệ đã nộp', width: 10, format: 'percent', total: PAID_RATIO },
];

export const PLEDGE_COLUMNS: ExportColumn[] = [
  STT_COLUMN,
  { key: 'ref', header: 'Số đăng ký', width: 10, format: 'text', total: 'count' },
  { key: 'createdOn', header: 'Ngày đăng ký', width: 11, format: 'date' },
  { key: 'donor', header: 'Cơ quan, đơn vị, cá nhân ủng hộ', width: 30, format: 'text' },
  { key: 'organisation', header: 'Thuộc tổ chức', width: 22, format: 'text' },
  { key: 'what', header: 'Nội dung ủng hộ', width: 30, format: 'text' },
  { key: 'fund', header: 'Quỹ tiếp nhận', width: 20, format: 'text' },
  { key: 'appeal', header: 'Thư kêu gọi', width: 10, format: 'text' },
  { key: 'dueOn', header: 'Hẹn nộp', width: 11, format: 'date' },
  { key: 'pledged', header: 'Giá trị đăng ký (đồng)', width: 16, format: 'money', total: 'sum' },
  { key: 'received', header: 'Đã nộp (đồng)', width: 16, format: 'money', total: 'sum' },
  { key: 'percent', header: 'Tỷ lệ đã nộp', width: 9, format: 'percent', total: PAID_RATIO },
  { key: 'status', header: 'Trạng thái', width: 14, format: 'text' },
];

export const PLEDGES_TITLE = 'TỔNG HỢP ĐĂNG KÝ ỦNG HỘ QUỸ "VÌ NGƯỜI NGHÈO" THEO TỔ CHỨC';
export const PLEDGE_LIST_TITLE = 'DANH SÁCH ĐĂNG KÝ ỦNG HỘ QUỸ "VÌ NGƯỜI NGHÈO"';

/** Pledges of enterprises and individuals outside the member organisations, as one row. */
const OTHERS = 'Doanh nghiệp, cá nhân và đơn vị khác';

/**
 * Pledged vs paid per member organisation (branches grouped by unit-code prefix, as the fund's
 * roll-up does), then one row per pledge. Only pledges to the scope's fund levels; cancelled
 * pledges count for nothing and are left out. "Đã nộp" includes materials and labour days at
 * their estimated value, as the pledge status does.
 */
export function pledgesSheets(input: {
  /** Every unit the names come from (member organisations and fund levels). */
  units: UnitView[];
  pledges: PledgeView[];
  /** The appeal each pledge answered ("KG1"), by pledge id. */
  appealOf?: ReadonlyMap<number, string>;
  timeZone: string;
  today: string;
}): ExportSheet[] {
  const live = input.pledges.filter((p) => p.cancelledAt === null);
  const cancelled = input.pledges.length - live.length;
  // Only the organisations' part of the roll-up is used: the ledger does not matter here.
  const rollup = buildRollup(input.units, live, []);
  const orgRows = [...rollup.organisations].sort((a, b) => a.key.localeCompare(b.key));
  const grouped = new Set(
    live.filter((p) => p.orgUnitId !== null && input.units.some((u) => u.id === p.orgUnitId)),
  );
  const others = live.filter((p) => !grouped.has(p));
  const row = (name: string, pledges: number, pledged: bigint, received: bigint): Omit<ExportRow, 'stt'> => ({
    name,
    pledges,
    pledged,
    received,
    outstanding: pledged > received ? pledged - received : 0n,
    percent: ratio(Number(received), Number(pledged)),
  });
  const organisations: ExportRow[] = [
    ...orgRows.map((o) => row(o.name, o.pledges, o.pledged, o.received)),
    ...(others.length > 0
      ? [
          row(
            OTHERS,
            others.length,
            others.reduce((s, p) => s + p.amount, 0n),
            others.reduce((s, p) => s + p.received, 0n),
          ),
        ]
      : []),
  ].map((r, i) => ({ stt: i + 1, ...r }));

  const orgName = new Map(orgRows.map((o) => [o.key, o.name]));
  const byId = new Map(input.units.map((u) => [u.id, u]));
  const pledgeRows: ExportRow[] = [...live]
    .sort((a, b) => a.id - b.id)
    .map((p, i) => {
      const org = p.orgUnitId === null ? undefined : byId.get(p.orgUnitId);
      const key = org?.code.split('-')[0];
      return {
        stt: i + 1,
        ref: p.ref,
        createdOn: toIsoDate(dateInZone(p.createdAt, input.timeZone)),
        donor: p.donorName,
        organisation: key === undefined ? '' : (orgName.get(key) ?? org?.name ?? ''),
        what: t('vi', pledgeWhat(p).key, pledgeWhat(p).params),
        fund: displayUnitName(byId.get(p.fundUnitId) ?? { name: p.fundUnitName }),
        appeal: input.appealOf?.get(p.id) ?? '',
        dueOn: p.dueOn,
        pledged: p.amount,
        received: p.received,
        percent: ratio(Number(p.received), Number(p.amount)),
        status: t('vi', `pledge.status.${statusOf(p, input.today)}`),
      };
    });
  const asOf = `đến ngày ${formatDate(fromIsoDate(input.today))}`;
  const cancelledNote = cancelled > 0 ? [`Không tính ${cancelled} đăng ký đã hủy.`] : ([] as string[]);
  return [
    sheet({
      name: 'Theo tổ chức',
      title: PLEDGES_TITLE,
      subtitle: `Số liệu ${asOf}`,
      columns: ORGANISATION_COLUMNS,
      rows: organisations,
      notes: [
        'Tổ chức thành viên gồm cấp thành phố và các cơ sở ở phường, xã (cùng mã tổ chức).',
        'Đã nộp gồm tiền và giá trị quy đổi của hiện vật, ngày công đã nhận; không tính khoản đã điều chỉnh hủy.',
        ...cancelledNote,
      ],
    }),
    sheet({
      name: 'Theo lượt đăng ký',
      title: PLEDGE_LIST_TITLE,
      subtitle: `Số liệu ${asOf}`,
      columns: PLEDGE_COLUMNS,
      rows: pledgeRows,
      notes: ['Không ghi số điện thoại của người ủng hộ.', ...cancelledNote],
    }),
  ];
}
