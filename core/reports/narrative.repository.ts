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

/** Quarterly and final reports: written answers, every revision kept. */
export interface NarrativeReportRepository {
  lastRevision(periodId: number, unitId: number): Promise<number>;
  create(report: NarrativeReportRecord): Promise<number>;
}
