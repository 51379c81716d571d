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
  /** The unit whose area the campaign covers; null: every unit (a database from before issue 15). */
  areaUnitId: number | null;
  /** How the bot addresses officers of this campaign. */
  addressForm: string;
  /** From this day on (campaign calendar) the campaign is closed; null while it runs. */
  closedOn: string | null;
}

export type PeriodKind = 'weekly' | 'monthly' | 'quarterly' | 'semiannual' | 'final';

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

/** Everything a definition file sets on a campaign's row (core/campaigns/definition.ts). */
export type CampaignRecord = Omit<Campaign, 'id'> & {
  /** The validated definition, as JSON. */
  definition: string;
  /** The settings sections (reminder policy, commendation criteria, pledge safeguards), as JSON. */
  settings: string;
};

export interface CampaignRepository {
  /** The latest campaign (by id): the one a command without a campaign means on a one-campaign database. */
  findCurrent(): Promise<Campaign | undefined>;
  findById(id: number): Promise<Campaign | undefined>;
  findByCode(code: string): Promise<Campaign | undefined>;
  /** Every campaign, latest start first. */
  list(): Promise<Campaign[]>;
  /** The campaigns whose area holds one of the units (the area is the unit or above it), or with no area. */
  covering(unitIds: readonly number[]): Promise<Campaign[]>;
  /** The campaigns whose area lies below one of the units (what a person above several areas sees). */
  below(unitIds: readonly number[]): Promise<Campaign[]>;
  /** The stored definition JSON ('{}' for a campaign from before definitions). */
  definition(campaignId: number): Promise<string>;
  create(record: CampaignRecord): Promise<number>;
  /** Replaces the row's fields from a definition (periods are not touched). */
  replace(campaignId: number, record: CampaignRecord): Promise<void>;
  listPeriods(campaignId: number, kind: PeriodKind): Promise<Period[]>;
  addPeriods(campaignId: number, periods: readonly PeriodSpec[]): Promise<void>;
  /** Removes a period nothing refers to (no report); false when something does. */
  removePeriod(periodId: number): Promise<boolean>;
  /** Saves the given fields (undefined ones are kept). */
  update(campaignId: number, changes: CampaignChanges): Promise<void>;
  setClosedOn(campaignId: number, closedOn: string | null): Promise<void>;
  setPeriodDue(periodId: number, dueOn: string): Promise<void>;
  /** A period's label and dates (its code and kind stay): a new version of the campaign's rules. */
  setPeriodDates(
    periodId: number,
    dates: Pick<PeriodSpec, 'label' | 'startsOn' | 'endsOn' | 'opensOn' | 'dueOn'>,
  ): Promise<void>;
}

/** How the bot addresses the campaign's officers: "đồng chí" or "anh/chị" (lower case, mid-sentence). */
export function addressOf(campaign: Pick<Campaign, 'addressForm'> | undefined): string {
  const form = campaign?.addressForm.trim().toLocaleLowerCase('vi') ?? '';
  return form === 'đồng chí' ? 'đồng chí' : 'anh/chị';
}

/** A form of address at the start of a sentence: "Đồng chí", "Anh/chị". */
export function capitalised(address: string): string {
  return address.charAt(0).toLocaleUpperCase('vi') + address.slice(1);
}
