import type { Text } from '../flows/flow.ts';
import type { Actor } from '../people/people.ts';
import { loadAreaUnits, unitsUnder } from '../people/reorganisation.ts';
import { dateInZone, toIsoDate } from '../shared/calendar.ts';
import { formatDateTime } from '../shared/format.ts';
import type { Tx } from '../unit-of-work.ts';
import {
  completionPercent,
  latestDuePeriod,
  loadUnitProgress,
  shortUnitName,
  unitsReported,
} from './unit-progress.ts';

/** Who sees the leaders' view: leaders and admins, for the units under theirs. */
export function leaderUnitIds(actor: Actor): number[] {
  return actor.memberships.filter((m) => m.role === 'leader' || m.role === 'admin').map((m) => m.unitId);
}

/**
 * `/tinhhinh`: for each ward and commune of the leader's area, households by status (cumulative:
 * a completed house was also started), % completed of approved, the last report and whether the
 * latest monthly report due is in. A fixed-width table that fits a phone screen.
 */
export async function buildLeadersView(tx: Tx, actor: Actor, now: Date): Promise<Text[] | undefined> {
  const parents = leaderUnitIds(actor);
  if (parents.length === 0) {
    return undefined;
  }
  const campaign = await tx.campaigns.findCurrent();
  const timeZone = campaign?.timeZone ?? 'Asia/Ho_Chi_Minh';
  const today = toIsoDate(dateInZone(now, timeZone));
  // Units as they are today: a merged ward once, under its successor, with its predecessors' figures.
  const { units, countsUnder } = await loadAreaUnits(tx, parents, today);
  const due = campaign ? await latestDuePeriod(tx, campaign.id, 'monthly', today) : undefined;
  const progress = await loadUnitProgress(tx, units, countsUnder);
  const reports = due ? await tx.reports.latestByUnit([...countsUnder.keys()], due.id) : [];
  const reported = due ? await unitsReported(tx, due, [], countsUnder) : new Set<number>();

  const rows: string[] = [];
  const late: string[] = [];
  for (const [i, unit] of units.entries()) {
    const p = progress[i];
    if (!p) {
      continue;
    }
    const completion = completionPercent(p);
    const percent = completion === undefined ? '–' : `${completion}% HT`;
    const under = unitsUnder(countsUnder, unit.id);
    const report = reports
      .filter((r) => under.includes(r.unitId))
      .sort((a, b) => b.submittedAt.getTime() - a.submittedAt.getTime())[0];
    const last = report ? formatDateTime(report.submittedAt, timeZone).slice(6, 11) : '–';
    // One labelled line per unit: phones show chat text in a proportional font, so columns would not align.
    rows.push(
      `• ${shortUnitName(unit.name)}: ${p.approved} duyệt · ${p.started} KC · ${p.completed} HT · ${p.handedOver} BG (${percent}) · BC ${last}`,
    );
    if (due && !reported.has(unit.id)) {
      late.push(shortUnitName(unit.name));
    }
  }
  const lines: Text[] = [
    { key: 'leaders.title', params: { at: formatDateTime(now, timeZone) } },
    { key: 'leaders.table', params: { rows: rows.join('\n') } },
    { key: 'leaders.legend' },
  ];
  if (due) {
    lines.push(
      late.length > 0
        ? { key: 'leaders.late', params: { period: due.label, units: late.join(', ') } }
        : { key: 'leaders.all_in', params: { period: due.label } },
    );
  }
  return lines;
}
