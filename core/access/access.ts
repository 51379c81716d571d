import type { Actor, MembershipView, Role } from '../shared/actor.ts';

/**
 * Who may do what, where (issue 14 §3): the one table of access rules, role × action × area. Menus,
 * commands, flows (when they start and again when they take effect) and the CLI ask it; the
 * authorization matrix test is generated from it. A rule names, per role, how far from the unit
 * where the role is held it reaches:
 * - `own`: at that unit only (an officer's ward, a fund officer's fund level);
 * - `below`: at that unit or any unit under it (a leader's or an admin's area);
 * - `any`: anywhere (an admin keeps every fund level of the campaign).
 * Besides the roles, `person` lets any registered person in and `guest` a stranger too (a donor's
 * pledge, a citizen's feedback). Ownership (a donor's own pledge) is the feature's own check.
 */
export type Area = 'own' | 'below' | 'any';

export interface AccessRule {
  roles: Partial<Record<Role, Area>>;
  /** Any registered person, whatever their roles. */
  person?: true;
  /** A stranger (no person yet) too; implies `person`. */
  guest?: true;
  /** Besides a role of `roles`, the person must hold one of these somewhere (an invite needs an admin). */
  holding?: readonly Role[];
}

const OFFICER = { unit_officer: 'own' } as const;
/** The keepers of a fund level: its fund officers, and every admin (`any` level of the campaign). */
const KEEPER = { fund_officer: 'own', admin: 'any' } as const;
/** The leaders and admins of an area: everything at their unit and under it. */
const AREA_HEAD = { leader: 'below', admin: 'below' } as const;
const EVERYONE = { roles: {}, person: true, guest: true } as const;

