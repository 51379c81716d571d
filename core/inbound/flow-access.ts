import { meetsAll } from '../access/access.ts';
import type { ConfirmRule } from '../features/feature.ts';
import { answeredData } from '../flows/engine.ts';
import type { FlowState } from '../flows/flow.ts';
import type { FlowRunner } from '../flows/flow-runner.ts';
import { type Actor, GUEST } from '../shared/actor.ts';
import type { Tx } from '../unit-of-work.ts';

/**
 * Permissions are checked when an action takes effect (issue 13 §5): each flow's start checks who
 * may open it, and the flow's feature (core/features) declares what the *confirmation* needs —
 * actions of the access table (core/access/access.ts) at the units the answers are about —
 * re-checked here against the person's roles read again inside the transaction that writes
 * (`PeopleRepository.currentActor`). A role removed (`people role … --remove`) or a person
 * deactivated while the conversation was open is refused at confirmation and nothing is written.
 */

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
  /** The rule the flow's feature declares; undefined (a flow without one) is refused. */
  decide: ConfirmRule | undefined,
): Promise<Actor | undefined> {
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
