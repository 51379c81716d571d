import { ancestors, feedbackAnswerRunner, feedbackRunner } from '../feedback/feedback.ts';
import { answeredData } from '../flows/engine.ts';
import type { FlowData, FlowState } from '../flows/flow.ts';
import type { FlowRunner } from '../flows/flow-runner.ts';
import {
  allocationRunner,
  chosenLevel,
  disbursementRunner,
  pledgeSearchRunner,
  receiptRunner,
  transferRunner,
} from '../funds/fund-flows.ts';
import { GUEST, pledgeCancelRunner, pledgeRunner } from '../funds/pledge-flow.ts';
import { pledgeRejectRunner } from '../funds/pledge-verify-chat.ts';
import { householdAddRunner } from '../households/household-add.ts';
import { householdSearchRunner, householdStatusRunner } from '../households/household-flows.ts';
import { inviteCreateRunner } from '../people/invite-flow.ts';
import { narrativeReportRunner } from '../reports/narrative-report.ts';
import { reportRunner } from '../reports/report-runner.ts';
import type { Actor, Role } from '../shared/actor.ts';
import type { Tx } from '../unit-of-work.ts';

/**
 * Permissions are checked when an action takes effect (issue 13 §5): each flow's start checks who
 * may open it, and this table says who may still *confirm* it — re-checked against the person's
 * roles read again inside the transaction that writes (`PeopleRepository.currentActor`). A role
 * removed (`people role … --remove`) or a person deactivated while the conversation was open is
 * refused at confirmation and nothing is written. The rules are data — a role at a unit — so the
 * table can move into one access table later (issue 14) without touching the flows.
 */

/** A role held at a unit: no `unit` means anywhere; `within`, at the unit or at a unit above it. */
export interface Grant {
  role: Role;
  unit?: number;
  within?: boolean;
}

/**
 * Who may confirm: anyone (a guest too: a donor's pledge, a citizen's feedback), any active
 * person, or every need met (each need by one of its grants).
 */
export type Access = 'anyone' | 'person' | Grant[][];

/** A need nobody meets (what the rule needs to decide is gone). */
const NOBODY: Grant[][] = [[]];

type Rule = (tx: Tx, ctx: unknown, data: FlowData) => Access | Promise<Access>;

/** Typed by the runner's own context, stored untyped in the table. */
function rule<C>(
  runner: FlowRunner<C>,
  decide: (tx: Tx, ctx: C, data: FlowData) => Access | Promise<Access>,
): [string, Rule] {
  return [runner.def.id, (tx, ctx, data) => decide(tx, ctx as C, data)];
}

const officerOf = (unit: number): Grant => ({ role: 'unit_officer', unit });
const ANY_ADMIN: Grant = { role: 'admin' };
/** A fund level's keepers: its fund officers, and any admin (`fundLevelsOf`: every level). */
const keeperOf = (level: number | undefined): Grant[] =>
  level === undefined ? [] : [{ role: 'fund_officer', unit: level }, ANY_ADMIN];