export const ACCESS = {
  /** Monthly progress report of a ward or commune. */
  'report.submit': { roles: OFFICER },
  /** Quarterly, semi-annual and final narrative reports. */
  'narrative.submit': { roles: OFFICER },
  /**
   * The wards' quarterly and final reports read in chat (issue 16 §1): the leaders and admins of an
   * area, and its staff (officers of the area's unit); a ward's officer reads its own.
   */
  'narrative.read': { roles: { ...AREA_HEAD, unit_officer: 'below' } },
  /**
   * The committee's own six-monthly and final reports (issue 16 §2): drafted by the bot, completed and
   * issued (numbered) by the staff of the campaign's area unit — its admins, leaders and officers
   * there, not those of the units below (a ward's admin issues nothing for the city).
   */
  'committee.report': { roles: { admin: 'own', leader: 'own', unit_officer: 'own' } },
  /** "Đã báo cáo bằng văn bản": no more reminders for a period. */
  'reminder.pause': { roles: OFFICER },
  /** A household's card, the household list and search. */
  'household.view': { roles: OFFICER },
  'household.add': { roles: OFFICER },
  'household.status': { roles: OFFICER },
  /** Registering a pledge as a donor (a stranger becomes a donor by it). */
  'pledge.register': EVERYONE,
  /** A person's own pledges: the list, a card, a change, a cancellation (ownership checked by the feature). */
  'pledge.mine': { roles: {}, person: true },
  /** The pledge entries of the menu: organisations' leaders and donors (anyone may type /ungho). */
  'pledge.track': { roles: { org_leader: 'own', donor: 'any' } },
  /** A member organisation's pledge, by its leader. */
  'pledge.org': { roles: { org_leader: 'own' } },
  /** Confirming or refusing a pledge that waits for verification: the keepers of its fund level. */
  'pledge.verify': { roles: KEEPER },
  /**
   * Registering, at a launch ceremony, the pledges announced there on the donors' behalf (issue 17
   * §3): the fund's keepers, the officers of the unit (its level's own ceremony) and its admins.
   */
  'pledge.batch': { roles: { fund_officer: 'own', unit_officer: 'own', admin: 'below' } },
  'fund.receipt': { roles: KEEPER },
  /** Allocating from a fund level (the level; the household is `fund.household`). */
  'fund.allocate': { roles: KEEPER },
  /** The households a fund level's keepers allocate and pay to: at their level and under it. */
  'fund.household': { roles: { fund_officer: 'below', admin: 'any' } },
  'fund.disburse': { roles: KEEPER },
  'fund.transfer': { roles: KEEPER },
  /** The acknowledgement of a donation, shown and sent to the donor. */
  'fund.acknowledge': { roles: KEEPER },
  /** `/quy`: the money of the person's area, level by level. */
  'fund.view': { roles: { ...AREA_HEAD, fund_officer: 'below' } },
  /** In `/quy`, the names of donors who asked not to be named: admins, and the boards above the wards. */
  'fund.donors': { roles: { admin: 'any', leader: 'below', fund_officer: 'below' } },
  /** `/congkhai`: the public summary. */
  'fund.public': EVERYONE,
  /** `/tinhhinh`: households and reports of the units under the person's. */
  'status.view': { roles: AREA_HEAD },
  /** `/xuatbaocao`: the exports of the person's area. */
  'export.download': { roles: AREA_HEAD },
  /** A feedback's handling and answer: the ward's officers and the admins of it or above it. */
  'feedback.handle': { roles: { unit_officer: 'own', admin: 'below' } },
  'feedback.send': EVERYONE,
  'feedback.track': EVERYONE,
  /**
   * Model examples (gương điển hình, issue 17 §4): recorded, seen and withdrawn by a ward's or
   * commune's officers, a member organisation's leaders, and the admins of the unit or above it.
   */
  'example.record': { roles: { unit_officer: 'own', org_leader: 'own', admin: 'below' } },
  /** Appeals (Thư kêu gọi ủng hộ, issue 17 §4): composed and sent by an admin to the audiences of their area. */
  'appeal.send': { roles: { admin: 'below' } },
  /** Stopping (and resuming) appeals to a chat: anyone, a stranger too (`/tatthongbao`, the appeal's button). */
  'appeal.optout': EVERYONE,
  /** Inviting someone in chat: an admin, for a unit of their area (or of an area they lead). */
  'invite.create': { roles: AREA_HEAD, holding: ['admin'] },
  /** `/dangkynhom`: a group asks for the digests of the sender's area. */
  'group.register': { roles: AREA_HEAD },
  /** An admin of the group's area confirms or refuses its registration. */
  'group.decide': { roles: { admin: 'below' } },
  /** `/digest` in a group: a digest of the sender's area now. */
  'digest.request': { roles: AREA_HEAD },
  /** The menu, `/help`, `/menu`, `/cancel`, who am I: any registered person. */
  'menu.use': { roles: {}, person: true },
} as const satisfies Record<string, AccessRule>;

export type Action = keyof typeof ACCESS;

export function isAction(value: string): value is Action {
  return Object.hasOwn(ACCESS, value);
}

export const ACTIONS: readonly Action[] = Object.keys(ACCESS).filter(isAction);

export function accessRule(action: Action): AccessRule {
  return ACCESS[action];
}

/** A unit with the units above it (parent first): what `below` is decided on. */
export interface UnitPath {
  id: number;
  ancestors: readonly number[];
}

/** Where a person may do an action: a unit with the rule's reach from it. */
export interface Grant {
  unitId: number;
  area: Area;
}

/** The memberships whose role the action's rule names (none unless the `holding` role is held too). */
function granting(actor: Actor | undefined, action: Action): MembershipView[] {
  const rule: AccessRule = ACCESS[action];
  if (!actor || (rule.holding && !actor.memberships.some((m) => rule.holding?.includes(m.role)))) {
    return [];
  }
  return actor.memberships.filter((m) => rule.roles[m.role] !== undefined);
}

/** The units where the actor holds a role of the action's rule, with its reach (no duplicates). */
export function grantsFor(actor: Actor | undefined, action: Action): Grant[] {
  const rule: AccessRule = ACCESS[action];
  const out: Grant[] = [];
  for (const m of granting(actor, action)) {
    const area = rule.roles[m.role];
    if (area && !out.some((g) => g.unitId === m.unitId && g.area === area)) {
      out.push({ unitId: m.unitId, area });
    }
  }
  return out;
}

