/**
 * The area committee's own report (issue 16 §2): the six-monthly report of the Ban Thường trực Ủy
 * ban MTTQ to the Party committee, and its final results report, assembled from the wards' figures
 * and narratives. Without a report id it is the DRAFT the area's staff finish (number blank, the
 * committee's own sections in brackets); with the id of the committee's stored NarrativeReport it
 * is the ISSUED report: the texts from its answers (COMMITTEE_REPORT_ANSWERS), the number and date
 * from the numbering register.
 *
 * Every figure is as of the period's end (or the day the report is made, if earlier): the houses
 * from the latest revision of each ward's last weekly or monthly report on or before that day (the
 * progress export's rows and columns), the money from the ledger's entries that occurred by then
 * and the pledges registered by then. Revisions and entries made after the report was issued are
 * left out, so an issued report built again reads the same.
 */

import { z } from 'zod';
import type { Campaign, Period } from '../campaigns/campaign.ts';
import { campaignRules } from '../campaigns/campaign-rules.ts';
import { figurePeriods } from '../campaigns/figure-periods.ts';
import type { DocumentSettings } from '../campaigns/sections.ts';
import { examplesIn } from '../examples/model-examples.ts';
import type { FundEntryRecord, PledgeView } from '../funds/fund.repository.ts';
import { buildRollup } from '../funds/fund-rollup.ts';
import { toLedgerEntry } from '../funds/fund-service.ts';
import { fold, isUnverified } from '../funds/ledger.ts';
import type { UnitProgress } from '../households/unit-progress.ts';
import type { NarrativeReportRow } from '../reports/narrative.repository.ts';
import { COUNT_FIELDS } from '../reports/report.ts';
import { addDays, dateInZone, fromIsoDate, startOfDay, toIsoDate } from '../shared/calendar.ts';
import { formatDate, formatInteger, formatMoney } from '../shared/format.ts';
import { criteriaBasis } from '../summaries/commendations.ts';
import { criteriaOwnerName } from '../summaries/field-proposals.ts';
import { groupByTheme, proposalsFor, themeBullet, type UnitStatement } from '../summaries/proposals.ts';
import type { Tx } from '../unit-of-work.ts';
import { placeInSentence } from '../units/kinds.ts';
import type { UnitView } from '../units/unit.repository.ts';
import type { OfficialDocumentKind, OfficialDocumentOutcome } from './document-kind.ts';
import { displayUnitName, type ExportScope, loadScope } from './export-scope.ts';
import {
  DOCUMENT_TYPES,
  type DocumentBlock,
  FILED_LINE,
  type OfficialDocument,
  officialFooter,
  officialHeading,
  placeOf,
} from './official-document.ts';
import { loadProgressInput, PROGRESS_COLUMNS, progressSheet } from './progress-export.ts';
import { type ExportColumn, type ExportRow, ratio, STT_COLUMN, totalsOf } from './sheet.ts';

/** The committee's own texts: the keys of its NarrativeReport's answers (lane B's flow asks them). */
export const COMMITTEE_REPORT_ANSWERS = {
  /** Đánh giá chung: strengths, shortcomings and their causes. */
  assessment: 'assessment',
  /** Nhiệm vụ trọng tâm thời gian tới. */
  nextTasks: 'nextTasks',
  /** Kiến nghị, đề xuất của Ban Thường trực. */
  proposals: 'proposals',
} as const;
export type CommitteeReportAnswer = keyof typeof COMMITTEE_REPORT_ANSWERS;

/** What the draft shows where the committee writes its own text. */
export const COMMITTEE_REPORT_PLACEHOLDERS: Readonly<Record<CommitteeReportAnswer, string>> = {
  assessment: '[Ban Thường trực bổ sung đánh giá chung: ưu điểm, hạn chế và nguyên nhân]',
  nextTasks: '[Ban Thường trực bổ sung nhiệm vụ trọng tâm thời gian tới]',
  proposals: '[Ban Thường trực bổ sung kiến nghị, đề xuất với cấp ủy và Ủy ban MTTQ cấp trên]',
};

/** The register's entity of an issued report: its number is the NarrativeReport's. */
export const COMMITTEE_REPORT_ENTITY = 'NarrativeReport';

export interface CommitteeReportParams {
  periodId: number;
  unitId: number;
  reportId?: number;
}

export const ZCommitteeReportParams: z.ZodType<CommitteeReportParams> = z.object({
  periodId: z.number().int().positive(),
  unitId: z.number().int().positive(),
  reportId: z.number().int().positive().optional(),
}) as z.ZodType<CommitteeReportParams>;

export const committeeReportDocument: OfficialDocumentKind<CommitteeReportParams> = {
  params: ZCommitteeReportParams,
  build: buildCommitteeReport,
};

/** The kinds of period the committee reports for. */
const COMMITTEE_PERIOD_KINDS = ['semiannual', 'final'] as const;

