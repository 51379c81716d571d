import { appealCodes } from '../appeals/appeal-report.ts';
import type { Period } from '../campaigns/campaign.ts';
import { campaignRules } from '../campaigns/campaign-rules.ts';
import { figurePeriod, figurePeriods } from '../campaigns/figure-periods.ts';
import type { DocumentSettings } from '../campaigns/sections.ts';
import type { HouseholdView } from '../households/household.repository.ts';
import { unitsReported } from '../households/unit-progress.ts';
import type { Tx } from '../unit-of-work.ts';
import type { UnitView } from '../units/unit.repository.ts';
import { type ExportRequest, exportFileName } from './export-request.ts';
import { type ExportScope, lastDayOnTime, loadScope, type ScopeRefusal } from './export-scope.ts';
import { householdsSheet } from './households-export.ts';
import { lateSheet } from './late-export.ts';
import { ledgerSheet } from './ledger-export.ts';
import { officialFooter, officialHeading } from './official-document.ts';
import { scopeUnitsByPeriod } from './period-units.ts';
import { pledgesSheets } from './pledges-export.ts';
import { loadProgressInput, progressSheet } from './progress-export.ts';
import type { ExportSheet, ExportWorkbook } from './sheet.ts';
import { summarySheets } from './summary-export.ts';

export type ExportRefusal = ScopeRefusal | { code: 'unknown_period'; period: string };

export type ExportOutcome = { ok: true; workbook: ExportWorkbook } | { ok: false; refusal: ExportRefusal };

const ALL_UNIT_KINDS = ['province', 'city', 'district', 'ward', 'commune', 'member_org'];

/**
 * Builds an export from the database as it is now: reads through the repositories of one
 * transaction and returns the workbook model (bot/exports/xlsx.ts writes the file). Who may ask
 * for which scope is decided before: the chat checks the leader's area, the CLI is the operator.
 */
export async function buildExport(tx: Tx, request: ExportRequest, now: Date): Promise<ExportOutcome> {
  const loaded = await loadScope(tx, request.params.scope, now);
  if (!loaded.ok) {
    return loaded;
  }
  const { scope } = loaded;
  let sheets: ExportSheet[];
  let period: Period | undefined;
  if (request.kind === 'progress' || (request.kind === 'late' && request.params.period !== undefined)) {
    period = await figurePeriod(tx, scope.campaign.id, request.params.period, scope.today);
    if (!period) {
      return { ok: false, refusal: { code: 'unknown_period', period: request.params.period ?? '' } };
    }
  }
  switch (request.kind) {
    case 'progress':
      // Checked above: the progress export always has a period.
      sheets = period ? [progressSheet(await loadProgressInput(tx, scope, period))] : [];
      break;
    case 'households':
      sheets = [
        householdsSheet({
          units: scope.units,
          households: await tx.households.listByUnits(scope.units.map((u) => u.id)),
          issuerName: scope.issuer.name,
          today: scope.today,
          categoryLabel: (await campaignRules(tx, scope.campaign)).categoryLabel,
        }),
      ];
      break;
    case 'pledges': {
      const levels = new Set(scope.levels.map((u) => u.id));
      const pledges = await tx.pledges.listByCampaign(scope.campaign.id);
      sheets = pledgesSheets({
        units: await tx.units.listByKinds(ALL_UNIT_KINDS),
        pledges: pledges.filter((p) => levels.has(p.fundUnitId)),
        appealOf: await appealCodes(tx, scope.campaign.id),
        timeZone: scope.campaign.timeZone,
        today: scope.today,
      });
      break;
    }
    case 'ledger':
      sheets = await ledgerSheets(tx, scope);
      break;
    case 'late':
      sheets = [await lateReportsSheet(tx, scope, period)];
      break;
    case 'summary':
      sheets = await summarySheets(tx, scope);
      break;
  }
  const resolved: ExportRequest = period
    ? { ...request, params: { ...request.params, period: period.code } }
    : request;
  const settings = await issuerSettings(tx, scope);
  return {
    ok: true,
    workbook: {
      fileName: exportFileName(resolved, scope.today),
      // A table is an attachment the clerk numbers by hand: "Số:      /BC-MTTQ-BTT".
      heading: officialHeading({
        settings,
        unit: scope.issuer,
        body: 'standing',
        type: 'table',
        number: undefined,
        today: scope.today,
      }),
      footer: officialFooter(settings, 'table', 'standing'),
      sheets,
    },
  };
}

