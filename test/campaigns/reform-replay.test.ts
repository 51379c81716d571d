import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Campaign } from '../../core/campaigns/campaign.ts';
import { campaignOf } from '../../core/campaigns/campaign-of.ts';
import type { ExportKind } from '../../core/exports/export-request.ts';
import { shortUnitName } from '../../core/households/unit-progress.ts';
import { runReminders } from '../../core/reminders/run-reminders.ts';
import { ROLES } from '../../core/shared/actor.ts';
import { formatMoney } from '../../core/shared/format.ts';
import type { Tx } from '../../core/unit-of-work.ts';
import type { AppliedUnits } from '../../core/units/apply.ts';
import type { DatedUnit } from '../../core/units/unit.repository.ts';
import type { PrismaClient } from '../../prisma/client.ts';
import { applyShippedReform, DEMO_HOUSEHOLDS, DEMO_PEOPLE } from '../../prisma/seed.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import { createStore } from '../../prisma/store.ts';
import { seededDatabase } from '../support/app-harness.ts';
import {
  digestLines,
  exportedSheet,
  houseFigures,
  houseLines,
  sampleFigures as juneFigures,
  leadersLines,
  leadersUnits,
  monthlyReport,
  type Sheet,
  sumColumn,
  UNIT_COLUMN,
} from '../support/area-views.ts';
import { addHousehold, moneyPledge, recordEntry, ZERO_FIGURES } from '../support/fixtures.ts';

/**
 * Acceptance (issue 15): the reform of 01/07/2025 as SHIPPED
 * (campaigns/bac-kan-2024-2025/reform-2025-07-01.yaml), read and applied through the product's
 * units planner as the living demo applies it, on the test fixture (Bắc Kạn city 058 with its
 * eight wards and communes of 2024, five member organisations, BK-XNT-2025 open, the demo people),
 * after reports, households, a pledge and fund entries were recorded before that day. The views of
 * a period before list the eight old units; of a period after, each successor once, with its
 * predecessors' figures; the digest, /tinhhinh, the progress export and the late list agree.
 */

const SEEDED_AT = new Date('2025-04-01T03:00:00Z');
/** The operator applies the file on the morning of 01/07/2025 (09:00 in Vietnam). */
const APPLIED_AT = new Date('2025-07-01T02:00:00Z');
/** 10:00 in Vietnam five days after a report's deadline (the 15th of the following month). */
const BEFORE = new Date('2025-06-20T03:00:00Z'); // May's report due 15/06
const AFTER_JULY = new Date('2025-08-20T03:00:00Z'); // July's due 15/08
const AFTER_AUGUST = new Date('2025-09-20T03:00:00Z'); // August's due 15/09
const AFTER_JUNE = new Date('2025-07-20T03:00:00Z'); // June's due 15/07, after the date

const OLD = ['01834', '01837', '01840', '01843', '01846', '01849', '01852', '01855'] as const;
type OldCode = (typeof OLD)[number];
/** The successors as the shipped file gives them (Resolution 1683/NQ-UBTVQH15, Điều 1 khoản 64, 89, 90). */
const SUCCESSORS = {
  '01840': { name: 'Phường Đức Xuân', old: 'Phường Đức Xuân', from: ['01834', '01840', '01846'] },
  '01843': {
    name: 'Phường Bắc Kạn',
    old: 'Phường Phùng Chí Kiên',
    from: ['01837', '01843', '01852', '01855'],
  },
  '01849': { name: 'Xã Phong Quang', old: 'Xã Dương Quang', from: ['01849'] },
} as const satisfies Record<string, { name: string; old: string; from: readonly OldCode[] }>;
type NewCode = keyof typeof SUCCESSORS;
const NEW_CODES = Object.keys(SUCCESSORS) as NewCode[];
const successorOf = (code: OldCode): NewCode =>
  NEW_CODES.find((n) => (SUCCESSORS[n].from as readonly string[]).includes(code)) ?? '01849';

