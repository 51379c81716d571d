import { dateInZone, toIsoDate } from '../../core/shared/calendar.ts';
import { kindName } from '../../core/units/kinds.ts';
import { type CliContext, DEFAULT_TIME_ZONE } from './context.ts';
import { formatIsoDate, renderTable } from './text.ts';

/**
 * `units list`: every unit with its code, name, kind, parent's code and validity, by code. A unit
 * whose last valid day is before today (in the campaign's zone) is marked "(đã hết)".
 */
export async function unitsList(ctx: CliContext): Promise<void> {
  const today = toIsoDate(dateInZone(ctx.now, ctx.timeZone ?? DEFAULT_TIME_ZONE));
  if (!ctx.db) {
    throw new Error('this command needs the database connection');
  }
  // Through Kysely, not the Prisma client: the CLI then never loads Prisma's query compiler for
  // the commonest look-up (issue 14 §7, a CLI call ≤ 0.8 s).
  const units = await ctx.db.kysely
    .selectFrom('Unit as u')
    .leftJoin('Unit as parent', 'parent.id', 'u.parentId')
    .select(['u.code', 'u.name', 'u.kind', 'u.validFrom', 'u.validTo', 'parent.code as parentCode'])
    .orderBy('u.code')
    .execute();
  if (units.length === 0) {
    ctx.out('Chưa có đơn vị nào.');
    return;
  }
  const rows = units.map((u) => [
    u.code,
    u.name,
    kindName(u.kind),
    u.parentCode ?? '—',
    u.validTo === null
      ? `từ ${formatIsoDate(u.validFrom)}`
      : `${formatIsoDate(u.validFrom)} – ${formatIsoDate(u.validTo)}${u.validTo < today ? ' (đã hết)' : ''}`,
  ]);
  for (const line of renderTable(['Mã', 'Tên đơn vị', 'Loại', 'Đơn vị cha', 'Hiệu lực'], rows)) {
    ctx.out(line);
  }
  ctx.out(`Tổng: ${units.length} đơn vị.`);
}
