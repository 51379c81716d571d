/**
 * The committee's own reports (issue 16 §2): the six-monthly report to the Party committee and the
 * final results report of the campaign's area unit itself, made by its Ban Thường trực — an
 * obligation of the area's staff (admins, leaders and officers at that unit: the access table's
 * `committee.report`), never of the wards. Stored as a NarrativeReport of the area unit for the
 * period and numbered in the register of documents issued ("Số: 12/BC-MTTQ-BTT"). The reminder
 * planner, the digests, the chat flow and the CLI all read the obligation from here.
 */

import { ACCESS } from '../access/access.ts';
import type { Campaign, Period } from '../campaigns/campaign.ts';
import { isOpenOrUpcoming } from '../campaigns/campaign-of.ts';
import { campaignRules } from '../campaigns/campaign-rules.ts';
import { documentNumberText } from '../exports/official-document.ts';
import type { NarrativeReportRow } from '../reports/narrative.repository.ts';
import type { Actor, Role } from '../shared/actor.ts';
import type { Tx } from '../unit-of-work.ts';
import { COMMITTEE_KINDS } from './committee-kinds.ts';

export {
  COMMITTEE_KINDS,
  committeeCommand,
  committeeRef,
  isCommitteeKind,
  isCommitteeOnly,
} from './committee-kinds.ts';

/** The roles that hold the committee's obligation at the area unit (the access table's rule). */
export const COMMITTEE_ROLES: readonly Role[] = Object.keys(ACCESS['committee.report'].roles) as Role[];

/** The entity the register numbers a committee report under. */
export const COMMITTEE_ENTITY = 'NarrativeReport';

/** A campaign whose area unit the person works at with the committee's roles. */
export interface CommitteeArea {
  campaign: Campaign;
  unitId: number;
  unitCode: string;
  unitName: string;
}

/**
 * The campaigns (open or not started yet) whose area unit is one where the actor holds a role of
 * `committee.report`: the committees whose reports they may issue. A ward's staff get none.
 */
export async function committeeAreasOf(tx: Tx, actor: Actor, now: Date): Promise<CommitteeArea[]> {
  const held = actor.memberships.filter((m) => COMMITTEE_ROLES.includes(m.role));
  if (held.length === 0) {
    return [];
  }
  const out: CommitteeArea[] = [];
  for (const campaign of await tx.campaigns.list()) {
    const m = held.find((h) => h.unitId === campaign.areaUnitId);
    if (m && isOpenOrUpcoming(campaign, now)) {
      out.push({ campaign, unitId: m.unitId, unitCode: m.unitCode, unitName: m.unitName });
    }
  }
  return out;
}

/** The campaign's six-monthly and final periods, in due order. */
export async function committeePeriods(tx: Tx, campaignId: number): Promise<Period[]> {
  const lists = await Promise.all(COMMITTEE_KINDS.map((kind) => tx.campaigns.listPeriods(campaignId, kind)));
  return lists.flat().sort((a, b) => a.dueOn.localeCompare(b.dueOn) || a.id - b.id);
}

/**
 * Whom the committee's report goes to, as the campaign's documents name it first under "Nơi nhận"
 * ("- Thường trực Thành ủy (để b/c);" → "Thường trực Thành ủy"); '' when they name none.
 */
export async function committeeRecipient(tx: Tx, campaign: Campaign): Promise<string> {
  const first = (await campaignRules(tx, campaign)).documents.recipients.report?.find(
    (r) => !/^\s*-?\s*lưu\b/iu.test(r),
  );
  return (first ?? '')
    .replace(/^\s*-\s*/u, '')
    .replace(/\s*\([^)]*\)/gu, '')
    .replace(/[;.,\s]+$/u, '')
    .trim();
}

/** A committee report as issued: its latest revision and the number the register gave it. */
export interface IssuedCommitteeReport {
  report: NarrativeReportRow;
  /** "Số: 12/BC-MTTQ-BTT". */
  numberText: string;
  /** ISO day on the document. */
  issuedOn: string;
}

/** The number line of an issued report of the campaign's standing committee ("Số: 12/BC-MTTQ-BTT"). */
export async function committeeNumberText(tx: Tx, campaign: Campaign, number: number): Promise<string> {
  const { documents } = await campaignRules(tx, campaign);
  return documentNumberText(number, 'report', documents.symbol);
}

/**
 * The committee's issued report for each of the periods (latest revision with its number), by
 * period id; a period without one is absent. Undefined area (a campaign from before areas): none.
 */
export async function issuedCommitteeReports(
  tx: Tx,
  campaign: Campaign,
  periods: readonly Pick<Period, 'id'>[],
): Promise<Map<number, IssuedCommitteeReport>> {
  const out = new Map<number, IssuedCommitteeReport>();
  if (campaign.areaUnitId === null || periods.length === 0) {
    return out;
  }
  const latest = await tx.narratives.latest(
    periods.map((p) => p.id),
    [campaign.areaUnitId],
  );
  for (const report of latest) {
    const issued = await tx.documents.find(COMMITTEE_ENTITY, String(report.id));
    if (issued) {
      out.set(report.periodId, {
        report,
        numberText: await committeeNumberText(tx, campaign, issued.number),
        issuedOn: issued.issuedOn,
      });
    }
  }
  return out;
}
