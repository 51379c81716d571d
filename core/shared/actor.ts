/** Who is acting: a person, their roles and where they hold them (shared by every core folder). */
export const ROLES = [
  'admin',
  'leader',
  'unit_officer',
  'org_leader',
  'fund_officer',
  'donor',
  'citizen',
] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export interface MembershipView {
  role: Role;
  unitId: number;
  unitCode: string;
  unitName: string;
  unitKind: string;
}

/** The person behind an inbound message, with what they may do. */
export interface Actor {
  personId: number;
  fullName: string;
  locale: string;
  memberships: MembershipView[];
}

/** An actor with no identity yet: a stranger who wrote /ungho or sends feedback. */
export const GUEST: Actor = { personId: 0, fullName: '', locale: 'vi', memberships: [] };

export function isGuest(actor: Actor): boolean {
  return actor.personId === 0;
}
