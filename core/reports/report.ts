import { z } from 'zod';

export const COUNT_FIELDS = [
  'approvedNew',
  'approvedRepair',
  'startedNew',
  'startedRepair',
  'completedNew',
  'completedRepair',
  'handedOverNew',
  'handedOverRepair',
] as const;
export type CountField = (typeof COUNT_FIELDS)[number];

export const MAX_HOUSEHOLDS = 100_000;
export const MAX_LABOUR_DAYS = 10_000_000;
export const MAX_MONEY = 1_000_000_000_000n;

const count = z.number().int().min(0).max(MAX_HOUSEHOLDS);
const money = z.bigint().min(0n).max(MAX_MONEY);

/** The house counts of a report, each split new build / repair. */
export type HouseCounts = z.infer<typeof ZHouseCounts>;

export const ZHouseCounts = z.object({
  approvedNew: count,
  approvedRepair: count,
  startedNew: count,
  startedRepair: count,
  completedNew: count,
  completedRepair: count,
  handedOverNew: count,
  handedOverRepair: count,
});

/**
 * The figures of a monthly progress report, cumulative since the campaign began. The rules are
 * checked while the officer answers; this schema checks them again before anything is stored.
 */
export const ZReportFigures = ZHouseCounts.extend({
  moneyReceived: money,
  moneyPaid: money,
  labourDays: z.number().int().min(0).max(MAX_LABOUR_DAYS),
  difficulties: z.string().max(1000),
  proposals: z.string().max(1000),
  decreaseReason: z.string().max(1000).nullable(),
}).superRefine((f, ctx) => {
  for (const need of ['New', 'Repair'] as const) {
    const chain = [`approved${need}`, `started${need}`, `completed${need}`, `handedOver${need}`] as const;
    for (let i = 1; i < chain.length; i++) {
      const [upper, lower] = [chain[i - 1], chain[i]];
      if (upper && lower && f[lower] > f[upper]) {
        ctx.addIssue({ code: 'custom', path: [lower], message: `${lower} > ${upper}` });
      }
    }
  }
  if (f.moneyPaid > f.moneyReceived) {
    ctx.addIssue({ code: 'custom', path: ['moneyPaid'], message: 'moneyPaid > moneyReceived' });
  }
});
export type TReportFigures = z.infer<typeof ZReportFigures>;

export interface ReportPhoto {
  channel: string;
  fileId: string;
}

export interface ReportRecord extends TReportFigures {
  id: number;
  ref: string;
  periodId: number;
  unitId: number;
  personId: number;
  revision: number;
  late: boolean;
  channel: string;
  photos: ReportPhoto[];
  /** Why the counts differ from the household registry, when they do. */
  registryReason: string | null;
  submittedAt: Date;
}

export interface ReportRepository {
  /** The highest revision of a unit's report for a period, or 0. */
  lastRevision(periodId: number, unitId: number): Promise<number>;
  /** The period ids a unit has reported for. */
  reportedPeriodIds(unitId: number): Promise<number[]>;
  /** The latest revision of the unit's report for the latest period due before `dueOn`. */
  findLatestBefore(unitId: number, dueOn: string): Promise<ReportRecord | undefined>;
  create(report: Omit<ReportRecord, 'id'>): Promise<number>;
  /** Per unit: the latest submission, and whether it covers the given period. */
  latestByUnit(
    unitIds: number[],
    periodId: number,
  ): Promise<{ unitId: number; submittedAt: Date; coversPeriod: boolean }[]>;
  /**
   * Every revision of the reports for the periods, by period, unit and revision (the Excel exports);
   * with `unitIds`, of those units only (`/tinhhinh`).
   */
  listByPeriods(periodIds: number[], unitIds?: readonly number[]): Promise<ReportRecord[]>;
  /** Per unit (of those given, when it sent any): of how many of the periods it sent a report on time. */
  onTimeCounts(periodIds: number[], unitIds: number[]): Promise<{ unitId: number; periods: number }[]>;
}
