/**
 * The fund's roll-up computed (issue 5 §4): money per fund level from the ledger, pledged vs
 * received per member organisation and per donor. fund-views.ts shows it.
 */

import { kindLevel } from '../units/kinds.ts';
import type { UnitView } from '../units/unit.repository.ts';
import type { FundEntryRecord, PledgeView, ReceiptSum, RollupFigures } from './fund.repository.ts';
import { toLedgerEntry } from './fund-service.ts';
import { available, fold, held, isUnverified, type LevelTotals, zeroTotals } from './ledger.ts';

export interface LevelRow {
  unitId: number;
  name: string;
  totals: LevelTotals;
  /** Money not yet allocated ("còn chưa phân bổ"). */
  available: bigint;
  /** What the fund holds ("tồn quỹ"): received and transferred in, less transferred out and paid. */
  held: bigint;
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
  /** A pledge's donor name, or the payer noted on receipts without a pledge (may be empty). */
  name: string;
  /** The donor kind of the pledges; 'walk_in' for a payer without a pledge. */
  kind: string;
  /** Gave without a pledge ("ngoài đăng ký"). */
  walkIn: boolean;
  publicName: boolean;
  pledged: bigint;
  /** Everything received from the donor (reversed entries left out): money and goods at value. */
  received: bigint;
  /** Of `received`, goods and labour days at their estimated value. */
  inKind: bigint;
}

export interface FundRollup {
  levels: LevelRow[];
  organisations: OrgRow[];
  donors: DonorRow[];
  total: LevelTotals;
  households: number;
  pledged: bigint;
  /** Of `pledged`, the pledges of money. */
  pledgedMoney: bigint;
  /** Received without a pledge (in `total`): money, and goods or labour at value. */
  walkIn: { received: bigint; inKind: bigint };
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
  const levels = levelRows(units, state.levels);
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
  let pledgedMoney = 0n;
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
    if (p.kind === 'money') {
      pledgedMoney += p.amount;
    }
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
    addPledgedDonor(donors, p.donorKind, p.donorName, p.publicName, p.amount);
  }
  // What each donor gave, from the ledger: the receipts in force, in the order they came in.
  const pledgeById = new Map(pledges.map((p) => [p.id, p]));
  const walkIn = { received: 0n, inKind: 0n };
  for (const e of entries) {
    if ((e.kind !== 'receipt' && e.kind !== 'in_kind') || state.reversed.has(e.id)) {
      continue;
    }
    const p = e.pledgeId === null ? undefined : pledgeById.get(e.pledgeId);
    if (!p) {
      walkIn[e.kind === 'in_kind' ? 'inKind' : 'received'] += e.amount;
    }
    addGift(donors, {
      walkIn: !p,
      donorKind: p ? p.donorKind : null,
      donorName: p ? p.donorName : (e.note ?? ''),
      publicName: p ? p.publicName : e.publicName,
      kind: e.kind,
      amount: e.amount,
      firstEntryId: e.id,
    });
  }
  const households = new Set([...state.allocations.values()].map((a) => a.entryId).filter((id) => id > 0))
    .size;
  return {
    levels,
    organisations: [...orgs.values()]
      .map(({ rank: _, ...row }) => row)
      .sort((a, b) => Number(b.received - a.received)),
    donors: sortedDonors(donors),
    total,
    households,
    pledged,
    pledgedMoney,
    walkIn,
    unverified,
  };
}

/** A donor's key in the roll-ups: kind and name, case and spacing aside; walk-in payers apart. */
function donorKey(kind: string, name: string): string {
  return `${kind}:${name.trim().toLowerCase()}`;
}

function donorRow(map: Map<string, DonorRow>, kind: string, name: string, walkIn: boolean): DonorRow {
  const key = donorKey(kind, name);
  const row = map.get(key) ?? {
    name,
    kind,
    walkIn,
    publicName: true,
    pledged: 0n,
    received: 0n,
    inKind: 0n,
  };
  map.set(key, row);
  return row;
}

/** A donor's live pledges; named only if every one of their pledges agreed to it. */
function addPledgedDonor(
  map: Map<string, DonorRow>,
  kind: string,
  name: string,
  publicName: boolean,
  amount: bigint,
): void {
  const row = donorRow(map, kind, name, false);
  row.pledged += amount;
  row.publicName = row.publicName && publicName;
}

/** What a donor gave (receipts in force); a walk-in payer is named only if every receipt agreed. */
function addGift(map: Map<string, DonorRow>, gift: ReceiptSum): void {
  const row = gift.walkIn
    ? donorRow(map, 'walk_in', gift.donorName, true)
    : donorRow(map, gift.donorKind ?? '', gift.donorName, false);
  row.received += gift.amount;
  if (gift.kind === 'in_kind') {
    row.inKind += gift.amount;
  }
  row.publicName = row.publicName && gift.publicName;
}

/** Donors who gave most first; then who pledged most; else in the order they first came. */
function sortedDonors(map: Map<string, DonorRow>): DonorRow[] {
  return [...map.values()].sort(
    (a, b) => descending(a.received, b.received) || descending(a.pledged, b.pledged),
  );
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
      held: held(t),
    }))
    .sort((a, b) => {
      // The higher level first (the city's fund before its wards'), then by code.
      const [ua, ub] = [byId.get(a.unitId), byId.get(b.unitId)];
      return (
        kindLevel(ua?.kind ?? '') - kindLevel(ub?.kind ?? '') ||
        (ua?.code ?? '').localeCompare(ub?.code ?? '')
      );
    });
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
    addPledgedDonor(donors, d.donorKind, d.donorName, d.publicName, d.pledged);
  }
  for (const gift of [...(figures.receipts ?? [])].sort((a, b) => a.firstEntryId - b.firstEntryId)) {
    addGift(donors, gift);
  }
  return {
    levels,
    organisations: [...orgs.values()]
      .map(({ first: _f, rank: _r, rankPledge: _p, ...row }) => row)
      .sort((a, b) => descending(a.received, b.received)),
    donors: sortedDonors(donors),
    total,
    households,
    pledged: figures.pledged,
    pledgedMoney: figures.pledgedMoney,
    walkIn: figures.walkIn,
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
