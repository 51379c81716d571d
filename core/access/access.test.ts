import { describe, expect, it } from 'vitest';
import type { Actor, Role } from '../shared/actor.ts';
import {
  ACTIONS,
  type Area,
  can,
  canAt,
  grantsFor,
  meetsAll,
  membershipsFor,
  reachesEverywhere,
  type UnitTree,
  unitPath,
  unitsFor,
  unitsWhere,
} from './access.ts';

// A city (1) with two wards (2, 3); a member organisation (4) under the city.
const PARENT: Record<number, number | null> = { 1: null, 2: 1, 3: 1, 4: 1 };
const TREE: UnitTree = {
  findById: async (id) => (id in PARENT ? { id, parentId: PARENT[id] ?? null } : undefined),
};

function actor(...held: [Role, number][]): Actor {
  return {
    personId: 1,
    fullName: 'Người thử',
    locale: 'vi',
    memberships: held.map(([role, unitId]) => ({ role, unitId, unitCode: '', unitName: '', unitKind: '' })),
  };
}

describe('the access table', () => {
  it('every action has a rule; reaches are own, below or any', () => {
    const areas: Area[] = ['own', 'below', 'any'];
    expect(ACTIONS.length).toBeGreaterThan(20);
    for (const action of ACTIONS) {
      for (const area of Object.values(grantsFor(actor(['admin', 1]), action))) {
        expect(areas).toContain(area.area);
      }
    }
  });

  it.each([
    ['own: an officer reports for their ward only', actor(['unit_officer', 2]), 'report.submit', 2, true],
    ['own: not for another ward', actor(['unit_officer', 2]), 'report.submit', 3, false],
    ['below: a city admin handles a ward’s feedback', actor(['admin', 1]), 'feedback.handle', 3, true],
    ['below: a ward admin not another ward’s', actor(['admin', 2]), 'feedback.handle', 3, false],
    ['below: nor the city’s above them', actor(['admin', 2]), 'group.decide', 1, false],
    ['any: an admin keeps every fund level', actor(['admin', 2]), 'fund.receipt', 3, true],
    ['own: a fund officer keeps their level only', actor(['fund_officer', 1]), 'fund.receipt', 2, false],
    [
      'below: a city fund officer funds a ward’s household',
      actor(['fund_officer', 1]),
      'fund.household',
      2,
      true,
    ],
    ['a role the rule does not name', actor(['leader', 1]), 'fund.receipt', 1, false],
    ['invite: a leader who is no admin', actor(['leader', 1]), 'invite.create', 2, false],
    [
      'invite: an admin of a ward who leads the city',
      actor(['admin', 3], ['leader', 1]),
      'invite.create',
      2,
      true,
    ],
  ] as const)('%s', async (_label, who, action, unit, expected) => {
    expect(await canAt(TREE, who, action, unit)).toBe(expected);
  });

  it('guests, persons and roles anywhere', () => {
    expect(can(undefined, 'feedback.send')).toBe(true);
    expect(can(undefined, 'pledge.mine')).toBe(false);
    expect(can(actor(['citizen', 2]), 'pledge.mine')).toBe(true);
    expect(can(undefined, 'menu.use')).toBe(false);
    expect(can(actor(['donor', 2]), 'status.view')).toBe(false);
    expect(can(actor(['leader', 2]), 'status.view')).toBe(true);
    expect(unitsFor(actor(['leader', 2], ['admin', 1], ['admin', 2]), 'status.view')).toEqual([2, 1]);
  });

  it('the units and memberships an action is granted at', async () => {
    const both = actor(['unit_officer', 2], ['leader', 1], ['unit_officer', 3]);
    expect(membershipsFor(both, 'report.submit').map((m) => m.unitId)).toEqual([2, 3]);
    expect(membershipsFor(both, 'status.view').map((m) => m.role)).toEqual(['leader']);
    expect(reachesEverywhere(actor(['admin', 3]), 'fund.receipt')).toBe(true);
    expect(reachesEverywhere(actor(['fund_officer', 1]), 'fund.receipt')).toBe(false);
    const wards = [{ id: 2 }, { id: 3 }, { id: 4 }];
    expect(await unitsWhere(TREE, actor(['admin', 2]), 'feedback.handle', wards)).toEqual([{ id: 2 }]);
    expect(await unitsWhere(TREE, actor(['admin', 1]), 'feedback.handle', wards)).toEqual(wards);
  });

  it('a unit path is bounded: a loop in the tree never hangs', async () => {
    const loop: UnitTree = { findById: async (id) => ({ id, parentId: id === 1 ? 2 : 1 }) };
    expect((await unitPath(loop, 1)).ancestors).toEqual([2, 1]);
    expect(await unitPath(TREE, 2)).toEqual({ id: 2, ancestors: [1] });
  });

  it('all needs must be met', async () => {
    const officer = actor(['unit_officer', 2]);
    expect(await meetsAll(TREE, officer, [])).toBe(true);
    expect(await meetsAll(TREE, officer, [{ action: 'report.submit', unit: 2 }])).toBe(true);
    expect(
      await meetsAll(TREE, officer, [
        { action: 'report.submit', unit: 2 },
        { action: 'household.add', unit: 3 },
      ]),
    ).toBe(false);
  });
});