/**
 * The campaign's document settings as the scope's issuer uses them: its issuer lines, place and
 * signer's name belong to the committee of the campaign's area, so a table issued by another
 * committee (a province after a reform, a campaign without area) draws them from its own name.
 */
async function issuerSettings(tx: Tx, scope: ExportScope): Promise<DocumentSettings> {
  const settings = (await campaignRules(tx, scope.campaign)).documents;
  if (scope.campaign.areaUnitId === null || scope.campaign.areaUnitId === scope.issuer.id) {
    return settings;
  }
  const { issuer: _issuer, place: _place, ...rest } = settings;
  return { ...rest, signer: { ...settings.signer, name: undefined } };
}

/** One sheet per fund level of the scope that has entries (the issuer's level when none has). */
async function ledgerSheets(tx: Tx, scope: ExportScope): Promise<ExportSheet[]> {
  const [entries, units, pledges] = await Promise.all([
    tx.funds.listByCampaign(scope.campaign.id),
    tx.units.listByKinds(ALL_UNIT_KINDS),
    tx.pledges.listByCampaign(scope.campaign.id),
  ]);
  const touched = (level: UnitView) =>
    entries.some((e) => e.levelUnitId === level.id || e.toUnitId === level.id);
  const withEntries = scope.levels.filter(touched);
  const levels =
    withEntries.length > 0
      ? withEntries
      : scope.levels
          .filter((u) => u.id === scope.issuer.id)
          .concat(scope.levels)
          .slice(0, 1);
  const households = new Map<number, HouseholdView>();
  for (const id of new Set(entries.flatMap((e) => (e.householdId === null ? [] : [e.householdId])))) {
    const h = await tx.households.findById(id);
    if (h) {
      households.set(id, h);
    }
  }
  const names = {
    units: new Map(units.map((u) => [u.id, u])),
    pledges: new Map(pledges.map((p) => [p.id, p])),
    households,
  };
  return levels.map((level) => ledgerSheet({ level, entries, names, today: scope.today }));
}

/** Weekly and monthly periods due by today (or the one asked for), with who reported on paper. */
async function lateReportsSheet(tx: Tx, scope: ExportScope, only: Period | undefined): Promise<ExportSheet> {
  const periods = only
    ? [only]
    : (await figurePeriods(tx, scope.campaign.id)).filter((p) => p.dueOn <= scope.today);
  const reports = await tx.reports.listByPeriods(periods.map((p) => p.id));
  // Each period's units: those valid while its report was owed (the successors after a merger).
  const unitsOf = await scopeUnitsByPeriod(tx, scope, periods);
  const listed = new Set([...unitsOf.values()].flatMap((v) => v.units.map((u) => u.id)));
  const officers = (await tx.reminders.members(['unit_officer'])).filter((m) => listed.has(m.unitId));
  const pauses = await tx.reminders.pauses();
  const onPaper = new Set<string>();
  const reportedOf = new Map<number, Set<number>>();
  for (const period of periods) {
    reportedOf.set(period.id, await unitsReported(tx, period, [], unitsOf.get(period.id)?.countsUnder));
    const lastOnTime = lastDayOnTime(period.dueOn);
    for (const unit of unitsOf.get(period.id)?.units ?? []) {
      const own = officers.filter((o) => o.unitId === unit.id);
      const paused = (personId: number) =>
        pauses.some(
          (p) =>
            p.personId === personId &&
            (p.periodId === period.id || (p.until !== null && p.until >= lastOnTime)),
        );
      if (own.length > 0 && own.every((o) => paused(o.personId))) {
        onPaper.add(`${period.id}:${unit.id}`);
      }
    }
  }
  return lateSheet({
    periods,
    units: scope.units,
    unitsOf,
    reports,
    reportedOf,
    onPaper,
    timeZone: scope.campaign.timeZone,
    today: scope.today,
  });
}
