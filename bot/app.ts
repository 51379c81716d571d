import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { webhookCallback } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { buildDigest, digestMessage } from '../core/digests/digest.ts';
import { type DigestBuilder, runDigests } from '../core/digests/digest-schedule.ts';
import { telegramCommandLists } from '../core/features/derive.ts';
import type { Feature } from '../core/features/feature.ts';
import { FEATURES } from '../core/features/registry.ts';
import { STATEMENT_MAX_BYTES } from '../core/funds/statement-chat.ts';
import { createInboundHandler, type InboundOutcome } from '../core/inbound/handle-inbound.ts';
import { t } from '../core/messaging/catalog.ts';
import type { Address, Channel, Inbound } from '../core/messaging/message.ts';
import type { ChannelSender } from '../core/messaging/messenger.ts';
import { type Clock, systemClock } from '../core/shared/clock.ts';
import { formatDateTime } from '../core/shared/format.ts';
import { findAdminAddresses } from '../prisma/admin-contacts.ts';
import { createPrismaClient, type PrismaClient } from '../prisma/client.ts';
import { probeWrite } from '../prisma/database-probe.ts';
import { createInboundEventStore } from '../prisma/inbound-event-store.ts';
import { createMediaStore } from '../prisma/media-store.ts';
import { applyMigrations } from '../prisma/migrate.ts';
import {
  DEMO_REMOVE_COMMAND,
  findDemoData,
  hasCampaignData,
  SEEDED_LOG,
  seedIfEmpty,
  wantsDemo,
} from '../prisma/seed.ts';
import { openSqlDb, type SqlDb } from '../prisma/sql-db.ts';
import { createStatementUploadQueue } from '../prisma/statement-uploads.ts';
import { createStore } from '../prisma/store.ts';
import { createZaloTokenStore } from '../prisma/zalo-token-store.ts';
import { createZnsStore } from '../prisma/zns-store.ts';
import { registerBoard } from './board/board-routes.ts';
import { createBoardService } from './board/board-service.ts';
import { type Config, databaseStartError, type ZaloConfig } from './config.ts';
import { createDatabaseHealth, type DatabaseHealth, watchDb } from './database-health.ts';
import { createExportBuilder } from './exports/document-builder.ts';
import { createFaultReplier } from './fault-reply.ts';
import { createHealth, registerHealth } from './health.ts';
import { idNumberHasherFor } from './id-hash-key.ts';
import { createInboundEventProcessor, type InboundEventProcessor } from './inbound-event-processor.ts';
import { withRetry } from './inbound-retry.ts';
import { type Logger, limitRepeats, scrubber } from './logger.ts';
import {
  createMediaArchiver,
  downloadFile,
  downloadImage,
  type PhotoFetcher,
  PhotoRefused,
} from './media-archiver.ts';
import { createMetrics, type Metrics, registerMetrics } from './metrics.ts';
import { createOutboxDispatcher, type OutboxDispatcher } from './outbox-dispatcher.ts';
import { playgroundDatabase } from './playground/personas.ts';
import { registerPlayground } from './playground/playground-routes.ts';
import { createPlaygroundSender } from './playground/playground-sender.ts';
import { createScheduler, type Scheduler } from './scheduler.ts';
import { createStatementWorker, type FileFetcher } from './statements/statement-worker.ts';
import {
  type ChatCommandLists,
  createChatCommandLists,
  setTelegramCommands,
} from './telegram/command-lists.ts';
import { createTelegramBot } from './telegram/create-telegram-bot.ts';
import { createPinnedTotals, type PinnedTotalsLoop } from './telegram/pinned-totals.ts';
import { startTelegramPolling } from './telegram/telegram-polling.ts';
import { createTelegramSender } from './telegram/telegram-sender.ts';
import { createZaloClient, type ZaloClient } from './zalo/zalo-client.ts';
import { parseZaloEvent } from './zalo/zalo-inbound.ts';
import { createZaloSender } from './zalo/zalo-sender.ts';
import { createZaloTokens, type ZaloTokens } from './zalo/zalo-tokens.ts';
import { registerZaloWebhook } from './zalo/zalo-webhook.ts';
import { withZnsFallback } from './zalo/zns-sender.ts';

const HISTORY_DAYS = 30;

