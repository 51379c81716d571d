import { createHash } from 'node:crypto';
import {
  type BoardData,
  type BoardLinks,
  type BoardTx,
  boardCampaign,
  boardData,
  boardScope,
  boardView,
} from '../../core/board/board-view.ts';
import type { Campaign } from '../../core/campaigns/campaign.ts';
import type { FundScope } from '../../core/funds/fund-reports.ts';
import type { Locale } from '../../core/messaging/catalog.ts';
import type { Clock } from '../../core/shared/clock.ts';
import type { UnitView } from '../../core/units/unit.repository.ts';
import { createBoardRepository } from '../../prisma/repositories/board.ts';
import { createCampaignRepository } from '../../prisma/repositories/campaigns.ts';
import { createModelExampleRepository } from '../../prisma/repositories/examples.ts';
import { createUnitRepository } from '../../prisma/repositories/units.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import type { Logger } from '../logger.ts';

/** One board as served: the data, its JSON and the JSON's ETag. */
export interface BoardSnapshot {
  data: BoardData;
  json: string;
  etag: string;
}

/** Why there is no board: no campaign with that code, or no campaign at all. */
export type BoardMissing = { missing: 'not_found' | 'no_campaign' };

export type BoardListener = (snapshot: BoardSnapshot) => void;

export interface BoardService {
  /** The board of the campaign with `code` (the running one without), at most `maxAgeMs` old. */
  snapshot(key: BoardKey): Promise<BoardSnapshot | BoardMissing>;
  /** Calls `listener` with each new state of the board until the returned function is called. */
  subscribe(key: BoardKey, listener: BoardListener): () => void;
  /** Something was committed: look for a change now rather than at the next poll. */
  kick(): void;
  /** How many viewers are subscribed (all boards). */
  viewers(): number;
  stop(): void;
}

export interface BoardKey {
  code: string | undefined;
  locale: Locale;
}

export interface BoardServiceDeps {
  db: SqlDb;
  clock: Clock;
  log: Logger;
  /** The start links, read at each build (the bot's username is known only after getMe). */
  links: () => BoardLinks;
  /** How often the boards being watched are checked for a change (one cheap query each). */
  pollMs?: number;
  /** A snapshot younger than this is served without asking the database (data.json). */
  maxAgeMs?: number;
  /** A watched board is rebuilt at least this often (a change the stamp cannot see: a name made public). */
  refreshMs?: number;
}

interface BoardState {
  key: BoardKey;
  snapshot?: BoardSnapshot;
  campaignId?: number;
  stamp?: string;
  builtAt: number;
  checkedAt: number;
  scope?: { campaignId: number; at: number; scope: FundScope };
  campaign?: { at: number; campaign: Campaign | undefined };
  listeners: Set<BoardListener>;
  /** A build or check under way: callers share it. */
  pending?: Promise<BoardSnapshot | BoardMissing>;
}

/** The rows' units are read again after this long (units change rarely; a national tree is large). */
const SCOPE_TTL_MS = 5 * 60_000;
/** Which campaign runs is asked again after this long. */
const CAMPAIGN_TTL_MS = 10_000;
/** A commit is looked at this long after it (the commits of a busy moment together). */
const KICK_DELAY_MS = 200;

/**
 * The live board's one source per process (issue 17 §3): a board is built from the database only
 * when its change stamp moved (or its snapshot is older than `refreshMs`), and one poller checks
 * the stamps of the boards someone watches — so two hundred viewers cost the database what one
 * does. Reads run outside any transaction (they take no write lock on SQLite).
 */
