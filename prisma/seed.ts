import { generatePeriods } from '../core/campaigns/periods.ts';
import { householdNameKey } from '../core/households/duplicate-keys.ts';
import { assessEligibility } from '../core/households/eligibility.ts';
import type { PrismaClient } from './client.ts';
import type { SqlDb } from './database.ts';

/** Demo people for the playground: its personas are these identities. */
export const DEMO_PEOPLE = [
  { key: 'officer-ducxuan', fullName: 'Nguyễn Thị Lan', role: 'unit_officer', unit: '01840' },
  { key: 'officer-songcau', fullName: 'Hoàng Văn Minh', role: 'unit_officer', unit: '01837' },
  { key: 'admin', fullName: 'Trần Văn Hùng', role: 'admin', unit: '058' },
  { key: 'leader', fullName: 'Lường Thị Hoa', role: 'leader', unit: '058' },
  { key: 'org-phunu', fullName: 'Nông Thị Mai', role: 'org_leader', unit: 'HLHPN-058' },
  { key: 'fund', fullName: 'Phạm Thị Thu', role: 'fund_officer', unit: '058' },
] as const;

/** The demo's households (in Đức Xuân; names and villages are made up). */
export const DEMO_HOUSEHOLD_UNIT = '01840';
export const DEMO_HOUSEHOLDS = [
  ['DX-001', 'Tổ 1', 'Nông Văn Tư', 1956, 'poor', 'new_build', 'approved'],
  ['DX-002', 'Tổ 1', 'Hoàng Thị Mai', 1962, 'near_poor', 'repair', 'approved'],
  ['DX-003', 'Tổ 4', 'Lý Văn Sáng', 1949, 'merit', 'new_build', 'started'],
  ['DX-004', 'Tổ 7', 'Triệu Thị Hoa', 1970, 'poor', 'new_build', 'proposed'],
] as const;

/** A single-use invite the playground's "new person" can try (to Nông Thượng commune). */
export const DEMO_INVITE_CODE = 'DEMO2025';

/** The marker `createdBy` of the invites the seed writes (the demo's `DEMO_INVITE_CODE`). */
export const SEED_INVITE_CREATOR = 'seed';

/** The channel of the playground's personas: a person known only there is a demo person. */
export const PLAYGROUND_CHANNEL = 'playground';

/**
 * Demo data belongs to the playground only: a bot with a Telegram or Zalo token is a real
 * deployment, whose empty database gets the campaign's reference data and nobody in it (the first
 * admin comes from `npm run cli -- admin create`).
 */
export function wantsDemo(config: { telegram?: unknown; zalo?: unknown }): boolean {
  return config.telegram === undefined && config.zalo === undefined;
}

/** The one command that takes demo people and codes out of a real deployment's database. */
export const DEMO_REMOVE_COMMAND = 'npm run cli -- demo remove';

type SeedDb = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/**
 * The seed plan (reference/domain-vn.md §3.1): Bắc Kạn city MTTQ with its 6 wards and 2 communes as
 * they were in 2024 (GSO codes), the five member organisations at city level, and the 2024–2025
 * campaign with monthly reports before the 15th, quarterly reports before the 15th of the quarter's
 * last month and the final report on 10/12/2025. The 01/07/2025 merger is not seeded: which old
 * ward went into which new one is unverified (domain-vn.md §3.3). With the demo (the playground,
 * the benchmarks): its people, their playground identities, the invite `DEMO_INVITE_CODE` and a few
 * households.
 */
export async function seedDemo(prisma: PrismaClient, now: Date): Promise<void> {
  await seedIn(prisma, now, { onlyIfEmpty: false, demo: true });
}

/**
 * Seeds in one transaction; with `onlyIfEmpty`, two processes starting together on one database
 * seed it once: the first statement claims a marker row, which makes the second wait (PostgreSQL:
 * the conflicting insert waits for the first transaction; SQLite: the write lock) and then see
 * the seeded data.
 */
