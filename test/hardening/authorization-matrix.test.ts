/**
 * The authorization matrix, generated (issue 14 §3): every command and every button of the feature
 * registry (core/features/registry.ts) × every person of the cast (each role, in one ward, the other
 * ward or the city, and a stranger) × the objects a button can point at (in the person's own area,
 * in another area, or none), exercised through the real inbound handler on one seeded database
 * (SQLite, or PostgreSQL with TEST_DATABASE=postgres). The expected answer of each cell is not
 * written here: it is the access table's (`can` of core/access/access.ts) for the person's roles as
 * the database holds them, at the unit of the object the button names. A refused cell must answer
 * politely in Vietnamese and change nothing; an allowed one must not be refused.
 *
 * Load-bearing (checked by hand, then restored): without the role check at the top of
 * `fundRollupFor` the cells "/quy" and "menu:fund" fail ("officer-ducxuan: fund.view refused, got:
 * 💼 TÌNH HÌNH QUỸ …"); naming `status.view` for "menu:receipt:0" fails it ("fund: status.view
 * refused, got: Tên người hoặc đơn vị nộp tiền?", "a refused press of … changed FlowState").
 *
 * What a new feature needs: nothing here when its commands and buttons name their action of the
 * access table (as the registry requires); a button taking a record id also lists the objects of
 * both wards it is pressed with in ARGS (the coverage test fails until it does).
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, type Action, can, type UnitPath } from '../../core/access/access.ts';
import { EXPORT_KINDS } from '../../core/exports/export-request.ts';
import { commandNames } from '../../core/features/derive.ts';
import type { CommandInfo } from '../../core/features/feature.ts';
import { FEATURES } from '../../core/features/registry.ts';
import type { Actor } from '../../core/shared/actor.ts';
import type { TestUser } from '../../core/testing/builders.ts';
import {
  CAST,
  changedTables,
  chat,
  checksums,
  closeAccessWorld,
  DX,
  ids,
  LEAKED_INTERNALS,
  type Person,
  refusalIn,
  SC,
  sql,
  startAccessWorld,
  storeOf,
  user,
  VIETNAMESE,
} from '../support/access-world.ts';
import type { ChatReply } from '../support/sqlite-chat.ts';
import { unmatchedStatementLine } from '../support/statement-lines.ts';

// ---------------------------------------------------------------------------------------------
// What each entry point of the registry does, in the access table's words.

/** An object a button names: its id in the button and what decides who may touch it. */
interface Resolved {
  arg: string;
  /** The unit the action is judged at (a household's ward, a pledge's fund level…). */
  unit?: number;
  /** Instead of a unit: whose the object is (a pledge is its donor's, or its organisation's leader's). */
  owner?: (actor: Actor) => boolean;
}

/** Named when the cells are listed, resolved once the world is built. */
interface Target {
  label: string;
  resolve: () => Resolved;
}

/** A cell besides the plain press or command: a fixed argument, or the objects of both wards. */
interface Variant {
  /** A fixed argument (an export kind, a list's status). */
  arg?: string;
  targets?: Target[];
  /** When the argument makes it another action (someone else's feedback number needs its handler). */
  action?: Action;
}

const household = (code: string, suffix = '', unit?: () => number | undefined): Target => ({
  label: `<${code}>`,
  resolve: () => {
    const id = ids.household[code] ?? 0;
    return { arg: `${id}${suffix}`, unit: unit ? unit() : world.householdUnit.get(id) };
  },
});
const units: Target[] = [DX, SC].map((code) => ({
  label: `<${code}>`,
  resolve: () => ({ arg: String(ids.unit[code]), unit: ids.unit[code] }),
}));
const pledges = (judge: 'level' | 'owner'): Target[] =>
  (['org', 'sc', 'dx'] as const).map((k) => ({
    label: `<pledge ${k}>`,
    resolve: () => {
      const pledge = world.pledges.get(ids.pledge[k]);
      const arg = String(ids.pledge[k]);
      if (judge === 'level') {
        return { arg, unit: pledge?.fundUnitId };
      }
      const org = pledge?.orgUnitId ?? undefined;
      return {
        arg,
        owner: (actor: Actor) =>
          org !== undefined ? can(actor, 'pledge.org', world.path(org)) : pledge?.personId === actor.personId,
      };
    },
  }));
