import type { Campaign } from '../campaigns/campaign.ts';
import { campaignRules } from '../campaigns/campaign-rules.ts';
import type { Text } from '../flows/flow.ts';
import { t } from '../messaging/catalog.ts';
import type { Channel, Choice, OutboundDocument, OutboundNotice } from '../messaging/message.ts';
import type { AuditSource } from '../messaging/outbox.repository.ts';
import { fundLevelsFor, keepsLevel } from '../people/fund-levels.ts';
import type { Actor } from '../shared/actor.ts';
import { dateInZone, fromIsoDate, toIsoDate } from '../shared/calendar.ts';
import { formatDate, formatMoney } from '../shared/format.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import type { Tx } from '../unit-of-work.ts';
import { placeInSentence } from '../units/kinds.ts';
import type { AcknowledgementRecord } from './acknowledgement.repository.ts';
import type { FundEntryRecord, PledgeView } from './fund.repository.ts';
import { fundName } from './fund-views.ts';
import { noticeToKeepers, noticeToPerson, renderVi } from './keeper-notices.ts';
import { type Gift, giftInWords, giftShort, giverOf, receivedOn } from './receipt-words.ts';

/**
 * Acknowledgements for every gift (issue 16 §4): any receipt in force — against a pledge or walk-in,
 * money, goods or labour days — can get a letter ("giấy xác nhận"). A donor asks for one from their
 * pledge's card, the level's fund officers hear of it and approve or refuse; a fund officer can also
 * issue one for any receipt of their level. Approval takes the next number of the level's register
 * (GXN, per year) and sends the letter (a Word document, core/exports/acknowledgement-document.ts)
 * to the donor's chats and to the officer. One letter per receipt: asking or approving again gives
 * no second number and no second letter.
 */

/** The register's type code and entity (core/exports/official-document.ts DOCUMENT_TYPES.acknowledgement). */
export const ACK_DOC_TYPE = 'GXN';
export const ACK_ENTITY = 'Acknowledgement';
/** The document recipe's kind (core/exports/official-documents.ts). */
export const ACK_DOCUMENT_KIND = 'acknowledgement';

/** A receipt in force with what the letter names: its campaign and fund level. */
export interface LoadedGift extends Gift {
  campaign: Campaign;
  levelName: string;
}

/** The receipt if it can be acknowledged: a receipt or in-kind entry no reversal cancelled. */
export async function loadGift(tx: Tx, entryId: number): Promise<LoadedGift | undefined> {
  const entry = await tx.funds.findEntry(entryId);
  if (!entry) {
    return undefined;
  }
  const [inForce] = await tx.funds.receipts(entry.campaignId, { entryId }, 1);
  const campaign = inForce && (await tx.campaigns.findById(entry.campaignId));
  if (!inForce || !campaign) {
    return undefined;
  }
  return withPledge(tx, campaign, inForce);
}

async function withPledge(tx: Tx, campaign: Campaign, entry: FundEntryRecord): Promise<LoadedGift> {
  const pledge = entry.pledgeId === null ? undefined : await tx.pledges.findById(entry.pledgeId);
  const level = await tx.units.findById(entry.levelUnitId);
  return { entry, pledge, campaign, levelName: level?.name ?? '' };
}

/** "1/GXN-BVĐ": the number the register gave a letter, with the campaign's fund symbol. */
export async function ackNumberText(
  tx: Tx,
  campaign: Campaign,
  ackId: number,
): Promise<{ number: string; issuedOn: string } | undefined> {
  const issued = await tx.documents.find(ACK_ENTITY, String(ackId));
  if (!issued) {
    return undefined;
  }
  const { fundSymbol } = (await campaignRules(tx, campaign)).documents;
  return { number: `${issued.number}/${issued.docType}-${fundSymbol}`, issuedOn: issued.issuedOn };
}

/** Where a gift's letter stands, as a line's tail: waiting, issued with its number, refused. */
async function ackStatus(tx: Tx, g: LoadedGift, ack: AcknowledgementRecord | undefined): Promise<Text> {
  if (!ack) {
    return { key: 'ack.status.none' };
  }
  if (ack.approvedAt) {
    const issued = await ackNumberText(tx, g.campaign, ack.id);
    return { key: 'ack.status.approved', params: { number: issued?.number ?? '' } };
  }
  return ack.refusedAt
    ? { key: 'ack.status.refused', params: { reason: ack.refusal ?? '' } }
    : { key: 'ack.status.pending' };
}

