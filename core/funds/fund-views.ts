import type { Text } from '../flows/flow.ts';
import type { MessageKey, ParamValue } from '../messaging/catalog.ts';
import { code } from '../messaging/markup.ts';
import { fromIsoDate } from '../shared/calendar.ts';
import { formatDate, formatInteger, formatMoney } from '../shared/format.ts';
import { placeInSentence } from '../units/kinds.ts';
import type { PledgeView } from './fund.repository.ts';
import type { DonorRow, FundRollup, LevelRow } from './fund-rollup.ts';
import { available, held, isUnverified, type PledgeStatus, pledgeStatus } from './ledger.ts';

/** What a pledge's card says: its status from the ledger, or "chờ xác minh" while it waits. */
export type PledgeShownStatus = PledgeStatus | 'unverified';

export const PLEDGE_STATUS_ICONS: Record<PledgeShownStatus, string> = {
  pledged: '📝',
  partly_paid: '◐',
  paid: '✅',
  cancelled: '✖️',
  overdue: '⏰',
  unverified: '⏳',
};

export function statusOf(p: PledgeView, today: string): PledgeShownStatus {
  if (isUnverified(p)) {
    return 'unverified';
  }
  return pledgeStatus(
    { amount: p.amount, cancelled: p.cancelledAt !== null, dueOn: p.dueOn },
    p.received,
    today,
  );
}

/** What was promised, in the words of the pledge: "50.000.000 đ", "200 bao xi măng (ước 20.000.000 đ)". */
export function pledgeWhat(
  p: Pick<PledgeView, 'kind' | 'amount' | 'quantity' | 'quantityUnit' | 'description'>,
): Text {
  if (p.kind === 'money') {
    return { key: 'pledge.what.money', params: { amount: formatMoney(p.amount) } };
  }
  return {
    key: p.kind === 'labour' ? 'pledge.what.labour' : 'pledge.what.materials',
    params: {
      quantity: p.quantity === null ? '' : formatInteger(p.quantity),
      unit: p.quantityUnit ?? '',
      description: withoutQuantity(p.description ?? '', p.quantity, p.quantityUnit),
      amount: formatMoney(p.amount),
    },
  };
}

/**
 * The description without the quantity the donor also typed into it: "50 bao xi măng" with 50
 * bao reads "xi măng", so the line says "50 bao xi măng", not "50 bao 50 bao xi măng".
 */
export function withoutQuantity(description: string, quantity: number | null, unit: string | null): string {
  if (quantity === null) {
    return description;
  }
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const number = [String(quantity), formatInteger(quantity)].map(literal).join('|');
  const units = [unit, 'ngày công', 'ngày'].filter((u): u is string => Boolean(u)).map(literal);
  // The number alone, or with the unit, then a space: "50 bao xi măng", "50 xi măng"; never "500…", "50kg".
  const prefix = new RegExp(`^\\s*(?:${number})(?:\\s*(?:${units.join('|')}))?(?:\\s+|$)`, 'iu');
  return description.replace(prefix, '');
}

/** One line per pledge, for lists: "UH-0001 · Hội LHPN … · 50.000.000 đ · ✅ Đã nộp đủ". */
export function pledgeLine(p: PledgeView, today: string): Text {
  const status = statusOf(p, today);
  return {
    key: 'pledge.line',
    params: {
      ref: p.ref,
      donor: p.donorName,
      what: pledgeWhat(p),
      icon: PLEDGE_STATUS_ICONS[status],
      status: { key: `pledge.status.${status}` },
    },
  };
}

/** The full card of a pledge: who, what, where to, for whom, when, status and what was received. */
export function pledgeCard(p: PledgeView, today: string): Text[] {
  const status = statusOf(p, today);
  const lines: Text[] = [
    {
      key: 'pledge.card',
      params: {
        ref: code(p.ref),
        donor: p.donorName,
        kind: { key: `pledge.donor_kind.${p.donorKind}` },
        what: pledgeWhat(p),
        level: fundName(p.fundUnitName),
        due: p.dueOn ? formatDate(fromIsoDate(p.dueOn)) : '—',
        icon: PLEDGE_STATUS_ICONS[status],
        status: { key: `pledge.status.${status}` },
        received: formatMoney(p.received),
      },
    },
  ];
  if (p.orgUnitName && p.donorKind !== 'organisation') {
    lines.push({ key: 'pledge.card.org', params: { org: p.orgUnitName } });
  }
  if (p.householdLabel || p.targetUnitName) {
    lines.push({ key: 'pledge.card.for', params: { target: p.householdLabel ?? p.targetUnitName ?? '' } });
  }
  if (p.received > p.amount) {
    lines.push({ key: 'pledge.card.overpaid', params: { extra: formatMoney(p.received - p.amount) } });
  }
  return lines;
}

