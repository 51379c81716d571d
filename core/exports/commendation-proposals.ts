import type { Campaign } from '../campaigns/campaign.ts';
import { buildRollup, type FundRollup } from '../funds/fund-rollup.ts';
import { loadUnitProgress, type UnitProgress } from '../households/unit-progress.ts';
import { idsByRow } from '../reports/row-report.ts';
import {
  criteriaBasis,
  criteriaBody,
  type FieldProposal,
  type Proposal,
} from '../summaries/commendations.ts';
import { criteriaOwnerName, fieldProposals } from '../summaries/field-proposals.ts';
import { proposalsFor } from '../summaries/proposals.ts';
import type { Tx } from '../unit-of-work.ts';
import { isLocalKind, type UnitView } from '../units/unit.repository.ts';
import { scopeUnitsAt } from './period-units.ts';

/** Every fund level and member organisation a roll-up names. */
const ROLLUP_KINDS = ['province', 'city', 'district', 'ward', 'commune', 'member_org'];

/**
 * The commendation proposals of an area (issue 16 §6), for the summary export, the proposal
 * document (commendation-document.ts) and the committee's report: those the campaign's criteria
 * give (wards, member organisations, donors with or without a pledge, named with their consent),
 * next to the wards' own proposals from their reports.
 */
export interface CommendationProposals {
  /** The area's unit, whose standing committee set the criteria and proposes. */
  area: UnitView;
  /** "Ban Thường trực Ủy ban MTTQ thành phố Bắc Kạn": of the campaign's area, which set the criteria. */
  body: string;
  /** "theo tiêu chí của cuộc vận động do Ban Thường trực Ủy ban MTTQ thành phố Bắc Kạn đề ra". */
  basis: string;
  /** By the campaign's criteria, each with the figures behind it. */
  criteria: Proposal[];
  /** The wards' own, from their final (and quarterly) reports. */
  field: FieldProposal[];
  /** The wards and communes of the scope on `today`, and their progress (same order). */
  units: UnitView[];
  progress: UnitProgress[];
  /** The campaign's money by organisation and donor (the criteria's source). */
  rollup: FundRollup;
}

/**
 * The proposals for the units of `scopeUnitIds` (an area — city, province — or wards) on `today`
 * (ISO day, the campaign's calendar). The area is the first unit above ward level given, else the
 * first ward's parent. Undefined when no unit of the scope exists.
 */
export async function commendationProposals(
  tx: Tx,
  campaign: Campaign,
  scopeUnitIds: readonly number[],
  today: string,
): Promise<CommendationProposals | undefined> {
  const own: UnitView[] = [];
  for (const id of scopeUnitIds) {
    const unit = await tx.units.findById(id);
    if (unit) {
      own.push(unit);
    }
  }
  const first = own[0];
  const parent = first?.parentId == null ? undefined : await tx.units.findById(first.parentId);
  const area = own.find((u) => !isLocalKind(u.kind)) ?? parent ?? first;
  if (!area) {
    return undefined;
  }
  // The wards and communes as they are today, merged ones counted in their successor's row.
  const { units, countsUnder } = await scopeUnitsAt(tx, { own, campaign }, today);
  const progress = await loadUnitProgress(tx, units, countsUnder);
  const rollup = buildRollup(
    await tx.units.listByKinds(ROLLUP_KINDS),
    await tx.pledges.listByCampaign(campaign.id),
    await tx.funds.listByCampaign(campaign.id),
  );
  const owner = await criteriaOwnerName(tx, campaign, area.name);
  return {
    area,
    body: criteriaBody(owner),
    basis: criteriaBasis(owner),
    criteria: await proposalsFor(tx, campaign, units, progress, rollup, today),
    // Each ward's proposals, then those of the wards merged into it.
    field: await fieldProposals(tx, campaign, [...idsByRow({ units, countsUnder }).values()].flat()),
    units,
    progress,
    rollup,
  };
}
