import type { Campaign } from '../campaigns/campaign.ts';
import { pickCampaign } from '../campaigns/coverage.ts';
import type { ModelExampleRepository } from '../examples/model-example.repository.ts';
import type { FundScope } from '../funds/fund-reports.ts';
import { fundScope } from '../funds/fund-reports.ts';
import { pledgeWhat } from '../funds/fund-views.ts';
import { type Locale, t } from '../messaging/catalog.ts';
import { zonedParts } from '../shared/calendar.ts';
import { formatDateTime, formatInteger, formatMoney, formatTime } from '../shared/format.ts';
import type { Tx } from '../unit-of-work.ts';
import { FUND_LEVEL_KINDS } from '../units/unit.repository.ts';
import type { BoardPledge, BoardRepository } from './board.repository.ts';

/** What the board reads: the campaigns and units, its own sums, the model examples. */
export type BoardTx = Pick<Tx, 'campaigns' | 'units'> & {
  board: BoardRepository;
  examples: Pick<ModelExampleRepository, 'listRecent'>;
};

/** Where a viewer starts pledging: the bot's `?start=ungho` deep link, the Official Account's page. */
export interface BoardLinks {
  telegram?: string | undefined;
  zalo?: string | undefined;
}

/** How many of the newest pledges and model examples the board lists, and units at most. */
export const BOARD_LATEST = 12;
export const BOARD_EXAMPLES = 4;
export const BOARD_UNITS = 40;

export interface BoardUnit {
  unitId: number;
  name: string;
  pledged: bigint;
  pledges: number;
  received: bigint;
  inKind: bigint;
}

/** The live board of a campaign (issue 17 §3): public figures only, donors named with consent. */
export interface BoardView {
  campaign: Pick<Campaign, 'code' | 'name' | 'timeZone'>;
  asOf: Date;
  pledged: bigint;
  pledges: number;
  received: bigint;
  inKind: bigint;
  /** The campaign's area first, then the units right below it, by code. */
  units: BoardUnit[];
  latest: (BoardPledge & { unitName: string })[];
  examples: { who: string; what: string; unit: string }[];
}

/**
 * The campaign a board shows: the one with `code`, else the one running (`pickCampaign`: an open
 * one before one not started before a closed one); undefined when there is none.
 */
export async function boardCampaign(
  tx: Pick<Tx, 'campaigns'>,
  code: string | undefined,
  now: Date,
): Promise<Campaign | undefined> {
  if (code !== undefined) {
    return tx.campaigns.findByCode(code);
  }
  return pickCampaign(await tx.campaigns.list(), now);
}

/**
 * The board's figures for one campaign: pledged and received in all and per unit (each fund level
 * counted in the row of the unit right below the campaign's area that holds it, as `/quy` does),
 * the newest pledges and model examples. `scope` may be given from an earlier call (the rows change
 * only when units do).
 */
export async function boardView(
  tx: BoardTx,
  campaign: Campaign,
  now: Date,
  scope?: FundScope,
): Promise<BoardView> {
  const area = campaign.areaUnitId;
  const rows = scope ?? (area === null ? { levelIds: null } : await boardScope(tx, area));
  const [sums, latest, examples] = await Promise.all([
    tx.board.levelSums(campaign.id),
    tx.board.latestPledges(campaign.id, BOARD_LATEST),
    tx.examples.listRecent(campaign.id, BOARD_EXAMPLES),
  ]);
  const units = new Map<number, BoardUnit>();
  const row = (unitId: number): BoardUnit => {
    const found = units.get(unitId) ?? {
      unitId,
      name: '',
      pledged: 0n,
      pledges: 0,
      received: 0n,
      inKind: 0n,
    };
    units.set(unitId, found);
    return found;
  };
  // The area and the fund levels right below it are listed even before their first pledge.
  if (area !== null) {
    row(area);
    const levelKinds = new Set<string>(FUND_LEVEL_KINDS);
    for (const child of await tx.units.listChildren([area])) {
      if (levelKinds.has(child.kind)) {
        row(child.id);
      }
    }
  }
  const total = { pledged: 0n, pledges: 0, received: 0n, inKind: 0n };
  for (const s of sums) {
    total.pledged += s.pledged;
    total.pledges += s.pledges;
    total.received += s.received;
    total.inKind += s.inKind;
    const rowId = rows.rowOf ? rows.rowOf(s.unitId) : s.unitId;
    if (rowId === undefined) {
      continue;
    }
    const r = row(rowId);
    r.pledged += s.pledged;
    r.pledges += s.pledges;
    r.received += s.received;
    r.inKind += s.inKind;
  }
  const names = await unitNames(tx, [...units.keys(), ...latest.map((p) => p.fundUnitId)]);
  const codes = new Map([...names].map(([id, u]) => [id, u.code]));
  const listed = [...units.values()]
    .map((u) => ({ ...u, name: names.get(u.unitId)?.name ?? '' }))
    .sort(
      (a, b) =>
        Number(b.unitId === area) - Number(a.unitId === area) ||
        (codes.get(a.unitId) ?? '').localeCompare(codes.get(b.unitId) ?? ''),
    )
    .slice(0, BOARD_UNITS);
  return {
    campaign: { code: campaign.code, name: campaign.name, timeZone: campaign.timeZone },
    asOf: now,
    ...total,
    units: listed,
    latest: latest.map((p) => ({ ...p, unitName: names.get(p.fundUnitId)?.name ?? '' })),
    examples: examples.map((e) => ({ who: e.who, what: e.what, unit: e.unitName ?? '' })),
  };
}