/** A unit's fund as people name it: "Quỹ "Vì người nghèo" thành phố Bắc Kạn" (not the committee's name). */
export function fundName(unitName: string): Text {
  return { key: 'pledge.fund', params: { place: placeInSentence(unitName) } };
}

/** The fund board's view: per level, per organisation, the largest donors. */
export function rollupLines(r: FundRollup, topDonors = 10): Text[] {
  const lines: Text[] = [{ key: 'fund.rollup.title' }];
  for (const l of r.levels) {
    lines.push(levelLine(l));
  }
  lines.push({
    key: 'fund.rollup.total',
    params: {
      pledged: formatMoney(r.pledged),
      received: formatMoney(r.total.received),
      walkIn: clause('fund.clause.walk_in', r.walkIn.received),
      inKind: clause('fund.clause.in_kind', r.total.inKind),
      allocated: formatMoney(r.total.allocated),
      disbursed: formatMoney(r.total.disbursed),
      households: formatInteger(r.households),
      held: formatMoney(held(r.total)),
      available: formatMoney(available(r.total)),
    },
  });
  if (r.unverified > 0n) {
    lines.push({ key: 'fund.rollup.unverified', params: { amount: formatMoney(r.unverified) } });
  }
  if (r.organisations.length > 0) {
    lines.push({ key: 'fund.rollup.orgs' });
    for (const o of r.organisations) {
      lines.push({
        key: 'fund.rollup.org',
        params: {
          name: o.name,
          pledged: formatMoney(o.pledged),
          received: formatMoney(o.received),
          percent: percent(o.received, o.pledged),
        },
      });
    }
  }
  if (r.donors.length > 0) {
    lines.push({ key: 'fund.rollup.donors' });
    for (const d of r.donors.slice(0, topDonors)) {
      lines.push(
        d.walkIn
          ? {
              key: 'fund.rollup.donor_walk_in',
              params: { name: donorName(d), gift: giftText(d) },
            }
          : {
              key: 'fund.rollup.donor',
              params: { name: d.name, pledged: formatMoney(d.pledged), received: formatMoney(d.received) },
            },
      );
    }
  }
  return lines;
}

/** A clause shown only when its amount is not zero ("; chuyển đến 10.000.000 đ"): none otherwise. */
function clause(key: MessageKey, amount: bigint): ParamValue {
  return amount === 0n ? [] : { key, params: { amount: formatMoney(amount) } };
}

/**
 * A fund level's money: received, transfers in and out (when any), allocated, paid, what it holds
 * ("tồn quỹ") and of that what is not yet allocated ("còn chưa phân bổ").
 */
function levelLine(l: LevelRow): Text {
  return {
    key: 'fund.level.line',
    params: {
      fund: fundName(l.name),
      received: formatMoney(l.totals.received),
      inKind: clause('fund.clause.in_kind', l.totals.inKind),
      transferredIn: clause('fund.clause.transfer_in', l.totals.transferredIn),
      transferredOut: clause('fund.clause.transfer_out', l.totals.transferredOut),
      allocated: formatMoney(l.totals.allocated),
      disbursed: formatMoney(l.totals.disbursed),
      held: formatMoney(l.held),
      available: formatMoney(l.available),
    },
  };
}

function percent(part: bigint, whole: bigint): string {
  if (whole === 0n) {
    return '—';
  }
  const tenths = Number((part * 1000n) / whole);
  return `${Math.floor(tenths / 10)},${tenths % 10}%`;
}

/** What was given, money and goods apart: "21.000.000 đ", "hiện vật, ngày công quy đổi 9.000.000 đ". */
function giftText(g: { received: bigint; inKind: bigint }): Text {
  const money = g.received - g.inKind;
  if (g.inKind === 0n) {
    return { key: 'fund.gift.money', params: { money: formatMoney(money) } };
  }
  return {
    key: money === 0n ? 'fund.gift.in_kind' : 'fund.gift.both',
    params: { money: formatMoney(money), inKind: formatMoney(g.inKind) },
  };
}

