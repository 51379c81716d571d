export interface NarrativeReportRecord {
  ref: string;
  periodId: number;
  unitId: number;
  personId: number;
  revision: number;
  answers: Record<string, string>;
  late: boolean;
  channel: string;
  submittedAt: Date;
}

/** A stored narrative report. */
export interface NarrativeReportRow extends NarrativeReportRecord {
  id: number;
}

/**
 * Quarterly, six-monthly and final reports: written answers, every revision kept. The six-monthly
 * and final reports of the area's committee are stored here too, under the area's unit.
 */
export interface NarrativeReportRepository {
  lastRevision(periodId: number, unitId: number): Promise<number>;
  create(report: NarrativeReportRecord): Promise<number>;
  findByRef(ref: string): Promise<NarrativeReportRow | undefined>;
  findById(id: number): Promise<NarrativeReportRow | undefined>;
  /** The latest revision of each unit's report for each of the periods (all units when `unitIds` is absent). */
  latest(periodIds: readonly number[], unitIds?: readonly number[]): Promise<NarrativeReportRow[]>;
  /** Every revision of one unit's report for one period, oldest first. */
  revisions(periodId: number, unitId: number): Promise<NarrativeReportRow[]>;
}