/** One line per gift: "• #12 · 04/03/2025 · Công ty Minh Tâm · 105.000.000 đ · 🧾 số 1/GXN-BVĐ". */
export async function giftLine(tx: Tx, g: LoadedGift): Promise<Text> {
  const ack = await tx.acknowledgements.findByEntry(g.entry.id);
  return {
    key: 'ack.receipt.line',
    params: {
      id: g.entry.id,
      date: receivedOn(g),
      donor: giverOf(g).name || '—',
      what: giftShort(g),
      status: await ackStatus(tx, g, ack),
    },
  };
}

/** The gift in full, for the officer deciding and for the notice. */
function giftCard(g: LoadedGift): Text[] {
  const lines: Text[] = [
    {
      key: 'ack.card',
      params: {
        id: g.entry.id,
        donor: giverOf(g).name || '—',
        kind: { key: `pledge.donor_kind.${giverOf(g).kind}` },
        what: giftShort(g),
        date: receivedOn(g),
        level: fundName(g.levelName),
      },
    },
  ];
  if (g.pledge) {
    lines.push({ key: 'ack.card.pledge', params: { ref: g.pledge.ref } });
  }
  if (g.entry.documentRef) {
    lines.push({ key: 'ack.card.voucher', params: { ref: g.entry.documentRef } });
  }
  return lines;
}

const button = (
  name: string,
  entryId: number,
  key:
    | 'ack.button.approve'
    | 'ack.button.refuse'
    | 'ack.button.issue'
    | 'ack.button.resend'
    | 'ack.button.ask',
): Choice => ({
  id: menuButtonId(name, entryId),
  label: t('vi', key),
});

/** The officer's card of one gift: its letter's state, and what can be done. */
export async function giftForOfficer(
  tx: Tx,
  actor: Actor,
  entryId: number,
): Promise<{ lines: Text[]; choices: Choice[][] } | undefined> {
  const g = await loadGift(tx, entryId);
  if (!g || !(await keepsLevel(tx, actor, 'fund.acknowledge', g.entry.levelUnitId))) {
    return undefined;
  }
  const ack = await tx.acknowledgements.findByEntry(g.entry.id);
  const lines = [
    ...giftCard(g),
    { key: 'ack.card.status' as const, params: { status: await ackStatus(tx, g, ack) } },
  ];
  const waiting = ack !== undefined && ack.approvedAt === null && ack.refusedAt === null;
  const choices: Choice[][] = ack?.approvedAt
    ? [[button('ackok', g.entry.id, 'ack.button.resend')]]
    : [
        [
          button('ackok', g.entry.id, waiting ? 'ack.button.approve' : 'ack.button.issue'),
          ...(waiting ? [button('ackno', g.entry.id, 'ack.button.refuse')] : []),
        ],
      ];
  return { lines, choices };
}

/** Recorded in the audit log under the acknowledgement. */
async function audit(
  tx: Tx,
  who: AuditSource,
  action: string,
  ack: AcknowledgementRecord,
  after: Record<string, unknown>,
  now: Date,
): Promise<void> {
  await tx.audit.record(
    {
      ...who,
      action,
      entity: ACK_ENTITY,
      entityId: String(ack.id),
      after: { entryId: ack.entryId, ...after },
    },
    now,
  );
}

/**
 * "📄 Xin giấy xác nhận" on the donor's pledge card: a request for the receipt's letter (once), and
 * a notice with "Duyệt" / "Từ chối" to the fund officers of its level.
 */
export async function askAcknowledgement(
  tx: Tx,
  actor: Actor,
  entryId: number,
  now: Date,
  channel: Channel | null,
): Promise<Text[]> {
  const g = await loadGift(tx, entryId);
  if (!g?.pledge || g.pledge.personId !== actor.personId) {
    return [{ key: 'ack.refused.not_yours' }];
  }
  const existing = await tx.acknowledgements.findByEntry(entryId);
  if (existing) {
    return [await alreadyAsked(tx, g, existing)];
  }
  const ack = await tx.acknowledgements.request(
    { campaignId: g.campaign.id, entryId, requestedBy: actor.personId, donorPersonId: actor.personId },
    now,
  );
  await audit(tx, { personId: actor.personId, channel }, 'acknowledgement.request', ack, {}, now);
  await noticeToKeepers(
    tx,
    {
      levelUnitId: g.entry.levelUnitId,
      message: {
        text: renderVi([{ key: 'ack.request.notice' }, ...giftCard(g)]),
        choices: [
          [button('ackok', entryId, 'ack.button.approve'), button('ackno', entryId, 'ack.button.refuse')],
        ],
      },
      key: `ack:${ack.id}:request`,
      except: actor.personId,
    },
    now,
  );
  return [{ key: 'ack.request.sent', params: { date: receivedOn(g), what: giftShort(g) } }];
}