/** The receipts against the Women's Union's pledge (the city's fund) and Bế Thị Riêng's (Sông Cầu's). */
const receipts = (judge: 'level' | 'owner'): Target[] =>
  (['org', 'sc'] as const).map((k) => ({
    label: `<receipt ${k}>`,
    resolve: () => {
      const receipt = world.receipts.get(ids.pledge[k]);
      const pledge = world.pledges.get(ids.pledge[k]);
      const arg = String(receipt?.id ?? 0);
      return judge === 'level'
        ? { arg, unit: receipt?.levelUnitId }
        : { arg, owner: (actor: Actor) => pledge?.personId === actor.personId };
    },
  }));
const feedbackOf = (by: 'id' | 'ref'): Target[] =>
  (['dx', 'sc'] as const).map((k) => ({
    label: `<feedback ${k}>`,
    resolve: () => ({
      arg: by === 'id' ? String(ids.feedback[k].id) : ids.feedback[k].ref,
      unit: world.feedbackUnit.get(ids.feedback[k].id),
    }),
  }));
const groups: Target[] = (['dx', 'city'] as const).map((k) => ({
  label: `<group ${k}>`,
  resolve: () => ({ arg: String(ids.group[k]), unit: world.groupUnit.get(ids.group[k]) }),
}));
const examples: Target[] = (['dx', 'sc'] as const).map((k) => ({
  label: `<example ${k}>`,
  resolve: () => ({ arg: String(ids.example[k]), unit: world.exampleUnit.get(ids.example[k]) }),
}));
const period: Target = { label: '<period>', resolve: () => ({ arg: String(ids.period) }) };
/** A bank statement's credit at the city's fund and at Sông Cầu's (imported by their keepers below). */
const statementLines = (suffix = ''): Target[] =>
  (['city', 'sc'] as const).map((k) => ({
    label: `<statement line ${k}>`,
    resolve: () => {
      const line = world.statementLines.get(k);
      return { arg: `${line?.id ?? 0}${suffix}`, unit: line?.levelUnitId };
    },
  }));
/** An appeal's pledge button: anyone may press it, a stranger too (the appeal is inserted below). */
const appeals: Target[] = [{ label: '<appeal>', resolve: () => ({ arg: String(world.appealId) }) }];

/**
 * The arguments entry points take, by button name (commands as `/<name>`). The action of each comes
 * from the registry (`action` of its command or button); a button whose argument is a record id
 * (`arg: 'id'`) is only pressed with the objects listed here.
 */
const ARGS: Record<string, Variant[]> = {
  // Someone else's feedback number reads as unknown except to those who handle it.
  '/tracuu': [{ action: 'feedback.handle', targets: feedbackOf('ref') }],
  report: [{ targets: units }],
  hhlist: [{ arg: 'approved' }],
  hh: [{ targets: [household('DX-001'), household('SC-001')] }],
  hhmove: [{ targets: [household('DX-004', ':approved'), household('SC-001', ':approved')] }],
  pledgecard: [{ targets: pledges('owner') }],
  pledgeedit: [{ targets: pledges('owner') }],
  pledgecancel: [{ targets: pledges('owner') }],
  pledgeqr: [{ targets: pledges('owner') }],
  // A pledge's verification (issue 13 §6): on a pledge that is not waiting, its keepers are told so.
  pledgeok: [{ targets: pledges('level') }],
  pledgeno: [{ targets: pledges('level') }],
  receipt: [{ arg: '0' }, { targets: pledges('level') }],
  alloc: [{ targets: [household('DX-002'), household('SC-001')] }],
  // Paying a household is for the keepers of the level its money was allocated from (the city's).
  disb: [{ targets: [household('DX-001', '', () => world.allocatedFrom.get(ids.household['DX-001'] ?? 0))] }],
  // Acknowledgement letters (issue 16 §4): a receipt's keepers issue or refuse; its donor asks.
  ackentry: [{ targets: receipts('level') }],
  ackok: [{ targets: receipts('level') }],
  ackno: [{ targets: receipts('level') }],
  ackask: [{ targets: receipts('owner') }],
  fbhandle: [{ targets: feedbackOf('id') }],
  fbanswer: [{ targets: feedbackOf('id') }],
  // Model examples (issue 17 §4): whoever records at the example's unit opens and withdraws it.
  excard: [{ targets: examples }],
  exwithdraw: [{ targets: examples }],
  pause: [{ targets: [period] }],
  grpok: [{ targets: groups }],
  grpno: [{ targets: groups }],
  export: EXPORT_KINDS.map((kind) => ({ arg: kind })),
  // Bank statements in the chat (issue 17 §2): a line is decided on by the keepers of its level.
  stmtlevel: [{ targets: units }],
  stmtok: [{ targets: statementLines() }],
  stmtall: [{ targets: statementLines() }],
  stmtskip: [{ targets: statementLines() }],
  stmtwalk: [{ targets: statementLines() }],
  stmtpage: [{ targets: statementLines(':u:0') }],
  // A donor's answer on a pledge's receipt: news of the campaign, or none.
  consent: [{ arg: 'yes' }, { arg: 'no' }],
  appealpledge: [{ targets: appeals }],
};