/** The report of `params` as a document (see the module's comment). */
export async function buildCommitteeReport(
  tx: Tx,
  params: CommitteeReportParams,
  now: Date,
): Promise<OfficialDocumentOutcome> {
  const area = await tx.units.findById(params.unitId);
  if (!area) {
    return { ok: false, reason: `unit ${params.unitId} not found` };
  }
  const found = await committeePeriod(tx, params);
  if (!found) {
    return {
      ok: false,
      reason: `period ${params.periodId} is not a six-monthly or final period of unit ${area.code}`,
    };
  }
  const { campaign, period } = found;
  let report: NarrativeReportRow | undefined;
  if (params.reportId !== undefined) {
    report = await tx.narratives.findById(params.reportId);
    if (!report || report.periodId !== period.id || report.unitId !== area.id) {
      return {
        ok: false,
        reason: `report ${params.reportId} is not unit ${area.code}'s report for ${period.code}`,
      };
    }
  }
  const issued = report ? await tx.documents.find(COMMITTEE_REPORT_ENTITY, String(report.id)) : undefined;
  // Figures as the report was made: the draft now, the issued report when the committee stored it.
  const cutoff = report?.submittedAt ?? now;
  const today = issued?.issuedOn ?? toIsoDate(dateInZone(cutoff, campaign.timeZone));
  const scope = await loadScope(tx, [area.id], now);
  if (!scope.ok) {
    return { ok: false, reason: `unit ${area.code} has no campaign` };
  }
  const data = await loadCommitteeReport(tx, { ...scope.scope, campaign, today }, period, cutoff);
  const settings = await documentSettings(tx, campaign, area);
  return {
    ok: true,
    document: committeeReportModel({
      ...data,
      area,
      parent: area.parentId === null ? undefined : await tx.units.findById(area.parentId),
      settings,
      number: issued?.number,
      answers: report?.answers,
    }),
  };
}

/** The campaign covering the unit whose six-monthly or final period has the id. */
async function committeePeriod(
  tx: Tx,
  params: CommitteeReportParams,
): Promise<{ campaign: Campaign; period: Period } | undefined> {
  for (const campaign of await tx.campaigns.covering([params.unitId])) {
    for (const kind of COMMITTEE_PERIOD_KINDS) {
      const period = (await tx.campaigns.listPeriods(campaign.id, kind)).find(
        (p) => p.id === params.periodId,
      );
      if (period) {
        return { campaign, period };
      }
    }
  }
  return undefined;
}

/**
 * The campaign's document settings for the issuing unit: the issuer lines, place and signer's name
 * the campaign gives belong to its area's committee; another unit's report draws them from its name.
 */
export async function documentSettings(
  tx: Tx,
  campaign: Campaign,
  area: UnitView,
): Promise<DocumentSettings> {
  const settings = (await campaignRules(tx, campaign)).documents;
  if (campaign.areaUnitId === null || campaign.areaUnitId === area.id) {
    return settings;
  }
  const { issuer: _issuer, place: _place, ...rest } = settings;
  return { ...rest, signer: { ...settings.signer, name: undefined } };
}

/** One row of the houses table: a ward or commune and the report its figures come from. */
export interface HouseRow {
  unit: UnitView;
  row: ExportRow;
  /** The figures period the row's figures come from; undefined when the unit never reported. */
  from: Period | undefined;
  /** The unit owes the last figures period's report (it was valid then). */
  owes: boolean;
}

/** Money of one fund level group or one source. */
export interface MoneyLine {
  label: string;
  /** Live pledges registered by then; null for money given without a pledge. */
  pledged: bigint | null;
  received: bigint;
  inKind: bigint;
  allocated?: bigint;
  disbursed?: bigint;
}

/** What the document is built from (pure data: `committeeReportModel` lays it out). */
export interface CommitteeReportData {
  campaign: Campaign;
  period: Period;
  /** The day the document bears (ISO). */
  today: string;
  /** The first and last day the report covers; figures are as of `asOf`. */
  from: string;
  asOf: string;
  /** The last weekly or monthly period ending by `asOf`; undefined before the first one ends. */
  lastFigures: Period | undefined;
  houses: HouseRow[];
  /** The houses table's columns: STT, Đơn vị and the house counts (the progress export's). */
  columns: ExportColumn[];
  labourDays: number;
  levels: MoneyLine[];
  sources: MoneyLine[];
  /** Money the area's fund transferred to the wards' funds (counted there when allocated). */
  transferred: bigint;
  households: number;
  difficulties: UnitStatement[];
  proposals: UnitStatement[];
  commendations: { name: string; kind: string; reason: string }[];
  /** "theo tiêu chí của cuộc vận động do Ban Thường trực Ủy ban MTTQ thành phố Bắc Kạn đề ra". */
  commendationBasis: string;
  /** The wards' own proposals for commendation (their final reports' answers). */
  wardCommendations: UnitStatement[];
  /** The model examples recorded in the period and not withdrawn by its end (issue 17 §4), oldest first. */
  examples: { who: string; what: string; unit: string }[];
}