async function alreadyAsked(tx: Tx, g: LoadedGift, ack: AcknowledgementRecord): Promise<Text> {
  if (ack.approvedAt) {
    const issued = await ackNumberText(tx, g.campaign, ack.id);
    return { key: 'ack.request.already_approved', params: { number: issued?.number ?? '' } };
  }
  return ack.refusedAt
    ? { key: 'ack.request.already_refused', params: { reason: ack.refusal ?? '' } }
    : { key: 'ack.request.already_pending' };
}

/** The letter as a message: a caption, the recipe of its Word document and the text said without it. */
async function letterMessage(
  tx: Tx,
  g: LoadedGift,
  ackId: number,
): Promise<{ text: string; document: OutboundDocument; number: string; notice: OutboundNotice }> {
  const issued = await ackNumberText(tx, g.campaign, ackId);
  const number = issued?.number ?? '';
  const params = {
    number,
    level: placeInSentence(g.levelName),
    donor: giverOf(g).name,
    gift: giftInWords(g),
    what: giftShort(g),
    date: receivedOn(g),
    issuedOn: issued ? formatDate(fromIsoDate(issued.issuedOn)) : '',
  };
  return {
    number,
    text: t('vi', 'ack.letter.caption', params),
    document: {
      kind: ACK_DOCUMENT_KIND,
      params: { acknowledgementId: ackId },
      fallbackText: t('vi', 'ack.letter.fallback', params),
    },
    // Zalo's ZNS template, for a donor who has not written for a week (issue 18 §4).
    notice: {
      kind: 'acknowledgement',
      params: {
        title: t('vi', 'notice.title.letter', { number }),
        number,
        ref: g.pledge?.ref ?? '',
        donor: params.donor,
        what: t('vi', params.what.key, params.what.params),
        amount: formatMoney(g.entry.amount),
        date: params.date,
        issuedOn: params.issuedOn,
      },
    },
  };
}

export interface IssuedLetter {
  ackId: number;
  number: string;
  /** False when it had been issued before (same number, nothing sent again). */
  issuedNow: boolean;
  /** The donor's chats it was sent to (0: none known, the officer hands it over). */
  donorChats: number;
  donor: string;
  message: { text: string; document: OutboundDocument; notice?: OutboundNotice };
}

/**
 * Issues the gift's letter: requested if nobody asked yet, numbered from the fund level's register
 * on the day it is approved, recorded and sent to the donor's chats. Issued before: the same number,
 * nothing sent again. The caller checked the approver may (a fund officer of the level, or the CLI).
 */
export async function issueAcknowledgement(
  tx: Tx,
  g: LoadedGift,
  by: AuditSource,
  now: Date,
): Promise<IssuedLetter> {
  // The request locks the receipt's letter: two approvals at once issue it once.
  const ack = await tx.acknowledgements.request(
    {
      campaignId: g.campaign.id,
      entryId: g.entry.id,
      requestedBy: by.personId,
      donorPersonId: g.pledge?.personId ?? null,
    },
    now,
  );
  const issuedNow = ack.approvedAt === null;
  let donorChats = 0;
  if (issuedNow) {
    const today = toIsoDate(dateInZone(now, g.campaign.timeZone));
    await tx.documents.issue(
      {
        campaignId: g.campaign.id,
        issuerUnitId: g.entry.levelUnitId,
        docType: ACK_DOC_TYPE,
        year: Number(today.slice(0, 4)),
        entity: ACK_ENTITY,
        entityId: String(ack.id),
        issuedOn: today,
        personId: by.personId,
      },
      now,
    );
    await tx.acknowledgements.approve(ack.id, by.personId, now);
  }
  const message = await letterMessage(tx, g, ack.id);
  if (issuedNow) {
    await audit(tx, by, 'acknowledgement.approve', ack, { number: message.number }, now);
    // The approver who is the donor gets it as the reply.
    if (ack.donorPersonId !== by.personId) {
      donorChats = await noticeToPerson(
        tx,
        { personId: ack.donorPersonId, message, key: `ack:${ack.id}:letter` },
        now,
      );
    }
  }
  return {
    ackId: ack.id,
    number: message.number,
    issuedNow,
    donorChats,
    donor: giverOf(g).name,
    message,
  };
}

/**
 * "Duyệt" (or "Cấp giấy xác nhận") of a fund officer of the gift's level: the letter issued and sent,
 * and the officer's reply carrying it (to print for a donor who came in person).
 */
