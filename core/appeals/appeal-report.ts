import type { Text } from '../flows/flow.ts';
import { dateInZone } from '../shared/calendar.ts';
import { formatMoney } from '../shared/format.ts';
import type { Tx } from '../unit-of-work.ts';
import type { AppealRecord, AppealTally } from './appeal.repository.ts';

/** What each appeal brought (issue 17 §4), for `/quy` and the exports. */

export interface AppealResult extends AppealTally {
  code: string;
  /** The day it was sent (or written), dd/mm/yyyy in the campaign's time zone. */
  sentOn: string;
  recipients: number;
}

/** The campaign's appeals, oldest first, each with its pledges and the money received against them. */
export async function appealResults(
  tx: Tx,
  campaign: { id: number; timeZone: string },
): Promise<AppealResult[]> {
  const appeals = await tx.appeals.listByCampaign(campaign.id);
  if (appeals.length === 0) {
    return [];
  }
  const tallies = new Map((await tx.appeals.tallies(campaign.id)).map((t) => [t.appealId, t]));
  return appeals.map((a) => ({
    appealId: a.id,
    code: a.code,
    sentOn: dayOf(a, campaign.timeZone),
    recipients: a.recipients,
    pledges: tallies.get(a.id)?.pledges ?? 0,
    pledged: tallies.get(a.id)?.pledged ?? 0n,
    received: tallies.get(a.id)?.received ?? 0n,
  }));
}

/** The code of the appeal each attributed pledge of the campaign answered, by pledge id. */
export async function appealCodes(tx: Tx, campaignId: number): Promise<Map<number, string>> {
  const codes = new Map((await tx.appeals.listByCampaign(campaignId)).map((a) => [a.id, a.code]));
  const byPledge = new Map<number, string>();
  for (const [pledgeId, appealId] of await tx.appeals.pledgeAppeals(campaignId)) {
    const code = codes.get(appealId);
    if (code !== undefined) {
      byPledge.set(pledgeId, code);
    }
  }
  return byPledge;
}

function dayOf(appeal: Pick<AppealRecord, 'createdAt' | 'sentAt'>, timeZone: string): string {
  const d = dateInZone(appeal.sentAt ?? appeal.createdAt, timeZone);
  return `${String(d.day).padStart(2, '0')}/${String(d.month).padStart(2, '0')}/${d.year}`;
}

/** `/quy`'s lines per appeal: "Thư kêu gọi KG1 (05/12): 12 đăng ký, 150.000.000 đ; đã nhận 80.000.000 đ". */
export function appealLines(results: readonly AppealResult[]): Text[] {
  if (results.length === 0) {
    return [];
  }
  return [
    { key: 'fund.appeals.header' },
    ...results.map(
      (r): Text => ({
        key: 'fund.appeals.line',
        params: {
          code: r.code,
          date: r.sentOn.slice(0, 5),
          pledges: r.pledges,
          pledged: formatMoney(r.pledged),
          received: formatMoney(r.received),
        },
      }),
    ),
  ];
}
