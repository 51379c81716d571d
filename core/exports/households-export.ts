import type { HouseholdView } from '../households/household.repository.ts';
import {
  defaultCategoryLabel,
  HOUSEHOLD_NEED_LABELS,
  HOUSEHOLD_STATUS_LABELS,
  isHouseholdNeed,
  isHouseholdStatus,
} from '../households/household.ts';
import { fromIsoDate } from '../shared/calendar.ts';
import { formatDate } from '../shared/format.ts';
import type { UnitView } from '../units/unit.repository.ts';
import { displayUnitName } from './export-scope.ts';
import { plainUnitName } from './official-document.ts';
import { type ExportColumn, type ExportRow, type ExportSheet, STT_COLUMN, sheet } from './sheet.ts';

export const HOUSEHOLD_COLUMNS: ExportColumn[] = [
  STT_COLUMN,
  { key: 'unit', header: 'Phường, xã', width: 20, format: 'text' },
  { key: 'code', header: 'Mã hộ', width: 11, format: 'text', total: 'count' },
  { key: 'village', header: 'Thôn/Tổ', width: 14, format: 'text' },
  { key: 'headName', header: 'Họ tên chủ hộ', width: 24, format: 'text' },
  { key: 'birthYear', header: 'Năm sinh', width: 8, format: 'year' },
  { key: 'idLast4', header: 'CCCD (4 số cuối)', width: 10, format: 'text' },
  { key: 'category', header: 'Diện hộ', width: 14, format: 'text' },
  { key: 'need', header: 'Nhu cầu hỗ trợ', width: 11, format: 'text' },
  { key: 'status', header: 'Trạng thái', width: 15, format: 'text' },
  { key: 'eligible', header: 'Đủ điều kiện (QĐ 55)', width: 11, format: 'text' },
];

export const HOUSEHOLDS_TITLE = 'DANH SÁCH HỘ ĐỀ NGHỊ HỖ TRỢ XÓA NHÀ TẠM, NHÀ DỘT NÁT';

/**
 * The household list of the scope's wards and communes: one row per household as the registry
 * keeps it. The ID number is never stored in clear; only its last 4 digits appear. Categories are
 * named by `categoryLabel` (the campaign's labels; the built-in ones by default).
 */
export function householdsSheet(input: {
  units: UnitView[];
  households: HouseholdView[];
  issuerName: string;
  today: string;
  categoryLabel?: (code: string) => string;
}): ExportSheet {
  const categoryLabel = input.categoryLabel ?? defaultCategoryLabel;
  const names = new Map(input.units.map((u) => [u.id, displayUnitName(u)]));
  const rows: ExportRow[] = input.households.map((h, i) => ({
    stt: i + 1,
    unit: names.get(h.unitId) ?? `#${h.unitId}`,
    code: h.code,
    village: h.village,
    headName: h.headName,
    birthYear: h.birthYear,
    idLast4: h.idNumberLast4,
    category: categoryLabel(h.category),
    need: isHouseholdNeed(h.need) ? HOUSEHOLD_NEED_LABELS[h.need] : h.need,
    status: isHouseholdStatus(h.status) ? HOUSEHOLD_STATUS_LABELS[h.status] : h.status,
    eligible: h.eligible ? 'Đủ' : 'Chưa đủ',
  }));
  const count = (f: (h: HouseholdView) => boolean) => input.households.filter(f).length;
  const where =
    input.units.length === 1 && input.units[0]
      ? displayUnitName(input.units[0])
      : `Các phường, xã thuộc ${plainUnitName(input.issuerName)}`;
  return sheet({
    name: 'Danh sách hộ',
    title: HOUSEHOLDS_TITLE,
    subtitle: `${where} – đến ngày ${formatDate(fromIsoDate(input.today))}`,
    columns: HOUSEHOLD_COLUMNS,
    rows,
    notes: [
      `Tổng số ${input.households.length} hộ: xây mới ${count((h) => h.need === 'new_build')}, sửa chữa ${count((h) => h.need === 'repair')}; đủ điều kiện theo Quyết định 55/QĐ-BXD ${count((h) => h.eligible)}.`,
      'Số CCCD không được lưu: bot chỉ giữ 4 số cuối để đối chiếu.',
    ],
  });
}