/** The progress export's columns the report's table keeps: STT, Đơn vị and the eight house counts. */
const HOUSE_KEYS = ['stt', 'unit', ...COUNT_FIELDS];
export const HOUSE_COLUMNS: ExportColumn[] = HOUSE_KEYS.map((key) => {
  const column = PROGRESS_COLUMNS.find((c) => c.key === key) as ExportColumn;
  // A narrower unit column: the table fits A4 portrait.
  return key === 'unit' ? { ...column, width: 20 } : column;
});

/** Reads everything the report shows, as of the period's end (or `scope.today`, if earlier). */
export async function loadCommitteeReport(
  tx: Tx,
  scope: ExportScope,
  period: Period,
  cutoff: Date,
): Promise<CommitteeReportData> {
  const { campaign } = scope;
  const from = [period.startsOn, campaign.startsOn].sort().at(-1) as string;
  const end = [period.endsOn, campaign.endsOn].sort()[0] as string;
  const asOf = [end, scope.today].sort()[0] as string;
  // The instant the day `asOf` ends: pledges registered and cancelled by then.
  const asOfEnd = startOfDay(addDays(fromIsoDate(asOf), 1), campaign.timeZone);
  const before = (at: Date) => at.getTime() < asOfEnd.getTime() && at.getTime() <= cutoff.getTime();

  const figures = (await figurePeriods(tx, campaign.id)).filter((p) => p.endsOn <= asOf);
  const houses = await houseRows(tx, scope, figures, cutoff);
  const labourDays = houses.reduce((n, h) => n + Number(h.row.labourDays ?? 0), 0);

  // The ledger as of the day: entries that occurred by then (and were recorded before the report).
  const entries = (await tx.funds.listByCampaign(campaign.id)).filter(
    (e) => e.occurredOn <= asOf && e.createdAt.getTime() <= cutoff.getTime(),
  );
  const state = fold(entries.map(toLedgerEntry));
  // Pledges registered by then, or with money received against them by then (entered later).
  const allPledges = await tx.pledges.listByCampaign(campaign.id);
  const receivedBy = (p: PledgeView) => state.receiptsByPledge.get(String(p.id)) ?? 0n;
  const pledges = allPledges
    .filter(
      (p) =>
        (before(p.createdAt) || receivedBy(p) > 0n) && (p.cancelledAt === null || !before(p.cancelledAt)),
    )
    .map((p) => ({ ...p, cancelledAt: null, received: receivedBy(p) }));
  const units = await tx.units.listByKinds(['province', 'city', 'district', 'ward', 'commune', 'member_org']);
  const rollup = buildRollup(units, pledges, entries);
  const money = moneyLines(scope.issuer, units, pledges, allPledges, entries, state.reversed);

  // The wards' texts of the period: monthly (weekly) reports, quarterly and final narratives.
  const inPeriod = (p: Period) => p.endsOn >= from && p.endsOn <= end;
  const unitIds = houses.flatMap((h) => [h.unit.id, ...(h.predecessors ?? [])]);
  const names = new Map<number, string>(units.map((u) => [u.id, placeInSentence(u.name)]));
  const statements = { difficulties: [] as UnitStatement[], proposals: [] as UnitStatement[] };
  const reports = (await tx.reports.listByPeriods(figures.filter(inPeriod).map((p) => p.id))).filter(
    (r) => r.submittedAt.getTime() <= cutoff.getTime() && unitIds.includes(r.unitId),
  );
  for (const r of latestRevisions(reports)) {
    const unit = names.get(r.unitId) ?? `#${r.unitId}`;
    statements.difficulties.push({ unit, text: r.difficulties });
    statements.proposals.push({ unit, text: r.proposals });
  }
  const narrativePeriods = [
    ...(await tx.campaigns.listPeriods(campaign.id, 'quarterly')).filter(inPeriod),
    ...(period.kind === 'final' ? [period] : []),
  ];
  const wardCommendations: UnitStatement[] = [];
  for (const n of await narrativesAsOf(tx, narrativePeriods, unitIds, cutoff)) {
    const unit = names.get(n.unitId) ?? `#${n.unitId}`;
    statements.difficulties.push({ unit, text: n.answers.obstacles ?? '' });
    statements.proposals.push({ unit, text: n.answers.proposals ?? '' });
    wardCommendations.push({ unit, text: n.answers.commendations ?? '' });
  }

  const progress: UnitProgress[] = houses.map((h) => ({
    unitId: h.unit.id,
    approved: sumOf(h.row, 'approvedNew', 'approvedRepair'),
    started: sumOf(h.row, 'startedNew', 'startedRepair'),
    completed: sumOf(h.row, 'completedNew', 'completedRepair'),
    handedOver: sumOf(h.row, 'handedOverNew', 'handedOverRepair'),
  }));
  const commendations = await proposalsFor(
    tx,
    campaign,
    houses.map((h) => h.unit),
    progress,
    rollup,
    asOf,
  );
  const commendationBasis = criteriaBasis(await criteriaOwnerName(tx, campaign, scope.issuer.name));
  // The model examples of the area recorded in the period and not withdrawn when the report was made.
  const recorded = await tx.examples.listBetween(
    campaign.id,
    startOfDay(fromIsoDate(from), campaign.timeZone),
    new Date(Math.min(asOfEnd.getTime(), cutoff.getTime() + 1)),
  );
  const examples = await examplesIn(
    tx.units,
    scope.issuer.id,
    recorded.filter((e) => e.withdrawnAt === null || e.withdrawnAt.getTime() > cutoff.getTime()),
  );

  const blank = (s: UnitStatement) => s.text.trim() !== '';
  return {
    campaign,
    period,
    today: scope.today,
    from,
    asOf,
    lastFigures: figures.at(-1),
    houses: houses.map(({ predecessors: _p, ...h }) => h),
    columns: HOUSE_COLUMNS,
    labourDays,
    ...money,
    households: rollup.households,
    difficulties: statements.difficulties.filter(blank),
    proposals: statements.proposals.filter(blank),
    commendations: commendations.map((c) => ({ name: c.name, kind: c.kind, reason: c.reason })),
    commendationBasis,
    wardCommendations: wardCommendations.filter(blank),
    examples: examples.map((e) => ({
      who: e.who,
      what: e.what,
      unit: placeInSentence(e.unitName ?? `#${e.unitId}`),
    })),
  };
}