/** Households recorded before the reform, by old unit (besides the fixture's four in Đức Xuân). */
const HOUSEHOLDS: Record<OldCode, readonly string[]> = {
  '01834': ['approved', 'started', 'proposed'],
  '01837': ['completed', 'handed_over'],
  '01840': ['handed_over'],
  '01843': ['approved', 'started'],
  '01846': ['completed'],
  '01849': ['started', 'handed_over', 'approved'],
  '01852': ['proposed'],
  '01855': ['approved'],
};
/** May: two old units, of two different successors, never reported. */
const MAY_MISSING: readonly OldCode[] = ['01846', '01855'];

/** Ward receipts of the fund, 5 to 40 million đồng, and the women's union pledge. */
const wardReceipt = (i: number) => BigInt(5_000_000 * (i + 1));
const PLEDGED = 50_000_000n;
const PLEDGE_PAID = 30_000_000n;
const ALLOCATED = 20_000_000n;

let db: SqlDb;
let prisma: PrismaClient;
let close: () => Promise<void>;
let campaign: Campaign;
let applied: AppliedUnits;
let city: DatedUnit;
/** Every unit after the reform, with its validity. */
let units: DatedUnit[] = [];
const oldUnit = new Map<OldCode, DatedUnit>();
const people = new Map<string, number>();

/** The views of a period read before the reform was applied. */
interface PeriodViews {
  digest: string[];
  leaders: string[];
  progress: Sheet;
  late: Sheet;
}
let mayBeforeApplying: PeriodViews;

const run = <T>(work: (tx: Tx) => Promise<T>) => createStore(db).run(work);
const unitWith = (code: string, day: string) =>
  units.find((u) => u.code === code && u.validFrom <= day && (u.validTo === null || u.validTo >= day));
const newUnit = (code: string) => {
  const unit = unitWith(code, '2025-07-01');
  if (!unit) {
    throw new Error(`no unit ${code} on 01/07/2025`);
  }
  return unit;
};

function exported(kind: ExportKind, period: string, now: Date, area: DatedUnit = city): Promise<Sheet> {
  return exportedSheet(db, { kind, scope: [area.id], period }, now);
}

/** The views of an area (the city unless said) for a period, read at `now`. */
async function periodViews(period: string, now: Date, area: DatedUnit = city): Promise<PeriodViews> {
  return {
    digest: await digestLines(db, area.id, now),
    leaders: await leadersLines(db, area, now),
    progress: await exported('progress', period, now, area),
    late: await exported('late', period, now, area),
  };
}

