import fs from 'node:fs';
import { z } from 'zod';
import type { Period } from '../../core/campaigns/campaign.ts';
import { COMMITTEE_REPORT_KIND } from '../../core/committee/committee-flow.ts';
import { COMMITTEE_ENTITY, committeeNumberText, committeePeriods } from '../../core/committee/obligation.ts';
import { buildOfficialDocument } from '../../core/exports/official-documents.ts';
import { fromIsoDate } from '../../core/shared/calendar.ts';
import { formatDate } from '../../core/shared/format.ts';
import { campaignByOption, ZCampaignOption } from './campaign-option.ts';
import { type CliContext, storeOf, UsageError } from './context.ts';

/** `reports committee --period <2025-H1|final> [--ref <số tham chiếu>] [--out <tệp.docx>]`. */
export const ZCommitteeReportOptions = z
  .object({
    period: z
      .string({ error: '--period cần mã kỳ 6 tháng hoặc final, ví dụ --period 2025-H1' })
      .trim()
      .min(1, '--period cần mã kỳ 6 tháng hoặc final, ví dụ --period 2025-H1'),
    ref: z.string().trim().min(1, '--ref cần số tham chiếu của báo cáo đã ban hành').optional(),
    out: z
      .string()
      .trim()
      .regex(/\.docx$/i, '--out cần tên tệp Word (.docx), ví dụ bao-cao-6-thang.docx')
      .optional(),
  })
  .extend(ZCampaignOption.shape);
export type CommitteeReportOptions = z.output<typeof ZCommitteeReportOptions>;

const display = (iso: string) => formatDate(fromIsoDate(iso));

/**
 * `reports committee`: the committee's own six-monthly or final report (issue 16 §2) of the
 * campaign's area unit — what was issued (each revision with its number), and with `--out` the
 * document written as Word: the bot's draft (number blank, the committee's texts to fill in) or,
 * with `--ref`, the issued revision.
 */
export async function reportsCommittee(ctx: CliContext, opts: CommitteeReportOptions): Promise<void> {
  const built = await storeOf(ctx).run(async (tx) => {
    const campaign = await campaignByOption(tx, opts.campaign, ctx.now);
    const areaUnitId = campaign.areaUnitId;
    const area = areaUnitId === null ? undefined : await tx.units.findById(areaUnitId);
    if (!area) {
      throw new UsageError(
        `cuộc vận động ${campaign.code} chưa có đơn vị phát động: không có báo cáo của Ban Thường trực`,
      );
    }
    const periods = await committeePeriods(tx, campaign.id);
    const period: Period | undefined = periods.find((p) => p.code === opts.period);
    if (!period) {
      throw new UsageError(
        `không có kỳ "${opts.period}" trong các báo cáo của Ban Thường trực (các kỳ: ${periods.map((p) => p.code).join(', ')})`,
      );
    }
    const revisions = await tx.narratives.revisions(period.id, area.id);
    const issued: string[] = [];
    for (const r of revisions) {
      const number = await tx.documents.find(COMMITTEE_ENTITY, String(r.id));
      issued.push(
        `  ${r.ref}: ${number ? `${await committeeNumberText(tx, campaign, number.number)}, ngày ${display(number.issuedOn)}` : 'chưa cấp số'}${r.late ? ' (sau hạn)' : ''}`,
      );
    }
    let reportId: number | undefined;
    if (opts.ref !== undefined) {
      const report = revisions.find((r) => r.ref === opts.ref);
      if (!report) {
        throw new UsageError(
          `không có báo cáo "${opts.ref}" của Ban Thường trực kỳ ${period.code}${revisions.length > 0 ? ` (có: ${revisions.map((r) => r.ref).join(', ')})` : ''}`,
        );
      }
      reportId = report.id;
    }
    const document =
      opts.out === undefined
        ? undefined
        : await buildOfficialDocument(
            tx,
            {
              kind: COMMITTEE_REPORT_KIND,
              params: {
                periodId: period.id,
                unitId: area.id,
                ...(reportId === undefined ? {} : { reportId }),
              },
            },
            ctx.now,
          );
    return { campaign, area, period, issued, document };
  });
  const { area, period, issued } = built;
  ctx.out(`Báo cáo ${period.label} của Ban Thường trực ${area.name} (hạn trước ${display(period.dueOn)})`);
  if (issued.length === 0) {
    ctx.out('Chưa ban hành.');
  } else {
    ctx.out(`Đã ban hành ${issued.length} lần:`);
    for (const line of issued) {
      ctx.out(line);
    }
  }
  if (opts.out === undefined || built.document === undefined) {
    return;
  }
  if (!built.document.ok) {
    throw new UsageError(`không dựng được văn bản: ${built.document.reason}`);
  }
  const { officialDocumentToDocx } = await import('../../bot/exports/docx.ts');
  fs.writeFileSync(opts.out, await officialDocumentToDocx(built.document.document));
  ctx.out(`Đã ghi ${opts.ref === undefined ? 'dự thảo' : `văn bản ${opts.ref}`} ra ${opts.out}.`);
}