export async function approveAcknowledgement(
  tx: Tx,
  actor: Actor,
  entryId: number,
  now: Date,
  channel: Channel | null,
): Promise<{ lines: Text[]; letter?: IssuedLetter['message'] }> {
  const g = await loadGift(tx, entryId);
  if (!g) {
    return { lines: [{ key: 'ack.refused.not_acknowledgeable' }] };
  }
  if (!(await keepsLevel(tx, actor, 'fund.acknowledge', g.entry.levelUnitId))) {
    return { lines: [{ key: 'ack.refused.elsewhere' }] };
  }
  const issued = await issueAcknowledgement(tx, g, { personId: actor.personId, channel }, now);
  if (!issued.issuedNow) {
    return {
      lines: [{ key: 'ack.already_issued', params: { number: issued.number, donor: issued.donor } }],
      letter: issued.message,
    };
  }
  return {
    lines: [
      { key: 'ack.approved', params: { number: issued.number, donor: issued.donor } },
      { key: issued.donorChats > 0 ? 'ack.approved.sent' : 'ack.approved.print' },
    ],
    letter: issued.message,
  };
}

/** A fund officer's refusal of a donor's request (the reason goes to the donor). */
export async function refuseAcknowledgement(
  tx: Tx,
  actor: Actor,
  entryId: number,
  reason: string,
  now: Date,
  channel: Channel | null,
): Promise<Text[]> {
  const g = await loadGift(tx, entryId);
  if (!g || !(await keepsLevel(tx, actor, 'fund.acknowledge', g.entry.levelUnitId))) {
    return [{ key: 'ack.refused.elsewhere' }];
  }
  const ack = await tx.acknowledgements.findByEntry(entryId);
  if (!ack || ack.approvedAt || ack.refusedAt) {
    return [ack ? await alreadyAsked(tx, g, ack) : { key: 'ack.refuse.nothing' }];
  }
  await tx.acknowledgements.refuse(ack.id, actor.personId, reason, now);
  await audit(tx, { personId: actor.personId, channel }, 'acknowledgement.refuse', ack, { reason }, now);
  await noticeToPerson(
    tx,
    {
      personId: ack.donorPersonId,
      message: {
        text: renderVi([
          { key: 'ack.refused_donor', params: { date: receivedOn(g), what: giftShort(g), reason } },
        ]),
      },
      key: `ack:${ack.id}:refused`,
    },
    now,
  );
  return [{ key: 'ack.refused_done', params: { donor: giverOf(g).name } }];
}

/** The fund levels the actor acknowledges for, in the campaign of their units. */
async function officerScope(
  tx: Tx,
  actor: Actor,
  campaign: Campaign | undefined,
): Promise<{ campaign: Campaign; levelIds: number[] } | undefined> {
  const levels = await fundLevelsFor(tx, actor, 'fund.acknowledge');
  return campaign && levels.length > 0 ? { campaign, levelIds: levels.map((l) => l.id) } : undefined;
}

/** Gifts as buttons to their cards, with the search and the list of requests waiting. */
function pickChoices(gifts: readonly LoadedGift[], pending: number): Choice[][] {
  return [
    ...gifts.map((g) => [
      {
        id: menuButtonId('ackentry', g.entry.id),
        label: `#${g.entry.id} · ${giverOf(g).name || '—'}`.slice(0, 60),
      },
    ]),
    [{ id: menuButtonId('acksearch'), label: t('vi', 'ack.button.search') }],
    [{ id: menuButtonId('ackpending'), label: t('vi', 'ack.button.pending', { count: pending }) }],
  ];
}

/** Loads the gifts of some receipts (one pledge read per pledge). */
export async function giftsOf(
  tx: Tx,
  campaign: Campaign,
  entries: readonly FundEntryRecord[],
  /** The campaign's pledges when already read (a search reads them all once). */
  known?: ReadonlyMap<number, PledgeView>,
): Promise<LoadedGift[]> {
  const pledges = new Map<number, PledgeView | undefined>(known);
  const levels = new Map<number, string>();
  const out: LoadedGift[] = [];
  for (const entry of entries) {
    if (entry.pledgeId !== null && !pledges.has(entry.pledgeId)) {
      pledges.set(entry.pledgeId, await tx.pledges.findById(entry.pledgeId));
    }
    if (!levels.has(entry.levelUnitId)) {
      levels.set(entry.levelUnitId, (await tx.units.findById(entry.levelUnitId))?.name ?? '');
    }
    out.push({
      entry,
      pledge: entry.pledgeId === null ? undefined : pledges.get(entry.pledgeId),
      campaign,
      levelName: levels.get(entry.levelUnitId) ?? '',
    });
  }
  return out;
}

