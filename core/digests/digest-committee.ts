import type { Campaign, Period } from '../campaigns/campaign.ts';
import { isCommitteeKind, issuedCommitteeReports } from '../committee/obligation.ts';
import type { Text } from '../flows/flow.ts';
import type { Tx } from '../unit-of-work.ts';
import { isoToDisplay } from './digest-names.ts';

/**
 * The committee's own reports among the periods a digest shows (issue 16 §2): the six-monthly and
 * final reports of the campaign's area unit, issued ("đã ban hành, Số: 12/BC-MTTQ-BTT, ngày …") or
 * not yet ("chưa ban hành (hạn trước …)"). Only a digest of the campaign's whole area shows them: a
 * ward's digest has no committee report of its own.
 */
export async function committeeLines(
  tx: Tx,
  campaign: Campaign,
  areaUnitId: number,
  periods: readonly Period[],
  today: string,
): Promise<Text[]> {
  const own = periods.filter((p) => isCommitteeKind(p.kind));
  if (campaign.areaUnitId !== areaUnitId || own.length === 0) {
    return [];
  }
  const issued = await issuedCommitteeReports(tx, campaign, own);
  return own.map((period): Text => {
    const done = issued.get(period.id);
    if (done) {
      return {
        key: 'digest.committee.issued',
        params: { period: period.label, number: done.numberText, date: isoToDisplay(done.issuedOn) },
      };
    }
    return {
      key: today >= period.dueOn ? 'digest.committee.late' : 'digest.committee.pending',
      params: { period: period.label, due: isoToDisplay(period.dueOn) },
    };
  });
}
