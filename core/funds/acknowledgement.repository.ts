/** An acknowledgement letter for one receipt (issue 16 §4): asked for, approved, numbered, sent. */
export interface AcknowledgementRecord {
  id: number;
  campaignId: number;
  /** The receipt acknowledged (FundEntry of kind receipt or in_kind). */
  entryId: number;
  requestedBy: number | null;
  requestedAt: Date;
  /** The donor the letter is sent to, when known (the pledge's person, or the donor who asked). */
  donorPersonId: number | null;
  approvedBy: number | null;
  approvedAt: Date | null;
  refusedAt: Date | null;
  refusal: string | null;
}

export interface AcknowledgementRepository {
  findByEntry(entryId: number): Promise<AcknowledgementRecord | undefined>;
  findById(id: number): Promise<AcknowledgementRecord | undefined>;
  /** Asks for one (or returns the one already asked for: one letter per receipt). */
  request(
    input: { campaignId: number; entryId: number; requestedBy: number | null; donorPersonId: number | null },
    now: Date,
  ): Promise<AcknowledgementRecord>;
  approve(id: number, personId: number | null, now: Date): Promise<void>;
  refuse(id: number, personId: number | null, reason: string, now: Date): Promise<void>;
  /** Those waiting for a fund officer, oldest first. */
  pending(campaignId: number, limit: number): Promise<AcknowledgementRecord[]>;
}