beforeAll(async () => {
  ({ db, prisma, close } = await seededDatabase(SEEDED_AT));
  campaign = await run(async (tx) => {
    const found = await tx.campaigns.findByCode('BK-XNT-2025');
    if (!found) {
      throw new Error('no seeded campaign');
    }
    return found;
  });
  await run(async (tx) => {
    const found = await tx.units.findByCode('058', '2025-06-30');
    if (!found) {
      throw new Error('no city');
    }
    city = found;
    for (const code of OLD) {
      const unit = await tx.units.findByCode(code, '2025-06-30');
      if (!unit) {
        throw new Error(`no unit ${code}`);
      }
      oldUnit.set(code, unit);
    }
  });
  for (const p of DEMO_PEOPLE) {
    people.set(p.key, (await prisma.person.findFirstOrThrow({ where: { fullName: p.fullName } })).id);
  }
  const officer = people.get('officer-ducxuan') ?? 0;

  // Before the date: households in several statuses, the reports of May (two missing) and June
  // (every unit, in the window from 20/06), ward receipts, a pledge paid in part, an allocation.
  for (const [code, statuses] of Object.entries(HOUSEHOLDS)) {
    for (const [n, status] of statuses.entries()) {
      await addHousehold(prisma, code, {
        code: `H-${code}-${n}`,
        status,
        at: new Date('2025-05-02T03:00:00Z'),
      });
    }
  }
  await run(async (tx) => {
    for (const [i, code] of OLD.entries()) {
      const unitId = oldUnit.get(code)?.id ?? 0;
      if (!MAY_MISSING.includes(code)) {
        await monthlyReport(tx, campaign, {
          period: '2025-05',
          unitId,
          personId: officer,
          at: '2025-06-05T03:00:00Z',
          figures: { ...ZERO_FIGURES, approvedNew: 9 + i },
        });
      }
      await monthlyReport(tx, campaign, {
        period: '2025-06',
        unitId,
        personId: officer,
        at: '2025-06-26T03:00:00Z',
        figures: juneFigures(i),
      });
      await recordEntry(
        tx,
        campaign,
        { levelUnitId: unitId, amount: wardReceipt(i) },
        new Date('2025-06-10T03:00:00Z'),
      );
    }
    const women = (await tx.units.findByCode('HLHPN-058', '2025-06-30'))?.id ?? 0;
    const pledge = await tx.pledges.create(
      moneyPledge({
        campaignId: campaign.id,
        donorKind: 'organisation',
        donorName: 'Hội Liên hiệp Phụ nữ thành phố Bắc Kạn',
        orgUnitId: women,
        fundUnitId: city.id,
        amount: PLEDGED,
      }),
      new Date('2025-05-10T03:00:00Z'),
    );
    const at = new Date('2025-06-12T03:00:00Z');
    await recordEntry(tx, campaign, { levelUnitId: city.id, amount: PLEDGE_PAID, pledgeId: pledge.id }, at);
    const household = await prisma.household.findFirstOrThrow({ where: { code: DEMO_HOUSEHOLDS[0][0] } });
    await recordEntry(
      tx,
      campaign,
      {
        kind: 'allocation',
        levelUnitId: city.id,
        amount: ALLOCATED,
        householdId: household.id,
        need: 'new_build',
      },
      at,
    );
  });
  mayBeforeApplying = await periodViews('2025-05', BEFORE);

  // The reform as shipped, through the units planner.
  applied = await run((tx) => applyShippedReform(tx, APPLIED_AT));
  units = await run((tx) => tx.units.listAllDated());

  // After: the new Đức Xuân reports July and August, the new Bắc Kạn August; Phong Quang nothing.
  await run(async (tx) => {
    const report = (period: string, code: NewCode, person: string, at: string, approvedNew: number) =>
      monthlyReport(tx, campaign, {
        period,
        unitId: newUnit(code).id,
        personId: people.get(person) ?? 0,
        at,
        figures: { ...ZERO_FIGURES, approvedNew },
      });
    await report('2025-07', '01840', 'officer-ducxuan', '2025-08-05T03:00:00Z', 99);
    await report('2025-08', '01840', 'officer-ducxuan', '2025-09-05T03:00:00Z', 101);
    await report('2025-08', '01843', 'officer-songcau', '2025-09-08T03:00:00Z', 77);
  });
}, 120_000);

afterAll(async () => {
  await close();
});

const label = (u: DatedUnit | undefined) => `${u?.code} ${u?.name} ${u?.validFrom}..${u?.validTo ?? ''}`;

