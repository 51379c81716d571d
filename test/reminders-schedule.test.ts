import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { updateCampaign } from '../core/campaigns/define-campaign.ts';
import { readCampaignDefinition } from '../core/campaigns/definition-file.ts';
import { CLI_SOURCE } from '../core/messaging/outbox.repository.ts';
import { runReminders } from '../core/reminders/run-reminders.ts';
import { createStore } from '../prisma/store.ts';
import { seededDatabase } from './support/app-harness.ts';

/**
 * "One report serves two obligations due the same day" on the real seeded database: the May and
 * second-quarter reports of the Bắc Kạn campaign are both due before 15/06/2025. The fixture's
 * campaign has its definition (campaigns/bac-kan-2024-2025, schedule.oneReportWhenSameDay true by
 * default): each officer gets one reminder for both. A definition saying false, or a campaign from
 * before definitions ('{}'), reminds of each.
 */

const SEEDED = new Date('2025-06-01T00:00:00Z');
/** 08:00 on 09/06 in Hà Nội: five days before the last day on time (14/06). */
const REMIND = new Date('2025-06-09T01:00:00Z');

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function remindersAt(campaign: 'as seeded' | 'apart' | 'no definition') {
  const seeded = await seededDatabase(SEEDED);
  close = seeded.close;
  const store = createStore(seeded.db);
  if (campaign === 'apart') {
    const read = readCampaignDefinition(readFileSync('campaigns/bac-kan-2024-2025/campaign.yaml', 'utf8'));
    if (!read.ok) {
      throw new Error(JSON.stringify(read.problems));
    }
    // The file is the campaign as it ended; here it still runs.
    const { closedOn: _closedOn, ...open } = read.value;
    const definition = { ...open, schedule: { ...open.schedule, oneReportWhenSameDay: false } };
    const updated = await store.run((tx) =>
      updateCampaign(tx, 'BK-XNT-2025', definition, CLI_SOURCE, SEEDED),
    );
    expect(updated.ok).toBe(true);
  } else if (campaign === 'no definition') {
    // A database from before definition files.
    await seeded.db.kysely.updateTable('Campaign').set({ definition: '{}' }).execute();
  }
  await store.run((tx) => runReminders(tx, REMIND));
  const rows = await seeded.db.kysely
    .selectFrom('Outbox')
    .select(['chatId', 'idempotencyKey', 'payload'])
    .where('purpose', '=', 'reminder')
    .orderBy('idempotencyKey')
    .execute();
  return rows.map((r) => ({
    chatId: r.chatId,
    key: r.idempotencyKey.split(':').slice(0, 2).join(':'),
    text: (JSON.parse(r.payload) as { text: string }).text,
  }));
}

describe('one report for the May and second-quarter reports', () => {
  it('asks each officer once, under one key, naming both', async () => {
    const rows = await remindersAt('as seeded');
    const ducXuan = rows.filter((r) => r.chatId === 'officer-ducxuan');
    expect(ducXuan.map((r) => r.key)).toEqual(['remind:2025-05+2025-Q2']);
    expect(ducXuan[0]?.text).toContain(
      'chưa gửi báo cáo tháng 5/2025 và quý II/2025, hạn 14/06/2025 (còn 5 ngày)',
    );
    // Nobody is asked for one of the two alone.
    expect(rows.filter((r) => r.key === 'remind:2025-05' || r.key === 'remind:2025-Q2')).toEqual([]);
  });

  it.each(['apart', 'no definition'] as const)(
    'reminds of each when the campaign keeps them apart (%s)',
    async (campaign) => {
      const rows = await remindersAt(campaign);
      const ducXuan = rows.filter((r) => r.chatId === 'officer-ducxuan');
      expect(ducXuan.map((r) => r.key)).toEqual(['remind:2025-05', 'remind:2025-Q2']);
      expect(rows.some((r) => r.key.includes('+'))).toBe(false);
    },
  );
});
