import { importStatement } from '../core/funds/statements/statement.ts';
import { seedDemo } from '../prisma/seed.ts';
import type { SqlDb } from '../prisma/sql-db.ts';
import { createStore } from '../prisma/store.ts';
import type { Figure } from './bench-memory.ts';
import {
  ACCEPTANCE_MIX,
  generateStatement,
  giveDonorsChats,
  insertPledges,
  pledgeSpecs,
} from './dev/generate-statement.ts';

/**
 * `npm run bench -- --only statements` (issue 17 §2): a bank statement matched to pledges — the
 * acceptance statement (1,700 credits by reference in ten mangled forms, 200 by name and amount,
 * 100 unmatched, 50 debits) over 1,900 pledges of the demo city's fund — classified in a dry run
 * (median of 5) and imported for real (the receipts, the lines, the audit, each receipt's notice to
 * its donor's Telegram chat) into a fresh database. Goal: ≥ 5,000 lines/s.
 */
export const STATEMENT_GOAL_LINES_PER_S = 5_000;

export async function benchStatements(
  fresh: (name: string) => Promise<{ db: SqlDb; close: () => Promise<void> }>,
  record: (figure: Figure) => void,
): Promise<void> {
  const { db, close } = await fresh('statements');
  try {
    const now = new Date('2025-03-20T03:00:00Z');
    await seedDemo(db, now);
    const store = createStore(db);
    const { campaignId, levelUnitId } = await store.run(async (tx) => {
      const campaign = await tx.campaigns.findCurrent();
      const city = (await tx.units.listByKinds(['city'])).find((u) => u.code === '058');
      if (!campaign || !city) {
        throw new Error('the demo campaign or city 058 is missing');
      }
      return { campaignId: campaign.id, levelUnitId: city.id };
    });
    const pledges = await insertPledges(
      db,
      { campaignId, levelUnitId, at: now },
      pledgeSpecs(ACCEPTANCE_MIX),
    );
    await giveDonorsChats(db, pledges, now);
    const { rows, expected } = generateStatement(pledges, ACCEPTANCE_MIX, {
      seed: 1,
      firstDay: '2025-03-01',
    });
    const input = (dryRun: boolean) => ({
      campaignId,
      levelUnitId,
      bank: 'vcb',
      fileName: 'bench.csv',
      rows,
      dryRun,
    });
    const dry: number[] = [];
    for (let i = 0; i < 6; i++) {
      const t0 = performance.now();
      const outcome = await store.run((tx) => importStatement(tx, null, input(true), now, 'cli'));
      if (i > 0) {
        dry.push(performance.now() - t0);
      }
      if (outcome.counts.matched !== expected.matched || outcome.counts.proposed !== expected.proposed) {
        throw new Error(`dry run counts ${JSON.stringify(outcome.counts)} ≠ ${JSON.stringify(expected)}`);
      }
    }
    dry.sort((a, b) => a - b);
    const dryMs = dry[Math.floor(dry.length / 2)] ?? 0;
    const t0 = performance.now();
    await store.run((tx) => importStatement(tx, null, input(false), now, 'cli'));
    const realMs = performance.now() - t0;
    const rate = (ms: number) => Math.round((rows.length / ms) * 1000);
    console.log(
      `Statement of ${rows.length} lines over ${pledges.length} pledges: dry run ${dryMs.toFixed(0)} ms (median of 5) = ${rate(dryMs)} lines/s; real import (1,700 receipts and donor notices, ${rows.length} lines) ${realMs.toFixed(0)} ms = ${rate(realMs)} lines/s`,
    );
    const goal = `≥ ${STATEMENT_GOAL_LINES_PER_S.toLocaleString('en')} lines/s`;
    record({
      what: 'statement dry-run match',
      value: `${rate(dryMs)} lines/s`,
      goal,
      pass: rate(dryMs) >= STATEMENT_GOAL_LINES_PER_S,
    });
    record({
      what: 'statement import',
      value: `${rate(realMs)} lines/s`,
      goal,
      pass: rate(realMs) >= STATEMENT_GOAL_LINES_PER_S,
    });
  } finally {
    await close();
  }
}
