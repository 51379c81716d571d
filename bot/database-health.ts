import type { Address, Channel, Inbound } from '../core/messaging/message.ts';
import type { ChannelSender } from '../core/messaging/messenger.ts';
import type { Clock } from '../core/shared/clock.ts';
import { kyselyOn } from '../prisma/kysely-dialect.ts';
import { isDatabaseUnavailable, type SqlDb } from '../prisma/sql-db.ts';
import type { Logger } from './logger.ts';

/** How long the database must fail before it counts as an outage (admins alerted, users told). */
const OUTAGE_AFTER_MS = 10_000;
/** How often a failing database is tried with a real write, to see it come back. */
const PROBE_MS = 1_000;

export type HealthStatus = { ok: true } | { ok: false; reason: 'database'; since: string; error: string };

export interface DatabaseHealthDeps {
  /** A real write (it must reach the disk): resolves once the database takes writes again. */
  probe: () => Promise<void>;
  clock: Clock;
  log: Logger;
  /** A channel's sender: the busy reply and the first alert go out directly, not through the outbox. */
  sender: (channel: Channel) => ChannelSender | undefined;
  busyText: string;
  /** The admins' addresses (a read: it may work while writes fail, as on a full disk). */
  adminAddresses: () => Promise<Address[]>;
  /** Puts an alert in the outbox under `key` (once the database is back). */
  queueAlert: (text: string, key: string, addresses?: Address[]) => Promise<void>;
  alertText: {
    down: (since: Date, reason: string) => string;
    recovered: (since: Date, at: Date) => string;
  };
  outageAfterMs?: number;
  probeMs?: number;
}

/**
 * Watches whether the database takes work. Every failure that says the database is unavailable
 * (`isDatabaseUnavailable`, reported by `watchDb`) marks it failing — `/healthz` answers 503 — and
 * starts a probe that writes once a second until a write succeeds again.
 *
 * A failure that lasts `OUTAGE_AFTER_MS` is an outage (a restart of a few seconds is not):
 * - admins are alerted once, directly through the channels (the outbox needs the database); those
 *   the direct send cannot reach (the admins' addresses cannot be read, a send failed) get the
 *   alert through the outbox once the database is back, before the recovery alert;
 * - each private chat that writes gets one short busy reply (`busy`), sent directly; its message
 *   waits for the database (the channel keeps it) and is answered after the recovery as usual;
 * - when the probe succeeds, admins get one recovery alert through the outbox.
 */
