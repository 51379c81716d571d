import { meetsAll, type Need } from '../access/access.ts';
import { feedbackAnswerRunner, feedbackRunner } from '../feedback/feedback.ts';
import { answeredData } from '../flows/engine.ts';
import type { FlowData, FlowState } from '../flows/flow.ts';
import type { FlowRunner } from '../flows/flow-runner.ts';
import { allocationRunner } from '../funds/flows/allocation.ts';
import { disbursementRunner } from '../funds/flows/disbursement.ts';
import { pledgeSearchRunner } from '../funds/flows/pledge-search.ts';
import { receiptRunner } from '../funds/flows/receipt.ts';
import { chosenLevel } from '../funds/flows/shared.ts';
import { transferRunner } from '../funds/flows/transfer.ts';
import { pledgeCancelRunner } from '../funds/my-pledges.ts';
import { pledgeRunner } from '../funds/pledge-flow.ts';
import { pledgeRejectRunner } from '../funds/pledge-verify-chat.ts';
import { householdAddRunner } from '../households/household-add.ts';
import { householdSearchRunner, householdStatusRunner } from '../households/household-flows.ts';
import { inviteCreateRunner } from '../people/invite-flow.ts';
import { narrativeReportRunner } from '../reports/narrative-report.ts';
import { reportRunner } from '../reports/report-runner.ts';
import { type Actor, GUEST } from '../shared/actor.ts';
import type { Tx } from '../unit-of-work.ts';

/**
 * Permissions are checked when an action takes effect (issue 13 §5): each flow's start checks who
 * may open it, and this table says what the *confirmation* needs — actions of the access table
 * (core/access/access.ts) at the units the answers are about — re-checked against the person's
 * roles read again inside the transaction that writes (`PeopleRepository.currentActor`). A role
 * removed (`people role … --remove`) or a person deactivated while the conversation was open is
 * refused at confirmation and nothing is written. Undefined: what the rule needs to decide is gone.
 */
export type Rule = (tx: Tx, ctx: unknown, data: FlowData) => Need[] | undefined | Promise<Need[] | undefined>;

/**
 * Typed by the runner's own context, stored untyped in the table: the context is read through the
 * runner's schema (it always parses — the runner made it — but the table needs no cast to know it).
 */
function rule<C>(
  runner: FlowRunner<C>,
  decide: (tx: Tx, ctx: C, data: FlowData) => Need[] | undefined | Promise<Need[] | undefined>,
): [string, Rule] {
  return [
    runner.def.id,
    (tx, raw, data) => {
      const ctx = runner.parseContext(raw);
      return ctx === undefined ? undefined : decide(tx, ctx, data);
    },
  ];
}

/** A need at a unit that may be gone (a level no longer offered): undefined then. */
const at = (action: Need['action'], unit: number | undefined): Need[] | undefined =>
  unit === undefined ? undefined : [{ action, unit }];

const FLOW_ACCESS: ReadonlyMap<string, Rule> = new Map([
  rule(reportRunner, (_tx, ctx) => at('report.submit', ctx.unitId)),
  rule(narrativeReportRunner, (_tx, ctx) => at('narrative.submit', ctx.unitId)),
  rule(householdAddRunner, (_tx, ctx) => at('household.add', ctx.unitId)),
  rule(householdSearchRunner, (_tx, ctx) =>
    ctx.unitIds.map((unit) => ({
      action: ctx.target === 'alloc' ? 'fund.household' : 'household.view',
      unit,
    })),
  ),
  rule(householdStatusRunner, async (tx, ctx) =>
    at('household.status', (await tx.households.findById(ctx.householdId))?.unitId),
  ),
  // An organisation's pledge needs its leader still; a donor's own, a person still (or a guest's, nobody).
  rule(pledgeRunner, (_tx, ctx) =>
    ctx.mode === 'org'
      ? at('pledge.org', ctx.orgUnitId ?? undefined)
      : [{ action: ctx.guest ? 'pledge.register' : 'pledge.mine' }],
  ),
  rule(pledgeCancelRunner, async (tx, ctx) => {
    const pledge = await tx.pledges.findById(ctx.id);
    if (!pledge) {
      return undefined;
    }
    return pledge.orgUnitId !== null && pledge.donorKind === 'organisation'
      ? at('pledge.org', pledge.orgUnitId)
      : [{ action: 'pledge.mine' }];
  }),
  rule(receiptRunner, (_tx, ctx, data) => at('fund.receipt', chosenLevel(ctx, data)?.id)),
  rule(allocationRunner, (_tx, ctx, data) => {
    const level = chosenLevel(ctx, data)?.id;
    return level === undefined
      ? undefined
      : [
          { action: 'fund.allocate', unit: level },
          { action: 'fund.household', unit: ctx.household.unitId },
        ];
  }),
  rule(disbursementRunner, (_tx, ctx) => at('fund.disburse', ctx.levels[0]?.id)),
  rule(transferRunner, (_tx, ctx, data) => at('fund.transfer', chosenLevel(ctx, data)?.id)),
  rule(pledgeSearchRunner, (_tx, ctx) => ctx.levelIds.map((unit) => ({ action: 'fund.receipt', unit }))),
  // Refusing a pledge that waits for verification (issue 13 §6): the keepers of its fund level.
  rule(pledgeRejectRunner, async (tx, ctx) =>
    at('pledge.verify', (await tx.pledges.findById(ctx.id))?.fundUnitId ?? undefined),
  ),
  rule(feedbackRunner, () => [{ action: 'feedback.send' }]),
  rule(feedbackAnswerRunner, async (tx, ctx) =>
    at('feedback.handle', (await tx.feedback.findById(ctx.id))?.unitId),
  ),
  rule(inviteCreateRunner, (_tx, ctx, data) =>
    at('invite.create', ctx.units.find((u) => String(u.id) === String(data.unit))?.id),
  ),
]);

/** The flows this table has a rule for (a flow without one is refused at confirmation). */
export function flowsWithAccessRule(): string[] {
  return [...FLOW_ACCESS.keys()];
}

/**
 * Who confirms `state` now: the person (`personId`, undefined for a guest) with the roles they hold
 * at this moment, read again inside the caller's transaction and held until it ends, or the guest
 * for what a stranger may do; undefined when they may no longer confirm it (a role removed, a
 * person deactivated, a flow without a rule).
 */
export async function confirmingActor(
  tx: Tx,
  // biome-ignore lint/suspicious/noExplicitAny: any runner of the dispatcher, whatever its context.
  runner: FlowRunner<any>,
  state: FlowState,
  personId: number | undefined,
  /** The rule the flow's feature declares (core/features), for a flow this table does not list. */
  declared?: Rule,
): Promise<Actor | undefined> {
  const decide = FLOW_ACCESS.get(runner.def.id) ?? declared;
  const needs = decide ? await decide(tx, state.ctx, answeredData(runner.def, state)) : undefined;
  if (!needs) {
    return undefined;
  }
  const actor = personId === undefined ? undefined : await tx.people.currentActor(personId);
  if (!(await meetsAll(tx.units, actor, needs))) {
    return undefined;
  }
  // A stranger confirms only what a need lets guests do (an empty list asks for a person).
  return actor ?? (needs.length > 0 ? GUEST : undefined);
}