describe('the shipped reform of 01/07/2025 replayed on the fixture', () => {
  it('successions and code reuse: 01840, 01843, 01849 each name two units, found by date', async () => {
    for (const code of NEW_CODES) {
      const records = units.filter((u) => u.code === code);
      expect(records.map(label)).toEqual([
        `${code} ${SUCCESSORS[code].old} 2015-03-11..2025-06-30`,
        `${code} ${SUCCESSORS[code].name} 2025-07-01..`,
      ]);
      const [before, after, latest] = await run((tx) =>
        Promise.all([
          tx.units.findByCode(code, '2025-06-30'),
          tx.units.findByCode(code, '2025-07-01'),
          tx.units.findByCode(code),
        ]),
      );
      expect(before?.id).toBe(oldUnit.get(code)?.id);
      expect(after?.id).toBe(newUnit(code).id);
      expect(latest?.id).toBe(newUnit(code).id);
    }
    // Every old unit ended the day before and rolls into exactly one successor from the day.
    const links = await run((tx) => tx.units.successions());
    for (const code of OLD) {
      const old = oldUnit.get(code);
      expect(units.find((u) => u.id === old?.id)?.validTo).toBe('2025-06-30');
      expect(links.filter((l) => l.predecessorId === old?.id)).toEqual([
        { predecessorId: old?.id, successorId: newUnit(successorOf(code)).id, effectiveOn: '2025-07-01' },
      ]);
    }
    // On 01/07/2025 the city's codes name only the successors.
    const valid = units.filter(
      (u) => OLD.includes(u.code as OldCode) && unitWith(u.code, '2025-07-01')?.id === u.id,
    );
    expect(valid.map((u) => u.name).sort()).toEqual(NEW_CODES.map((c) => SUCCESSORS[c].name).sort());
  });

  it('cross-parent merge: xã Phong Quang succeeds Dương Quang of the city and Đôn Phong of Bạch Thông', async () => {
    const links = await run((tx) => tx.units.successions());
    const phongQuang = newUnit('01849');
    const predecessors = links
      .filter((l) => l.successorId === phongQuang.id)
      .map((l) => units.find((u) => u.id === l.predecessorId));
    const parentName = (u: DatedUnit | undefined) => units.find((p) => p.id === u?.parentId)?.name;
    expect(predecessors.map((u) => `${u?.name} (${parentName(u)})`).sort()).toEqual([
      'Xã Dương Quang (Ủy ban MTTQ Việt Nam thành phố Bắc Kạn)',
      'Xã Đôn Phong (Huyện Bạch Thông)',
    ]);
    expect(predecessors.every((u) => u?.validTo === '2025-06-30')).toBe(true);
  });

  it('province re-parenting: the successors lie under province 19 (Thái Nguyên), which succeeds Bắc Kạn (06)', async () => {
    const province = newUnit('19');
    expect(province).toMatchObject({
      name: 'Tỉnh Thái Nguyên',
      kind: 'province',
      parentId: null,
      validTo: null,
    });
    for (const code of NEW_CODES) {
      expect(newUnit(code).parentId).toBe(province.id);
      expect(newUnit(code).parentId).not.toBe(city.id);
    }
    const links = await run((tx) => tx.units.successions());
    const bacKan = units.find((u) => u.code === '06');
    expect(bacKan?.validTo).toBe('2025-06-30');
    expect(links).toContainEqual({
      predecessorId: bacKan?.id,
      successorId: province.id,
      effectiveOn: '2025-07-01',
    });
  });

  it('the city level ends with its member organisations; their people are revoked, officers follow their wards', async () => {
    const ended = units.filter((u) => u.code === '058' || u.parentId === city.id);
    const organisations = ended.filter((u) => u.kind === 'member_org');
    expect(organisations.map((u) => u.code).sort()).toEqual(
      ['DTN-058', 'HCCB-058', 'HLHPN-058', 'HND-058', 'LDLD-058'].sort(),
    );
    expect(ended.filter((u) => u.validTo !== '2025-06-30').map(label)).toEqual([]);
    expect(units.find((u) => u.code === '063')?.validTo).toBe('2025-06-30');
    // Nothing valid from 01/07/2025 is left under the city or its organisations.
    const endedIds = new Set(ended.map((u) => u.id));
    expect(
      units.filter((u) => u.parentId !== null && endedIds.has(u.parentId) && u.validTo === null),
    ).toEqual([]);

    const live = await run((tx) =>
      tx.people.liveMemberships(
        units.map((u) => u.id),
        ROLES,
      ),
    );
    const liveOf = (key: string) =>
      live
        .filter((m) => m.personId === people.get(key))
        .map((m) => `${m.role}@${label(units.find((u) => u.id === m.unitId))}`);
    expect(liveOf('org-phunu')).toEqual([]);
    expect(live.filter((m) => organisations.some((o) => o.id === m.unitId))).toEqual([]);
    const revoked = await prisma.membership.findFirstOrThrow({
      where: {
        personId: people.get('org-phunu'),
        unitId: organisations.find((o) => o.code === 'HLHPN-058')?.id,
      },
    });
    expect(revoked.revokedAt).toEqual(APPLIED_AT);
    expect(applied.revoked).toContain('Nông Thị Mai (org_leader)');

    expect(liveOf('officer-ducxuan')).toEqual(['unit_officer@01840 Phường Đức Xuân 2025-07-01..']);
    expect(liveOf('officer-songcau')).toEqual(['unit_officer@01843 Phường Bắc Kạn 2025-07-01..']);
    expect(liveOf('leader')).toEqual(['leader@19 Tỉnh Thái Nguyên 2025-07-01..']);
    expect(applied.moved).toEqual(
      expect.arrayContaining(['Nguyễn Thị Lan (unit_officer)', 'Hoàng Văn Minh (unit_officer)']),
    );
    // No membership is live at an ended unit of the city's wards.
    const oldIds = new Set([...oldUnit.values()].map((u) => u.id));
    expect(live.filter((m) => oldIds.has(m.unitId))).toEqual([]);
  });
});