/**
 * Actions no command or button reaches by itself: checked inside flows (an organisation's pledge,
 * the level an allocation draws on), deciding what a view shows (private donors' names) or which
 * menu entries (the pledge entries).
 */
const INSIDE_FLOWS_AND_VIEWS: Action[] = ['pledge.org', 'fund.allocate', 'fund.donors', 'pledge.track'];

// ---------------------------------------------------------------------------------------------
// The cells, generated.

type Kind = 'command' | 'button' | 'group';

interface Cell {
  label: string;
  kind: Kind;
  /** Undefined: open to everyone. */
  action: Action | undefined;
  send: (who: TestUser) => Promise<ChatReply>;
  /** Who may, by the access table (and, for a person's own objects, ownership). */
  may: (actor: Actor | undefined) => boolean;
}

const registryCommands = (scope: 'private' | 'group') =>
  FEATURES.flatMap((f) => f.commands ?? []).filter((c) => c.scope === scope);
const registryButtons = () => FEATURES.flatMap((f) => f.buttons ?? []);

/** A cell's judge, once the world is built: the access table at the object's unit, or its owner. */
function judged(
  action: Action | undefined,
  target: Target | undefined,
): (actor: Actor | undefined) => boolean {
  return (actor) => {
    if (action === undefined) {
      return true;
    }
    const resolved = target?.resolve();
    if (resolved?.owner) {
      return can(actor, action) && actor !== undefined && resolved.owner(actor);
    }
    return can(actor, action, resolved?.unit === undefined ? undefined : world.path(resolved.unit));
  };
}

interface Press {
  suffix: string;
  action: Action | undefined;
  arg: () => string | undefined;
  may: Cell['may'];
}

/** The plain entry point (unless it needs a record id), then each variant with each of its objects. */
function pressesOf(key: string, action: Action | undefined, needsId: boolean): Press[] {
  const plain: Press[] = needsId
    ? []
    : [{ suffix: '', action, arg: () => undefined, may: judged(action, undefined) }];
  return [
    ...plain,
    ...(ARGS[key] ?? []).flatMap((v) => {
      const acting = v.action ?? action;
      const fixed = v.arg;
      if (v.targets === undefined) {
        return [{ suffix: `:${fixed}`, action: acting, arg: () => fixed, may: judged(acting, undefined) }];
      }
      return v.targets.map((target) => ({
        suffix: `:${target.label}`,
        action: acting,
        arg: () => target.resolve().arg,
        may: judged(acting, target),
      }));
    }),
  ];
}

function cells(): Cell[] {
  const out: Cell[] = [];
  for (const command of registryCommands('private')) {
    for (const v of pressesOf(`/${command.vi}`, actionOf(command), false)) {
      // A command for members only answers a stranger with the welcome.
      const may = command.guests ? v.may : (a: Actor | undefined) => a !== undefined && v.may(a);
      // Every name it answers to (`/huy` and `/cancel` alike).
      for (const name of commandNames(command)) {
        out.push({
          label: `/${name}${v.suffix ? ` ${v.suffix.slice(1)}` : ''}`,
          kind: 'command',
          action: v.action,
          send: (who) => chat.command(who, name, v.arg()),
          may,
        });
      }
    }
  }
  for (const command of registryCommands('group')) {
    const action = actionOf(command);
    for (const name of commandNames(command)) {
      out.push({
        label: `group /${name}`,
        kind: 'group',
        action,
        send: (who) =>
          chat.inGroup(who, `grp-generated-${who.senderId}`, { kind: 'command', command: name, args: '' }),
        may: judged(action, undefined),
      });
    }
  }
  for (const button of registryButtons()) {
    for (const v of pressesOf(button.name, button.action, button.arg === 'id')) {
      out.push({
        label: `menu:${button.name}${v.suffix}`,
        kind: 'button',
        action: v.action,
        send: (who) => {
          const arg = v.arg();
          return chat.press(who, arg === undefined ? `menu:${button.name}` : `menu:${button.name}:${arg}`);
        },
        // Buttons reach members only (a stranger's press gets the welcome), but for the few that
        // strangers may press too (an appeal's).
        may: (actor) => (actor !== undefined || button.guest !== undefined) && v.may(actor),
      });
    }
  }
  return out;
}

