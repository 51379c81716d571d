import { type CommendationCriteria, ZCommendationCriteria } from '../campaigns/sections.ts';

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
  name: string;
  kind: string;
  received: bigint;
  publicName: boolean;
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
    if (d.publicName && d.received >= BigInt(c.minDonorReceived)) {
      out.push({ kind: 'donor', name: d.name, reason: `Ủng hộ ${trieu(d.received)}` });
    }
  }
  return out;
}