const sumOf = (row: ExportRow, ...keys: string[]) => keys.reduce((n, k) => n + Number(row[k] ?? 0), 0);

/** The last revision of each unit's report of each period (`listByPeriods` lists them in order). */
function latestRevisions<R extends { periodId: number; unitId: number }>(reports: readonly R[]): R[] {
  const latest = new Map<string, R>();
  for (const r of reports) {
    latest.set(`${r.periodId}:${r.unitId}`, r);
  }
  return [...latest.values()];
}

/** The latest revision made by `cutoff` of each unit's narrative report of each period. */
async function narrativesAsOf(
  tx: Tx,
  periods: readonly Period[],
  unitIds: readonly number[],
  cutoff: Date,
): Promise<NarrativeReportRow[]> {
  const out: NarrativeReportRow[] = [];
  for (const n of await tx.narratives.latest(
    periods.map((p) => p.id),
    unitIds,
  )) {
    // The latest may have been revised after the report: take the revision in force then.
    const row =
      n.submittedAt.getTime() <= cutoff.getTime()
        ? n
        : (await tx.narratives.revisions(n.periodId, n.unitId))
            .filter((r) => r.submittedAt.getTime() <= cutoff.getTime())
            .at(-1);
    if (row) {
      out.push(row);
    }
  }
  return out;
}

/**
 * The houses table's rows: each ward and commune of the area as the progress export of the last
 * figures period lists it (its rows, columns and successors' sums); a unit without figures in that
 * period takes them from its latest earlier report, and says which.
 */
async function houseRows(
  tx: Tx,
  scope: ExportScope,
  figures: readonly Period[],
  cutoff: Date,
): Promise<(HouseRow & { predecessors?: number[] })[]> {
  const rows: (HouseRow & { predecessors?: number[] })[] = [];
  const pending = new Map<number, HouseRow & { predecessors?: number[] }>();
  /** The periods the units without figures in the last one reported for: the only ones to look back at. */
  const wanted = new Set<number>();
  for (const [i, period] of [...figures].reverse().entries()) {
    if (i > 0 && !wanted.has(period.id)) {
      continue;
    }
    const input = await loadProgressInput(tx, scope, period);
    const reports = input.reports.filter((r) => r.submittedAt.getTime() <= cutoff.getTime());
    const sheet = progressSheet({ ...input, reports });
    for (const [j, unit] of input.units.entries()) {
      const row = sheet.rows[j] as ExportRow;
      const hasFigures = row.approvedNew !== undefined && row.approvedNew !== null;
      if (i === 0) {
        const predecessors = [...(input.countsUnder ?? new Map())]
          .filter(([id, under]) => under === unit.id && id !== unit.id)
          .map(([id]) => id);
        const entry = {
          unit,
          row: hasFigures ? row : ({ stt: row.stt ?? null, unit: row.unit ?? null } as ExportRow),
          from: hasFigures ? period : undefined,
          owes: input.expected?.has(unit.id) ?? true,
          predecessors,
        } satisfies HouseRow & { predecessors: number[] };
        rows.push(entry);
        if (!hasFigures) {
          pending.set(unit.id, entry);
        }
      } else if (hasFigures && pending.has(unit.id)) {
        const entry = pending.get(unit.id) as HouseRow;
        entry.row = { ...row, stt: entry.row.stt ?? null };
        entry.from = period;
        pending.delete(unit.id);
      }
    }
    if (pending.size === 0) {
      break;
    }
    if (i === 0) {
      for (const entry of pending.values()) {
        for (const id of [entry.unit.id, ...(entry.predecessors ?? [])]) {
          for (const periodId of await tx.reports.reportedPeriodIds(id)) {
            wanted.add(periodId);
          }
        }
      }
    }
  }
  return rows;
}

const LOCAL = new Set(['ward', 'commune', 'special_zone']);