async function seedIn(
  prisma: PrismaClient,
  now: Date,
  opts: { onlyIfEmpty: boolean; demo: boolean },
): Promise<boolean> {
  return prisma.$transaction(
    async (db) => {
      if (opts.onlyIfEmpty) {
        await db.$executeRaw`INSERT INTO "Throttle" ("key", "failures", "windowStart") VALUES ('seed:lock', 0, ${now}) ON CONFLICT ("key") DO NOTHING`;
        const empty = (await db.campaign.count()) === 0 && (await db.unit.count()) === 0;
        await db.$executeRaw`DELETE FROM "Throttle" WHERE "key" = 'seed:lock'`;
        if (!empty) {
          return false;
        }
      }
      const campaignId = await seedReference(db);
      if (opts.demo) {
        await seedDemoData(db, now, campaignId);
      }
      await db.auditLog.create({
        data: {
          at: now,
          action: opts.demo ? 'seed.demo' : 'seed.reference',
          entity: 'Campaign',
          entityId: String(campaignId),
        },
      });
      return true;
    },
    { timeout: 30_000 },
  );
}

/** What a real deployment of this campaign needs: the units, member organisations, campaign and periods. */
async function seedReference(db: SeedDb): Promise<number> {
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
  return campaign.id;
}

/** The playground's demo: its people (one a city admin), their identities, the invite, households. */
async function seedDemoData(db: SeedDb, now: Date, campaignId: number): Promise<void> {
  for (const person of DEMO_PEOPLE) {
    const unit = await db.unit.findFirstOrThrow({ orderBy: { validFrom: 'desc' }, where: { code: person.unit } });
    await db.person.create({
      data: {
        fullName: person.fullName,
        memberships: { create: { unitId: unit.id, role: person.role } },
        identities: {
          create: { channel: PLAYGROUND_CHANNEL, externalUserId: person.key, displayName: person.fullName },
        },
      },
    });
  }
  const nongThuong = await db.unit.findFirstOrThrow({ orderBy: { validFrom: 'desc' }, where: { code: '01852' } });
  await db.invite.create({
    data: {
      code: DEMO_INVITE_CODE,
      role: 'unit_officer',
      unitId: nongThuong.id,
      createdBy: SEED_INVITE_CREATOR,
      expiresAt: new Date(now.getTime() + 3650 * 86_400_000),
    },
  });
  // A few households of Đức Xuân for the playground (names and villages are made up).
  const ducXuan = await db.unit.findFirstOrThrow({ orderBy: { validFrom: 'desc' }, where: { code: DEMO_HOUSEHOLD_UNIT } });
  for (const [code, village, headName, birthYear, category, need, status] of DEMO_HOUSEHOLDS) {
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
        campaignId,
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
}

/**
 * Whether the database holds a campaign or units, the test `seedIfEmpty` makes, without the Prisma
 * client: a start on an existing database need not load it (issue 14 §7, start-up time and memory).
 */
export async function hasCampaignData(db: SqlDb): Promise<boolean> {
  const campaign = await db.kysely.selectFrom('Campaign').select('id').limit(1).executeTakeFirst();
  const unit = campaign ?? (await db.kysely.selectFrom('Unit').select('id').limit(1).executeTakeFirst());
  return unit !== undefined;
}

/**
 * Seeds only an empty database, so restarts never duplicate it: the reference data, and the demo
 * with `demo` (see `wantsDemo`). True when this call seeded.
 */
export async function seedIfEmpty(
  prisma: PrismaClient,
  now: Date,
  opts: { demo: boolean },
): Promise<boolean> {
  if ((await prisma.campaign.count()) > 0 || (await prisma.unit.count()) > 0) {
    return false;
  }
  return seedIn(prisma, now, { onlyIfEmpty: true, demo: opts.demo });
}

/** Demo people and usable demo invite codes found in a database. */
export interface DemoData {
  people: { id: number; fullName: string; active: boolean }[];
  invites: { id: number; code: string }[];
  /** The seeded demo households nobody has worked on since (no later event, pledge or fund entry). */
  households: { id: number; code: string }[];
}

/** The `createdBy` of an invite a person made in chat (core/people/invite-flow.ts). */
function personCreator(personId: number): string {
  return `person:${personId}`;
}

/**
 * The demo in a database: people known only on the playground (the seeded personas and whoever
 * redeemed an invite there), and the unused, unrevoked invites the seed or those people made.
 * People of a real deployment have Telegram or Zalo identities and are never counted.
 */
export async function findDemoData(db: SqlDb): Promise<DemoData> {
  // Through Kysely: with a messenger token the bot asks this at every start, and need not load the
  // Prisma client for it (issue 14 §7).
  const k = db.kysely;
  const people = await k
    .selectFrom('Person as p')
    .select(['p.id', 'p.fullName', 'p.active'])
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('ChannelIdentity as i')
          .select('i.id')
          .whereRef('i.personId', '=', 'p.id')
          .where('i.channel', '=', PLAYGROUND_CHANNEL),
      ),
    )
    .where(({ exists, not, selectFrom }) =>
      not(
        exists(
          selectFrom('ChannelIdentity as i')
            .select('i.id')
            .whereRef('i.personId', '=', 'p.id')
            .where('i.channel', '<>', PLAYGROUND_CHANNEL),
        ),
      ),
    )
    .orderBy('p.id')
    .execute();
  const creators = [SEED_INVITE_CREATOR, ...people.map((p) => personCreator(p.id))];
  const invites = await k
    .selectFrom('Invite')
    .select(['id', 'code'])
    .where('usedAt', 'is', null)
    .where('revokedAt', 'is', null)
    .where((eb) => eb.or([eb('code', '=', DEMO_INVITE_CODE), eb('createdBy', 'in', creators)]))
    .orderBy('id')
    .execute();
  // A demo household: one of the demo's codes in its ward, created at the instant the demo was seeded.
  const seededAt = (
    await k.selectFrom('AuditLog').select('at').where('action', '=', 'seed.demo').execute()
  ).map((a) => a.at);
  const candidates =
    seededAt.length === 0
      ? []
      : await k
          .selectFrom('Household as h')
          .innerJoin('Unit as u', 'u.id', 'h.unitId')
          .select(['h.id', 'h.code'])
          .where(
            'h.code',
            'in',
            DEMO_HOUSEHOLDS.map((h) => h[0]),
          )
          .where('u.code', '=', DEMO_HOUSEHOLD_UNIT)
          .where('h.createdAt', 'in', seededAt)
          .orderBy('h.id')
          .execute();
  const households: DemoData['households'] = [];
  for (const h of candidates) {
    const count = async (table: 'HouseholdEvent' | 'Pledge' | 'FundEntry') =>
      Number(
        (
          await k
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .where('householdId', '=', h.id)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const used =
      (await count('HouseholdEvent')) > 1 || (await count('Pledge')) > 0 || (await count('FundEntry')) > 0;
    if (!used) {
      households.push({ id: h.id, code: h.code });
    }
  }
  return { people, invites, households };
}

/**
 * Whether an invite is one of the demo's (see `findDemoData`): a real deployment refuses these as
 * if they did not exist. `personIsDemo` tells whether the person who made it is a demo person.
 */
export async function isDemoInvite(
  invite: { code: string; createdBy: string },
  personIsDemo: (personId: number) => Promise<boolean>,
): Promise<boolean> {
  if (invite.code === DEMO_INVITE_CODE || invite.createdBy === SEED_INVITE_CREATOR) {
    return true;
  }
  const by = /^person:(\d+)$/.exec(invite.createdBy);
  return by !== null && (await personIsDemo(Number(by[1])));
}
