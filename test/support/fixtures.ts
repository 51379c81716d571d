import type { Campaign } from '../../core/campaigns/campaign.ts';
import type { NewFundEntry, NewPledge } from '../../core/funds/fund.repository.ts';
import { fundEntry, recordFundEntry } from '../../core/funds/fund-service.ts';
import { householdNameKey } from '../../core/households/duplicate-keys.ts';
import type { TReportFigures } from '../../core/reports/report.ts';
import type { Tx } from '../../core/unit-of-work.ts';
import type { PrismaClient } from '../../prisma/client.ts';

/** A monthly report's figures, all zero: tests spread their own numbers over it. */
/** The 14 answers of the figures form for a first report (no previous figures, no registry). */
export const FIRST_REPORT_ANSWERS = [
  '4',
  '1',
  '2',
  '1',
  '2',
  '1',
  '1',
  '0',
  '300tr',
  '120tr',
  '85',
  'không',
  'không',
  'không có',
] as const;

export const ZERO_FIGURES: TReportFigures = {
  approvedNew: 0,
  approvedRepair: 0,
  startedNew: 0,
  startedRepair: 0,
  completedNew: 0,
  completedRepair: 0,
  handedOverNew: 0,
  handedOverRepair: 0,
  moneyReceived: 0n,
  moneyPaid: 0n,
  labourDays: 0,
  difficulties: '',
  proposals: '',
  decreaseReason: null,
};

/** The city fund's bank account, as a campaign definition's `funds` lists it (fixture city 058). */
export const CITY_FUND_ACCOUNT = {
  unit: '058',
  bank: 'Agribank chi nhánh Bắc Kạn',
  bin: '970405',
  accountNumber: '8300201001234',
  accountName: 'Ủy ban MTTQ Việt Nam thành phố Bắc Kạn',
};

/**
 * Records a ledger entry through the same rules as the bot (a receipt unless `entry.kind` says
 * otherwise); throws when the ledger refuses it, so test data is always valid.
 */
export async function recordEntry(
  tx: Tx,
  campaign: Campaign,
  entry: Partial<NewFundEntry>,
  at: Date,
  defaults: Partial<NewFundEntry> = {},
): Promise<number> {
  const outcome = await recordFundEntry(
    tx,
    campaign,
    fundEntry({
      campaignId: campaign.id,
      kind: 'receipt',
      levelUnitId: 0,
      amount: 0n,
      occurredOn: toIsoDay(at),
      ...defaults,
      ...entry,
    }),
    at,
  );
  if (!outcome.ok) {
    throw new Error(`ledger refused ${entry.kind ?? 'receipt'}: ${outcome.refusal.code}`);
  }
  return outcome.id;
}

function toIsoDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** A money pledge with the usual defaults (public name, due 30/06/2025, registered on Telegram). */
export function moneyPledge(
  fields: Pick<NewPledge, 'campaignId' | 'donorKind' | 'donorName' | 'fundUnitId' | 'amount'> &
    Partial<NewPledge>,
): NewPledge {
  return {
    donorPhone: null,
    personId: null,
    orgUnitId: null,
    kind: 'money',
    description: null,
    quantity: null,
    quantityUnit: null,
    householdId: null,
    targetUnitId: null,
    dueOn: '2025-06-30',
    publicName: true,
    channel: 'telegram',
    ...fields,
  };
}

/**
 * Prisma create data for a household of the registry with the usual facts (poor, new build, none
 * of the three structures durable, land in order, eligible), created at `at` with its first event.
 */
export function householdData(
  fields: { campaignId: number; unitId: number; code: string; status: string; at: Date } & Record<
    string,
    unknown
  >,
) {
  const { at, ...rest } = fields;
  const headName = typeof rest.headName === 'string' ? rest.headName : `Chủ hộ ${fields.code}`;
  return {
    village: 'Tổ 3',
    headName,
    headNameKey: householdNameKey(headName),
    category: 'poor',
    need: 'new_build',
    foundationDurable: false,
    frameDurable: false,
    roofDurable: false,
    members: 3,
    landLegal: true,
    landUndisputed: true,
    outsideLandslideZone: true,
    confirmedByCommune: true,
    eligible: true,
    createdAt: at,
    updatedAt: at,
    events: { create: { kind: 'created', toStatus: fields.status, at } },
    ...rest,
  };
}

/** Adds a household of the current campaign to the unit with that code (see `householdData`). */
export async function addHousehold(
  prisma: PrismaClient,
  unitCode: string,
  fields: { code: string; status: string; at: Date } & Record<string, unknown>,
): Promise<void> {
  const unit = await prisma.unit.findFirstOrThrow({
    orderBy: { validFrom: 'desc' },
    where: { code: unitCode },
  });
  const campaign = await prisma.campaign.findFirstOrThrow();
  await prisma.household.create({
    data: householdData({ campaignId: campaign.id, unitId: unit.id, ...fields }),
  });
}
