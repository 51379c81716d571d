import { z } from 'zod';
import type { Campaign } from '../campaigns/campaign.ts';
import { dateInZone, fromIsoDate, toIsoDate } from '../shared/calendar.ts';
import { formatDate } from '../shared/format.ts';
import { type CommendationCriteria, parseCommendationCriteria } from '../summaries/commendations.ts';
import type { Tx } from '../unit-of-work.ts';
import { type CommendationProposals, commendationProposals } from './commendation-proposals.ts';
import { documentSettings } from './committee-report.ts';
import { documentKind, type OfficialDocumentKind } from './document-kind.ts';
import {
  DOCUMENT_TYPES,
  type DocumentBlock,
  type OfficialDocument,
  officialFooter,
  officialHeading,
} from './official-document.ts';
import { STT_COLUMN } from './sheet.ts';

/**
 * The commendation proposal (issue 16 §6) as the standing committee issues it, a "Tờ trình":
 *
 *   ỦY BAN MTTQ VIỆT NAM                 CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
 *   THÀNH PHỐ BẮC KẠN                        Độc lập - Tự do - Hạnh phúc
 *   BAN THƯỜNG TRỰC
 *   Số: 3/TTr-MTTQ-BTT                    Bắc Kạn, ngày 20 tháng 12 năm 2025
 *                                TỜ TRÌNH
 *     Đề nghị khen thưởng tập thể, cá nhân có thành tích trong Chương trình "…"
 *   Căn cứ … (the plan, the campaign's criteria in words, the wards' proposals);
 *   I. table: STT, Tên tập thể, cá nhân, Thành tích, Hình thức đề nghị ("Giấy khen");
 *   II. the wards' own proposals, each with the ward and its report;
 *   Nơi nhận; TM. BAN THƯỜNG TRỰC – CHỦ TỊCH.
 *
 * Numbered from the register only when issued (`issue: true`); a draft leaves the number blank.
 */

export const ZCommendationParams = z.object({
  campaignId: z.number().int().positive(),
  /** The units proposed for (an area, or wards); the campaign's area when absent. */
  scope: z.array(z.number().int().positive()).min(1).max(100).optional(),
  /** Take a number from the register (the document is issued); a draft otherwise. */
  issue: z.boolean().optional(),
});
export type CommendationParams = z.infer<typeof ZCommendationParams>;

/** The register's entity of a proposal: one per campaign and day. */
export const COMMENDATION_ENTITY = 'Commendation';

/** Who receives it unless the campaign's documents section says otherwise. */
export const COMMENDATION_RECIPIENTS = [
  'Thường trực Đảng ủy (để báo cáo)',
  'Ủy ban MTTQ Việt Nam tỉnh (để báo cáo)',
];

/** The form of commendation proposed, by default (the committee changes it in the draft). */
export const DEFAULT_AWARD = 'Giấy khen';

const MILLIONS = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 });
const millions = (d: number) => `${MILLIONS.format(d / 1_000_000)} triệu đồng`;
const percent = (share: number) => `${Math.round(share * 100)}%`;

/** The campaign's criteria in words, as the basis says them. */
export function criteriaInWords(c: CommendationCriteria): string {
  return [
    `phường, xã hoàn thành từ ${c.minHousesCompleted} nhà trở lên và ${percent(c.minCompletedShare)} số nhà được duyệt, gửi đúng hạn từ ${percent(c.minOnTimeShare)} số báo cáo định kỳ`,
    `tổ chức thành viên nộp từ ${percent(c.minOrgPaidShare)} số đã đăng ký ủng hộ và từ ${millions(c.minOrgReceived)} trở lên`,
    `doanh nghiệp, cá nhân ủng hộ từ ${millions(c.minDonorReceived)} trở lên, kể cả nộp trực tiếp vào Quỹ không qua đăng ký (chỉ nêu tên khi đồng ý)`,
  ].join('; ');
}