/** Each view's count of units that have not sent the period's report, and their short names. */
function missingIn(views: PeriodViews, periodLabel: string) {
  const note = views.progress.notes.find((n) => n.includes('chưa gửi báo cáo')) ?? '';
  // The digest's status line of the period, and the line naming who has not sent it right below.
  const at = views.digest.findIndex(
    (l) => l.includes(`Báo cáo ${periodLabel} (`) && l.includes('đơn vị đã nộp'),
  );
  const [, count, total] = /(\d+)\/(\d+) đơn vị đã nộp/.exec(views.digest[at] ?? '') ?? [];
  const digestLate = views.digest[at + 1]?.startsWith('⏰ Chưa nộp:') ? views.digest[at + 1] : undefined;
  const leadersLate = views.leaders.find((l) => l.startsWith(`⏰ Chưa nộp báo cáo ${periodLabel}:`));
  const names = (line: string | undefined) => (line ? (line.split(': ')[1]?.split(', ') ?? []).sort() : []);
  return {
    counts: {
      progress: Number(/Còn (\d+) đơn vị chưa gửi báo cáo/.exec(note)?.[1] ?? 0),
      late: views.late.rows.length,
      digest: Number(total) - Number(count),
      leaders: names(leadersLate).length,
      // The blocks of /tinhhinh that say so too.
      leadersBlocks: views.leaders.filter((l) => l === '📝 Báo cáo: chưa nộp').length,
    },
    names: {
      late: views.late.rows.map((r) => shortUnitName(String(r[UNIT_COLUMN]))).sort(),
      digest: names(digestLate),
      leaders: names(leadersLate),
    },
  };
}

function expectAgreement(views: PeriodViews, periodLabel: string, missingNames: string[]) {
  const { counts, names } = missingIn(views, periodLabel);
  const n = missingNames.length;
  expect(counts).toEqual({ progress: n, late: n, digest: n, leaders: n, leadersBlocks: n });
  const short = missingNames.map(shortUnitName).sort();
  expect(names).toEqual({ late: short, digest: short, leaders: short });
}

const oldNames = (codes: readonly OldCode[]) => codes.map((c) => oldUnit.get(c)?.name ?? c);
const successorNames = NEW_CODES.map((c) => SUCCESSORS[c].name);
const unitRows = (lines: string[]) => lines.filter((l) => l.startsWith('• ') && / duyệt · /.test(l));

/** Cumulative households of the old units: a completed house was also started and approved. */
function householdsOf(codes: readonly OldCode[]): [number, number, number, number] {
  const statuses = codes.flatMap((c) => [
    ...(HOUSEHOLDS[c] ?? []),
    ...(c === '01840' ? DEMO_HOUSEHOLDS.map((h) => h[6] as string) : []),
  ]);
  const from = (list: string[]) => statuses.filter((s) => list.includes(s)).length;
  return [
    from(['approved', 'started', 'completed', 'handed_over']),
    from(['started', 'completed', 'handed_over']),
    from(['completed', 'handed_over']),
    from(['handed_over']),
  ];
}

