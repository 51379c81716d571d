import { resetDemoDatabase } from '../../prisma/demo-reset.ts';
import {
  findPlaygroundIdentities,
  PLAYGROUND_GROUPS,
  usableDemoInvite,
} from '../../prisma/playground-personas.ts';
import { DEMO_PEOPLE, LIVING_DEMO_PEOPLE, type SeedProfile } from '../../prisma/seed.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import type { PlaygroundDeps, PlaygroundPersona } from './playground-routes.ts';

const ROLE_LABELS: Record<string, string> = {
  admin: 'Quản trị',
  leader: 'Lãnh đạo',
  unit_officer: 'Cán bộ báo cáo',
  org_leader: 'Lãnh đạo tổ chức thành viên',
  fund_officer: 'Cán bộ quỹ',
  donor: 'Nhà hảo tâm',
  citizen: 'Người dân',
};

/**
 * The playground's personas: the people with a playground identity (the demo's, in its order, then
 * whoever registered there since: a stranger who pledged, an officer who redeemed an invite), and
 * the demo's group chats whose members are among them.
 */
export async function listPlaygroundPersonas(db: SqlDb): Promise<PlaygroundPersona[]> {
  const identities = await findPlaygroundIdentities(db);
  // The fixture's people or the living demo's, each in its own order (shared keys have one index).
  const order = new Map<string, number>(
    [...LIVING_DEMO_PEOPLE, ...DEMO_PEOPLE].map((p, i) => [
      p.key,
      i < LIVING_DEMO_PEOPLE.length ? i : i - LIVING_DEMO_PEOPLE.length,
    ]),
  );
  const people: PlaygroundPersona[] = identities
    .sort((a, b) => (order.get(a.externalUserId) ?? 99) - (order.get(b.externalUserId) ?? 99))
    .map((identity) => ({
      id: identity.externalUserId,
      kind: 'person',
      name: identity.fullName,
      roleLabel: identity.role ? (ROLE_LABELS[identity.role] ?? identity.role) : 'Chưa có vai trò',
      unitName: identity.unitName ?? '',
    }));
  const groups: PlaygroundPersona[] = [];
  for (const group of PLAYGROUND_GROUPS) {
    const members = group.members.flatMap((key) => {
      const person = people.find((p) => p.id === key);
      return person ? [{ id: person.id, name: person.name, roleLabel: person.roleLabel }] : [];
    });
    const first = people.find((p) => p.id === members[0]?.id);
    if (first) {
      groups.push({
        id: group.id,
        kind: 'group',
        name: group.title,
        roleLabel: `Nhóm chat · ${members.map((m) => m.name).join(', ')}`,
        unitName: first.unitName,
        members,
      });
    }
  }
  return [...people, ...groups];
}

/**
 * What the playground reads and does on the database: its personas and, on the demo database only
 * (`demo`: the profile it was seeded with; undefined on a real deployment's), a demo invite for each
 * new stranger and "Bắt đầu lại".
 */
export function playgroundDatabase(
  db: SqlDb,
  opts: { now: () => Date; demo: Exclude<SeedProfile, 'reference'> | undefined; onReset?: () => void },
): Pick<PlaygroundDeps, 'listPersonas' | 'demoInvite' | 'reset'> {
  const { demo } = opts;
  return {
    listPersonas: () => listPlaygroundPersonas(db),
    ...(demo === undefined
      ? {}
      : {
          demoInvite: () => usableDemoInvite(db, opts.now()),
          reset: async () => {
            await resetDemoDatabase(db, opts.now(), demo);
            opts.onReset?.();
          },
        }),
  };
}
