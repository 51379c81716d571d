import type { Text } from '../flows/flow.ts';
import type { Actor } from '../people/people.ts';
import { dateInZone, toIsoDate } from '../shared/calendar.ts';
import { formatDateTime } from '../shared/format.ts';
import type { Tx } from '../unit-of-work.ts';

/** Who sees the leaders' view: leaders and admins, for the units under theirs. */
export function leaderUnitIds(actor: Actor): number[] {
  return actor.memberships.filter((m) => m.role === 'leader' || m.role === 'admin').map((m) => m.unitId);
}

const STAGES = ['approved', 'started', 'completed', 'handed_over'] as const;

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
  const units = await tx.units.listChildren(parents);
  const campaign = await tx.campaigns.findCurrent();
  const timeZone = campaign?.timeZone ?? 'Asia/Ho_Chi_Minh';
  const today = toIsoDate(dateInZone(now, timeZone));
  const monthly = campaign ? await tx.campaigns.listPeriods(campaign.id, 'monthly') : [];
  const due = monthly.filter((p) => p.dueOn <= today).at(-1);
  const ids = units.map((u) => u.id);
  const counts = await tx.households.countsByUnit(ids);
  const reports = due ? await tx.reports.latestByUnit(ids, due.id) : [];

  const rows: string[] = [];
  const late: string[] = [];
  for (const unit of units) {
    const own = counts.filter((c) => c.unitId === unit.id);
    const reached = (stage: (typeof STAGES)[number]) =>
      own
        .filter((c) => STAGES.indexOf(c.status as (typeof STAGES)[number]) >= STAGES.indexOf(stage))
        .reduce((n, c) => n + c.count, 0);
    const approved = reached('approved');
    const completed = reached('completed');
    const percent = approved > 0 ? `${Math.round((completed / approved) * 100)}% HT` : '–';
    const report = reports.find((r) => r.unitId === unit.id);
    const last = report ? formatDateTime(report.submittedAt, timeZone).slice(6, 11) : '–';
    // One labelled line per unit: phones show chat text in a proportional font, so columns would not align.
    rows.push(
      `• ${shortName(unit.name)}: ${approved} duyệt · ${reached('started')} KC · ${completed} HT · ${reached('handed_over')} BG (${percent}) · BC ${last}`,
    );
    if (due && !report?.coversPeriod) {
      late.push(shortName(unit.name));
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

/** "Phường Nguyễn Thị Minh Khai" → "NT Minh Khai": short enough for one line on a phone. */
function shortName(name: string): string {
  const bare = name.replace(/^(Phường|Xã|Thị trấn)\s+/u, '');
  if (bare.length <= 12) {
    return bare;
  }
  const words = bare.split(/\s+/);
  const tail = words.slice(-2).join(' ');
  const initials = words
    .slice(0, -2)
    .map((w) => w[0] ?? '')
    .join('');
  return `${initials} ${tail}`.slice(0, 12);
}
