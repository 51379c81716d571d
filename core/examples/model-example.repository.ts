/** Where a photo was sent: the channel and that channel's file id. */
export interface ExamplePhoto {
  channel: string;
  fileId: string;
}

/** A model example (gương điển hình) an officer recorded (issue 17 §4). */
export interface ModelExampleRow {
  id: number;
  campaignId: number;
  /** The ward, commune or member organisation it belongs to. */
  unitId: number;
  /** The unit's name, where the query joins it (the lists do). */
  unitName?: string;
  /** Who: "Gia đình ông Nguyễn Văn A", "Công ty B", "Chi hội CCB thôn 3". */
  who: string;
  /** What they did. */
  what: string;
  photo: ExamplePhoto | null;
  /** The officer who recorded it. */
  personId: number | null;
  createdAt: Date;
  withdrawnAt: Date | null;
}

/** What `create` stores: a row without its id and before any withdrawal. */
export type NewModelExample = Omit<ModelExampleRow, 'id' | 'unitName' | 'createdAt' | 'withdrawnAt'>;

export interface ModelExampleRepository {
  /** Stores one, recorded at `at`; returns its id. */
  create(row: NewModelExample, at: Date): Promise<number>;
  findById(id: number): Promise<ModelExampleRow | undefined>;
  /** The campaign's latest ones not withdrawn, newest first, with their unit's name. */
  listRecent(campaignId: number, limit: number): Promise<ModelExampleRow[]>;
  /** Those one officer recorded and has not withdrawn, newest first, with their unit's name. */
  listByPerson(campaignId: number, personId: number, limit: number): Promise<ModelExampleRow[]>;
  /**
   * Those recorded in [from, to), oldest first, with their unit's name — the withdrawn ones too, with
   * `withdrawnAt`: a report decides which stood when it was made (rebuilt later, it lists the same).
   */
  listBetween(campaignId: number, from: Date, to: Date): Promise<ModelExampleRow[]>;
  /** Withdraws one at `at`; false when there is none or it was already withdrawn. */
  withdraw(id: number, at: Date): Promise<boolean>;
}