/** A command without an action is open to everyone (core/features/feature.ts). */
function actionOf(command: CommandInfo): Action | undefined {
  return command.action;
}

// ---------------------------------------------------------------------------------------------
// The world's units and objects, read back once for judging.

const world = {
  parent: new Map<number, number | null>(),
  householdUnit: new Map<number, number>(),
  pledges: new Map<number, { fundUnitId: number; orgUnitId: number | null; personId: number | null }>(),
  feedbackUnit: new Map<number, number>(),
  exampleUnit: new Map<number, number>(),
  groupUnit: new Map<number, number>(),
  allocatedFrom: new Map<number, number>(),
  /** pledge id → its receipt. */
  receipts: new Map<number, { id: number; levelUnitId: number }>(),
  actors: new Map<string, Actor | undefined>(),
  statementLines: new Map<string, { id: number; levelUnitId: number }>(),
  appealId: 0,
  path(unitId: number): UnitPath {
    const ancestors: number[] = [];
    for (let p = this.parent.get(unitId); p != null && ancestors.length < 8; p = this.parent.get(p)) {
      ancestors.push(p);
    }
    return { id: unitId, ancestors };
  },
};

async function readWorld(): Promise<void> {
  const rows = (text: string) => sql(chat, text);
  const nullable = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  for (const u of await rows('SELECT id, "parentId" AS p FROM "Unit"')) {
    world.parent.set(Number(u.id), nullable(u.p));
  }
  for (const h of await rows('SELECT id, "unitId" AS u FROM "Household"')) {
    world.householdUnit.set(Number(h.id), Number(h.u));
  }
  for (const p of await rows(
    'SELECT id, "fundUnitId" AS f, "orgUnitId" AS o, "personId" AS p FROM "Pledge"',
  )) {
    world.pledges.set(Number(p.id), {
      fundUnitId: Number(p.f),
      orgUnitId: nullable(p.o),
      personId: nullable(p.p),
    });
  }
  for (const f of await rows('SELECT id, "unitId" AS u FROM "Feedback"')) {
    world.feedbackUnit.set(Number(f.id), Number(f.u));
  }
  for (const e of await rows('SELECT id, "unitId" AS u FROM "ModelExample"')) {
    world.exampleUnit.set(Number(e.id), Number(e.u));
  }
  for (const g of await rows('SELECT id, "unitId" AS u FROM "LeadershipGroup"')) {
    world.groupUnit.set(Number(g.id), Number(g.u));
  }
  for (const e of await rows(
    `SELECT "householdId" AS h, "levelUnitId" AS u FROM "FundEntry" WHERE kind = 'allocation'`,
  )) {
    world.allocatedFrom.set(Number(e.h), Number(e.u));
  }
  for (const e of await rows(
    `SELECT id, "pledgeId" AS p, "levelUnitId" AS u FROM "FundEntry" WHERE kind = 'receipt' AND "pledgeId" IS NOT NULL`,
  )) {
    world.receipts.set(Number(e.p), { id: Number(e.id), levelUnitId: Number(e.u) });
  }
  const store = storeOf(chat);
  world.appealId = (
    await store.run(async (tx) =>
      tx.appeals.create(
        {
          campaignId: (await tx.campaigns.findCurrent())?.id ?? 0,
          text: 'Thư kêu gọi ủng hộ',
          photo: null,
          audiences: ['members'],
          createdBy: null,
        },
        new Date('2025-03-10T03:00:00Z'),
      ),
    )
  ).id;
  // An unmatched credit of a bank statement at the city's fund and at Sông Cầu's, by their keepers.
  world.statementLines.set('city', await unmatchedStatementLine(store, 'fund'));
  world.statementLines.set('sc', await unmatchedStatementLine(store, 'fund-songcau'));
  for (const p of CAST) {
    world.actors.set(p.key, await store.run((tx) => tx.people.findActor('playground', p.key)));
  }
}

beforeAll(async () => {
  await startAccessWorld();
  await readWorld();
}, 90_000);