/** A digest as a message (text and chart) for a group, in Vietnamese. */
const digestFor: DigestBuilder = async (tx, opts) => {
  const digest = await buildDigest(tx, opts);
  return digest ? digestMessage(digest, 'vi') : undefined;
};

export interface AppOptions {
  clock?: Clock;
  telegramBotInfo?: UserFromGetMe;
  /** Tests turn the periodic outbox poll down or off. */
  outboxPollMs?: number;
  /** False: the cron schedule is not started (tests drive `scheduler.runOnce`). */
  scheduler?: boolean;
  /** False: the groups' pinned totals loop is not started (tests drive `pinnedTotals.runOnce`). */
  pinnedTotals?: boolean;
  /**
   * What an empty database is seeded with (prisma/seed.ts `SeedProfile`): 'auto' (default) the
   * playground's living demo without a messenger token (`wantsDemo`), the reference data with one
   * (a real deployment: the closed Bắc Kạn history, no open campaign, nobody);
   * 'demo' the suite's fixture in any case (tests that start a token bot on the demo).
   */
  seed?: 'auto' | 'demo';
  /** The chat's features (commands, menu, flows); the app's registry by default. */
  features?: readonly Feature[];
  /** The pause between two calls setting cadres' Telegram command lists (default 100 ms). */
  telegramCommandSpacingMs?: number;
}