describe('views of Bắc Kạn city before and after the date', () => {
  it('a period before (May 2025) lists the eight old units; every view counts the same two missing', async () => {
    const views = await periodViews('2025-05', BEFORE);
    // Applying the reform rewrote nothing of the past: the same views as before it was applied.
    expect(views).toEqual(mayBeforeApplying);
    const names = oldNames(OLD);
    expect(views.progress.rows.map((r) => r[UNIT_COLUMN])).toEqual(names);
    expect(views.progress.notes).toContain('Còn 2 đơn vị chưa gửi báo cáo kỳ này.');
    expect(views.digest.some((l) => l.includes('tháng 5/2025') && l.includes('6/8 đơn vị đã nộp'))).toBe(
      true,
    );
    expectAgreement(views, 'tháng 5/2025', oldNames(MAY_MISSING));
    expect(unitRows(views.digest).map((l) => l.split(':')[0])).toEqual(
      names.map((n) => `• ${shortUnitName(n)}`),
    );
    expect(leadersUnits(views.leaders)).toEqual(names);
    for (const code of OLD) {
      const name = oldUnit.get(code)?.name ?? '';
      expect(houseFigures(houseLines(views.digest, name)[0])).toEqual(householdsOf([code]));
      expect(houseFigures(houseLines(views.leaders, name)[0])).toEqual(householdsOf([code]));
    }
    // Asked again after the reform, May's export still lists the units that owed it.
    const later = await exported('progress', '2025-05', AFTER_AUGUST);
    expect(later.rows.map((r) => r[UNIT_COLUMN])).toEqual(names);
    expect(later.notes).toEqual(views.progress.notes);
  });

  it('periods after (July, August 2025) list each successor once, and every view counts the same missing', async () => {
    const july = await periodViews('2025-07', AFTER_JULY);
    const august = await periodViews('2025-08', AFTER_AUGUST);
    for (const views of [july, august]) {
      expect(views.progress.rows.map((r) => r[UNIT_COLUMN])).toEqual(successorNames);
      expect(unitRows(views.digest).map((l) => l.split(':')[0])).toEqual(
        successorNames.map((n) => `• ${shortUnitName(n)}`),
      );
      expect(leadersUnits(views.leaders)).toEqual(successorNames);
      for (const lines of [views.digest, views.leaders]) {
        expect(houseLines(lines, 'Phường Đức Xuân')).toHaveLength(1);
      }
    }
    expect(july.progress.notes).toContain('Còn 2 đơn vị chưa gửi báo cáo kỳ này.');
    expect(july.digest.some((l) => l.includes('tháng 7/2025') && l.includes('1/3 đơn vị đã nộp'))).toBe(true);
    expectAgreement(july, 'tháng 7/2025', ['Phường Bắc Kạn', 'Xã Phong Quang']);
    expect(july.progress.rows[0]?.['Số hộ được phê duyệt/Xây mới']).toBe(99);

    expect(august.progress.notes).toContain('Còn 1 đơn vị chưa gửi báo cáo kỳ này.');
    expect(august.digest.some((l) => l.includes('tháng 8/2025') && l.includes('2/3 đơn vị đã nộp'))).toBe(
      true,
    );
    expectAgreement(august, 'tháng 8/2025', ['Xã Phong Quang']);
    expect(august.progress.rows.map((r) => r['Số hộ được phê duyệt/Xây mới'])).toEqual([101, 77, null]);
  });

  it('the successors’ totals equal their predecessors’: households by status, report figures, money', async () => {
    const before = await periodViews('2025-05', BEFORE);
    const after = await periodViews('2025-08', AFTER_AUGUST);
    for (const code of NEW_CODES) {
      const from = SUCCESSORS[code].from;
      const expected = householdsOf(from);
      expect(expected[0]).toBeGreaterThan(0);
      for (const [b, a] of [
        [before.digest, after.digest],
        [before.leaders, after.leaders],
      ] as const) {
        const summed = oldNames(from)
          .map((name) => houseFigures(houseLines(b, name)[0]))
          .reduce((s, f) => s.map((v, i) => v + (f[i] ?? 0)) as typeof s, [0, 0, 0, 0]);
        expect(summed).toEqual(expected);
        expect(houseFigures(houseLines(a, SUCCESSORS[code].name)[0])).toEqual(expected);
      }
    }
    const totalLine = (lines: string[]) => lines.find((l) => l.startsWith('Cộng:'));
    expect(totalLine(after.digest)).toBe(totalLine(before.digest));
    // The registry columns of the export: every household of the old units, under their successor.
    const registry = 'Sổ theo dõi hộ (cuối kỳ)/Đã duyệt';
    expect(sumColumn(after.progress.rows, registry)).toBe(sumColumn(before.progress.rows, registry));
    expect(after.progress.rows.map((r) => r[registry])).toEqual(
      NEW_CODES.map((c) => householdsOf(SUCCESSORS[c].from)[0]),
    );

    // June was due on 15/07, after the date: every predecessor reported it, each successor shows their sum.
    const june = await exported('progress', '2025-06', AFTER_JULY);
    expect(june.rows.map((r) => r[UNIT_COLUMN])).toEqual(successorNames);
    expect(june.notes.some((n) => n.includes('chưa gửi báo cáo'))).toBe(false);
    const columns = {
      'Số hộ được phê duyệt/Xây mới': 'approvedNew',
      'Số nhà đã hoàn thành/Xây mới': 'completedNew',
      'Kinh phí (đồng)/Đã tiếp nhận': 'moneyReceived',
      'Kinh phí (đồng)/Đã chi': 'moneyPaid',
      'Ngày công': 'labourDays',
    } as const;
    for (const [header, key] of Object.entries(columns)) {
      expect(june.rows.map((r) => r[header])).toEqual(
        NEW_CODES.map((c) =>
          SUCCESSORS[c].from.reduce((n, old) => n + Number(juneFigures(OLD.indexOf(old))[key]), 0),
        ),
      );
    }

    // The fund: the same money before and after, the wards' receipts and the pledge paid.
    const money = (lines: string[]) => {
      const from = lines.findIndex((l) => l.startsWith('💰'));
      return lines.slice(from, from + 8);
    };
    expect(money(after.digest)).toEqual(money(before.digest));
    const received = OLD.reduce((n, _, i) => n + wardReceipt(i), PLEDGE_PAID);
    const text = money(before.digest).join('\n');
    expect(text).toContain(`Đăng ký ủng hộ: ${formatMoney(PLEDGED)}`);
    expect(text).toContain(`Tổng số tiền đã nhận: ${formatMoney(received)}`);
    expect(text).toContain(`Nhận ngoài đăng ký: ${formatMoney(received - PLEDGE_PAID)}`);
    expect(text).toContain(`Đã phân bổ: ${formatMoney(ALLOCATED)} cho 1 hộ`);

    // Nothing moved: the records stay with the units they were made for.
    const newIds = NEW_CODES.map((c) => newUnit(c).id);
    expect(await prisma.household.count({ where: { unitId: { in: newIds } } })).toBe(0);
  });
});

