import type { Channel } from '../messaging/message.ts';
import type { Need } from './ledger.ts';

export const DONOR_KINDS = ['organisation', 'enterprise', 'individual'] as const;
export type DonorKind = (typeof DONOR_KINDS)[number];
export const PLEDGE_KINDS = ['money', 'materials', 'labour'] as const;
export type PledgeKind = (typeof PLEDGE_KINDS)[number];

/** A pledge as stored (DESIGN.md §5). `amount` is the money or the estimated value, in đồng. */
export interface PledgeRecord {
  id: number;
  ref: string;
  campaignId: number;
  donorKind: DonorKind;
  donorName: string;
  donorPhone: string | null;
  personId: number | null;
  orgUnitId: number | null;
  fundUnitId: number;
  kind: PledgeKind;
  description: string | null;
  quantity: number | null;
  quantityUnit: string | null;
  amount: bigint;
  householdId: number | null;
  targetUnitId: number | null;
  dueOn: string | null;
  publicName: boolean;
  channel: Channel | null;
  cancelledAt: Date | null;
  cancelReason: string | null;
  /** Registered by a donor with no invite (no role but donor): counted by the anonymous rate limit. */
  anonymous: boolean;
  /**
   * null: counted at once. pending ("chờ xác minh"): a large pledge of an anonymous donor, counted in
   * no pledged total until a fund officer confirms it; confirmed; rejected (then also cancelled).
   */
  verification: PledgeVerification | null;
  createdAt: Date;
  updatedAt: Date;
}

export const PLEDGE_VERIFICATIONS = ['pending', 'confirmed', 'rejected'] as const;
export type PledgeVerification = (typeof PLEDGE_VERIFICATIONS)[number];

/** A pledge with what was received against it and the names the chat shows. */
export interface PledgeView extends PledgeRecord {
  /** Money and in-kind value received against it (reversed receipts left out). */
  received: bigint;
  fundUnitName: string;
  orgUnitName: string | null;
  targetUnitName: string | null;
  householdLabel: string | null;
}

export type NewPledge = Omit<
  PledgeRecord,
  'id' | 'ref' | 'cancelledAt' | 'cancelReason' | 'createdAt' | 'updatedAt' | 'anonymous' | 'verification'
> &
  Partial<Pick<PledgeRecord, 'anonymous' | 'verification'>>;

/** What a donor may change before any payment. */
export type PledgeChanges = Pick<
  NewPledge,
  | 'kind'
  | 'description'
  | 'quantity'
  | 'quantityUnit'
  | 'amount'
  | 'dueOn'
  | 'publicName'
  | 'fundUnitId'
  | 'targetUnitId'
> &
  Pick<PledgeRecord, 'verification'>;

export interface PledgeRepository {
  create(p: NewPledge, at: Date): Promise<{ id: number; ref: string }>;
  /** Changes a pledge only while nothing was received against it; false otherwise. */
  update(id: number, changes: PledgeChanges, at: Date): Promise<boolean>;
  /** Cancels a pledge only while nothing was received against it; false otherwise. */
  cancel(id: number, reason: string, at: Date): Promise<boolean>;
  /**
   * A fund officer's decision on a pledge waiting for verification: confirmed (it counts from now
   * on) or rejected (cancelled with the reason). False when it is not waiting any more.
   */
  decide(
    id: number,
    decision: { verification: 'confirmed' } | { verification: 'rejected'; reason: string },
    by: number,
    at: Date,
  ): Promise<boolean>;
  /** Pledges registered since `since` by the person, or by anonymous donors (the rate limits). */
  countSince(who: { personId: number } | { anonymous: true }, since: Date): Promise<number>;
  findById(id: number): Promise<PledgeView | undefined>;
  /** By reference ("UH-0042"), case-insensitive. */
  findByRef(ref: string): Promise<PledgeView | undefined>;
  /** Pledges to the given fund levels (all when null) whose ref or donor name (no diacritics) matches. */
  search(campaignId: number, levelIds: number[] | null, query: string, limit: number): Promise<PledgeView[]>;
  listByPerson(personId: number): Promise<PledgeView[]>;
  listByCampaign(campaignId: number): Promise<PledgeView[]>;
}

export const ENTRY_KINDS = [
  'receipt',
  'in_kind',
  'allocation',
  'disbursement',
  'transfer',
  'reversal',
] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

/** One ledger row as stored. */
export interface FundEntryRecord {
  id: number;
  campaignId: number;
  kind: EntryKind;
  levelUnitId: number;
  toUnitId: number | null;
  amount: bigint;
  pledgeId: number | null;
  householdId: number | null;
  need: Need | null;
  overrideReason: string | null;
  overpayment: boolean;
  reversesId: number | null;
  reason: string | null;
  documentRef: string | null;
  /** Receipts without a pledge: who paid. Transfers: a note. */
  note: string | null;
  /** Receipts without a pledge: the payer agreed to be named in public summaries. */
  publicName: boolean;
  /** Receipts in kind: what was given ("100 bao xi măng"). */
  description: string | null;
  occurredOn: string;
  personId: number | null;
  channel: Channel | null;
  createdAt: Date;
}

export type NewFundEntry = Omit<FundEntryRecord, 'id' | 'createdAt'>;

/** How a level's entries are summed: a transfer counts out at its level and in at its target. */
export type TotalKind =
  | 'receipt'
  | 'in_kind'
  | 'allocation'
  | 'disbursement'
  | 'transfer_out'
  | 'transfer_in';

