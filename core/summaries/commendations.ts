import { type CommendationCriteria, ZCommendationCriteria } from '../campaigns/sections.ts';
import { placeInSentence } from '../units/kinds.ts';

export type { CommendationCriteria };
export { ZCommendationCriteria };

/**
 * Who is proposed for commendation in the six-monthly and final summaries (issue 7 §4), by
 * transparent criteria the admin can adjust (`Campaign.settings.commendationCriteria`, changed
 * with `npm run cli -- campaign commendation --set '{…}'`). Every proposal says which criterion
 * it met, with the figures, so the standing committee can check it.
 */

export function parseCommendationCriteria(raw: unknown): CommendationCriteria {
  return ZCommendationCriteria.parse(raw ?? {});
}

export interface UnitRecord {
  name: string;
  approved: number;
  completed: number;
  reportsDue: number;
  reportsOnTime: number;
}

export interface OrgRecord {
  name: string;
  pledged: bigint;
  received: bigint;
}

export interface DonorRecord {
  /** A pledge's donor, or the payer noted on receipts without a pledge (may be empty). */
  name: string;
  kind: string;
  received: bigint;
  publicName: boolean;
  /** Gave without a pledge ("ngoài đăng ký"): proposed by the same criterion. */
  walkIn?: boolean;
}

export interface Proposal {
  /** tập thể (a unit or an organisation) or cá nhân / doanh nghiệp (a donor). */
  kind: 'unit' | 'organisation' | 'donor';
  name: string;
  /** What was achieved, in Vietnamese, with the figures. */
  reason: string;
}

const percent = (share: number) => `${Math.round(share * 100)}%`;
// One formatter for all: `toLocaleString` builds a new one each call (thousands of donors nationally).
const MILLIONS = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 });
const trieu = (d: bigint) => `${MILLIONS.format(Number(d) / 1_000_000)} triệu đồng`;

export function proposeCommendations(
  c: CommendationCriteria,
  units: readonly UnitRecord[],
  orgs: readonly OrgRecord[],
  donors: readonly DonorRecord[],
): Proposal[] {
  const out: Proposal[] = [];
  for (const u of units) {
    const completedShare = u.approved > 0 ? u.completed / u.approved : 0;
    const onTime = u.reportsDue > 0 ? u.reportsOnTime / u.reportsDue : 1;
    if (
      u.completed >= c.minHousesCompleted &&
      completedShare >= c.minCompletedShare &&
      onTime >= c.minOnTimeShare
    ) {
      out.push({
        kind: 'unit',
        name: u.name,
        reason: `Hoàn thành ${u.completed}/${u.approved} nhà (${percent(completedShare)}); báo cáo đúng hạn ${u.reportsOnTime}/${u.reportsDue} kỳ`,
      });
    }
  }
  for (const o of orgs) {
    const share = o.pledged > 0n ? Number(o.received) / Number(o.pledged) : 0;
    if (o.received >= BigInt(c.minOrgReceived) && share >= c.minOrgPaidShare) {
      out.push({
        kind: 'organisation',
        name: o.name,
        reason: `Vận động ${trieu(o.pledged)}, đã nộp ${trieu(o.received)} (${percent(share)})`,
      });
    }
  }
  for (const d of donors) {
    // Donors are named only with their consent; a receipt that names nobody proposes nobody.
    if (d.publicName && d.name.trim() !== '' && d.received >= BigInt(c.minDonorReceived)) {
      out.push({
        kind: 'donor',
        name: d.name.trim(),
        reason: `Ủng hộ ${trieu(d.received)}${d.walkIn ? ' (nộp trực tiếp vào Quỹ, không qua đăng ký)' : ''}`,
      });
    }
  }
  return out;
}

/**
 * Whose criteria the proposals follow: "Ban Thường trực Ủy ban MTTQ thành phố Bắc Kạn" for the
 * area's unit "Ủy ban MTTQ Việt Nam thành phố Bắc Kạn" (or "Tỉnh Thái Nguyên") — the campaign's
 * criteria, set by the area's standing committee; the plan names no "Ban Chỉ đạo".
 */
export function criteriaBody(areaName: string): string {
  return `Ban Thường trực Ủy ban MTTQ ${placeInSentence(areaName)}`;
}

/** "theo tiêu chí của cuộc vận động do Ban Thường trực Ủy ban MTTQ thành phố Bắc Kạn đề ra". */
export function criteriaBasis(areaName: string): string {
  return `theo tiêu chí của cuộc vận động do ${criteriaBody(areaName)} đề ra`;
}

/** A ward's own proposal for commendation: its report's "Đề nghị khen thưởng" answer. */
export interface FieldProposal {
  unitId: number;
  /** The ward as it was named when it reported ("Phường Đức Xuân"). */
  unit: string;
  /** The report it came in: "Báo cáo kết quả thực hiện Kế hoạch", "Báo cáo quý IV/2025". */
  report: string;
  /** Its reference ("BCKQ-01840-2"). */
  ref: string;
  /** What the ward wrote, trimmed. */
  text: string;
}
