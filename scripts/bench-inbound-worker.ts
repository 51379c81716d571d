/**
 * One bot instance of the two-instance run of `npm run bench` (started by `runInstances` in
 * scripts/bench-inbound.ts): its own database pool, store and inbound handler on the shared
 * database, built as the bot builds them, answering the reports of its share of the officers when
 * the parent says so.
 */
import { openSqlDb } from '../prisma/sql-db.ts';
import {
  answerReports,
  countPostgresStatements,
  type FromWorker,
  reportBot,
  type ToWorker,
  updateMaker,
  type WorkerSetup,
} from './bench-inbound.ts';

function reply(message: FromWorker): void {
  process.send?.(message);
}

const rssMb = () => Math.round(process.memoryUsage().rss / 1048576);

function nextMessage(): Promise<ToWorker> {
  return new Promise((resolve) => process.once('message', (m) => resolve(m as ToWorker)));
}

async function main(): Promise<void> {
  const setup = JSON.parse(process.env.BENCH_WORKER_SETUP ?? 'null') as WorkerSetup | null;
  if (!setup) {
    throw new Error('BENCH_WORKER_SETUP missing: this process is started by scripts/bench.ts');
  }
  const db = openSqlDb(setup.url);
  try {
    const { bot, failures, retries, lastError, turns } = await reportBot(db, {
      instanceId: setup.instanceId,
      chatTurns: setup.chatTurns,
    });
    const statements = countPostgresStatements();
    const makeUpdate = updateMaker(setup.firstUpdateId);
    // Every officer opens the report (not measured).
    for (const u of [...setup.warmup, ...setup.measured]) {
      await bot.handleUpdate(makeUpdate(u, '/baocao'));
    }
    reply({ type: 'ready', rssMb: rssMb() });
    if ((await nextMessage()).type !== 'warmup') {
      throw new Error('expected warmup');
    }
    await answerReports(bot, setup.warmup, makeUpdate, setup.lanes);
    reply({ type: 'warmed' });
    if ((await nextMessage()).type !== 'measure') {
      throw new Error('expected measure');
    }
    statements.reset();
    const turnsBefore = turns();
    const timed = await answerReports(bot, setup.measured, makeUpdate, setup.lanes);
    const measuredTurns = Object.fromEntries(
      Object.entries(turns()).map(([how, n]) => [how, n - (turnsBefore[how] ?? 0)]),
    );
    reply({
      type: 'measured',
      timed,
      failures: failures(),
      retries: retries(),
      lastError: lastError(),
      rssMb: rssMb(),
      turns: measuredTurns,
      statements: statements.count(),
    });
  } finally {
    await db.close();
  }
}

main()
  .then(() => process.disconnect?.())
  .catch((error: unknown) => {
    reply({
      type: 'error',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    process.exitCode = 1;
    process.disconnect?.();
  });
