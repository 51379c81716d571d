import { generatePeriods } from '../core/campaigns/periods.ts';
import { householdNameKey } from '../core/households/duplicates.ts';
import { assessEligibility } from '../core/households/eligibility.ts';
import type { PrismaClient } from './client.ts';

/** Demo people for the playground: its personas are these identities. */
export const DEMO_PEOPLE = [
  { key: 'officer-ducxuan', fullName: 'Nguyễn Thị Lan', role: 'unit_officer', unit: '01840' },
  { key: 'officer-songcau', fullName: 'Hoàng Văn Minh', role: 'unit_officer', unit: '01837' },
  { key: 'admin', fullName: 'Trần Văn Hùng', role: 'admin', unit: '058' },
  { key: 'leader', fullName: 'Lường Thị Hoa', role: 'leader', unit: '058' },
  { key: 'org-phunu', fullName: 'Nông Thị Mai', role: 'org_leader', unit: 'HLHPN-058' },
  { key: 'fund', fullName: 'Phạm Thị Thu', role: 'fund_officer', unit: '058' },
] as const;

/** A single-use invite the playground's "new person" can try (to Nông Thượng commune). */
export const DEMO_INVITE_CODE = 'DEMO2025';

/**
 * The seed plan (reference/domain-vn.md §3.1): Bắc Kạn city MTTQ with its 6 wards and 2 communes as
 * they were in 2024 (GSO codes), the five member organisations at city level, and the 2024–2025
 * campaign with monthly reports before the 15th, quarterly reports before the 15th of the quarter's
 * last month and the final report on 10/12/2025. The 01/07/2025 merger is not seeded: which old
 * ward went into which new one is unverified (domain-vn.md §3.3).
 */
export async function seedDemo(prisma: PrismaClient, now: Date): Promise<void> {
  await seedIn(prisma, now, false);
}

/**
 * Seeds in one transaction; with `onlyIfEmpty`, two processes starting together on one database
 * seed it once: the first statement claims a marker row, which makes the second wait (PostgreSQL:
 * the conflicting insert waits for the first transaction; SQLite: the write lock) and then see
 * the seeded data.
 */
