// Row mappers of pledges and ledger entries, shared by pledge-repository.ts and fund-repository.ts.
import type { ExpressionBuilder, Selectable } from 'kysely';
import {
  DONOR_KINDS,
  ENTRY_KINDS,
  type FundEntryRecord,
  PLEDGE_KINDS,
  PLEDGE_VERIFICATIONS,
  type PledgeView,
} from '../core/funds/fund.repository.ts';
import type { Need } from '../core/funds/ledger.ts';
import { isChannel } from '../core/messaging/message.ts';
import type { DB } from './kysely-dialect.ts';

/**
 * Money summed by the database: SUM of a BIGINT is an integer on SQLite (a bigint beyond 2^53) and a
 * numeric on PostgreSQL (read as a number, or a bigint beyond 2^53); never through a float.
 */
export type DbSum = number | bigint;
export const money = (v: DbSum | null): bigint => BigInt(v ?? 0);

const NEEDS: readonly Need[] = ['new_build', 'repair'];

/** `v` when it is one of `values`, else `fallback` (a value written by a newer version, say). */
export function oneOf<T extends string>(values: readonly T[], v: string, fallback: T): T {
  return values.find((x) => x === v) ?? fallback;
}

/** Entries no reversal names: `e` is still in force. */
export function notReversed(eb: ExpressionBuilder<DB & { e: DB['FundEntry'] }, 'e'>) {
  return eb(
    'e.id',
    'not in',
    eb.selectFrom('FundEntry as x').select('x.reversesId').where('x.reversesId', 'is not', null),
  );
}

/**
 * The same test, each entry's reversal looked up by the unique index on reversesId: for a few
 * entries (a ward's), where `notReversed` would read every reversal of the ledger first.
 */
export function notReversedEach(eb: ExpressionBuilder<DB & { e: DB['FundEntry'] }, 'e'>) {
  return eb.not(
    eb.exists(eb.selectFrom('FundEntry as x').select('x.id').whereRef('x.reversesId', '=', 'e.id')),
  );
}

export type PledgeViewRow = Selectable<DB['Pledge']> & {
  fundUnitName: string;
  orgUnitName: string | null;
  targetUnitName: string | null;
  householdCode: string | null;
  householdHeadName: string | null;
  receivedSum: DbSum | null;
};

export function toPledge(r: PledgeViewRow): PledgeView {
  const channel = r.channel;
  return {
    id: r.id,
    ref: r.ref,
    campaignId: r.campaignId,
    donorKind: oneOf(DONOR_KINDS, r.donorKind, 'individual'),
    donorName: r.donorName,
    donorPhone: r.donorPhone,
    personId: r.personId,
    orgUnitId: r.orgUnitId,
    fundUnitId: r.fundUnitId,
    kind: oneOf(PLEDGE_KINDS, r.kind, 'money'),
    description: r.description,
    quantity: r.quantity,
    quantityUnit: r.quantityUnit,
    amount: r.amount,
    householdId: r.householdId,
    targetUnitId: r.targetUnitId,
    dueOn: r.dueOn,
    publicName: r.publicName,
    channel: channel !== null && isChannel(channel) ? channel : null,
    cancelledAt: r.cancelledAt,
    cancelReason: r.cancelReason,
    anonymous: r.anonymous,
    verification: r.verification === null ? null : oneOf(PLEDGE_VERIFICATIONS, r.verification, 'pending'),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    // Summed from the ledger (reversed receipts left out), not the running Pledge.received.
    received: money(r.receivedSum),
    fundUnitName: r.fundUnitName,
    orgUnitName: r.orgUnitName,
    targetUnitName: r.targetUnitName,
    householdLabel: r.householdCode === null ? null : `${r.householdCode} – ${r.householdHeadName ?? ''}`,
  };
}

export function toEntry(r: Selectable<DB['FundEntry']>): FundEntryRecord {
  const channel = r.channel;
  return {
    id: r.id,
    campaignId: r.campaignId,
    kind: oneOf(ENTRY_KINDS, r.kind, 'receipt'),
    levelUnitId: r.levelUnitId,
    toUnitId: r.toUnitId,
    amount: r.amount,
    pledgeId: r.pledgeId,
    householdId: r.householdId,
    need: r.need === null ? null : oneOf(NEEDS, r.need, 'new_build'),
    overrideReason: r.overrideReason,
    overpayment: r.overpayment,
    reversesId: r.reversesId,
    reason: r.reason,
    documentRef: r.documentRef,
    note: r.note,
    publicName: r.publicName,
    description: r.description,
    occurredOn: r.occurredOn,
    personId: r.personId,
    channel: channel !== null && isChannel(channel) ? channel : null,
    createdAt: r.createdAt,
  };
}