/** A fund level's entries of one kind, summed; reversed entries left out (a level keeps its row). */
export interface LevelKindSum {
  unitId: number;
  kind: TotalKind;
  amount: bigint;
  /** Entries in force: for allocations, the households (and needs) allocated to. */
  entries: number;
}

/** The live pledges of one member organisation unit (a branch). */
export interface OrganisationSum {
  orgUnitId: number;
  /** Its first and last pledge (roll-ups keep the order and names the pledges came in). */
  firstPledgeId: number;
  lastPledgeId: number;
  pledges: number;
  pledged: bigint;
  received: bigint;
}

/** The live pledges of one donor name, as written (the roll-up merges case and spacing variants). */
export interface DonorSum {
  donorKind: string;
  donorName: string;
  firstPledgeId: number;
  /** Every one of these pledges agreed to be named. */
  publicName: boolean;
  pledged: bigint;
  received: bigint;
}

/**
 * Receipts in force (money or in kind) of one donor: a pledge's donor (kind and name as written) or
 * the payer noted on receipts without a pledge (`walkIn`).
 */
export interface ReceiptSum {
  walkIn: boolean;
  /** The pledge's donor kind; null for a walk-in payer. */
  donorKind: string | null;
  /** The pledge's donor name, or the receipt's note (may be empty). */
  donorName: string;
  /** Every pledge (or every walk-in receipt) of these agreed to the name being public. */
  publicName: boolean;
  kind: 'receipt' | 'in_kind';
  amount: bigint;
  /** The first of these entries (roll-ups keep the order donors first gave in). */
  firstEntryId: number;
}

/** A household allocated money from the fund (an allocation in force), with what was paid to it. */
export interface SupportedHousehold {
  householdId: number;
  /** Its ward or commune. */
  unitId: number;
  headName: string;
  village: string;
  allocated: bigint;
  paid: bigint;
}

/** The ledger and the pledges summed for a roll-up: what `buildRollup` folds from every row. */
export interface RollupFigures {
  /** Per level and kind, when asked for (`perLevel`). */
  levels: LevelKindSum[] | undefined;
  /** Every level of the scope together, by kind. */
  totals: Omit<LevelKindSum, 'unitId'>[];
  /** Live (not cancelled) pledges, those waiting for verification left out. */
  pledged: bigint;
  /** Of them, the pledges of money (the others are goods and labour days at their value). */
  pledgedMoney: bigint;
  /** Receipts in force without a pledge ("nhận ngoài đăng ký"): money, and goods or labour at value. */
  walkIn: { received: bigint; inKind: bigint };
  /** Live pledges waiting for a fund officer's verification ("chờ xác minh"), counted apart. */
  unverified: bigint;
  organisations: OrganisationSum[];
  /** Only when asked for (they are many: a national campaign has tens of thousands of donors). */
  donors: DonorSum[] | undefined;
  /** What each donor gave, from the ledger; with `donors` only. */
  receipts: ReceiptSum[] | undefined;
}

export interface RollupScope {
  /** Fund levels to sum (their entries, and the pledges made to them); null for the whole campaign. */
  levelIds: readonly number[] | null;
  /** The sums of each level, not only of them all (a national campaign has thousands of levels). */
  perLevel: boolean;
  donors: boolean;
}

export interface FundRepository {
  /**
   * The campaign's entries, in order, that touch one of the levels (as level or transfer target) or
   * one of the households; a reversal carries its target's level and household, so it comes along.
   */
  entriesTouching(
    campaignId: number,
    scope: { levels: number[]; householdIds: number[] },
  ): Promise<FundEntryRecord[]>;
  findEntry(id: number): Promise<FundEntryRecord | undefined>;
  /**
   * Gifts received (receipts and in-kind entries) still in force — no reversal names them — newest
   * first: of the fund levels (all when null), of one pledge, or one entry (the acknowledgements).
   */
  receipts(
    campaignId: number,
    filter: { levelIds?: readonly number[] | null; pledgeId?: number; entryId?: number },
    limit: number,
  ): Promise<FundEntryRecord[]>;
  insert(e: NewFundEntry, at: Date): Promise<number>;
  /**
   * Receipts and in-kind entries written together (a bank statement's matches), with the running
   * totals and each pledge's received kept as `insert` keeps them, in a few statements; their ids
   * in order. Receipts only: no rule of the ledger needs the state before them.
   */
  insertReceipts(
    entries: readonly (NewFundEntry & { kind: 'receipt' | 'in_kind' })[],
    at: Date,
  ): Promise<number[]>;
  /**
   * A ward's money as its monthly report states it, up to a day: received (receipts at its own fund,
   * transfers in, and payments a higher level made straight to its households) and paid to its
   * households (from any level), so paid ≤ received. Reversed entries count for nothing.
   */
  unitMoney(
    campaignId: number,
    unitId: number,
    throughDay: string,
  ): Promise<{ received: bigint; paid: bigint; entries: number }>;
  /** Every entry of the campaign, in order (exports; the roll-ups use `rollupFigures`). */
  listByCampaign(campaignId: number): Promise<FundEntryRecord[]>;
  /**
   * The roll-up's figures summed in the database: per level and kind from the ledger's running
   * totals, per member organisation (and donor) from the live pledges and what they received.
   */
  rollupFigures(campaignId: number, scope: RollupScope): Promise<RollupFigures>;
  /**
   * The households allocated money from the campaign's fund (at any level; reversed entries left
   * out), with the money allocated to and paid to each, in the order of their ward and code.
   */
  supportedHouseholds(campaignId: number): Promise<SupportedHousehold[]>;
}