/** The document's body: the basis, the table of proposals, the wards' own proposals, the request. */
export function commendationBody(
  campaign: Pick<Campaign, 'name' | 'startsOn' | 'endsOn'>,
  proposals: Pick<CommendationProposals, 'body' | 'criteria' | 'field'>,
  criteria: CommendationCriteria,
): DocumentBlock[] {
  const { body } = proposals;
  const span = `${formatDate(fromIsoDate(campaign.startsOn))} – ${formatDate(fromIsoDate(campaign.endsOn))}`;
  return [
    {
      kind: 'paragraph',
      text: `Căn cứ Kế hoạch thực hiện Chương trình "${campaign.name}" (${span}) của ${body};`,
      italic: true,
    },
    {
      kind: 'paragraph',
      text: `Căn cứ tiêu chí khen thưởng của cuộc vận động do ${body} đề ra: ${criteriaInWords(criteria)};`,
      italic: true,
    },
    {
      kind: 'paragraph',
      text: 'Căn cứ kết quả thực hiện và đề nghị của các phường, xã trong báo cáo gửi về,',
      italic: true,
    },
    {
      kind: 'paragraph',
      text: `${body} đề nghị khen thưởng các tập thể, cá nhân có thành tích trong thực hiện Chương trình như sau:`,
    },
    { kind: 'heading', level: 1, text: 'I. CÁC TẬP THỂ, CÁ NHÂN ĐẠT TIÊU CHÍ CỦA CUỘC VẬN ĐỘNG' },
    proposals.criteria.length > 0
      ? {
          kind: 'table',
          columns: [
            STT_COLUMN,
            { key: 'name', header: 'Tên tập thể, cá nhân', width: 30, format: 'text' },
            { key: 'reason', header: 'Thành tích', width: 44, format: 'text' },
            { key: 'award', header: 'Hình thức đề nghị', width: 14, format: 'text' },
          ],
          rows: proposals.criteria.map((p, i) => ({
            stt: i + 1,
            name: p.name,
            reason: p.reason,
            award: DEFAULT_AWARD,
          })),
        }
      : { kind: 'paragraph', text: 'Chưa có tập thể, cá nhân nào đạt tiêu chí của cuộc vận động.' },
    { kind: 'heading', level: 1, text: 'II. ĐỀ NGHỊ CỦA CÁC PHƯỜNG, XÃ' },
    proposals.field.length > 0
      ? {
          kind: 'bullets',
          items: proposals.field.map(
            (f) => `${f.unit} (${f.report}, số ${f.ref}): ${f.text.replace(/\s*\n\s*/g, '; ')}`,
          ),
        }
      : { kind: 'paragraph', text: 'Các phường, xã chưa gửi đề nghị khen thưởng trong báo cáo.' },
    {
      kind: 'paragraph',
      text: `Các đề nghị của phường, xã được ${body} xem xét, đối chiếu với kết quả thực hiện trước khi quyết định khen thưởng.`,
      italic: true,
    },
    { kind: 'paragraph', text: `${body} kính trình xem xét, quyết định./.` },
  ];
}

/** "to-trinh-khen-thuong-BK-XNT-2025-2025-12-20.docx": ASCII only. */
function fileNameOf(campaign: Pick<Campaign, 'code'>, today: string): string {
  const code = campaign.code.normalize('NFD').replace(/[^A-Za-z0-9-]+/g, '');
  return `to-trinh-khen-thuong-${code}-${today}.docx`;
}

/**
 * The proposal for the campaign's area (or `scope`) today: a draft, or — with `issue` — numbered
 * from the register (the same number for the same campaign and day). Undefined for an unknown
 * campaign or a scope with no unit.
 */
export async function buildCommendationDocument(
  tx: Tx,
  params: CommendationParams,
  now: Date,
): Promise<OfficialDocument | undefined> {
  const campaign = await tx.campaigns.findById(params.campaignId);
  const scope = params.scope ?? (campaign?.areaUnitId == null ? [] : [campaign.areaUnitId]);
  if (!campaign || scope.length === 0) {
    return undefined;
  }
  const today = toIsoDate(dateInZone(now, campaign.timeZone));
  const proposals = await commendationProposals(tx, campaign, scope, today);
  if (!proposals) {
    return undefined;
  }
  const { area } = proposals;
  const settings = await documentSettings(tx, campaign, area);
  const issued = params.issue
    ? await tx.documents.issue(
        {
          campaignId: campaign.id,
          issuerUnitId: area.id,
          docType: DOCUMENT_TYPES.commendation.code,
          year: Number(today.slice(0, 4)),
          entity: COMMENDATION_ENTITY,
          entityId: `${campaign.id}:${today}`,
          issuedOn: today,
        },
        now,
      )
    : undefined;
  const criteria = parseCommendationCriteria((await tx.reminders.settings(campaign.id)).commendationCriteria);
  return {
    fileName: fileNameOf(campaign, issued?.issuedOn ?? today),
    type: 'commendation',
    heading: officialHeading({
      settings,
      unit: area,
      body: 'standing',
      type: 'commendation',
      number: issued?.number,
      today: issued?.issuedOn ?? today,
    }),
    title: DOCUMENT_TYPES.commendation.title,
    summary: `Đề nghị khen thưởng tập thể, cá nhân có thành tích trong Chương trình "${campaign.name}"`,
    body: commendationBody(campaign, proposals, criteria),
    footer: officialFooter(settings, 'commendation', 'standing', COMMENDATION_RECIPIENTS),
    draft: issued === undefined,
  };
}

/** The document kind 'commendation' (core/exports/official-documents.ts). */
export const commendationDocument: OfficialDocumentKind<CommendationParams> = documentKind(
  ZCommendationParams,
  buildCommendationDocument,
  (params) => `no campaign ${params.campaignId} or no unit in its scope`,
);