/** The rows of a campaign's board: its area's own fund level and one per unit right below it. */
export function boardScope(tx: BoardTx, areaUnitId: number): Promise<FundScope> {
  return fundScope(tx, [areaUnitId]);
}

async function unitNames(tx: BoardTx, ids: number[]): Promise<Map<number, { name: string; code: string }>> {
  const unique = [...new Set(ids)];
  const units = await Promise.all(unique.map((id) => tx.units.findById(id)));
  return new Map(units.flatMap((u) => (u ? [[u.id, { name: u.name, code: u.code }] as const] : [])));
}

/** The board as the page and `data.json` carry it: amounts as digits and as the page shows them. */
export interface BoardData {
  campaign: { code: string; name: string };
  asOf: string;
  asOfText: string;
  totals: {
    pledged: string;
    pledgedText: string;
    pledges: number;
    pledgesText: string;
    received: string;
    receivedText: string;
    inKind: string;
    /** "trong đó hiện vật, ngày công quy đổi …", or null when none was given. */
    inKindText: string | null;
    /** Received of pledged, in whole per cent (0 when nothing is pledged). */
    percent: number;
  };
  units: {
    name: string;
    pledged: string;
    pledgedText: string;
    received: string;
    receivedText: string;
    percent: number;
  }[];
  latest: { ref: string; donor: string; what: string; unit: string; at: string; time: string }[];
  examples: { who: string; what: string; unit: string }[];
  links: { telegram: string | null; zalo: string | null };
}

/**
 * The board in words (the catalog's, in `locale`): a donor who did not agree to be named is "Nhà
 * hảo tâm" or the kind of donor; never a phone number, never anything a pledge's donor did not
 * make public.
 */
export function boardData(view: BoardView, links: BoardLinks, locale: Locale = 'vi'): BoardData {
  const tz = view.campaign.timeZone;
  return {
    campaign: { code: view.campaign.code, name: view.campaign.name },
    asOf: view.asOf.toISOString(),
    asOfText: formatDateTime(view.asOf, tz),
    totals: {
      pledged: view.pledged.toString(),
      pledgedText: formatMoney(view.pledged),
      pledges: view.pledges,
      pledgesText: t(locale, 'board.pledges', { count: formatInteger(view.pledges) }),
      received: (view.received + view.inKind).toString(),
      receivedText: formatMoney(view.received + view.inKind),
      inKind: view.inKind.toString(),
      inKindText: view.inKind > 0n ? t(locale, 'board.in_kind', { amount: formatMoney(view.inKind) }) : null,
      percent: percent(view.received + view.inKind, view.pledged),
    },
    units: view.units.map((u) => ({
      name: u.name,
      pledged: u.pledged.toString(),
      pledgedText: formatMoney(u.pledged),
      received: (u.received + u.inKind).toString(),
      receivedText: formatMoney(u.received + u.inKind),
      percent: percent(u.received + u.inKind, u.pledged),
    })),
    latest: view.latest.map((p) => {
      const what = pledgeWhat(p);
      return {
        ref: p.ref,
        donor: donorLabel(p, locale),
        what: t(locale, what.key, what.params),
        unit: p.unitName,
        at: p.createdAt.toISOString(),
        time: formatTime(zonedParts(p.createdAt, tz)),
      };
    }),
    examples: view.examples,
    links: { telegram: links.telegram ?? null, zalo: links.zalo ?? null },
  };
}

/** The donor as the public may read it: the name with consent, else who they are in general. */
export function donorLabel(
  p: Pick<BoardPledge, 'publicName' | 'donorName' | 'donorKind'>,
  locale: Locale,
): string {
  const name = p.donorName.trim();
  return p.publicName && name !== '' ? name : t(locale, `board.donor.${p.donorKind}`);
}

function percent(part: bigint, whole: bigint): number {
  if (whole <= 0n) {
    return 0;
  }
  return Number((part * 100n) / whole);
}
