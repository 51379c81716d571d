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

export interface CampaignRepository {
  findCurrent(): Promise<Campaign | undefined>;
  listPeriods(campaignId: number, kind: PeriodKind): Promise<Period[]>;
}
