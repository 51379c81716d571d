/**
 * The fund's roll-up computed (issue 5 §4): money per fund level from the ledger, pledged vs
 * received per member organisation and per donor. fund-views.ts shows it.
 */

import type { UnitView } from '../units/unit.repository.ts';
import type { FundEntryRecord, PledgeView, RollupFigures } from './fund.repository.ts';
import { toLedgerEntry } from './fund-service.ts';
import { available, fold, isUnverified, type LevelTotals, zeroTotals } from './ledger.ts';

export interface LevelRow {
  unitId: number;
  name: string;
  totals: LevelTotals;
  available: bigint;
}

export interface OrgRow {
  /** The organisation across its branches: the part of the unit code before "-" (e.g. HLHPN). */
  key: string;
  name: string;
  pledges: number;
  pledged: bigint;
  received: bigint;
}

export interface DonorRow {
  name: string;
  kind: string;
  publicName: boolean;
  pledged: bigint;
  received: bigint;
}

export interface FundRollup {
  levels: LevelRow[];
  organisations: OrgRow[];
  donors: DonorRow[];
  total: LevelTotals;
  households: number;
  pledged: bigint;
  /** Live pledges waiting for verification ("chờ xác minh"): in no other figure, shown apart. */
  unverified: bigint;
}

/**
 * The roll-up (issue 5 §4): money per fund level from the ledger, pledged vs received per member
 * organisation across all its branches (units whose code starts with the same prefix, e.g.
 * "HLHPN-058" and "HLHPN-01840") and per donor. Cancelled pledges count for nothing.
 */
export function buildRollup(
  units: UnitView[],
  pledges: PledgeView[],
  entries: FundEntryRecord[],
): FundRollup {
  const state = fold(entries.map(toLedgerEntry));
  const byId = new Map(units.map((u) => [u.id, u]));
  const levels: LevelRow[] = [...state.levels]
    .map(([unitId, totals]) => ({
      unitId,
      name: byId.get(unitId)?.name ?? `#${unitId}`,
      totals,
      available: available(totals),
    }))
    .sort((a, b) => (byId.get(a.unitId)?.code ?? '').localeCompare(byId.get(b.unitId)?.code ?? ''));
  const total = levels.reduce<LevelTotals>(
    (s, l) => ({
      received: s.received + l.totals.received,
      transferredIn: s.transferredIn + l.totals.transferredIn,
      transferredOut: s.transferredOut + l.totals.transferredOut,
      allocated: s.allocated + l.totals.allocated,
      disbursed: s.disbursed + l.totals.disbursed,
      inKind: s.inKind + l.totals.inKind,
    }),
    { received: 0n, transferredIn: 0n, transferredOut: 0n, allocated: 0n, disbursed: 0n, inKind: 0n },
  );
  const orgs = new Map<string, OrgRow & { rank: number }>();
  const donors = new Map<string, DonorRow>();
  let pledged = 0n;
  let unverified = 0n;
  for (const p of pledges) {
    if (p.cancelledAt !== null) {
      continue;
    }
    if (isUnverified(p)) {
      unverified += p.amount;
      continue;
    }
    pledged += p.amount;
    const org = p.orgUnitId === null ? undefined : byId.get(p.orgUnitId);
    if (org) {
      const key = organisationKey(org);
      const row = orgs.get(key) ?? { key, name: org.name, pledges: 0, pledged: 0n, received: 0n, rank: 0 };
      row.pledges += 1;
      row.pledged += p.amount;
      row.received += p.received;
      // The highest level's name stands for the organisation (the city union, not a ward branch).
      const rank = branchRank(org, byId);
      if (rank > 0 && rank >= row.rank) {
        row.name = org.name;
        row.rank = rank;
      }
      orgs.set(key, row);
    }
    const donorKey = `${p.donorKind}:${p.donorName.trim().toLowerCase()}`;
    const d = donors.get(donorKey) ?? {
      name: p.donorName,
      kind: p.donorKind,
      publicName: true,
      pledged: 0n,
      received: 0n,
    };
    d.pledged += p.amount;
    d.received += p.received;
    // A donor is named only if every one of their pledges agreed to it.
    d.publicName = d.publicName && p.publicName;
    donors.set(donorKey, d);
  }
  const households = new Set([...state.allocations.values()].map((a) => a.entryId).filter((id) => id > 0))
    .size;
  return {
    levels,
    organisations: [...orgs.values()]
      .map(({ rank: _, ...row }) => row)
      .sort((a, b) => Number(b.received - a.received)),
    donors: [...donors.values()].sort(
      (a, b) => Number(b.received - a.received) || Number(b.pledged - a.pledged),
    ),
    total,
    households,
    pledged,
    unverified,
  };
}

/** An organisation across its branches: the part of the unit code before "-" ("HLHPN-058" → "HLHPN"). */
function organisationKey(org: UnitView): string {
  return org.code.split('-')[0] ?? org.code;
}

/** The level a branch sits at, for naming the organisation: central > provincial > city; 0 below. */
const BRANCH_RANKS: Record<string, number> = { nation: 3, province: 2, city: 1 };
/** The units whose member organisations name an organisation across its branches. */
export const BRANCH_PARENT_KINDS = Object.keys(BRANCH_RANKS);

