import { afterEach, describe, expect, it } from 'vitest';
import { campaignFor, pickCampaign } from '../../core/campaigns/coverage.ts';
import { createStore } from '../../prisma/store.ts';
import { migratedDb } from '../support/app-harness.ts';

const NOW = new Date('2026-12-06T03:00:00Z');

describe('campaigns by area (issue 15 §1)', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('finds the campaign whose area holds a unit, and the ones below a unit above several areas', async () => {
    const m = await migratedDb();
    close = m.close;
    const store = createStore(m.db);
    await store.run(async (tx) => {
      const at = NOW;
      const nation = await tx.units.create(
        { code: 'VN', name: 'Việt Nam', kind: 'nation', parentId: null, validFrom: '1976-07-02' },
        at,
      );
      const tn = await tx.units.create(
        { code: '19', name: 'Tỉnh Thái Nguyên', kind: 'province', parentId: nation, validFrom: '2025-07-01' },
        at,
      );
      const dx = await tx.units.create(
        { code: '01840', name: 'Phường Đức Xuân', kind: 'ward', parentId: tn, validFrom: '2025-07-01' },
        at,
      );
      const hn = await tx.units.create(
        { code: '01', name: 'Thành phố Hà Nội', kind: 'province', parentId: nation, validFrom: '2008-08-01' },
        at,
      );
      const ba = await tx.units.create(
        { code: '00004', name: 'Phường Ba Đình', kind: 'ward', parentId: hn, validFrom: '2025-07-01' },
        at,
      );
      const record = (code: string, areaUnitId: number | null, closedOn: string | null) => ({
        code,
        name: `Cuộc vận động ${code}`,
        timeZone: 'Asia/Ho_Chi_Minh',
        startsOn: '2026-01-01',
        endsOn: '2026-12-31',
        monthlyDueDay: 15,
        quarterlyDueDay: 15,
        finalDueOn: '2026-12-10',
        normNewBuild: 60_000_000n,
        normRepair: 30_000_000n,
        areaUnitId,
        addressForm: 'đồng chí',
        closedOn,
        definition: '{}',
        settings: '{}',
      });
      const tnId = await tx.campaigns.create(record('TN-2026', tn, null));
      const hnId = await tx.campaigns.create(record('HN-2026', hn, null));
      await tx.campaigns.create(record('TN-OLD', tn, '2026-06-30'));
      expect((await campaignFor(tx, [dx], NOW))?.id).toBe(tnId);
      expect((await campaignFor(tx, [ba], NOW))?.id).toBe(hnId);
      expect((await campaignFor(tx, [tn], NOW))?.id).toBe(tnId);
      // Above both areas: the campaigns below; the latest created open one is picked.
      expect((await tx.campaigns.below([nation])).map((c) => c.code).sort()).toEqual([
        'HN-2026',
        'TN-2026',
        'TN-OLD',
      ]);
      expect((await tx.campaigns.covering([dx])).map((c) => c.code).sort()).toEqual(['TN-2026', 'TN-OLD']);
      // Before the old one closed, both are open: the one created later is the person's.
      const march = new Date('2026-03-01T00:00:00Z');
      expect(pickCampaign(await tx.campaigns.covering([dx]), march)?.code).toBe('TN-OLD');
      expect((await tx.campaigns.findByCode('TN-OLD'))?.closedOn).toBe('2026-06-30');
    });
  });
});
