/** How digests name places and organisations, and show dates: short enough for a phone line. */

import { fromIsoDate } from '../shared/calendar.ts';
import { formatDate } from '../shared/format.ts';

/**
 * "Ủy ban MTTQ Việt Nam thành phố Bắc Kạn" → "Thành phố Bắc Kạn", the central committee → "Cả nước";
 * a ward keeps its name.
 */
export function areaName(name: string): string {
  if (/^(Ủy ban|Uỷ ban|UB)\s+Trung ương\s+MTTQ/iu.test(name)) {
    return 'Cả nước';
  }
  const bare = name.replace(/^(Ủy ban|Uỷ ban|UB)\s+MTTQ(\s+Việt Nam)?\s+/iu, '');
  return bare.charAt(0).toLocaleUpperCase('vi') + bare.slice(1);
}

/** "Hội Liên hiệp Phụ nữ thành phố Bắc Kạn" → "Hội Liên hiệp Phụ nữ": the place is the digest's. */
export function organisationName(name: string): string {
  return name.replace(/\s+(thành phố|tỉnh|huyện|thị xã|quận|phường|xã|thị trấn)\s+\p{Lu}.*$/u, '');
}

export function isoToDisplay(iso: string): string {
  return formatDate(fromIsoDate(iso));
}
