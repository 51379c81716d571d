import { describe, expect, it } from 'vitest';
import { XLSX_MIME_TYPE } from '../exports/document-builder.ts';
import { createPlaygroundSender } from './playground-sender.ts';

describe('createPlaygroundSender', () => {
  it('stores bot and user messages per chat with a global increasing seq', async () => {
    const sender = createPlaygroundSender({ now: () => new Date('2025-05-01T03:00:00Z') });
    expect(
      await sender.send('pg:a', { text: 'Xin chào', choices: [[{ id: 'ok', label: 'Đồng ý' }]] }),
    ).toEqual({
      ok: true,
    });
    sender.recordUser('pg:b', 'Chào bot');
    sender.recordUser('pg:a', 'Tôi muốn báo cáo');

    expect(sender.list('pg:a', 0)).toEqual([
      {
        seq: 1,
        from: 'bot',
        text: 'Xin chào',
        choices: [[{ id: 'ok', label: 'Đồng ý' }]],
        at: '2025-05-01T03:00:00.000Z',
      },
      { seq: 3, from: 'user', text: 'Tôi muốn báo cáo', at: '2025-05-01T03:00:00.000Z' },
    ]);
    expect(sender.list('pg:a', 1).map((m) => m.seq)).toEqual([3]);
    expect(sender.list('pg:b', 0).map((m) => m.seq)).toEqual([2]);
    expect(sender.list('pg:none', 0)).toEqual([]);
    expect(sender.lastSeq()).toBe(3);
  });

  it('does not let callers mutate what is stored', async () => {
    const sender = createPlaygroundSender();
    const choices = [[{ id: 'a', label: 'A' }]];
    await sender.send('pg:a', { text: 'x', choices });
    const row = choices[0];
    if (row) {
      row.push({ id: 'b', label: 'B' });
    }
    const [first] = sender.list('pg:a', 0);
    first?.choices?.[0]?.push({ id: 'c', label: 'C' });
    expect(sender.list('pg:a', 0)[0]?.choices).toEqual([[{ id: 'a', label: 'A' }]]);
  });

  it("keeps a message's picture (a digest chart) for the page to show above the text", async () => {
    const sender = createPlaygroundSender({ now: () => new Date('2025-05-01T03:00:00Z') });
    const image = { svg: '<svg xmlns="http://www.w3.org/2000/svg"/>', caption: 'Bản tin tuần' };
    await sender.send('pg:a', { text: 'Bản tin tuần…', image });
    const [stored] = sender.list('pg:a', 0);
    expect(stored).toEqual({
      seq: 1,
      from: 'bot',
      text: 'Bản tin tuần…',
      image,
      at: '2025-05-01T03:00:00.000Z',
    });
    image.caption = 'changed';
    if (stored?.image && 'svg' in stored.image) {
      stored.image.svg = 'changed';
    }
    expect(sender.list('pg:a', 0)[0]?.image).toEqual({
      svg: '<svg xmlns="http://www.w3.org/2000/svg"/>',
      caption: 'Bản tin tuần',
    });
  });

  it('records a retried user message once per clientMessageId', () => {
    const sender = createPlaygroundSender();
    const first = sender.recordUser('pg:a', 'Báo cáo', 'client-id-1');
    const again = sender.recordUser('pg:a', 'Báo cáo', 'client-id-1');
    expect(again).toEqual(first);
    expect(sender.list('pg:a', 0)).toHaveLength(1);
    expect(first.clientMessageId).toBe('client-id-1');
  });

  it('keeps only the newest messages of a chat', async () => {
    const sender = createPlaygroundSender({ maxPerChat: 500 });
    for (let i = 1; i <= 520; i += 1) {
      await sender.send('pg:a', { text: `tin ${i}` });
    }
    const kept = sender.list('pg:a', 0);
    expect(kept).toHaveLength(500);
    expect(kept[0]?.text).toBe('tin 21');
    expect(kept.at(-1)?.text).toBe('tin 520');
  });

  it('forgets the dedupe key of a dropped message', () => {
    const sender = createPlaygroundSender({ maxPerChat: 2 });
    sender.recordUser('pg:a', 'một', 'client-id-1');
    sender.recordUser('pg:a', 'hai', 'client-id-2');
    sender.recordUser('pg:a', 'ba', 'client-id-3');
    expect(sender.list('pg:a', 0).map((m) => m.text)).toEqual(['hai', 'ba']);
    sender.recordUser('pg:a', 'một', 'client-id-1');
    expect(sender.list('pg:a', 0).map((m) => m.text)).toEqual(['ba', 'một']);
  });

  it('waitFor answers at once when there is something new', async () => {
    const sender = createPlaygroundSender();
    await sender.send('pg:a', { text: 'đã có' });
    const started = Date.now();
    const messages = await sender.waitFor('pg:a', 0, 5_000);
    expect(messages.map((m) => m.text)).toEqual(['đã có']);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('waitFor wakes on a new message of its own chat only', async () => {
    const sender = createPlaygroundSender();
    const waiting = sender.waitFor('pg:a', sender.lastSeq(), 5_000);
    await sender.send('pg:b', { text: 'chat khác' });
    setTimeout(() => {
      void sender.send('pg:a', { text: 'mới' });
    }, 50);
    const messages = await waiting;
    expect(messages.map((m) => m.text)).toEqual(['mới']);
  });

  it('waitFor resolves empty on timeout, abort and release', async () => {
    const sender = createPlaygroundSender();
    expect(await sender.waitFor('pg:a', 0, 30)).toEqual([]);

    const controller = new AbortController();
    const aborted = sender.waitFor('pg:a', 0, 5_000, controller.signal);
    controller.abort();
    expect(await aborted).toEqual([]);

    const released = sender.waitFor('pg:a', 0, 5_000);
    sender.releaseWaiters();
    expect(await released).toEqual([]);
  });
});

describe('createPlaygroundSender with a document', () => {
  const message = {
    text: '📎 Sổ Quỹ theo cấp – Thành phố Bắc Kạn.',
    document: {
      kind: 'ledger' as const,
      params: { scope: [2] },
      fallbackText: 'npm run cli -- export ledger …',
    },
  };

  it('builds the file, keeps it for download and links it from the message', async () => {
    const sender = createPlaygroundSender({
      buildDocument: async () => ({
        data: Buffer.from('xlsx'),
        fileName: 'so-quy-2025-03-20.xlsx',
        mimeType: XLSX_MIME_TYPE,
      }),
    });
    expect(await sender.send('pg:leader', message)).toEqual({ ok: true });
    const [stored] = sender.list('pg:leader', 0);
    expect(stored?.text).toBe(message.text);
    expect(stored?.file?.name).toBe('so-quy-2025-03-20.xlsx');
    const id = stored?.file?.url.replace(/^\/api\/playground\/files\//, '') ?? '';
    expect(sender.file(id)?.data.toString()).toBe('xlsx');
    expect(sender.file('not-a-file')).toBeUndefined();
  });

  it('without a builder the page shows the fallback text', async () => {
    const sender = createPlaygroundSender();
    await sender.send('pg:leader', message);
    expect(sender.list('pg:leader', 0)[0]?.text).toBe(`${message.text}\n\n${message.document.fallbackText}`);
  });
});