export function createDatabaseHealth(deps: DatabaseHealthDeps) {
  const outageAfterMs = deps.outageAfterMs ?? OUTAGE_AFTER_MS;
  const probeMs = deps.probeMs ?? PROBE_MS;
  let failingSince: { mono: number; at: Date } | undefined;
  let lastError = '';
  let outage: { since: Date; unalerted: Address[] | 'all' } | undefined;
  const told = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let probing = false;
  let stopped = false;

  function failed(error: unknown): void {
    if (stopped) {
      return;
    }
    lastError = describe(error);
    if (failingSince === undefined) {
      failingSince = { mono: performance.now(), at: deps.clock.now() };
      deps.log.warn({ err: error }, 'database failing');
      timer = setInterval(() => void probe(), probeMs);
      timer.unref();
    }
    checkOutage();
  }

  function checkOutage(): void {
    if (outage || !failingSince || performance.now() - failingSince.mono < outageAfterMs) {
      return;
    }
    const since = failingSince.at;
    const current = { since, unalerted: 'all' as Address[] | 'all' };
    outage = current;
    deps.log.error({ since: since.toISOString(), error: lastError }, 'database outage');
    void alertDirectly(deps.alertText.down(since, lastError)).then((unreached) => {
      current.unalerted = unreached;
    });
  }

  /** Sends to every admin directly; resolves with those not reached ('all' when none could be read). */
  async function alertDirectly(text: string): Promise<Address[] | 'all'> {
    let addresses: Address[];
    try {
      addresses = await deps.adminAddresses();
    } catch {
      return 'all';
    }
    const unreached: Address[] = [];
    for (const address of addresses) {
      const sender = deps.sender(address.channel);
      const result = sender
        ? await sender.send(address.chatId, { text }).catch(() => ({ ok: false }))
        : { ok: false };
      if (!result.ok) {
        unreached.push(address);
      }
    }
    return unreached;
  }

  async function probe(): Promise<void> {
    if (probing || stopped) {
      return;
    }
    probing = true;
    try {
      await deps.probe();
      recovered();
    } catch (error) {
      if (!isDatabaseUnavailable(error)) {
        // The database answered, with an error of the probe's own: it is reachable. Not failing
        // for ever on a probe that cannot work (waiting work would wait for ever with it).
        deps.log.error({ err: error }, 'database probe failed');
        recovered();
        return;
      }
      lastError = describe(error);
      checkOutage();
    } finally {
      probing = false;
    }
  }

  function recovered(): void {
    if (!failingSince) {
      return;
    }
    clearInterval(timer);
    timer = undefined;
    const was = outage;
    failingSince = undefined;
    outage = undefined;
    told.clear();
    if (!was) {
      deps.log.info('database back');
      return;
    }
    const at = deps.clock.now();
    deps.log.info({ since: was.since.toISOString() }, 'database outage over');
    const key = `db:${was.since.toISOString()}`;
    void (async () => {
      if (was.unalerted === 'all' || was.unalerted.length > 0) {
        const addresses = was.unalerted === 'all' ? undefined : was.unalerted;
        await deps.queueAlert(deps.alertText.down(was.since, lastError), `${key}:down`, addresses);
      }
      await deps.queueAlert(deps.alertText.recovered(was.since, at), `${key}:up`);
    })().catch((error: unknown) => deps.log.error({ err: error }, 'outage alert could not be queued'));
  }

  return {
    failed,
    /** Whether the database is failing now (not yet seen to take a write since). */
    get failing(): boolean {
      return failingSince !== undefined;
    },
    status(): HealthStatus {
      return failingSince
        ? { ok: false, reason: 'database', since: failingSince.at.toISOString(), error: lastError }
        : { ok: true };
    },
    /**
     * A message could not be recorded: during an outage, its private chat gets the busy reply —
     * once per outage. Never instead of the answer: the message is answered after the recovery.
     */
    busy(inbound: Pick<Inbound, 'channel' | 'chatId' | 'chatType'>): void {
      checkOutage();
      const key = `${inbound.channel}:${inbound.chatId}`;
      if (!outage || inbound.chatType !== 'private' || told.has(key)) {
        return;
      }
      told.add(key);
      const sender = deps.sender(inbound.channel);
      void sender
        ?.send(inbound.chatId, { text: deps.busyText })
        .catch((error: unknown) => deps.log.warn({ err: error }, 'busy reply failed'));
    },
    /** Whether an error means the work must wait for the database (rather than be dropped). */
    mustWait(error: unknown): boolean {
      return isDatabaseUnavailable(error) || failingSince !== undefined;
    },
    stop(): void {
      stopped = true;
      clearInterval(timer);
    },
  };
}

export type DatabaseHealth = ReturnType<typeof createDatabaseHealth>;

function describe(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? `${e.code}: ` : '';
  return `${code}${typeof e?.message === 'string' ? e.message : String(error)}`.slice(0, 200);
}

/**
 * `db` reporting to `failed` every error that says the database is unavailable, whoever ran the
 * statement (an answer, the outbox, the scheduler, the event processor), and every error to
 * `counted` (metrics), with whether it was one of those.
 */
export function watchDb(
  db: SqlDb,
  failed: (error: unknown) => void,
  counted?: (unavailable: boolean) => void,
): SqlDb {
  const watch = <T>(work: () => Promise<T>): Promise<T> =>
    work().catch((error: unknown) => {
      const unavailable = isDatabaseUnavailable(error);
      if (unavailable || isDriverError(error)) {
        counted?.(unavailable);
      }
      if (unavailable) {
        failed(error);
      }
      throw error;
    });
  return {
    dialect: db.dialect,
    schema: db.schema,
    kysely: kyselyOn(db.dialect, (query) => watch(() => db.kysely.executeQuery(query))),
    exec: (sql) => watch(() => db.exec(sql)),
    transaction: (work) => watch(() => db.transaction(work)),
    lock: (key) => db.lock(key),
    tryLock: (key) => db.tryLock(key),
    close: () => db.close(),
  };
}

/** An error of the database itself (SQLite's SQLITE_* codes, PostgreSQL's SQLSTATE), not of the work in a transaction. */
function isDriverError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_') || /^[0-9A-Z]{5}$/.test(code));
}
