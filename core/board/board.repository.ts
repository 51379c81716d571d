import type { DonorKind, PledgeKind } from '../funds/fund.repository.ts';

/** One fund level's figures on the live board, from the ledger's running totals (FundTotal). */
export interface BoardLevelSum {
  unitId: number;
  /** Live pledges to the level (cancelled ones and those waiting for verification left out). */
  pledged: bigint;
  pledges: number;
  /** Money received at the level (receipts in force). */
  received: bigint;
  /** Goods and labour days received at the level, at their estimated value. */
  inKind: bigint;
}

/** A pledge as the board may show it: never the donor's phone; the name only with `publicName`. */
export interface BoardPledge {
  id: number;
  ref: string;
  donorKind: DonorKind;
  donorName: string;
  /** The donor agreed to be named in public. */
  publicName: boolean;
  kind: PledgeKind;
  amount: bigint;
  description: string | null;
  quantity: number | null;
  quantityUnit: string | null;
  fundUnitId: number;
  createdAt: Date;
}

/** The reads of the public live board (issue 17 §3), all cheap enough to run every second. */
export interface BoardRepository {
  /** Every fund level of the campaign with a pledge or a gift, from the running totals. */
  levelSums(campaignId: number): Promise<BoardLevelSum[]>;
  /** The newest live pledges (cancelled ones and those waiting for verification left out). */
  latestPledges(campaignId: number, limit: number): Promise<BoardPledge[]>;
  /**
   * A fingerprint that changes whenever the board's figures may have: the running totals (any
   * pledge made, changed, cancelled or verified; any gift or reversal), the newest pledge and the
   * model examples. Read from primary keys and small tables only.
   */
  stamp(campaignId: number): Promise<string>;
}
