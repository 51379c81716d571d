import { unitsFor } from '../access/access.ts';
import type { Period } from '../campaigns/campaign.ts';
import { campaignOf } from '../campaigns/campaign-of.ts';
import type { Text } from '../flows/flow.ts';
import {
  completionPercent,
  latestDuePeriod,
  loadUnitProgress,
  shortUnitName,
  type UnitProgress,
  unitsReported,
} from '../households/unit-progress.ts';
import { bold } from '../messaging/markup.ts';
import { type AreaView, loadAreaUnits, loadOwesReports } from '../people/area-view.ts';
import type { Actor } from '../shared/actor.ts';
import { dateInZone, toIsoDate } from '../shared/calendar.ts';
import { formatDate, formatDateTime } from '../shared/format.ts';
import type { Tx } from '../unit-of-work.ts';
import { isLocalKind } from '../units/unit.repository.ts';
import { idsByRow, type RowReport, rowReport } from './row-report.ts';

type Houses = Omit<UnitProgress, 'unitId'>;

/** What the wards and communes under a listed unit reported for the period due. */
interface Reported {
  houses: Houses;
  /** The wards and communes that sent it, of those that owed it (a ward's own row: 1 of 1). */
  sent: number;
  owed: number;
  /** A ward's or commune's own report: when it came in, and whether it was late. */
  own?: RowReport;
}

/**
 * `/tinhhinh` (issue 18 §4): for each ward and commune of the leader's area, one block a phone shows
 * whole — the unit's name in bold, then the houses approved, started, completed and handed over as
 * the unit reported them for the latest period due (its monthly or weekly report) and, below, as the
 * household registry counts them, in full words and in the same order so the two read side by side.
 * For a province or the nation: each unit right below, with everything under it and how many of its
 * wards and communes sent the report. Last, the units that have not sent it.
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
  const reported = due ? await reportedByRow(tx, view, due, campaign?.areaUnitId ?? null) : undefined;

  // Wards and communes that have not sent the report due, by the row they are listed under.
  const missing = new Map<number, number>();
  if (due) {
    const sent = await unitsReported(tx, due, [], view.local.countsUnder);
    for (const u of view.local.units) {
      if (view.local.expected.has(u.id) && !sent.has(u.id)) {
        const row = view.local.rowOf.get(u.id) ?? u.id;
        missing.set(row, (missing.get(row) ?? 0) + 1);
      }
    }
  }

  const lines: Text[] = [
    { key: 'leaders.title', params: { at: formatDateTime(now, timeZone) } },
    due ? { key: 'leaders.legend', params: { period: due.label } } : { key: 'leaders.legend_registry' },
  ];
  const late: string[] = [];
  for (const [i, unit] of units.entries()) {
    const registry = progress[i];
    if (!registry) {
      continue;
    }
    lines.push({ key: 'leaders.unit', params: { name: bold(unit.name) } });
    // A unit that owes no report of the period (a split ward, ended) has none to show.
    const sent = reported?.get(unit.id);
    if (sent) {
      lines.push(reportedLine(sent, multiLevel, timeZone));
    }
    lines.push({ key: 'leaders.registry', params: { figures: figures(registry) } });
    const count = missing.get(unit.id);
    if (count !== undefined) {
      late.push(multiLevel ? `${shortUnitName(unit.name)} (${count})` : shortUnitName(unit.name));
    }
  }
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

/** The four counts in full words; the % completed of approved beside "completed" once any is approved. */
function figures(h: Houses): Text {
  const percent = completionPercent(h);
  return {
    key: 'leaders.figures',
    params: {
      approved: h.approved,
      started: h.started,
      completed: h.completed,
      percent: percent === undefined ? '' : `\u00a0(${percent}%)`,
      handedOver: h.handedOver,
    },
  };
}

function reportedLine(r: Reported, multiLevel: boolean, timeZone: string): Text {
  if (r.sent === 0) {
    return { key: multiLevel ? 'leaders.reported_none_local' : 'leaders.reported_none' };
  }
  if (multiLevel || !r.own) {
    return {
      key: 'leaders.reported_local',
      params: { sent: r.sent, owed: r.owed, figures: figures(r.houses) },
    };
  }
  // The day and month it came in: "14/11".
  const date = formatDate(dateInZone(r.own.submittedAt, timeZone)).slice(0, 5);
  return {
    key: r.own.late ? 'leaders.reported_late' : 'leaders.reported',
    params: { date, figures: figures(r.houses) },
  };
}

/**
 * The reports of the period due, of the wards and communes of the view (a successor's own, or its
 * predecessors' summed when each of them sent theirs: `rowReport`, as the exports count them),
 * added up by the row they are listed under.
 */
async function reportedByRow(
  tx: Tx,
  view: AreaView,
  due: Period,
  areaUnitId: number | null,
): Promise<Map<number, Reported>> {
  const local = view.local;
  const [reports, owes] = await Promise.all([
    tx.reports.listByPeriods([due.id], [...local.countsUnder.keys()]),
    loadOwesReports(tx, areaUnitId, local.countsUnder),
  ]);
  const ids = idsByRow(local);
  const byRow = new Map<number, Reported>();
  for (const unit of local.units) {
    if (!local.expected.has(unit.id)) {
      continue;
    }
    const row = local.rowOf.get(unit.id) ?? unit.id;
    const r = byRow.get(row) ?? {
      houses: { approved: 0, started: 0, completed: 0, handedOver: 0 },
      sent: 0,
      owed: 0,
    };
    r.owed += 1;
    const report = rowReport(unit.id, ids.get(unit.id) ?? [unit.id], reports, due.id, owes);
    if (report) {
      r.sent += 1;
      r.houses.approved += report.approvedNew + report.approvedRepair;
      r.houses.started += report.startedNew + report.startedRepair;
      r.houses.completed += report.completedNew + report.completedRepair;
      r.houses.handedOver += report.handedOverNew + report.handedOverRepair;
      r.own = row === unit.id ? report : undefined;
    }
    byRow.set(row, r);
  }
  return byRow;
}
