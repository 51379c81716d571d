import type { Text } from '../flows/flow.ts';
import { fromIsoDate } from '../shared/calendar.ts';
import { formatDate, formatInteger, formatMoney } from '../shared/format.ts';
import { placeInSentence } from '../units/kinds.ts';
import type { PledgeView } from './fund.repository.ts';
import type { FundRollup, LevelRow } from './fund-rollup.ts';
import { isUnverified, type PledgeStatus, pledgeStatus } from './ledger.ts';

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
export function pledgeWhat(p: PledgeView): Text {
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
        ref: p.ref,
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
      allocated: formatMoney(r.total.allocated),
      disbursed: formatMoney(r.total.disbursed),
      households: formatInteger(r.households),
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
      lines.push({
        key: 'fund.rollup.donor',
        params: { name: d.name, pledged: formatMoney(d.pledged), received: formatMoney(d.received) },
      });
    }
  }
  return lines;
}

function levelLine(l: LevelRow): Text {
  return {
    key: 'fund.level.line',
    params: {
      name: l.name,
      received: formatMoney(l.totals.received),
      transferred: formatMoney(l.totals.transferredIn - l.totals.transferredOut),
      allocated: formatMoney(l.totals.allocated),
      disbursed: formatMoney(l.totals.disbursed),
      available: formatMoney(l.available),
      inKind: formatMoney(l.totals.inKind),
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

/**
 * The public summary ("công khai", issue 5 §5): received, allocated and paid per level, and the
 * donors who agreed to be named with what they gave; the others only as a count and a total. No
 * phone numbers, no personal data beyond the names donors agreed to.
 */
export function publicSummaryLines(
  r: FundRollup,
  campaignName: string,
  asOf: string,
  /** The fund levels' bank accounts (fund-accounts.ts), shown before the thanks. */
  accounts: readonly Text[] = [],
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
      inKind: formatMoney(r.total.inKind),
      allocated: formatMoney(r.total.allocated),
      disbursed: formatMoney(r.total.disbursed),
      households: formatInteger(r.households),
    },
  });
  const named = r.donors.filter((d) => d.publicName && d.received > 0n);
  const others = r.donors.filter((d) => !d.publicName && d.received > 0n);
  if (named.length > 0) {
    lines.push({ key: 'fund.public.donors' });
    for (const [i, d] of named.entries()) {
      lines.push({
        key: 'fund.public.donor',
        params: { n: i + 1, name: d.name, amount: formatMoney(d.received) },
      });
    }
  }
  if (others.length > 0) {
    lines.push({
      key: 'fund.public.others',
      params: {
        count: others.length,
        amount: formatMoney(others.reduce((s, d) => s + d.received, 0n)),
      },
    });
  }
  lines.push(...accounts, { key: 'fund.public.footer' });
  return lines;
}
