/**
 * Merging and splitting wards and communes under a running campaign (issue 7 §2). Records stay
 * attached to the unit they were made for; what changes from the effective date is the unit their
 * figures count under. A predecessor with a single successor (a merge, or a rename) counts under
 * it; a split unit has several successors and keeps its own figures (and row) until its households
 * are reassigned, so nothing is counted twice and nothing is lost.
 */

export { dayBefore, isIsoDay } from '../units/dates.ts';
// Planning a reorganisation moved to core/units/ (issue 15 §2); re-exported for older callers.
export {
  type MergeRequest,
  type NewUnitSpec,
  type PlanResult,
  parseSplitTargets,
  planMerge,
  planSplit,
  REORGANISABLE_KINDS,
  type ReorganisableKind,
  type ReorganisationContext,
  type ReorganisationPlan,
  type SplitRequest,
} from '../units/requests.ts';
// The views of units after reorganisations live in area-view.ts (issue 15 §2).
export {
  type AreaUnits,
  type AreaView,
  areaViewAt,
  loadAreaUnits,
  reportedUnder,
  rollUp,
  unitsByShown,
  unitsShownAt,
} from './area-view.ts';
