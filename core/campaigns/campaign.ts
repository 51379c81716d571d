export interface Campaign {
  id: number;
  code: string;
  name: string;
  timeZone: string;
  startsOn: string;
  endsOn: string;
  monthlyDueDay: number;
  quarterlyDueDay: number;
  finalDueOn: string;
  normNewBuild: bigint;
  normRepair: bigint;
}

export type PeriodKind = 'monthly' | 'quarterly' | 'semiannual' | 'final';

export interface PeriodSpec {
  kind: PeriodKind;
  code: string;
  label: string;
  startsOn: string;
  endsOn: string;
  opensOn: string;
  dueOn: string;
}

export interface Period extends PeriodSpec {
  id: number;
  campaignId: number;
}

/** What an operator may change of a campaign: its norms and deadlines. */
export type CampaignChanges = Partial<
  Pick<Campaign, 'normNewBuild' | 'normRepair' | 'monthlyDueDay' | 'quarterlyDueDay' | 'finalDueOn'>
>;

export interface CampaignRepository {
  findCurrent(): Promise<Campaign | undefined>;
  listPeriods(campaignId: number, kind: PeriodKind): Promise<Period[]>;
  /** Saves the given fields (undefined ones are kept). */
  update(campaignId: number, changes: CampaignChanges): Promise<void>;
  setPeriodDue(periodId: number, dueOn: string): Promise<void>;
}
