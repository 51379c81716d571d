import { type CliContext, DEFAULT_TIME_ZONE } from './context.ts';
import { formatInstant, renderTable } from './text.ts';

/**
 * `people list`: id, name, current roles as role@unit, the channels each person is reachable on
 * and their last interaction. Phone numbers are never read, so they cannot be printed.
 */
export async function peopleList(ctx: CliContext): Promise<void> {
  const timeZone = ctx.timeZone ?? DEFAULT_TIME_ZONE;
  const people = await ctx.prisma.person.findMany({
    orderBy: { id: 'asc' },
    select: {
      id: true,
      fullName: true,
      active: true,
      memberships: {
        where: { revokedAt: null },
        orderBy: { id: 'asc' },
        select: { role: true, unit: { select: { code: true } } },
      },
      identities: { orderBy: { id: 'asc' }, select: { channel: true, lastInteractionAt: true } },
    },
  });
  if (people.length === 0) {
    ctx.out('Chưa có người dùng nào.');
    return;
  }
  const rows = people.map((p) => {
    const channels = [...new Set(p.identities.map((i) => i.channel))];
    let last: Date | undefined;
    for (const identity of p.identities) {
      if (identity.lastInteractionAt !== null && (last === undefined || identity.lastInteractionAt > last)) {
        last = identity.lastInteractionAt;
      }
    }
    return [
      String(p.id),
      p.active ? p.fullName : `${p.fullName} (ngừng hoạt động)`,
      p.memberships.map((m) => `${m.role}@${m.unit.code}`).join(', ') || '—',
      channels.join(', ') || '—',
      last === undefined ? '—' : formatInstant(last, timeZone),
    ];
  });
  for (const line of renderTable(['ID', 'Họ tên', 'Vai trò@Đơn vị', 'Kênh', 'Tương tác gần nhất'], rows)) {
    ctx.out(line);
  }
  ctx.out(`Tổng: ${people.length} người.`);
}