async function seedIn(prisma: PrismaClient, now: Date, onlyIfEmpty: boolean): Promise<boolean> {
  return prisma.$transaction(
    async (db) => {
      if (onlyIfEmpty) {
        await db.$executeRaw`INSERT INTO "Throttle" ("key", "failures", "windowStart") VALUES ('seed:lock', 0, ${now}) ON CONFLICT ("key") DO NOTHING`;
        const empty = (await db.campaign.count()) === 0 && (await db.unit.count()) === 0;
        await db.$executeRaw`DELETE FROM "Throttle" WHERE "key" = 'seed:lock'`;
        if (!empty) {
          return false;
        }
      }
      const province = await db.unit.create({
        data: {
          code: '06',
          name: 'Tỉnh Bắc Kạn',
          kind: 'province',
          validFrom: '1997-01-01',
          validTo: '2025-06-30',
        },
      });
      const city = await db.unit.create({
        data: {
          code: '058',
          name: 'Ủy ban MTTQ Việt Nam thành phố Bắc Kạn',
          kind: 'city',
          parentId: province.id,
          validFrom: '2015-03-11',
          validTo: '2025-06-30',
        },
      });
      const wards: [string, string, string][] = [
        ['01834', 'Phường Nguyễn Thị Minh Khai', 'ward'],
        ['01837', 'Phường Sông Cầu', 'ward'],
        ['01840', 'Phường Đức Xuân', 'ward'],
        ['01843', 'Phường Phùng Chí Kiên', 'ward'],
        ['01846', 'Phường Huyền Tụng', 'ward'],
        ['01849', 'Xã Dương Quang', 'commune'],
        ['01852', 'Xã Nông Thượng', 'commune'],
        ['01855', 'Phường Xuất Hóa', 'ward'],
      ];
      for (const [code, name, kind] of wards) {
        await db.unit.create({ data: { code, name, kind, parentId: city.id, validFrom: '2015-03-11' } });
      }
      const organisations: [string, string][] = [
        ['LDLD-058', 'Liên đoàn Lao động thành phố Bắc Kạn'],
        ['HND-058', 'Hội Nông dân thành phố Bắc Kạn'],
        ['DTN-058', 'Đoàn TNCS Hồ Chí Minh thành phố Bắc Kạn'],
        ['HLHPN-058', 'Hội Liên hiệp Phụ nữ thành phố Bắc Kạn'],
        ['HCCB-058', 'Hội Cựu chiến binh thành phố Bắc Kạn'],
      ];
      for (const [code, name] of organisations) {
        await db.unit.create({
          data: { code, name, kind: 'member_org', parentId: city.id, validFrom: '2015-03-11' },
        });
      }

      const plan = {
        startsOn: '2024-10-01',
        endsOn: '2025-12-31',
        monthlyDueDay: 15,
        quarterlyDueDay: 15,
        finalDueOn: '2025-12-10',
      };
      const campaign = await db.campaign.create({
        data: {
          code: 'BK-XNT-2025',
          name: 'Xóa nhà tạm, nhà dột nát thành phố Bắc Kạn 2024–2025',
          timeZone: 'Asia/Ho_Chi_Minh',
          ...plan,
          normNewBuild: 60_000_000n,
          normRepair: 30_000_000n,
        },
      });
      await db.reportingPeriod.createMany({
        data: generatePeriods(plan).map((p) => ({ ...p, campaignId: campaign.id })),
      });

      for (const person of DEMO_PEOPLE) {
        const unit = await db.unit.findUniqueOrThrow({ where: { code: person.unit } });
        await db.person.create({
          data: {
            fullName: person.fullName,
            memberships: { create: { unitId: unit.id, role: person.role } },
            identities: {
              create: { channel: 'playground', externalUserId: person.key, displayName: person.fullName },
            },
          },
        });
      }
      const nongThuong = await db.unit.findUniqueOrThrow({ where: { code: '01852' } });
      await db.invite.create({
        data: {
          code: DEMO_INVITE_CODE,
          role: 'unit_officer',
          unitId: nongThuong.id,
          createdBy: 'seed',
          expiresAt: new Date(now.getTime() + 3650 * 86_400_000),
        },
      });
      // A few households of Đức Xuân for the playground (names and villages are made up).
      const ducXuan = await db.unit.findUniqueOrThrow({ where: { code: '01840' } });
      const demoHouseholds = [
        ['DX-001', 'Tổ 1', 'Nông Văn Tư', 1956, 'poor', 'new_build', 'approved'],
        ['DX-002', 'Tổ 1', 'Hoàng Thị Mai', 1962, 'near_poor', 'repair', 'approved'],
        ['DX-003', 'Tổ 4', 'Lý Văn Sáng', 1949, 'merit', 'new_build', 'started'],
        ['DX-004', 'Tổ 7', 'Triệu Thị Hoa', 1970, 'poor', 'new_build', 'proposed'],
      ] as const;
      for (const [code, village, headName, birthYear, category, need, status] of demoHouseholds) {
        const facts = {
          category,
          foundationDurable: false,
          frameDurable: false,
          roofDurable: true,
          area: 24,
          members: 3,
          landLegal: true,
          landUndisputed: true,
          outsideLandslideZone: true,
          confirmedByCommune: true,
        };
        await db.household.create({
          data: {
            ...facts,
            campaignId: campaign.id,
            unitId: ducXuan.id,
            code,
            village,
            headName,
            headNameKey: householdNameKey(headName),
            birthYear,
            need,
            eligible: assessEligibility(facts).eligible,
            status,
            createdAt: now,
            updatedAt: now,
            events: { create: { kind: 'created', toStatus: status, at: now } },
          },
        });
      }

      await db.auditLog.create({
        data: { at: now, action: 'seed.demo', entity: 'Campaign', entityId: String(campaign.id) },
      });
      return true;
    },
    { timeout: 30_000 },
  );
}

/** Seeds only an empty database, so restarts never duplicate the demo. */
export async function seedIfEmpty(prisma: PrismaClient, now: Date): Promise<boolean> {
  if ((await prisma.campaign.count()) > 0 || (await prisma.unit.count()) > 0) {
    return false;
  }
  return seedIn(prisma, now, true);
}
