import { type CliContext, DEFAULT_TIME_ZONE } from './context.ts';
import { clean, formatInstant, renderTable } from './text.ts';

const PREVIEW = 50;

/**
 * `outbox failed`: messages the bot could not deliver and gave up on (bot blocked, chat gone,
 * too many attempts), and those still being retried after a failure — so an admin sees them.
 */
export async function outboxFailed(ctx: CliContext): Promise<void> {
  const rows = await ctx.prisma.outbox.findMany({
    where: { OR: [{ status: 'failed' }, { status: 'pending', attempts: { gt: 0 } }] },
    orderBy: { id: 'asc' },
    select: {
      id: true,
      channel: true,
      chatId: true,
      status: true,
      attempts: true,
      lastError: true,
      createdAt: true,
      payload: true,
    },
  });
  if (rows.length === 0) {
    ctx.out('Không có tin nhắn nào gửi lỗi.');
    return;
  }
  const timeZone = ctx.timeZone ?? DEFAULT_TIME_ZONE;
  const table = rows.map((r) => [
    String(r.id),
    r.channel,
    r.chatId,
    r.status === 'failed' ? 'Đã bỏ' : 'Đang thử lại',
    String(r.attempts),
    formatInstant(r.createdAt, timeZone),
    clean(r.lastError ?? '').slice(0, 60),
    clean(preview(r.payload)),
  ]);
  for (const line of renderTable(
    ['Mã', 'Kênh', 'Chat', 'Trạng thái', 'Lần', 'Tạo lúc', 'Lỗi', 'Nội dung'],
    table,
  )) {
    ctx.out(line);
  }
  ctx.out(`Tổng: ${rows.length} tin nhắn.`);
}

function preview(payload: string): string {
  try {
    const text = (JSON.parse(payload) as { text?: unknown }).text;
    const s = typeof text === 'string' ? text : '';
    return s.length > PREVIEW ? `${s.slice(0, PREVIEW)}…` : s;
  } catch {
    return '';
  }
}