/**
 * Money by fund level (the area's own fund, the wards' and communes' funds, any other) and by
 * source (member organisations, other agencies, enterprises, individuals, without a pledge), from
 * the ledger's entries in force and the live pledges.
 */
function moneyLines(
  area: UnitView,
  units: readonly UnitView[],
  pledges: readonly PledgeView[],
  allPledges: readonly PledgeView[],
  entries: readonly FundEntryRecord[],
  reversed: ReadonlySet<number>,
): Pick<CommitteeReportData, 'levels' | 'sources' | 'transferred'> {
  const kindOf = new Map(units.map((u) => [u.id, u.kind]));
  const levelOf = (unitId: number): 'area' | 'local' | 'other' =>
    unitId === area.id ? 'area' : LOCAL.has(kindOf.get(unitId) ?? '') ? 'local' : 'other';
  const counted = pledges.filter((p) => !isUnverified(p));
  // A receipt's source is its pledge's donor, whatever became of the pledge since.
  const byId = new Map(allPledges.map((p) => [p.id, p]));
  const sourceOf = (p: PledgeView | undefined): Source =>
    p === undefined
      ? 'walkIn'
      : p.orgUnitId !== null
        ? 'members'
        : p.donorKind === 'enterprise'
          ? 'enterprises'
          : p.donorKind === 'individual'
            ? 'individuals'
            : 'agencies';
  const zero = (): Sums => ({ pledged: 0n, received: 0n, inKind: 0n, allocated: 0n, disbursed: 0n });
  const levels = { area: zero(), local: zero(), other: zero() };
  const sources = Object.fromEntries(SOURCES.map((s) => [s, zero()])) as Record<Source, Sums>;
  for (const p of counted) {
    levels[levelOf(p.fundUnitId)].pledged += p.amount;
    sources[sourceOf(p)].pledged += p.amount;
  }
  let transferred = 0n;
  for (const e of entries) {
    if (reversed.has(e.id) || e.kind === 'reversal') {
      continue;
    }
    const level = levels[levelOf(e.levelUnitId)];
    switch (e.kind) {
      case 'receipt':
      case 'in_kind': {
        const source = sources[sourceOf(e.pledgeId === null ? undefined : byId.get(e.pledgeId))];
        const field = e.kind === 'receipt' ? 'received' : 'inKind';
        level[field] += e.amount;
        source[field] += e.amount;
        break;
      }
      case 'allocation':
        level.allocated += e.amount;
        break;
      case 'disbursement':
        level.disbursed += e.amount;
        break;
      case 'transfer':
        if (levelOf(e.levelUnitId) === 'area' && e.toUnitId !== null && levelOf(e.toUnitId) === 'local') {
          transferred += e.amount;
        }
        break;
    }
  }
  const levelLines: MoneyLine[] = [
    { label: displayUnitName(area), ...levels.area },
    { label: 'Các phường, xã', ...levels.local },
    ...(isEmpty(levels.other) ? [] : [{ label: 'Các cấp khác', ...levels.other }]),
  ];
  const sourceLines: MoneyLine[] = SOURCES.filter((s) => s !== 'agencies' || !isEmpty(sources.agencies)).map(
    (s) => {
      const { allocated: _a, disbursed: _d, ...line } = sources[s];
      return { label: SOURCE_LABELS[s], ...line, pledged: s === 'walkIn' ? null : line.pledged };
    },
  );
  return { levels: levelLines, sources: sourceLines, transferred };
}

interface Sums {
  pledged: bigint;
  received: bigint;
  inKind: bigint;
  allocated: bigint;
  disbursed: bigint;
}

const SOURCES = ['members', 'agencies', 'enterprises', 'individuals', 'walkIn'] as const;
type Source = (typeof SOURCES)[number];
const SOURCE_LABELS: Record<Source, string> = {
  members: 'Các tổ chức thành viên',
  agencies: 'Cơ quan, đơn vị khác',
  enterprises: 'Doanh nghiệp',
  individuals: 'Cá nhân',
  walkIn: 'Tiếp nhận không qua đăng ký',
};

function isEmpty(line: Omit<MoneyLine, 'label'>): boolean {
  return [line.pledged, line.received, line.inKind, line.allocated, line.disbursed].every(
    (v) => v === null || v === undefined || v === 0n,
  );
}

/** What the layout needs beyond the data: the issuer, its parent, settings, number and texts. */
export interface CommitteeReportLayout extends CommitteeReportData {
  area: UnitView;
  parent: UnitView | undefined;
  settings: DocumentSettings;
  /** The register's number; undefined for a draft. */
  number: number | undefined;
  /** The committee's answers (COMMITTEE_REPORT_ANSWERS); undefined for a draft. */
  answers: Record<string, string> | undefined;
}

const moneyColumn = (key: string, header: string, group?: string): ExportColumn => ({
  key,
  header,
  ...(group === undefined ? {} : { group }),
  width: 14,
  format: 'money',
  total: 'sum',
});