const FLOW_ACCESS: ReadonlyMap<string, Rule> = new Map([
  rule(reportRunner, (_tx, ctx) => [[officerOf(ctx.unitId)]]),
  rule(narrativeReportRunner, (_tx, ctx) => [[officerOf(ctx.unitId)]]),
  rule(householdAddRunner, (_tx, ctx) => [[officerOf(ctx.unitId)]]),
  rule(householdSearchRunner, (_tx, ctx) =>
    ctx.target === 'alloc'
      ? ctx.unitIds.map((u) => [{ role: 'fund_officer', unit: u, within: true }, ANY_ADMIN])
      : ctx.unitIds.map((u) => [officerOf(u)]),
  ),
  rule(householdStatusRunner, async (tx, ctx) => {
    const household = await tx.households.findById(ctx.householdId);
    return household ? [[officerOf(household.unitId)]] : NOBODY;
  }),
  // An organisation's pledge needs its leader still; a donor's own, only the donor (or a guest).
  rule(pledgeRunner, (_tx, ctx) =>
    ctx.mode === 'org'
      ? ctx.orgUnitId === null
        ? NOBODY
        : [[{ role: 'org_leader', unit: ctx.orgUnitId }]]
      : ctx.guest
        ? 'anyone'
        : 'person',
  ),
  rule(pledgeCancelRunner, async (tx, ctx) => {
    const pledge = await tx.pledges.findById(ctx.id);
    if (!pledge) {
      return NOBODY;
    }
    return pledge.orgUnitId !== null && pledge.donorKind === 'organisation'
      ? [[{ role: 'org_leader', unit: pledge.orgUnitId }]]
      : 'person';
  }),
  rule(receiptRunner, (_tx, ctx, data) => [keeperOf(chosenLevel(ctx, data)?.id)]),
  rule(allocationRunner, (_tx, ctx, data) => [
    keeperOf(chosenLevel(ctx, data)?.id),
    [{ role: 'fund_officer', unit: ctx.household.unitId, within: true }, ANY_ADMIN],
  ]),
  rule(disbursementRunner, (_tx, ctx) => [keeperOf(ctx.levels[0]?.id)]),
  rule(transferRunner, (_tx, ctx, data) => [keeperOf(chosenLevel(ctx, data)?.id)]),
  rule(pledgeSearchRunner, (_tx, ctx) => ctx.levelIds.map((l) => keeperOf(l))),
  // Refusing a pledge that waits for verification (issue 13 §6): the keepers of its fund level.
  rule(pledgeRejectRunner, async (tx, ctx) => {
    const pledge = await tx.pledges.findById(ctx.id);
    return pledge ? [keeperOf(pledge.fundUnitId)] : NOBODY;
  }),
  rule(feedbackRunner, () => 'anyone'),
  rule(feedbackAnswerRunner, async (tx, ctx) => {
    const feedback = await tx.feedback.findById(ctx.id);
    return feedback
      ? [[officerOf(feedback.unitId), { role: 'admin', unit: feedback.unitId, within: true }]]
      : NOBODY;
  }),
  rule(inviteCreateRunner, (_tx, ctx, data) => {
    const unit = ctx.units.find((u) => String(u.id) === String(data.unit));
    return unit
      ? [
          [ANY_ADMIN],
          [
            { role: 'admin', unit: unit.id, within: true },
            { role: 'leader', unit: unit.id, within: true },
          ],
        ]
      : NOBODY;
  }),
]);

/** The flows this table has a rule for (a flow without one is refused at confirmation). */
export function flowsWithAccessRule(): string[] {
  return [...FLOW_ACCESS.keys()];
}

/**
 * Who confirms `state` now: the person (`personId`, undefined for a guest) with the roles they hold
 * at this moment, read again inside the caller's transaction and held until it ends; undefined
 * when they may no longer confirm it (a role removed, a person deactivated, a flow without a rule).
 */
export async function confirmingActor(
  tx: Tx,
  // biome-ignore lint/suspicious/noExplicitAny: any runner of the dispatcher, whatever its context.
  runner: FlowRunner<any>,
  state: FlowState,
  personId: number | undefined,
): Promise<Actor | undefined> {
  const decide = FLOW_ACCESS.get(runner.def.id);
  if (!decide) {
    return undefined;
  }
  const access = await decide(tx, state.ctx, answeredData(runner.def, state));
  const actor = personId === undefined ? undefined : await tx.people.currentActor(personId);
  if (access === 'anyone') {
    return actor ?? GUEST;
  }
  if (!actor) {
    return undefined;
  }
  if (access === 'person') {
    return actor;
  }
  for (const need of access) {
    if (!(await someGranted(tx, actor, need))) {
      return undefined;
    }
  }
  return actor;
}

async function someGranted(tx: Tx, actor: Actor, grants: Grant[]): Promise<boolean> {
  for (const grant of grants) {
    const held = actor.memberships.filter((m) => m.role === grant.role).map((m) => m.unitId);
    if (held.length === 0) {
      continue;
    }
    if (grant.unit === undefined || held.includes(grant.unit)) {
      return true;
    }
    if (grant.within && (await ancestors(tx, grant.unit)).some((id) => held.includes(id))) {
      return true;
    }
  }
  return false;
}