describe('the people of the successors after the date', () => {
  it('the moved officers and the leader now at province 19 work in the campaign of their predecessors’ area', async () => {
    const campaigns = await run((tx) =>
      Promise.all(
        [newUnit('01840'), newUnit('01843'), newUnit('19')].map((u) => campaignOf(tx, [u.id], AFTER_JULY)),
      ),
    );
    expect(campaigns.map((c) => c?.code)).toEqual(['BK-XNT-2025', 'BK-XNT-2025', 'BK-XNT-2025']);
    // The leader's own /tinhhinh (her membership moved to the province): each successor once, and
    // the same missing report as the views of the city.
    const leaders = await leadersLines(db, newUnit('19'), AFTER_AUGUST);
    const city = await periodViews('2025-08', AFTER_AUGUST);
    expect(leadersUnits(leaders)).toEqual(successorNames);
    expect(leaders).toContain('⏰ Chưa nộp báo cáo tháng 8/2025: Phong Quang');
    expect(leaders).toEqual(city.leaders);
    // The province's digest and exports (the campaign carried on by succession) agree with the city's.
    const province: PeriodViews = {
      digest: await digestLines(db, newUnit('19').id, AFTER_AUGUST),
      leaders,
      progress: await exportedSheet(
        db,
        { kind: 'progress', scope: [newUnit('19').id], period: '2025-08' },
        AFTER_AUGUST,
      ),
      late: await exportedSheet(
        db,
        { kind: 'late', scope: [newUnit('19').id], period: '2025-08' },
        AFTER_AUGUST,
      ),
    };
    expectAgreement(province, 'tháng 8/2025', ['Xã Phong Quang']);
    expect(province.progress.rows).toEqual(city.progress.rows);
    expect(unitRows(province.digest)).toEqual(unitRows(city.digest));
  });
});

