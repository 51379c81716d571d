import type { AuditSource } from '../messaging/outbox.repository.ts';
import { ROLES, type Role } from '../shared/actor.ts';
import { AppError } from '../shared/app-error.ts';
import { dateInZone, toIsoDate } from '../shared/calendar.ts';
import { PHASE, type ProgressReporter, progressPhase } from '../shared/progress.ts';
import type { Tx } from '../unit-of-work.ts';
import type { UnitKey, UnitOp, UnitsPlan, UnitsState } from './changes.ts';

type CreateOp = Extract<UnitOp, { op: 'create' }>;

/** Roles that belong to a unit's people and follow the unit into its successor. */
export const MOVED_ROLES: readonly Role[] = ['unit_officer', 'leader'];

/** What a plan is made against, read in the transaction that applies it. */
export async function unitsState(tx: Tx, now: Date, timeZone: string): Promise<UnitsState> {
  const [units, successions] = await Promise.all([tx.units.listAllDated(), tx.units.successions()]);
  return { units, successions, today: toIsoDate(dateInZone(now, timeZone)) };
}

export interface AppliedUnits {
  /** Key in the plan → id written (existing units keep their id). */
  ids: Map<UnitKey, number>;
  /** People moved to a successor, as "name (role)". */
  moved: string[];
  /** Memberships ended, as "name (role)". */
  revoked: string[];
}

/**
 * Writes a plan (core/units/changes.ts) in the caller's transaction, then one audit row `action`
 * with the plan's lines, the people moved and revoked and `details`. Raises AppError CONFLICT (the
 * transaction then writes nothing) when a unit to end was ended meanwhile.
 */
export async function applyUnitsPlan(
  tx: Tx,
  plan: UnitsPlan,
  audit: { by: AuditSource; action: string; details?: Record<string, unknown> },
  now: Date,
  progress?: ProgressReporter,
): Promise<AppliedUnits> {
  const ids = new Map<UnitKey, number>();
  const id = (key: UnitKey) => (key > 0 ? key : ids.get(key));
  const need = (key: UnitKey): number => {
    const found = id(key);
    if (found === undefined) {
      throw new Error(`unit key ${key} used before it was created`);
    }
    return found;
  };
  const moved: string[] = [];
  const revoked: string[] = [];
  const created: number[] = [];
  // Creates and end-day settings are written in batches (a national list is 30,000 creates): a run
  // of creates until one needs a parent of the run, a run of end days until another kind of op.
  let creates: CreateOp[] = [];
  const inRun = new Set<UnitKey>();
  const flushCreates = async () => {
    if (creates.length === 0) {
      return;
    }
    const run = creates;
    creates = [];
    inRun.clear();
    const newIds = await tx.units.createMany(
      run.map((op) => ({
        code: op.code,
        name: op.name,
        kind: op.kind,
        parentId: op.parentKey === null ? null : need(op.parentKey),
        validFrom: op.validFrom,
        validTo: op.validTo,
      })),
      now,
    );
    run.forEach((op, i) => {
      const newId = newIds[i] as number;
      ids.set(op.key, newId);
      created.push(newId);
    });
  };
  /** Unit id → its new last day, the last op on a unit winning. */
  const validTos = new Map<number, string | null>();
  const flushValidTos = async () => {
    const byDay = new Map<string | null, number[]>();
    for (const [unitId, validTo] of validTos) {
      const sameDay = byDay.get(validTo);
      if (sameDay) {
        sameDay.push(unitId);
      } else {
        byDay.set(validTo, [unitId]);
      }
    }
    validTos.clear();
    for (const [validTo, unitIds] of byDay) {
      await tx.units.setValidTo(unitIds, validTo);
    }
  };
  const writing = progressPhase(progress, PHASE.write, 'thay đổi', plan.ops.length);
  for (const [done, op] of plan.ops.entries()) {
    writing.at(done);
    if (op.op === 'create') {
      await flushValidTos();
      if (op.parentKey !== null && inRun.has(op.parentKey)) {
        await flushCreates();
      }
      creates.push(op);
      inRun.add(op.key);
      continue;
    }
    await flushCreates();
    if (op.op === 'setValidTo') {
      validTos.set(need(op.key), op.validTo);
      continue;
    }
    await flushValidTos();
    switch (op.op) {
      case 'end':
        // Only units still open (checked in the plan) are ended: a concurrent change loses here.
        if ((await tx.units.end([need(op.key)], op.validTo)) !== 1) {
          throw new AppError('CONFLICT', 'a unit of the plan was changed meanwhile');
        }
        break;
      case 'link':
        await tx.units.addSuccession({
          predecessorId: need(op.predecessorKey),
          successorId: need(op.successorKey),
          effectiveOn: op.effectiveOn,
        });
        break;
      case 'moveMembers': {
        const to = need(op.toKey);
        const added = new Set<string>();
        const live = await tx.people.liveMemberships(op.fromKeys.map(need), op.every ? ROLES : MOVED_ROLES);
        for (const m of live) {
          await tx.people.revokeRole(m.personId, m.unitId, m.role, now);
          const key = `${m.personId}:${m.role}`;
          if (!added.has(key)) {
            added.add(key);
            await tx.people.addMembership(m.personId, to, m.role, now);
            moved.push(`${m.fullName} (${m.role})`);
          }
        }
        break;
      }
      case 'revokeMembers': {
        const live = await tx.people.liveMemberships(op.keys.map(need), op.every ? ROLES : MOVED_ROLES);
        for (const m of live) {
          await tx.people.revokeRole(m.personId, m.unitId, m.role, now);
          revoked.push(`${m.fullName} (${m.role})`);
        }
        break;
      }
    }
  }
  await flushCreates();
  await flushValidTos();
  writing.finish();
  await tx.audit.record(
    {
      ...audit.by,
      action: audit.action,
      entity: 'Unit',
      entityId: entityIdOf(created),
      after: { ...audit.details, created, changes: plan.lines, moved, revoked },
    },
    now,
  );
  return { ids, moved, revoked };
}

/** How many ids the audit row's `entityId` lists; an import of a national list makes thousands. */
const MAX_ENTITY_IDS = 20;

/**
 * The audit row's entity id: the units made, few enough for the column's index (PostgreSQL refuses
 * an index entry over 2.7 kB); every id is in the row's `after` either way.
 */
function entityIdOf(created: readonly number[]): string | null {
  if (created.length <= MAX_ENTITY_IDS) {
    return created.length > 0 ? created.join(',') : null;
  }
  return `${created[0]}…${created.at(-1)} (${created.length})`;
}
