import { importStatement } from '../../core/funds/statements/statement.ts';
import { fundLevelsFor } from '../../core/people/fund-levels.ts';
import type { UnitOfWork } from '../../core/unit-of-work.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import { createStore } from '../../prisma/store.ts';

/**
 * A bank statement's credit that no pledge fits, imported by the playground person `keeper` at
 * `levelUnitId` (their first fund level by default): the line the chat's statement buttons and the
 * walk-in flow are pressed with. Imported again, it is the same line (its fingerprint).
 */
export async function unmatchedStatementLine(
  db: SqlDb | UnitOfWork,
  keeper: string,
  levelUnitId?: number,
): Promise<{ id: number; levelUnitId: number }> {
  const store = 'run' in db ? db : createStore(db);
  return store.run(async (tx) => {
    const actor = await tx.people.findActor('playground', keeper);
    const level =
      levelUnitId ?? (actor ? (await fundLevelsFor(tx, actor, 'fund.receipt'))[0]?.id : undefined);
    const campaign = await tx.campaigns.findCurrent();
    if (!actor || level === undefined || !campaign) {
      throw new Error(`${keeper} keeps no fund of a current campaign`);
    }
    const outcome = await importStatement(
      tx,
      actor,
      {
        campaignId: campaign.id,
        levelUnitId: level,
        bank: 'generic',
        fileName: 'saoke.csv',
        rows: [
          {
            line: 2,
            postedOn: '2025-03-05',
            direction: 'credit',
            amount: 1_234_000n,
            description: 'UNG HO QUY VI NGUOI NGHEO',
            counterparty: 'NGUYEN VAN X',
          },
        ],
        dryRun: false,
      },
      new Date('2025-03-10T03:00:00Z'),
      'playground',
    );
    const line = outcome.lines[0];
    const id = line?.id ?? line?.seenId;
    if (!id || (line?.status !== 'unmatched' && line?.status !== 'seen')) {
      throw new Error(`the statement line was not imported unmatched: ${JSON.stringify(outcome.refusal)}`);
    }
    return { id, levelUnitId: level };
  });
}
