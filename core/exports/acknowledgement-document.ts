import { z } from 'zod';
import { campaignRules } from '../campaigns/campaign-rules.ts';
import type { DocumentSettings } from '../campaigns/sections.ts';
import { ACK_DOC_TYPE, ACK_ENTITY, type LoadedGift, loadGift } from '../funds/acknowledgements.ts';
import { renderVi } from '../funds/keeper-notices.ts';
import { giftInWords, giverOf, receivedOn } from '../funds/receipt-words.ts';
import { dateInZone, toIsoDate } from '../shared/calendar.ts';
import type { Tx } from '../unit-of-work.ts';
import { placeInSentence } from '../units/kinds.ts';
import { documentKind, type OfficialDocumentKind } from './document-kind.ts';
import {
  DOCUMENT_TYPES,
  type DocumentBlock,
  type OfficialDocument,
  officialFooter,
  officialHeading,
} from './official-document.ts';

/**
 * The acknowledgement letter for one receipt (issue 16 §4), issued by the fund level's campaign
 * board ("BAN VẬN ĐỘNG QUỸ "VÌ NGƯỜI NGHÈO"") under its committee:
 *
 *   ỦY BAN MTTQ VIỆT NAM                 CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
 *   THÀNH PHỐ BẮC KẠN                        Độc lập - Tự do - Hạnh phúc
 *   BAN VẬN ĐỘNG QUỸ "VÌ NGƯỜI NGHÈO"
 *   Số: 1/GXN-BVĐ                         Bắc Kạn, ngày 10 tháng 3 năm 2025
 *                              GIẤY XÁC NHẬN
 *            Về việc tiếp nhận ủng hộ Quỹ "Vì người nghèo"
 *   who gave ("Quý đơn vị" / "Ông/Bà"), what was given as what it was (money; goods or labour
 *   days with their estimated value), in figures and in words, the day, the voucher, the pledge,
 *   the campaign; the thanks; "Nơi nhận" and "TM. BAN VẬN ĐỘNG – TRƯỞNG BAN".
 *
 * Numbered from the register once approved (core/funds/acknowledgements.ts); before, a draft with
 * the number left blank.
 */

export const ZAcknowledgementParams = z.object({ acknowledgementId: z.number().int().positive() });
export type AcknowledgementParams = z.infer<typeof ZAcknowledgementParams>;

/** The committee's lines come from the campaign only for its own area; another level names itself. */
function levelSettings(settings: DocumentSettings, g: LoadedGift): DocumentSettings {
  const ownArea = g.campaign.areaUnitId === null || g.campaign.areaUnitId === g.entry.levelUnitId;
  return ownArea ? settings : { ...settings, issuer: undefined, place: undefined };
}

/** The letter's body: who, what, when, against what, for which campaign, and the thanks. */
export function acknowledgementBody(g: LoadedGift): DocumentBlock[] {
  const board = `Ban Vận động Quỹ "Vì người nghèo" ${placeInSentence(g.levelName)}`;
  const giver = giverOf(g);
  const person = giver.kind === 'individual';
  const details = [
    `Ngày tiếp nhận: ${receivedOn(g)}`,
    ...(g.entry.documentRef ? [`chứng từ số ${g.entry.documentRef}`] : []),
    ...(g.pledge ? [`theo đăng ký số ${g.pledge.ref}`] : []),
  ];
  const thanks = person
    ? `${board} trân trọng cảm ơn tấm lòng nhân ái của Ông/Bà đối với người nghèo, góp phần giúp các hộ nghèo, hộ cận nghèo có nhà ở an toàn, ổn định. Kính chúc Ông/Bà và gia đình mạnh khỏe, hạnh phúc!`
    : `${board} trân trọng cảm ơn sự quan tâm, chia sẻ của Quý đơn vị đối với người nghèo, góp phần giúp các hộ nghèo, hộ cận nghèo có nhà ở an toàn, ổn định. Kính chúc Quý đơn vị ngày càng phát triển!`;
  return [
    { kind: 'paragraph', text: `${board} xác nhận đã tiếp nhận ủng hộ của:` },
    { kind: 'paragraph', text: `${person ? 'Ông/Bà' : 'Quý đơn vị'}: ${giver.name}`, bold: true },
    { kind: 'paragraph', text: `Nội dung ủng hộ: ${renderVi([giftInWords(g)])}.` },
    { kind: 'paragraph', text: `${details.join('; ')}.` },
    {
      kind: 'paragraph',
      text: `Khoản ủng hộ được tiếp nhận vào Quỹ "Vì người nghèo" ${placeInSentence(g.levelName)} để thực hiện Chương trình "${g.campaign.name}".`,
    },
    { kind: 'paragraph', text: thanks, italic: true },
  ];
}

/** The letter of acknowledgement `acknowledgementId`, numbered and dated when it was approved. */
export async function buildAcknowledgementDocument(
  tx: Tx,
  params: AcknowledgementParams,
  now: Date,
): Promise<OfficialDocument | undefined> {
  const ack = await tx.acknowledgements.findById(params.acknowledgementId);
  const g = ack && (await loadGift(tx, ack.entryId));
  if (!ack || !g) {
    return undefined;
  }
  const issued = await tx.documents.find(ACK_ENTITY, String(ack.id));
  const settings = levelSettings((await campaignRules(tx, g.campaign)).documents, g);
  const today = issued?.issuedOn ?? toIsoDate(dateInZone(ack.approvedAt ?? now, g.campaign.timeZone));
  const giver = giverOf(g);
  return {
    fileName: `giay-xac-nhan-${issued ? `${issued.number}-${ACK_DOC_TYPE}-${issued.year}` : `nhap-${ack.id}`}.docx`,
    type: 'acknowledgement',
    heading: officialHeading({
      settings,
      unit: { name: g.levelName },
      body: 'fund',
      type: 'acknowledgement',
      number: issued?.number,
      today,
    }),
    title: DOCUMENT_TYPES.acknowledgement.title,
    summary: 'Về việc tiếp nhận ủng hộ Quỹ "Vì người nghèo"',
    body: acknowledgementBody(g),
    footer: officialFooter(settings, 'acknowledgement', 'fund', [
      `${giver.name || 'Người ủng hộ'} (để biết)`,
      'Lưu: VT, Quỹ.',
    ]),
    draft: issued === undefined,
  };
}

/** The recipe kind 'acknowledgement' (core/exports/official-documents.ts). */
export const acknowledgementDocument: OfficialDocumentKind<AcknowledgementParams> = documentKind(
  ZAcknowledgementParams,
  buildAcknowledgementDocument,
  (params) => `acknowledgement ${params.acknowledgementId} is gone or its receipt reversed`,
);