/**
 * May `actor` (undefined: a stranger) do `action` — at `unit` when given (with its ancestors, for
 * the `below` reach), or somewhere at all when not (is the menu entry or the command theirs)?
 */
export function can(actor: Actor | undefined, action: Action, unit?: UnitPath): boolean {
  const rule: AccessRule = ACCESS[action];
  if (rule.guest || (rule.person && actor)) {
    return true;
  }
  const grants = grantsFor(actor, action);
  return unit === undefined ? grants.length > 0 : grants.some((g) => reaches(g, unit));
}

function reaches(grant: Grant, unit: UnitPath): boolean {
  switch (grant.area) {
    case 'any':
      return true;
    case 'own':
      return grant.unitId === unit.id;
    case 'below':
      return grant.unitId === unit.id || unit.ancestors.includes(grant.unitId);
  }
}

/** The units where the actor holds the action's roles (a leader's areas, a fund officer's levels). */
export function unitsFor(actor: Actor | undefined, action: Action): number[] {
  return [...new Set(grantsFor(actor, action).map((g) => g.unitId))];
}

/** The memberships that grant the action, one per unit (with the unit's name, for menus and replies). */
export function membershipsFor(actor: Actor | undefined, action: Action): MembershipView[] {
  const held = granting(actor, action);
  return held.filter((m, i) => held.findIndex((o) => o.unitId === m.unitId) === i);
}

/** True when some role reaches every unit (an admin's fund levels): lists need no area filter. */
export function reachesEverywhere(actor: Actor | undefined, action: Action): boolean {
  return grantsFor(actor, action).some((g) => g.area === 'any');
}

/** The port `canAt` needs to walk up the unit tree (the store's `tx.units`). */
export interface UnitTree {
  findById(id: number): Promise<{ id: number; parentId: number | null } | undefined>;
}

/** A unit with the units above it, nearest first (bounded: a broken tree never loops). */
export async function unitPath(units: UnitTree, unitId: number): Promise<UnitPath> {
  const ancestors: number[] = [];
  let current = await units.findById(unitId);
  while (current?.parentId != null && ancestors.length < 8 && !ancestors.includes(current.parentId)) {
    ancestors.push(current.parentId);
    current = await units.findById(current.parentId);
  }
  return { id: unitId, ancestors };
}

/** `can` at a unit known by id: reads the unit's ancestors only when a `below` grant needs them. */
export async function canAt(
  units: UnitTree,
  actor: Actor | undefined,
  action: Action,
  unitId: number,
): Promise<boolean> {
  if (can(actor, action, { id: unitId, ancestors: [] })) {
    return true;
  }
  if (!grantsFor(actor, action).some((g) => g.area === 'below')) {
    return false;
  }
  return can(actor, action, await unitPath(units, unitId));
}

/** Of `candidates`, the units where the actor may do the action (e.g. the wards whose feedback they handle). */
export async function unitsWhere<U extends { id: number }>(
  units: UnitTree,
  actor: Actor | undefined,
  action: Action,
  candidates: readonly U[],
): Promise<U[]> {
  const out: U[] = [];
  for (const unit of candidates) {
    if (await canAt(units, actor, action, unit.id)) {
      out.push(unit);
    }
  }
  return out;
}

/** One thing a step needs: the action, at a unit when the rule is about one. */
export interface Need {
  action: Action;
  unit?: number;
}

/**
 * Whether the actor meets every need (a flow's confirmation re-checks its needs against the roles
 * read again in the writing transaction). An empty list is met by anyone.
 */
export async function meetsAll(
  units: UnitTree,
  actor: Actor | undefined,
  needs: readonly Need[],
): Promise<boolean> {
  for (const need of needs) {
    const met =
      need.unit === undefined ? can(actor, need.action) : await canAt(units, actor, need.action, need.unit);
    if (!met) {
      return false;
    }
  }
  return true;
}