/** A money table's columns: STT, the row's `label` under `header`, pledged, received (money, in kind), then `rest`. */
const moneyTableColumns = (header: string, rest: ExportColumn[]): ExportColumn[] => [
  STT_COLUMN,
  { key: 'label', header, width: 22, format: 'text' },
  moneyColumn('pledged', 'Đăng ký'),
  moneyColumn('received', 'Bằng tiền', 'Đã tiếp nhận'),
  moneyColumn('inKind', 'Hiện vật, ngày công (quy đổi)', 'Đã tiếp nhận'),
  ...rest,
];

/** The fund levels' table: pledged, received (money, in kind), allocated, paid. */
export const LEVEL_COLUMNS: ExportColumn[] = moneyTableColumns('Quỹ "Vì người nghèo"', [
  moneyColumn('allocated', 'Đã phân bổ'),
  moneyColumn('disbursed', 'Đã chi trả'),
]);

/** The sources' table: pledged and received by who gave. */
export const SOURCE_COLUMNS: ExportColumn[] = moneyTableColumns('Nguồn vận động', [
  moneyColumn('total', 'Cộng', 'Đã tiếp nhận'),
]);

const day = (iso: string) => formatDate(fromIsoDate(iso));

/** "Xóa nhà tạm, nhà dột nát …" → "xóa nhà tạm, nhà dột nát …" after "Kế hoạch". */
function inSentence(name: string): string {
  return name.charAt(0).toLocaleLowerCase('vi') + name.slice(1);
}

/** The document: heading, title, summary, the five sections, closing line and footer. */
export function committeeReportModel(input: CommitteeReportLayout): OfficialDocument {
  const { area, period, campaign } = input;
  const draft = input.answers === undefined;
  const committee = `Ban Thường trực Ủy ban MTTQ Việt Nam ${placeInSentence(area.name)}`;
  const plan = `Kế hoạch ${inSentence(campaign.name)}`;
  const span = period.kind === 'final' ? '' : ` trong ${period.label}`;
  const answer = (key: CommitteeReportAnswer): DocumentBlock[] => {
    const text = input.answers?.[COMMITTEE_REPORT_ANSWERS[key]]?.trim() ?? '';
    return text === '' ? [{ kind: 'paragraph', text: COMMITTEE_REPORT_PLACEHOLDERS[key] }] : textBlocks(text);
  };
  const body: DocumentBlock[] = [
    {
      kind: 'paragraph',
      text: `Thực hiện ${plan}, ${committee} báo cáo kết quả thực hiện${span} (từ ngày ${day(input.from)} đến ngày ${day(input.asOf)}) như sau:`,
    },
    { kind: 'heading', level: 1, text: 'I. KẾT QUẢ THỰC HIỆN' },
    { kind: 'heading', level: 2, text: '1. Công tác tuyên truyền, vận động' },
    ...moneyBlocks(input),
    { kind: 'heading', level: 2, text: '2. Kết quả hỗ trợ xây mới, sửa chữa nhà ở' },
    ...houseBlocks(input),
    { kind: 'heading', level: 2, text: '3. Đánh giá chung' },
    ...answer('assessment'),
    { kind: 'heading', level: 1, text: 'II. KHÓ KHĂN, VƯỚNG MẮC' },
    ...themeBlocks(input.difficulties, 'Các phường, xã không báo cáo khó khăn, vướng mắc trong kỳ.'),
    { kind: 'heading', level: 1, text: 'III. ĐỀ XUẤT, KIẾN NGHỊ' },
    { kind: 'heading', level: 2, text: '1. Kiến nghị, đề xuất của Ban Thường trực' },
    ...answer('proposals'),
    { kind: 'heading', level: 2, text: '2. Đề xuất, kiến nghị của các phường, xã' },
    ...themeBlocks(input.proposals, 'Các phường, xã không có đề xuất, kiến nghị trong kỳ.'),
    { kind: 'heading', level: 1, text: 'IV. ĐỀ NGHỊ KHEN THƯỞNG' },
    ...commendationBlocks(input),
    { kind: 'heading', level: 1, text: 'V. NHIỆM VỤ TRỌNG TÂM THỜI GIAN TỚI' },
    ...answer('nextTasks'),
    {
      kind: 'paragraph',
      text: `Trên đây là báo cáo kết quả thực hiện ${plan}${span} của ${committee}./.`,
    },
  ];
  return {
    fileName: `${draft ? 'du-thao-' : ''}bao-cao-${period.kind === 'final' ? 'ket-qua' : `6-thang-${period.code}`}-${asciiCode(area.code)}.docx`,
    type: 'report',
    heading: officialHeading({
      settings: input.settings,
      unit: area,
      body: 'standing',
      type: 'report',
      number: input.number,
      today: input.today,
    }),
    title: DOCUMENT_TYPES.report.title,
    summary: `Kết quả thực hiện ${plan}${span}`,
    body,
    footer: officialFooter(input.settings, 'report', 'standing', defaultRecipients(area, input.parent)),
    draft,
  };
}

function asciiCode(code: string): string {
  return code.replace(/[^A-Za-z0-9-]/g, '_');
}