export function createBoardService(deps: BoardServiceDeps): BoardService {
  const pollMs = deps.pollMs ?? 1_000;
  const maxAgeMs = deps.maxAgeMs ?? 1_000;
  const refreshMs = deps.refreshMs ?? 15_000;
  const units = createUnitRepository(deps.db);
  // Units change rarely and the board names the same few at every build: kept for a while.
  const unitCache = new Map<number, { at: number; unit: Promise<UnitView | undefined> }>();
  const tx: BoardTx = {
    campaigns: createCampaignRepository(deps.db),
    units: {
      ...units,
      findById(id) {
        const hit = unitCache.get(id);
        if (hit && Date.now() - hit.at < SCOPE_TTL_MS) {
          return hit.unit;
        }
        if (unitCache.size > 10_000) {
          unitCache.clear();
        }
        const unit = units.findById(id);
        unitCache.set(id, { at: Date.now(), unit });
        return unit;
      },
    },
    board: createBoardRepository(deps.db),
    examples: createModelExampleRepository(deps.db),
  };
  const states = new Map<string, BoardState>();
  const idOf = (key: BoardKey) => `${key.locale}:${key.code ?? ''}`;
  const stateOf = (key: BoardKey): BoardState => {
    const id = idOf(key);
    let state = states.get(id);
    if (!state) {
      state = { key, builtAt: 0, checkedAt: 0, listeners: new Set() };
      states.set(id, state);
    }
    return state;
  };

  async function build(state: BoardState, stamp: string | undefined): Promise<BoardSnapshot | BoardMissing> {
    const now = deps.clock.now();
    const at = Date.now();
    if (!state.campaign || at - state.campaign.at > CAMPAIGN_TTL_MS) {
      state.campaign = { at, campaign: await boardCampaign(tx, state.key.code, now) };
    }
    const { campaign } = state.campaign;
    if (!campaign) {
      state.snapshot = undefined;
      return { missing: state.key.code === undefined ? 'no_campaign' : 'not_found' };
    }
    if (!state.scope || state.scope.campaignId !== campaign.id || at - state.scope.at > SCOPE_TTL_MS) {
      const scope =
        campaign.areaUnitId === null ? { levelIds: null } : await boardScope(tx, campaign.areaUnitId);
      state.scope = { campaignId: campaign.id, at, scope };
    }
    const currentStamp = stamp ?? (await tx.board.stamp(campaign.id));
    const view = await boardView(tx, campaign, now, state.scope.scope);
    const data = boardData(view, deps.links(), state.key.locale);
    // The time of the build aside, the same figures give the same ETag (a client's copy stays good).
    const json = JSON.stringify(data);
    const { asOf: _asOf, asOfText: _asOfText, ...figures } = data;
    const etag = `"${createHash('sha256').update(JSON.stringify(figures)).digest('base64url').slice(0, 22)}"`;
    const changed = state.snapshot?.etag !== etag;
    state.campaignId = campaign.id;
    state.stamp = currentStamp;
    state.builtAt = Date.now();
    state.checkedAt = state.builtAt;
    if (changed || !state.snapshot) {
      state.snapshot = { data, json, etag };
      for (const listener of state.listeners) {
        listener(state.snapshot);
      }
    }
    return state.snapshot;
  }

  /** The state's snapshot, rebuilt when the stamp moved, it is too old, or there is none. */
  function refresh(state: BoardState, force: boolean): Promise<BoardSnapshot | BoardMissing> {
    state.pending ??= (async () => {
      try {
        const age = Date.now() - state.builtAt;
        if (!state.snapshot || state.campaignId === undefined || force || age >= refreshMs) {
          return await build(state, undefined);
        }
        const stamp = await tx.board.stamp(state.campaignId);
        state.checkedAt = Date.now();
        return stamp === state.stamp ? state.snapshot : await build(state, stamp);
      } finally {
        state.pending = undefined;
      }
    })();
    return state.pending;
  }

  let kicked: NodeJS.Timeout | undefined;
  let polling = false;
  async function poll(): Promise<void> {
    if (polling) {
      return;
    }
    polling = true;
    try {
      for (const state of states.values()) {
        if (state.listeners.size > 0) {
          await refresh(state, false);
        }
      }
    } catch (error) {
      deps.log.warn({ err: error }, 'live board check failed');
    } finally {
      polling = false;
    }
  }
  const timer = setInterval(() => void poll(), pollMs);
  timer.unref();

  return {
    async snapshot(key) {
      const state = stateOf(key);
      if (state.snapshot && Date.now() - state.checkedAt < maxAgeMs) {
        return state.snapshot;
      }
      const snapshot = await refresh(state, false);
      // An unknown campaign's code keeps nothing (anyone may ask for any code).
      if ('missing' in snapshot && state.listeners.size === 0) {
        states.delete(idOf(key));
      }
      return snapshot;
    },
    subscribe(key, listener) {
      const state = stateOf(key);
      state.listeners.add(listener);
      return () => {
        state.listeners.delete(listener);
      };
    },
    kick() {
      // Many commits in a burst: one check shortly after the first.
      kicked ??= setTimeout(() => {
        kicked = undefined;
        void poll();
      }, KICK_DELAY_MS);
    },
    viewers() {
      let n = 0;
      for (const state of states.values()) {
        n += state.listeners.size;
      }
      return n;
    },
    stop() {
      clearInterval(timer);
      if (kicked) {
        clearTimeout(kicked);
      }
    },
  };
}