describe('a predecessor from outside the campaign’s area never owed its reports', () => {
  it('June (due 15/07, after the date): every view of the city and of province 19, and the reminders, say Phong Quang sent it through Dương Quang; Đôn Phong of Bạch Thông never owed it', async () => {
    const province = newUnit('19');
    const views = {
      city: await periodViews('2025-06', AFTER_JUNE),
      province: await periodViews('2025-06', AFTER_JUNE, province),
    };
    for (const [area, seen] of Object.entries(views)) {
      expect({ area, rows: seen.progress.rows.map((r) => r[UNIT_COLUMN]) }).toEqual({
        area,
        rows: successorNames,
      });
      expectAgreement(seen, 'tháng 6/2025', []);
      expect(seen.digest.some((l) => l.includes('tháng 6/2025') && l.includes('3/3 đơn vị đã nộp'))).toBe(
        true,
      );
      expect(seen.leaders).toContain('✅ Tất cả đơn vị đã nộp báo cáo tháng 6/2025.');
      // Phong Quang's row: Dương Quang's figures alone (Đôn Phong sent nothing to this campaign).
      const phongQuang = seen.progress.rows.find((r) => r[UNIT_COLUMN] === 'Xã Phong Quang');
      expect(phongQuang?.['Số hộ được phê duyệt/Xây mới']).toBe(
        juneFigures(OLD.indexOf('01849')).approvedNew,
      );
    }
    expect(views.province.progress.rows).toEqual(views.city.progress.rows);

    // The reminders neither ask Phong Quang’s officer for June (a slot: 2 days before its last day
    // on time, 14/07) nor list it late.
    await prisma.person.create({
      data: {
        fullName: 'Lý Văn Quang',
        identities: { create: { channel: 'telegram', externalUserId: '849001' } },
        memberships: { create: { unitId: newUnit('01849').id, role: 'unit_officer' } },
      },
    });
    const reminders = await run((tx) => runReminders(tx, AFTER_JUNE, { dryRun: true }));
    expect(reminders?.late.filter((l) => l.periodCode === '2025-06').map((l) => l.unitName)).toEqual([]);
    const before = await run((tx) => runReminders(tx, new Date('2025-07-12T03:00:00Z'), { dryRun: true }));
    expect(before?.planned.filter((p) => p.key.startsWith('remind:2025-06:')).map((p) => p.key)).toEqual([]);
    // July is owed by Phong Quang itself: its officer is asked for it.
    const july = await run((tx) => runReminders(tx, new Date('2025-08-12T03:00:00Z'), { dryRun: true }));
    expect(july?.planned.some((p) => p.key.startsWith(`remind:2025-07:${newUnit('01849').id}:`))).toBe(true);
  });
});