/** A committee's text: a paragraph per line, lines starting "- " or "+ " as bullets. */
function textBlocks(text: string): DocumentBlock[] {
  const blocks: DocumentBlock[] = [];
  for (const line of text
    .split(/\r?\n/u)
    .map((l) => l.trim())
    .filter((l) => l !== '')) {
    const bullet = /^[-+•]\s*(.*)$/u.exec(line);
    const last = blocks.at(-1);
    if (bullet) {
      const item = bullet[1] ?? '';
      if (last?.kind === 'bullets') {
        last.items.push(item);
      } else {
        blocks.push({ kind: 'bullets', items: [item] });
      }
    } else {
      blocks.push({ kind: 'paragraph', text: line });
    }
  }
  return blocks;
}

function moneyBlocks(input: CommitteeReportLayout): DocumentBlock[] {
  const total = (key: 'pledged' | 'received' | 'inKind' | 'allocated' | 'disbursed') =>
    input.levels.reduce((s, l) => s + (l[key] ?? 0n), 0n);
  const walkIn = input.sources.find((s) => s.pledged === null);
  const walkInTotal = walkIn ? walkIn.received + walkIn.inKind : 0n;
  const received = [
    `${formatMoney(total('received'))} bằng tiền`,
    ...(total('inKind') > 0n
      ? [`${formatMoney(total('inKind'))} bằng hiện vật, ngày công (giá trị quy đổi)`]
      : []),
  ].join(' và ');
  const allocated = total('allocated');
  const disbursed = total('disbursed');
  const clauses = [
    `các tập thể, cá nhân đã đăng ký ủng hộ Quỹ "Vì người nghèo" các cấp ${formatMoney(total('pledged'))}`,
    `Quỹ các cấp đã tiếp nhận ${received}${walkInTotal > 0n ? ` (trong đó ${formatMoney(walkInTotal)} tiếp nhận không qua đăng ký)` : ''}`,
    allocated > 0n
      ? `đã phân bổ ${formatMoney(allocated)} cho ${formatInteger(input.households)} hộ`
      : 'chưa phân bổ kinh phí cho hộ nào',
    ...(allocated > 0n ? [disbursed > 0n ? `đã chi trả ${formatMoney(disbursed)}` : 'chưa chi trả'] : []),
  ];
  const levelRows = input.levels.map((l, i) => ({ stt: i + 1, ...moneyRow(l) }));
  const sourceRows = input.sources.map((s, i) => ({
    stt: i + 1,
    ...moneyRow(s),
    total: s.received + s.inKind,
  }));
  return [
    { kind: 'paragraph', text: `Tính đến ngày ${day(input.asOf)}, ${clauses.join('; ')}.` },
    { kind: 'paragraph', text: 'a) Theo cấp Quỹ (đồng):', italic: true },
    { kind: 'table', columns: LEVEL_COLUMNS, rows: levelRows, totals: totalsOf(LEVEL_COLUMNS, levelRows) },
    ...(input.transferred > 0n
      ? [
          {
            kind: 'paragraph' as const,
            text: `Quỹ cấp trên đã chuyển về Quỹ các phường, xã ${formatMoney(input.transferred)} (tính trong số phân bổ, chi trả của các phường, xã).`,
          },
        ]
      : []),
    { kind: 'paragraph', text: 'b) Theo nguồn vận động (đồng):', italic: true },
    {
      kind: 'table',
      columns: SOURCE_COLUMNS,
      rows: sourceRows,
      totals: totalsOf(SOURCE_COLUMNS, sourceRows),
    },
  ];
}

function moneyRow(line: MoneyLine): ExportRow {
  return {
    label: line.label,
    pledged: line.pledged,
    received: line.received,
    inKind: line.inKind,
    ...(line.allocated === undefined ? {} : { allocated: line.allocated }),
    ...(line.disbursed === undefined ? {} : { disbursed: line.disbursed }),
  };
}

