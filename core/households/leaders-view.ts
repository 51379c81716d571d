import { unitsFor } from '../access/access.ts';
import { campaignOf } from '../campaigns/campaign-of.ts';
import type { Text } from '../flows/flow.ts';
import { loadAreaUnits } from '../people/area-view.ts';
import type { Actor } from '../shared/actor.ts';
import { dateInZone, toIsoDate } from '../shared/calendar.ts';
import { formatDate, formatDateTime } from '../shared/format.ts';
import type { Tx } from '../unit-of-work.ts';
import { isLocalKind } from '../units/unit.repository.ts';
import {
  completionPercent,
  latestDuePeriod,
  loadUnitProgress,
  shortUnitName,
  unitsReported,
} from './unit-progress.ts';

/**
 * `/tinhhinh`: for each ward and commune of the leader's area, households by status (cumulative:
 * a completed house was also started), % completed of approved, the last report and whether the
 * latest weekly or monthly report due is in. A fixed-width table that fits a phone screen. For a province
 * or the nation: each unit right below, with everything under it and how many of its wards and
 * communes have not reported.
 */
export async function buildLeadersView(tx: Tx, actor: Actor, now: Date): Promise<Text[] | undefined> {
  const parents = unitsFor(actor, 'status.view');
  if (parents.length === 0) {
    return undefined;
  }
  // The campaign of the leader's area (a closed one's figures stay readable).
  const campaign = await campaignOf(tx, parents, now);
  const timeZone = campaign?.timeZone ?? 'Asia/Ho_Chi_Minh';
  const today = toIsoDate(dateInZone(now, timeZone));
  // Units as they are today: a merged ward once, under its successor, with its predecessors' figures;
  // a leader of a province or of the nation sees the units right below, each with all under it.
  const view = await loadAreaUnits(tx, parents, today);
  const { units, countsUnder } = view;
  const multiLevel = units.some((u) => !isLocalKind(u.kind));
  const due = campaign ? await latestDuePeriod(tx, campaign.id, today) : undefined;
  const progress = await loadUnitProgress(tx, units, countsUnder);
  const reports = due ? await tx.reports.latestByUnit([...countsUnder.keys()], due.id) : [];
  const lastReport = new Map<number, Date>();
  for (const r of reports) {
    const row = countsUnder.get(r.unitId);
    const seen = row === undefined ? undefined : lastReport.get(row);
    if (row !== undefined && (!seen || r.submittedAt > seen)) {
      lastReport.set(row, r.submittedAt);
    }
  }
  // Wards and communes that have not sent the report due, by the row they are listed under.
  const missing = new Map<number, number>();
  if (due) {
    const reported = await unitsReported(tx, due, [], multiLevel ? view.local.countsUnder : countsUnder);
    const owing = multiLevel ? view.local : view;
    for (const u of owing.units) {
      if (owing.expected.has(u.id) && !reported.has(u.id)) {
        const row = multiLevel ? (view.local.rowOf.get(u.id) ?? u.id) : u.id;
        missing.set(row, (missing.get(row) ?? 0) + 1);
      }
    }
  }

  const rows: string[] = [];
  const late: string[] = [];
  for (const [i, unit] of units.entries()) {
    const p = progress[i];
    if (!p) {
      continue;
    }
    const completion = completionPercent(p);
    const percent = completion === undefined ? '–' : `${completion}% HT`;
    const reported = lastReport.get(unit.id);
    // The day and month it came in: "14/04".
    const last = reported ? formatDate(dateInZone(reported, timeZone)).slice(0, 5) : '–';
    // One labelled line per unit: phones show chat text in a proportional font, so columns would not align.
    rows.push(
      `• ${shortUnitName(unit.name)}: ${p.approved} duyệt · ${p.started} KC · ${p.completed} HT · ${p.handedOver} BG (${percent}) · BC ${last}`,
    );
    const count = missing.get(unit.id);
    if (count !== undefined) {
      late.push(multiLevel ? `${shortUnitName(unit.name)} (${count})` : shortUnitName(unit.name));
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
        ? {
            key: multiLevel ? 'leaders.late_local' : 'leaders.late',
            params: { period: due.label, units: late.join(', ') },
          }
        : { key: 'leaders.all_in', params: { period: due.label } },
    );
  }
  return lines;
}