function branchRank(org: UnitView, byId: ReadonlyMap<number, UnitView>): number {
  const parent = org.parentId === null ? undefined : byId.get(org.parentId);
  return org.kind === 'member_org' && parent ? (BRANCH_RANKS[parent.kind] ?? 0) : 0;
}

function levelRows(units: UnitView[], totals: ReadonlyMap<number, LevelTotals>): LevelRow[] {
  const byId = new Map(units.map((u) => [u.id, u]));
  return [...totals]
    .map(([unitId, t]) => ({
      unitId,
      name: byId.get(unitId)?.name ?? `#${unitId}`,
      totals: t,
      available: available(t),
    }))
    .sort((a, b) => (byId.get(a.unitId)?.code ?? '').localeCompare(byId.get(b.unitId)?.code ?? ''));
}

/**
 * The roll-up from the figures the database summed (`FundRepository.rollupFigures`): the same
 * result as `buildRollup` over every pledge and entry, without reading them. With `rowOf`, each
 * level's money is shown in the row of the level it maps to (a province for its communes), and
 * levels it maps to nothing are left out. Figures without the levels' own sums give the totals
 * and no rows.
 */
export function rollupFromFigures(
  units: UnitView[],
  figures: RollupFigures,
  rowOf?: (levelId: number) => number | undefined,
): FundRollup {
  const byId = new Map(units.map((u) => [u.id, u]));
  const totals = new Map<number, LevelTotals>();
  let households = 0;
  // Without the levels' own sums: one row for them all, not listed.
  const all = figures.levels === undefined ? -1 : undefined;
  for (const sum of figures.levels ?? figures.totals.map((t) => ({ ...t, unitId: -1 }))) {
    const row = all ?? (rowOf ? rowOf(sum.unitId) : sum.unitId);
    if (row === undefined) {
      continue;
    }
    const t = totals.get(row) ?? zeroTotals();
    totals.set(row, t);
    switch (sum.kind) {
      case 'receipt':
        t.received += sum.amount;
        break;
      case 'in_kind':
        t.inKind += sum.amount;
        break;
      case 'allocation':
        t.allocated += sum.amount;
        // One allocation in force per household and need (the ledger refuses a second).
        households += sum.entries;
        break;
      case 'disbursement':
        t.disbursed += sum.amount;
        break;
      case 'transfer_out':
        t.transferredOut += sum.amount;
        break;
      case 'transfer_in':
        t.transferredIn += sum.amount;
        break;
    }
  }
  const levels = all === undefined ? levelRows(units, totals) : [];
  const total =
    all === undefined
      ? levels.reduce<LevelTotals>((s, l) => addTotals(s, l.totals), zeroTotals())
      : (totals.get(all) ?? zeroTotals());

  // Organisations and donors come in the order of their first pledge, as `buildRollup` meets them.
  const orgs = new Map<string, OrgRow & { first: number; rank: number; rankPledge: number }>();
  for (const o of [...figures.organisations].sort((a, b) => a.firstPledgeId - b.firstPledgeId)) {
    const org = byId.get(o.orgUnitId);
    if (!org) {
      continue;
    }
    const key = organisationKey(org);
    const row = orgs.get(key) ?? {
      key,
      name: org.name,
      pledges: 0,
      pledged: 0n,
      received: 0n,
      first: o.firstPledgeId,
      rank: 0,
      rankPledge: 0,
    };
    row.pledges += o.pledges;
    row.pledged += o.pledged;
    row.received += o.received;
    const rank = branchRank(org, byId);
    if (rank > 0 && (rank > row.rank || (rank === row.rank && o.lastPledgeId > row.rankPledge))) {
      row.name = org.name;
      row.rank = rank;
      row.rankPledge = o.lastPledgeId;
    }
    orgs.set(key, row);
  }
  const donors = new Map<string, DonorRow>();
  for (const d of [...(figures.donors ?? [])].sort((a, b) => a.firstPledgeId - b.firstPledgeId)) {
    const key = `${d.donorKind}:${d.donorName.trim().toLowerCase()}`;
    const row = donors.get(key) ?? {
      name: d.donorName,
      kind: d.donorKind,
      publicName: true,
      pledged: 0n,
      received: 0n,
    };
    row.pledged += d.pledged;
    row.received += d.received;
    row.publicName = row.publicName && d.publicName;
    donors.set(key, row);
  }
  return {
    levels,
    organisations: [...orgs.values()]
      .map(({ first: _f, rank: _r, rankPledge: _p, ...row }) => row)
      .sort((a, b) => descending(a.received, b.received)),
    donors: [...donors.values()].sort(
      (a, b) => descending(a.received, b.received) || descending(a.pledged, b.pledged),
    ),
    total,
    households,
    pledged: figures.pledged,
    unverified: figures.unverified,
  };
}

/** Larger first, without subtracting (bigint arithmetic allocates). */
function descending(a: bigint, b: bigint): number {
  return a > b ? -1 : a < b ? 1 : 0;
}

function addTotals(s: LevelTotals, t: LevelTotals): LevelTotals {
  return {
    received: s.received + t.received,
    transferredIn: s.transferredIn + t.transferredIn,
    transferredOut: s.transferredOut + t.transferredOut,
    allocated: s.allocated + t.allocated,
    disbursed: s.disbursed + t.disbursed,
    inKind: s.inKind + t.inKind,
  };
}