function houseBlocks(input: CommitteeReportLayout): DocumentBlock[] {
  const rows = input.houses.map((h) => h.row);
  const totals = totalsOf(input.columns, rows);
  const n = (key: string) => Number(totals[key] ?? 0);
  const pair = (what: string, key: string) =>
    `${what} ${formatInteger(n(`${key}New`) + n(`${key}Repair`))} nhà (xây mới ${formatInteger(n(`${key}New`))}, sửa chữa ${formatInteger(n(`${key}Repair`))})`;
  const approved = n('approvedNew') + n('approvedRepair');
  const completed = n('completedNew') + n('completedRepair');
  const share = ratio(completed, approved);
  const last = input.lastFigures;
  const blocks: DocumentBlock[] = [
    {
      kind: 'paragraph',
      text: `Tính đến ngày ${day(input.asOf)}, ${[
        `${pair('đã phê duyệt hỗ trợ', 'approved').replace(' nhà ', ' hộ ')}`,
        pair('đã khởi công', 'started'),
        `${pair('đã hoàn thành', 'completed')}${share === null ? '' : `, đạt ${percent(share)} số hộ được phê duyệt`}`,
        pair('đã bàn giao', 'handedOver'),
        `huy động ${formatInteger(input.labourDays)} ngày công`,
      ].join('; ')}.`,
    },
    { kind: 'paragraph', text: 'Kết quả theo từng đơn vị (số nhà, lũy kế):', italic: true },
    { kind: 'table', columns: input.columns, rows, totals },
  ];
  const notes: string[] = [];
  if (last) {
    notes.push(
      `Số liệu theo bản mới nhất của báo cáo ${last.label} do các phường, xã gửi (lũy kế từ đầu cuộc vận động).`,
    );
    const missing = input.houses.filter((h) => h.owes && h.from?.id !== last.id);
    if (missing.length > 0) {
      const named = missing.map((h) =>
        h.from
          ? `${displayUnitName(h.unit)} (lấy số liệu báo cáo ${h.from.label})`
          : `${displayUnitName(h.unit)} (chưa có báo cáo)`,
      );
      notes.push(`Đơn vị chưa gửi báo cáo ${last.label}: ${named.join(', ')}.`);
    }
  } else {
    notes.push('Chưa có kỳ báo cáo tháng nào kết thúc trong thời gian báo cáo.');
  }
  blocks.push(...notes.map((text) => ({ kind: 'paragraph' as const, text, italic: true })));
  return blocks;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1).replace('.', ',')}%`;
}

function themeBlocks(items: readonly UnitStatement[], none: string): DocumentBlock[] {
  const groups = groupByTheme(items);
  return groups.length === 0
    ? [{ kind: 'paragraph', text: none }]
    : [{ kind: 'bullets', items: groups.map(themeBullet) }];
}

function capitalFirst(text: string): string {
  return text.charAt(0).toLocaleUpperCase('vi') + text.slice(1);
}

/** A text as one clause of a bullet: its lines joined, no closing stop (the list adds none). */
function sentence(text: string): string {
  return text
    .trim()
    .replace(/\s*\n\s*/gu, '; ')
    .replace(/[.;\s]+$/u, '');
}

function commendationBlocks(input: CommitteeReportLayout): DocumentBlock[] {
  const blocks: DocumentBlock[] = [
    {
      kind: 'paragraph',
      text:
        input.commendations.length === 0
          ? `${capitalFirst(input.commendationBasis)}, chưa có tập thể, cá nhân nào đạt tiêu chí.`
          : `${capitalFirst(input.commendationBasis)}, Ban Thường trực đề nghị biểu dương, khen thưởng:`,
    },
  ];
  if (input.commendations.length > 0) {
    blocks.push({
      kind: 'bullets',
      items: input.commendations.map((c) => `${c.name}: ${c.reason}`),
    });
  }
  if (input.examples.length > 0) {
    blocks.push(
      { kind: 'paragraph', text: 'Các gương điển hình trong cuộc vận động được ghi nhận trong kỳ:' },
      {
        kind: 'bullets',
        items: input.examples.map((e) => `${e.who} (${e.unit}): ${sentence(e.what)}`),
      },
    );
  }
  if (input.wardCommendations.length > 0) {
    blocks.push(
      { kind: 'paragraph', text: 'Các phường, xã đề nghị khen thưởng:' },
      {
        kind: 'bullets',
        items: input.wardCommendations.map((w) => `${w.text.trim().replace(/[.;\s]+$/u, '')} (${w.unit})`),
      },
    );
  }
  return blocks;
}

/**
 * The recipients when the campaign names none: the Party committee's standing body of the area
 * (Thành ủy, Tỉnh ủy, Huyện ủy, Đảng ủy of a ward or commune), the Front committee above, the
 * member organisations, the committees below, and the archive.
 */
export function defaultRecipients(area: UnitView, parent: UnitView | undefined): string[] {
  const party = partyCommittee(area);
  const above =
    area.kind === 'province' || parent === undefined || parent.kind === 'nation'
      ? 'Ban Thường trực Ủy ban Trung ương MTTQ Việt Nam (để báo cáo)'
      : `Ban Thường trực Ủy ban MTTQ Việt Nam ${placeInSentence(parent.name)} (để báo cáo)`;
  return [
    `Thường trực ${party} (để báo cáo)`,
    above,
    'Các tổ chức thành viên',
    ...(LOCAL.has(area.kind) ? [] : ['Ủy ban MTTQ các phường, xã']),
    FILED_LINE,
  ];
}

/** "Thành ủy Bắc Kạn", "Tỉnh ủy Thái Nguyên", "Đảng ủy phường Đức Xuân". */
function partyCommittee(area: UnitView): string {
  const place = placeInSentence(area.name);
  const lower = place.toLocaleLowerCase('vi');
  const committees: [string, string][] = [
    ['thành phố', 'Thành ủy'],
    ['tỉnh', 'Tỉnh ủy'],
    ['thị xã', 'Thị ủy'],
    ['quận', 'Quận ủy'],
    ['huyện', 'Huyện ủy'],
  ];
  const found = committees.find(([word]) => lower.startsWith(`${word} `));
  return found ? `${found[1]} ${placeOf(area.name)}` : `Đảng ủy ${place}`;
}
