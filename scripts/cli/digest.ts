import fs from 'node:fs';
import { z } from 'zod';
import { buildDigest, digestText } from '../../core/digests/digest.ts';
import { plainText } from '../../core/messaging/markup.ts';
import { createStore } from '../../prisma/store.ts';
import { type CliContext, UsageError } from './context.ts';
import { ZAtOption } from './reminders.ts';

export const ZDigestPreviewOptions = ZAtOption.extend({
  group: z
    .string()
    .regex(/^\d+$/, '--group cần số của nhóm (xem bảng LeadershipGroup hoặc outbox status)')
    .transform(Number)
    .optional(),
  unit: z.string().trim().min(1).optional(),
  out: z.string().trim().min(1).optional(),
});
export type DigestPreviewOptions = z.output<typeof ZDigestPreviewOptions>;

/**
 * `digest preview --at <ISO> [--group <id> | --unit <code>] [--out chart.png]`: the digest a group
 * would get at that instant, as text, and its chart written to a PNG file. Nothing is sent.
 */
export async function digestPreview(ctx: CliContext, opts: DigestPreviewOptions): Promise<void> {
  if (!ctx.db) {
    throw new Error('this command needs the database connection');
  }
  const now = opts.at ?? ctx.now;
  const digest = await createStore(ctx.db).run(async (tx) => {
    let areaUnitId: number | undefined;
    if (opts.group !== undefined) {
      const group = await tx.groups.findById(opts.group);
      if (!group) {
        throw new UsageError(`không có nhóm số ${opts.group}`);
      }
      areaUnitId = group.unitId;
    } else {
      const units = await tx.units.listByKinds(['province', 'city', 'district', 'ward', 'commune']);
      const unit = opts.unit ? units.find((u) => u.code === opts.unit) : units.find((u) => u.kind === 'city');
      if (!unit) {
        throw new UsageError(opts.unit ? `không có đơn vị mã ${opts.unit}` : 'chưa có đơn vị cấp thành phố');
      }
      areaUnitId = unit.id;
    }
    return buildDigest(tx, { areaUnitId, kind: 'weekly', now });
  });
  if (!digest) {
    throw new UsageError('chưa có chiến dịch nào trong cơ sở dữ liệu');
  }
  // A terminal shows no bold: the text as read.
  for (const line of plainText(digestText(digest, 'vi')).split('\n')) {
    ctx.out(line);
  }
  if (opts.out) {
    // The renderer (resvg and its fonts) only for a chart asked for (issue 14 §7).
    const { renderPng } = await import('../../bot/digests/render-png.ts');
    fs.writeFileSync(opts.out, renderPng(digest.svg));
    ctx.out('');
    ctx.out(`Biểu đồ: đã ghi ${opts.out}`);
  }
}