/** A donor's name as a list shows it; a walk-in payer whose name was not written down says so. */
function donorName(d: DonorRow): ParamValue {
  return d.name.trim() === '' ? { key: 'fund.donor.unnamed' } : d.name;
}

/** A ward's households supported by the fund, as the public summary shows them. */
export interface SupportedWard {
  name: string;
  households: number;
  allocated: bigint;
  paid: bigint;
  /** Each household with its village, only when the campaign makes the list public; else empty. */
  list: readonly { name: string; village: string; allocated: bigint; paid: bigint }[];
}

/** "đã chi 30.000.000 đ", or "chưa chi" when nothing was paid yet. */
function paidText(paid: bigint): Text {
  return paid === 0n
    ? { key: 'fund.paid.none' }
    : { key: 'fund.paid', params: { amount: formatMoney(paid) } };
}

/**
 * The public summary ("công khai", issue 16 §5): per level what the fund received, allocated, paid
 * and holds; what was received in all, money and goods apart; the donors who agreed to be named
 * with what they gave and the others as a count and a total, so the lines add up to what was
 * received (walk-in payers included); the households supported per ward (names and villages only
 * when the campaign publishes them); the fund's accounts. No phone numbers or ID numbers.
 */
export function publicSummaryLines(
  r: FundRollup,
  campaignName: string,
  asOf: string,
  opts: {
    /** The fund levels' bank accounts (fund-accounts.ts), shown before the thanks. */
    accounts?: readonly Text[];
    /** The households supported, per ward, in the order to list them. */
    wards?: readonly SupportedWard[];
    /** The committee that thanks the donors, by its unit's name. */
    committee?: string;
  } = {},
): Text[] {
  const lines: Text[] = [
    { key: 'fund.public.title', params: { campaign: campaignName, date: formatDate(fromIsoDate(asOf)) } },
  ];
  for (const l of r.levels) {
    lines.push(levelLine(l));
  }
  lines.push({
    key: 'fund.public.total',
    params: {
      received: formatMoney(r.total.received),
      inKind: clause('fund.clause.total_in_kind', r.total.inKind),
    },
  });
  const gave = r.donors.filter((d) => d.received > 0n);
  const named = gave.filter((d) => d.publicName && d.name.trim() !== '');
  const others = gave.filter((d) => !named.includes(d));
  if (named.length > 0) {
    lines.push({ key: 'fund.public.donors' });
    for (const [i, d] of named.entries()) {
      lines.push({ key: 'fund.public.donor', params: { n: i + 1, name: d.name, gift: giftText(d) } });
    }
  }
  if (others.length > 0) {
    lines.push({
      key: named.length > 0 ? 'fund.public.others' : 'fund.public.anonymous',
      params: {
        count: formatInteger(others.length),
        gift: giftText({
          received: others.reduce((s, d) => s + d.received, 0n),
          inKind: others.reduce((s, d) => s + d.inKind, 0n),
        }),
      },
    });
  }
  lines.push(...householdLines(r, opts.wards ?? []), ...(opts.accounts ?? []));
  lines.push(
    opts.committee === undefined
      ? { key: 'fund.public.footer' }
      : { key: 'fund.public.footer_of', params: { committee: opts.committee } },
  );
  return lines;
}

/** The households supported: in all, then per ward (and each household when the list is public). */
function householdLines(r: FundRollup, wards: readonly SupportedWard[]): Text[] {
  if (wards.length === 0) {
    return r.total.allocated === 0n ? [{ key: 'fund.public.households.none' }] : [];
  }
  const lines: Text[] = [
    {
      key: 'fund.public.households',
      params: {
        households: formatInteger(wards.reduce((s, w) => s + w.households, 0)),
        allocated: formatMoney(wards.reduce((s, w) => s + w.allocated, 0n)),
        paid: paidText(wards.reduce((s, w) => s + w.paid, 0n)),
      },
    },
  ];
  for (const w of wards) {
    lines.push({
      key: 'fund.public.households.ward',
      params: {
        ward: w.name,
        households: formatInteger(w.households),
        allocated: formatMoney(w.allocated),
        paid: paidText(w.paid),
      },
    });
    for (const h of w.list) {
      lines.push({
        key: 'fund.public.households.household',
        params: {
          name: h.name,
          village: h.village,
          allocated: formatMoney(h.allocated),
          paid: paidText(h.paid),
        },
      });
    }
  }
  return lines;
}