/** The requests waiting at the levels, oldest first. */
export async function waitingAt(
  tx: Tx,
  scope: { campaign: Campaign; levelIds: number[] },
): Promise<LoadedGift[]> {
  const waiting: LoadedGift[] = [];
  for (const ack of await tx.acknowledgements.pending(scope.campaign.id, 500)) {
    const g = await loadGift(tx, ack.entryId);
    if (g && scope.levelIds.includes(g.entry.levelUnitId)) {
      waiting.push(g);
    }
  }
  return waiting;
}

type GiftView = { lines: Text[]; choices: Choice[][] };

/** A fund officer's list of gifts: those `pick` chooses at their levels, with the waiting count. */
async function officerList(
  tx: Tx,
  actor: Actor,
  campaign: Campaign | undefined,
  pick: (
    scope: { campaign: Campaign; levelIds: number[] },
    waiting: LoadedGift[],
  ) => Promise<{ gifts: LoadedGift[]; heading: Text }>,
): Promise<GiftView | undefined> {
  const scope = await officerScope(tx, actor, campaign);
  if (!scope) {
    return undefined;
  }
  const waiting = await waitingAt(tx, scope);
  const { gifts, heading } = await pick(scope, waiting);
  return giftList(tx, gifts, waiting.length, heading);
}

/** "🧾 Giấy xác nhận ủng hộ": the latest gifts of the officer's levels, the search and the waiting list. */
export function recentGifts(
  tx: Tx,
  actor: Actor,
  campaign: Campaign | undefined,
): Promise<GiftView | undefined> {
  return officerList(tx, actor, campaign, async (scope) => {
    const entries = await tx.funds.receipts(scope.campaign.id, { levelIds: scope.levelIds }, 8);
    const gifts = await giftsOf(tx, scope.campaign, entries);
    return {
      gifts,
      heading:
        gifts.length === 0
          ? { key: 'ack.pick.none' }
          : { key: 'ack.pick.title', params: { count: gifts.length } },
    };
  });
}

/** "Giấy xác nhận chờ duyệt": the donors' requests waiting at the officer's levels (the first ten). */
export function pendingGifts(
  tx: Tx,
  actor: Actor,
  campaign: Campaign | undefined,
): Promise<GiftView | undefined> {
  return officerList(tx, actor, campaign, async (_scope, waiting) => ({
    gifts: waiting.slice(0, 10),
    heading:
      waiting.length === 0
        ? { key: 'ack.pending.none' }
        : { key: 'ack.pending.title', params: { count: waiting.length } },
  }));
}

/** Gifts with a heading, one line and one button each. */
export async function giftList(
  tx: Tx,
  gifts: readonly LoadedGift[],
  pending: number,
  heading: Text,
): Promise<GiftView> {
  const lines: Text[] = [heading];
  for (const g of gifts) {
    lines.push(await giftLine(tx, g));
  }
  return { lines, choices: pickChoices(gifts, pending) };
}

/** "📄 Xin giấy xác nhận (05/03/2025)": the donor asks for the letter of this receipt. */
export function askLetterChoice(g: Gift): Choice {
  return { id: menuButtonId('ackask', g.entry.id), label: `${t('vi', 'ack.button.ask')} (${receivedOn(g)})` };
}

/** The donor's receipts against their pledge, each with its letter's state or "📄 Xin giấy xác nhận". */
export async function pledgeGifts(
  tx: Tx,
  pledge: PledgeView,
): Promise<{ lines: Text[]; choices: Choice[][] }> {
  const campaign = await tx.campaigns.findById(pledge.campaignId);
  if (!campaign) {
    return { lines: [], choices: [] };
  }
  const gifts = await giftsOf(
    tx,
    campaign,
    await tx.funds.receipts(campaign.id, { pledgeId: pledge.id }, 20),
  );
  if (gifts.length === 0) {
    return { lines: [], choices: [] };
  }
  const lines: Text[] = [{ key: 'ack.mine.title' }];
  const choices: Choice[][] = [];
  for (const g of [...gifts].reverse()) {
    const ack = await tx.acknowledgements.findByEntry(g.entry.id);
    lines.push({
      key: 'ack.mine.line',
      params: { date: receivedOn(g), what: giftShort(g), status: await ackStatus(tx, g, ack) },
    });
    if (!ack) {
      choices.push([askLetterChoice(g)]);
    }
  }
  return { lines, choices };
}