export interface App {
  http: FastifyInstance;
  db: SqlDb;
  prisma: PrismaClient;
  dispatcher: OutboxDispatcher;
  /** Reminders and digests: `runOnce` plans now (tests, CLI); started with the app unless disabled. */
  scheduler: Scheduler;
  /** The leadership groups' pinned totals (Telegram); undefined without Telegram or when turned off. */
  pinnedTotals: PinnedTotalsLoop | undefined;
  processor: InboundEventProcessor;
  zalo: { tokens: ZaloTokens; client: ZaloClient } | undefined;
  /** This app's Prometheus registry and instruments (served at /metrics). */
  metrics: Metrics;
  handleInbound: (inbound: Inbound) => Promise<InboundOutcome>;
  /** The cadres' own Telegram command lists (with a Telegram bot). */
  commandLists: ChatCommandLists | undefined;
  /** Opens the HTTP port and starts the channels; resolves with the address. */
  start(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The composition root (STYLE.md habit 2): database → store → core → channels → HTTP. Both
 * `bot/main.ts` and the end-to-end tests build the bot through here.
 */
export async function createApp(config: Config, log: Logger, options: AppOptions = {}): Promise<App> {
  const clock = options.clock ?? systemClock;
  // The database watched (bot/database-health.ts): /healthz, admin alerts, busy replies, waiting work.
  const health: DatabaseHealth = createDatabaseHealth({
    probe: () => probeWrite(db, config.instanceId, clock.now()),
    clock,
    log: log.child({ part: 'database' }),
    sender: (channel) => senders[channel],
    busyText: t('vi', 'system.busy'),
    adminAddresses: () => findAdminAddresses(db),
    queueAlert: (text, key, addresses) =>
      (addresses ? Promise.resolve(addresses) : findAdminAddresses(db)).then((to) =>
        queueAlert(text, key, to),
      ),
    alertText: {
      down: (since, reason) =>
        t('vi', 'system.db_down_alert', { since: formatDateTime(since, config.timeZone), reason }),
      recovered: (since, at) =>
        t('vi', 'system.db_recovered_alert', {
          since: formatDateTime(since, config.timeZone),
          at: formatDateTime(at, config.timeZone),
        }),
    },
  });
  // Each app its own registry; the outbox's backlog is read at each scrape.
  const metrics = createMetrics({ backlog: (now) => store.outbox.backlog(now), clock });
  let db: SqlDb;
  let applied: string[];
  try {
    db = watchDb(openSqlDb(config.databaseUrl), health.failed, metrics.databaseError);
    applied = await applyMigrations(db);
  } catch (error) {
    // The operator's first start: say which variable points at the database that cannot be used.
    throw databaseStartError(config.databaseUrl, error);
  }
  if (applied.length > 0) {
    log.info({ migrations: applied }, 'database migrations applied');
  }
  // The Prisma client (and its WebAssembly query compiler) is made on first use: on an existing
  // database the bot does not need it (issue 14 §7, start-up time and idle memory).
  let prismaClient: PrismaClient | undefined;
  const prisma = (): PrismaClient => {
    prismaClient ??= createPrismaClient(config.databaseUrl);
    return prismaClient;
  };
  const realDeployment = !wantsDemo(config);
  // Tests' 'demo': the fixture; `npm start`: the living demo without a token, the reference data with one.
  const demo = options.seed === 'demo' ? 'fixture' : !realDeployment && 'living';
  if (!(await hasCampaignData(db)) && (await seedIfEmpty(db, clock.now(), { demo }))) {
    log.info(SEEDED_LOG[demo === false ? 'reference' : demo]);
  }
  if (realDeployment) {
    const found = await findDemoData(db);
    if (found.people.length > 0 || found.invites.length > 0 || found.households.length > 0) {
      log.warn(
        {
          demoPeople: found.people.length,
          demoInvites: found.invites.length,
          demoHouseholds: found.households.length,
        },
        `the database holds playground demo people or invite codes; the bot refuses the demo codes. Remove them with: ${DEMO_REMOVE_COMMAND}`,
      );
    }
  }

  if ((config.telegram || config.zalo) && !config.idHashKey) {
    // The bot itself never asks for an ID number; the import refuses them until the key is set.
    log.warn(
      'ID_HASH_KEY is not set: ID numbers (CCCD) cannot be imported until it is (docs/deployment.md, ID numbers)',
    );
  }
  const store = createStore(db, {
    instanceId: config.instanceId,
    refuseDemoInvites: realDeployment,
    hashId: idNumberHasherFor(config),
  });
  // Excel exports asked for in chat are built when they are sent, from the data as it is then.
  const buildDocument = createExportBuilder({ uow: store, clock });
  const senders: Partial<Record<Inbound['channel'], ChannelSender>> = {};
  const dispatcher = createOutboxDispatcher({
    queue: store.outbox,
    senders,
    clock,
    log: log.child({ part: 'outbox' }),
    pollMs: options.outboxPollMs,
    rateLimits: { telegram: config.telegramRate },
    mustWait: health.mustWait,
    observe: metrics.outboxOutcome,
  });
  const scheduler = createScheduler({
    store,
    clock,
    log: log.child({ part: 'scheduler' }),
    expression: config.remindersCron ?? '*/5 * * * *',
    timeZone: config.timeZone,
    afterEnqueue: () => dispatcher.kick(),
    afterPass: (pass) => metrics.remindersPlanned(pass.reminders),
    extraJobs: [(now) => store.run((tx) => runDigests(tx, now, digestFor)), (now) => pruneRawEvents(now)],
  });
  // Zalo's photo ids are URLs: fetched only from Zalo's CDN hosts (ZALO_MEDIA_HOSTS).
  const fetchers: Partial<Record<string, PhotoFetcher>> = {
    zalo: (url, file) => downloadImage(url, file, { ...config.media, allowedHosts: config.media.zaloHosts }),
  };
  const archiver = createMediaArchiver({
    store: createMediaStore(db),
    dir: config.mediaDir,
    fetchers,
    log: log.child({ part: 'media' }),
  });
  // Made with the Telegram bot below; kicked after each inbound commit (a pledge may have changed).
  let pinnedTotals: PinnedTotalsLoop | undefined;
  // Bank statements sent in the chat are fetched and read after the message (issue 17 §2).
  const statementLimits = { ...config.media, maxBytes: Math.min(config.media.maxBytes, STATEMENT_MAX_BYTES) };
  const fileFetchers: Partial<Record<Inbound['channel'], FileFetcher>> = {
    zalo: (url) => downloadFile(url, { ...statementLimits, allowedHosts: config.media.zaloHosts }),
  };
  const statements = createStatementWorker({
    queue: createStatementUploadQueue(db),
    uow: store,
    fetchers: fileFetchers,
    clock,
    log: log.child({ part: 'statements' }),
    afterEnqueue: () => dispatcher.kick(),
    observe: (outcome, rows) => metrics.imported('statement', outcome, rows),
  });
  const features = options.features ?? FEATURES;
  /** The Telegram bot's username: configured, or the bot's own once it asked Telegram (getMe). */
  const telegramUsername = (): string | undefined =>
    config.board.telegramUsername ?? (telegram?.isInited() ? telegram.botInfo.username : undefined);
  // The public live board (issue 17 §3): one watcher of the database for every viewer.
  const board = createBoardService({
    db,
    clock,
    log: log.child({ part: 'board' }),
    links: () => {
      const username = telegramUsername();
      return {
        telegram: username ? `https://t.me/${username}?start=ungho` : undefined,
        zalo: config.board.zaloOaId ? `https://zalo.me/${config.board.zaloOaId}` : undefined,
      };
    },
  });
  const coreHandler = createInboundHandler({
    features,
    uow: store,
    clock,
    flowTtlMs: config.flowTtlMs,
    timeZone: config.timeZone,
    digest: digestFor,
    telegramBot: () => telegramUsername(),
    afterCommit: (inbound, outcome) => {
      if (!outcome.duplicate && outcome.joined) {
        commandLists?.kick();
      }
      dispatcher.kick();
      archiver.kick();
      board.kick();
      pinnedTotals?.kick();
      statements.notice(inbound);
    },
  });
  const replyToFault = createFaultReplier({ uow: store, clock, afterEnqueue: () => dispatcher.kick() });
  const handleInbound = metrics.timeInbound(withRetry(coreHandler, log, health, replyToFault));

  // A request must arrive whole within requestMs (a trickling body is cut off with 408); Node
  // checks that every connectionsCheckingInterval, an idle socket closes after idleMs.
  const http = Fastify({
    logger: false,
    bodyLimit: 256 * 1024,
    requestTimeout: config.httpTimeouts.requestMs,
    connectionTimeout: config.httpTimeouts.idleMs,
    keepAliveTimeout: Math.min(config.httpTimeouts.idleMs, 5_000),
    http: {
      headersTimeout: config.httpTimeouts.requestMs,
      connectionsCheckingInterval: Math.max(50, Math.min(5_000, config.httpTimeouts.requestMs / 4)),
    },
  });
  // /healthz and /readyz: 503 with the reasons while a part fails (bot/health.ts); /metrics.
  registerHealth(
    http,
    createHealth({
      database: health,
      probeWrite: () => probeWrite(db, config.instanceId, clock.now()),
      telegram: config.telegram
        ? () =>
            config.telegram?.mode === 'webhook'
              ? { mode: 'webhook', set: webhookSet }
              : { mode: 'polling', status: polling?.status() }
        : undefined,
      outbox: { liveness: dispatcher.liveness, backlog: (now) => store.outbox.backlog(now) },
      zalo: config.zalo
        ? () => (zalo ? zalo.tokens.status() : Promise.reject(new Error('Zalo is starting')))
        : undefined,
      thresholds: config.health,
      clock,
      scrub: scrubber(config.secrets),
    }),
  );
  registerMetrics(http, metrics);
  const boardRoutes = registerBoard(http, board);

  if (config.playground) {
    const sender = createPlaygroundSender({ buildDocument });
    senders.playground = sender;
    await registerPlayground(http, {
      sender,
      handleInbound: async (inbound) => {
        await handleInbound(inbound);
      },
      ...playgroundDatabase(db, {
        now: () => clock.now(),
        demo: realDeployment || demo === false ? undefined : demo,
        onReset: () => log.info('playground: the demo database started over'),
      }),
      access: { listenHost: config.host, ...config.playgroundAccess },
    });
  }

  const telegram = config.telegram
    ? createTelegramBot({
        token: config.telegram.token,
        apiRoot: config.telegram.apiRoot,
        botInfo: options.telegramBotInfo,
        handleInbound,
        log: log.child({ channel: 'telegram' }),
      })
    : undefined;
  const commandLists = telegram
    ? createChatCommandLists({
        api: telegram.api,
        features,
        uow: store,
        log: log.child({ channel: 'telegram' }),
        spacingMs: options.telegramCommandSpacingMs,
      })
    : undefined;
  const events = createInboundEventStore(db);
  /** Raw Zalo webhook bodies are kept ZALO_RAW_RETENTION_DAYS after processing (a scheduler job). */
  async function pruneRawEvents(now: Date): Promise<number> {
    const before = new Date(now.getTime() - config.zaloRawRetentionDays * 86_400_000);
    const pruned = await events
      .pruneProcessed(before)
      .catch((error: unknown) => log.error({ err: error }, 'pruning raw webhook bodies failed'));
    if (pruned) {
      log.info({ pruned }, 'processed raw webhook bodies deleted');
    }
    return 0;
  }
  const processor = createInboundEventProcessor({
    events,
    toInbound: (event) =>
      event.channel === 'zalo' ? parseZaloEvent(event.payload, event.receivedAt) : undefined,
    handleInbound,
    mustWait: health.mustWait,
    clock,
    log: log.child({ part: 'events' }),
  });
  const zalo = config.zalo ? await createZalo(config.zalo) : undefined;

  async function createZalo(settings: ZaloConfig) {
    // axios only with Zalo: a bot without it does not load it (issue 14 §7, start-up).
    const { default: axios } = await import('axios');
    const tokenStore = createZaloTokenStore(db, settings.tokenKey);
    await tokenStore.init(settings.refreshToken, clock.now());
    const zaloLog = log.child({ channel: 'zalo' });
    const tokens = createZaloTokens({
      store: tokenStore,
      oauth: axios.create({ baseURL: settings.oauthBase, timeout: 10_000 }),
      appId: settings.appId,
      appSecret: settings.appSecret,
      clock,
      log: zaloLog,
      onDead: (error) => {
        alertAdmins(
          `⚠️ Kênh Zalo đã ngừng gửi tin: Zalo từ chối refresh token (${error}). Quản trị viên cần lấy refresh token mới và chạy: npm run cli -- zalo set-token <token>`,
        );
      },
    });
    const client = createZaloClient({
      http: axios.create({ baseURL: settings.apiBase, timeout: 10_000 }),
      tokens,
      log: zaloLog,
      requestsPerMinute: settings.requestsPerMinute,
      clock,
    });
    const zaloSender = createZaloSender(client, { log: log.child({ part: 'zalo' }), buildDocument });
    // Reminders, escalations and acknowledgements past Zalo's 7-day window: ZNS templates (issue 18 §4).
    senders.zalo = settings.zns
      ? withZnsFallback(zaloSender, {
          client,
          config: settings.zns,
          store: createZnsStore(db),
          clock,
          timeZone: config.timeZone,
          log: zaloLog,
          alert: (key, text) => tellAdmins(text, key),
        })
      : zaloSender;
    await registerZaloWebhook(http, {
      appId: settings.appId,
      oaSecretKey: settings.oaSecretKey,
      maxAgeMs: settings.webhookMaxAgeMs,
      events,
      clock,
      log: zaloLog,
      onAccepted: () => processor.kick(),
    });
    return { tokens, client };
  }

  /** Tells the admins on the channels still working; once per message text and day. */
  function alertAdmins(text: string): void {
    const now = clock.now();
    const day = now.toISOString().slice(0, 10);
    const key = createHash('sha256').update(text).digest('hex').slice(0, 16);
    tellAdmins(text, `${key}:${day}`, 'zalo');
  }

  /** Tells the admins (but on `exclude`, a channel that is down), once per `key`. */
  function tellAdmins(text: string, key: string, exclude?: Channel): void {
    log.error({ alert: text }, 'admin alert');
    // The addresses are read before the transaction: on SQLite a statement outside the
    // transaction would wait for it to end.
    findAdminAddresses(db, exclude)
      .then((addresses) => queueAlert(text, key, addresses))
      .catch((error: unknown) => log.error({ err: error }, 'admin alert could not be queued'));
  }

  /** Puts an alert to `addresses` in the outbox, once per `key` and address. */
  async function queueAlert(text: string, key: string, addresses: Address[]): Promise<void> {
    await store.run((tx) =>
      tx.outbox.enqueue(
        addresses.map((address) => ({
          ...address,
          message: { text },
          idempotencyKey: `alert:${key}:${address.channel}:${address.chatId}`,
        })),
        clock.now(),
      ),
    );
    dispatcher.kick();
  }

  if (telegram && config.telegram) {
    senders.telegram = createTelegramSender(telegram.api, {
      buildDocument,
      log: log.child({ part: 'telegram' }),
    });
    if (config.pinnedTotalsEditMs > 0) {
      pinnedTotals = createPinnedTotals({
        store,
        api: telegram.api,
        clock,
        log: log.child({ part: 'pinned-totals' }),
        editIntervalMs: config.pinnedTotalsEditMs,
      });
    }
    const { apiRoot, token } = config.telegram;
    // Only Telegram's own file endpoint (TELEGRAM_API_ROOT), with the path getFile gave.
    const allowedHosts = [new URL(apiRoot).host.toLowerCase()];
    /** The URL of a file Telegram holds, from the path getFile gives; refused above `maxBytes`. */
    const telegramFileUrl = async (fileId: string, maxBytes: number): Promise<string> => {
      const info = await telegram.api.getFile(fileId);
      const filePath = info.file_path;
      if (!filePath || filePath.startsWith('/') || /(^|\/)\.\.(\/|$)|[?#\\]/.test(filePath)) {
        throw new PhotoRefused('Telegram gave no usable file path');
      }
      if ((info.file_size ?? 0) > maxBytes) {
        throw new PhotoRefused(`larger than ${maxBytes} bytes`);
      }
      return `${apiRoot}/file/bot${token}/${filePath}`;
    };
    fetchers.telegram = async (fileId, file) =>
      downloadImage(await telegramFileUrl(fileId, config.media.maxBytes), file, {
        ...config.media,
        allowedHosts,
      });
    fileFetchers.telegram = async (fileId) =>
      downloadFile(await telegramFileUrl(fileId, statementLimits.maxBytes), {
        ...statementLimits,
        allowedHosts,
      });
    if (config.telegram.mode === 'webhook') {
      const { secret } = config.telegram;
      // grammY answers 401 to a wrong secret token; the warning is limited to one line a minute.
      const forged = limitRepeats(
        log.child({ channel: 'telegram' }),
        'telegram webhook refused: wrong secret token',
      );
      http.post(
        '/telegram/webhook',
        {
          onRequest: async (request) => {
            if (request.headers['x-telegram-bot-api-secret-token'] !== secret) {
              forged();
            }
          },
        },
        webhookCallback(telegram, 'fastify', { secretToken: secret }),
      );
    }
  }

  // Telegram keeps undelivered updates for 24 h; ids are kept 30 days, then forgotten.
  const pruneTimer = setInterval(() => {
    store
      .prune(new Date(clock.now().getTime() - HISTORY_DAYS * 86_400_000))
      .catch((error: unknown) => log.error({ err: error }, 'pruning history failed'));
  }, 3_600_000);
  pruneTimer.unref();

  let stopping: Promise<void> | undefined;
  let polling: ReturnType<typeof startTelegramPolling> | undefined;
  let webhookSet = false;
  return {
    http,
    db,
    get prisma() {
      return prisma();
    },
    dispatcher,
    scheduler,
    pinnedTotals,
    processor,
    zalo,
    metrics,
    handleInbound,
    commandLists,
    async start() {
      const address = await http.listen({ port: config.port, host: config.host });
      dispatcher.start();
      if (config.remindersCron && options.scheduler !== false) {
        scheduler.start();
      }
      processor.start();
      archiver.start();
      statements.start();
      if (telegram && config.telegram) {
        await telegram.init();
        await setTelegramCommands(telegram.api, telegramCommandLists(features), log);
        commandLists?.start();
        if (config.telegram.mode === 'webhook') {
          await telegram.api.setWebhook(config.telegram.webhookUrl, {
            secret_token: config.telegram.secret,
            allowed_updates: ['message', 'callback_query'],
          });
          webhookSet = true;
          log.info({ url: config.telegram.webhookUrl }, 'telegram webhook set');
        } else {
          polling = startTelegramPolling({
            bot: telegram,
            log: log.child({ channel: 'telegram' }),
            allowedUpdates: ['message', 'callback_query'],
            mustWait: health.mustWait,
            onWaiting: (chat) => health.busy({ channel: 'telegram', ...chat }),
          });
          log.info({ bot: telegram.botInfo.username }, 'telegram long polling started');
        }
        if (options.pinnedTotals !== false) {
          pinnedTotals?.start();
        }
      }
      return address;
    },
    stop() {
      stopping ??= (async () => {
        clearInterval(pruneTimer);
        await polling?.stop();
        await commandLists?.stop();
        // Open event streams would keep the server from closing.
        boardRoutes.close();
        board.stop();
        await http.close();
        await processor.stop();
        await archiver.stop();
        await statements.stop();
        await scheduler.stop();
        await pinnedTotals?.stop();
        await dispatcher.stop();
        health.stop();
        await prismaClient?.$disconnect();
        await db.close();
      })();
      return stopping;
    },
  };
}