afterAll(async () => {
  await closeAccessWorld();
});

// ---------------------------------------------------------------------------------------------

describe('the generated matrix covers the registry and the access table', () => {
  it('every button that takes a record id is pressed with objects of both wards', () => {
    const idButtons = registryButtons().filter((b) => b.arg === 'id');
    expect(idButtons.length).toBeGreaterThan(10);
    expect(idButtons.filter((b) => !ARGS[b.name]?.some((v) => v.targets)).map((b) => b.name)).toEqual([]);
    // And no argument here for an entry point the registry no longer has.
    const names = new Set([
      ...registryCommands('private').map((c) => `/${c.vi}`),
      ...registryButtons().map((b) => b.name),
    ]);
    expect(Object.keys(ARGS).filter((n) => !names.has(n))).toEqual([]);
  });

  it('every action of the access table is reached by a command or a button, or inside a flow or view', () => {
    const reached = new Set(cells().flatMap((c) => c.action ?? []));
    expect(ACTIONS.filter((a) => !reached.has(a) && !INSIDE_FLOWS_AND_VIEWS.includes(a))).toEqual([]);
    expect(INSIDE_FLOWS_AND_VIEWS.filter((a) => reached.has(a))).toEqual([]);
  });

  it('the cast holds the roles the world says (the judge reads them from the database)', () => {
    for (const p of CAST) {
      const actor = world.actors.get(p.key);
      expect(actor?.memberships.map((m) => m.role) ?? [], p.key).toEqual(p.roles);
    }
  });
});

/** Sends the cell's message as `p` and says what is wrong with the answer, if anything. */
async function judge(cell: Cell, p: Person, allowed: boolean): Promise<string[]> {
  let reply: ChatReply;
  try {
    reply = await cell.send(user(p.key));
  } catch (error) {
    return [`${p.key}: threw ${String(error)}`];
  }
  const text = reply.text;
  const refusal = refusalIn(text);
  if (cell.kind === 'group' && allowed) {
    // A group answers its commands or stays quiet (this harness builds no digest).
    return refusal ? [`${p.key}: refused in the group: ${text.slice(0, 120)}`] : [];
  }
  if (text.trim() === '' || !VIETNAMESE.test(text) || LEAKED_INTERNALS.test(text)) {
    return [`${p.key}: not a proper Vietnamese answer: ${JSON.stringify(text.slice(0, 200))}`];
  }
  if (allowed && refusal) {
    return [`${p.key}: ${cell.action} allowed, got ${refusal}: ${text.slice(0, 120)}`];
  }
  if (!allowed && !refusal) {
    return [`${p.key}: ${cell.action} refused, got: ${text.slice(0, 160)}`];
  }
  return [];
}

describe('the generated matrix', () => {
  const all = cells();
  let refused = 0;
  let granted = 0;

  it(`has ${all.length} entry points × ${CAST.length} people`, () => {
    expect(all.length).toBeGreaterThan(80);
  });

  it.each(all.map((c) => [c.label, c] as const))('%s', async (_label, cell) => {
    const problems: string[] = [];
    const expected = (p: Person) => cell.may(world.actors.get(p.key));
    const deniedTo = CAST.filter((p) => !expected(p));
    const grantedTo = CAST.filter((p) => expected(p));
    // Refusals first, all between two checksums of every table (one refused press that writes
    // anything, or leaves a conversation open, shows there): the allowed cells may change what the
    // others would see, and checksumming each refusal alone doubles the run on PostgreSQL.
    const before = await checksums();
    for (const p of deniedTo) {
      problems.push(...(await judge(cell, p, false)));
      refused++;
    }
    const changed = changedTables(before, await checksums());
    if (changed.length > 0) {
      problems.push(
        `a refused press of ${deniedTo.map((p) => p.key).join(', ')} changed ${changed.join(', ')}`,
      );
      for (const p of deniedTo) {
        await chat.command(user(p.key), 'huy');
      }
    }
    for (const p of grantedTo) {
      problems.push(...(await judge(cell, p, true)));
      granted++;
      // Leave no conversation open for the next cell.
      await chat.command(user(p.key), 'huy');
    }
    expect(problems).toEqual([]);
  });

  it('both outcomes were exercised', () => {
    const cellCount = all.length * CAST.length;
    expect(refused + granted).toBe(cellCount);
    expect(refused).toBeGreaterThan(cellCount / 3);
    expect(granted).toBeGreaterThan(cellCount / 5);
  });
});
