import { describe, expect, it } from 'vitest';
import { bold, code } from '../../core/messaging/markup.ts';
import type { Outbound } from '../../core/messaging/message.ts';
import { decodeVietQr } from '../../test/support/emvco.ts';
import { scanQrPng } from '../../test/support/qr-scan.ts';
import { type BuiltDocument, DOCX_MIME_TYPE } from '../exports/document-builder.ts';
import type { ZaloClient } from './zalo-client.ts';
import { ZaloApiError, ZaloHttpError } from './zalo-errors.ts';
import { createZaloSender, ZALO_TEXT_LIMIT } from './zalo-sender.ts';

const PNG = Buffer.from('89504e470d0a1a0a', 'hex');
const DIGEST: Outbound = {
  text: '📊 Bản tin tuần\n\n🏠 Tiến độ theo phường, xã:\n• Đức Xuân: 3 duyệt · 1 KC · 0 HT · 0 BG (0% HT)',
  image: {
    svg: '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
    caption: '📊 Bản tin tuần',
  },
};

/** A client that records what it was asked to do; `fail` makes one method refuse. */
function fakeClient(fail?: { method: keyof ZaloClient; error: Error }): {
  client: ZaloClient;
  calls: unknown[][];
} {
  const calls: unknown[][] = [];
  const done = async (method: keyof ZaloClient, ...args: unknown[]) => {
    calls.push([method, ...args]);
    if (fail?.method === method) {
      throw fail.error;
    }
  };
  const sent = { messageId: 'm' };
  const client: ZaloClient = {
    async sendText(...args) {
      await done('sendText', ...args);
      return sent;
    },
    async sendImage(...args) {
      await done('sendImage', ...args);
      return sent;
    },
    async sendFile(...args) {
      await done('sendFile', ...args);
      return sent;
    },
    async sendGroupText(...args) {
      await done('sendGroupText', ...args);
      return sent;
    },
    async uploadImage(data, filename) {
      await done('uploadImage', data.length, filename);
      return { attachmentId: 'att-1' };
    },
    async uploadFile(data, filename) {
      await done('uploadFile', data.length, filename);
      return { token: 't' };
    },
    async sendTemplate(...args) {
      await done('sendTemplate', ...args);
      return { msgId: 'z' };
    },
    async getProfile(userId) {
      await done('getProfile', userId);
      return { userId, displayName: 'x', isFollower: true };
    },
  };
  return { client, calls };
}

describe('createZaloSender', () => {
  it('uploads the chart as a PNG and sends it to the user before the text', async () => {
    const { client, calls } = fakeClient();
    const sender = createZaloSender(client, { renderPng: () => PNG });
    expect(await sender.send('1234567890123456789', DIGEST)).toEqual({ ok: true });
    expect(calls).toEqual([
      ['uploadImage', PNG.length, 'bieu-do.png'],
      ['sendImage', '1234567890123456789', { attachmentId: 'att-1' }, '📊 Bản tin tuần'],
      ['sendText', '1234567890123456789', DIGEST.text],
    ]);
  });

  it('draws a payment QR from its recipe and sends it as a picture with its caption, before the text', async () => {
    const { client, calls } = fakeClient();
    let uploaded: Buffer = Buffer.alloc(0);
    const recording: ZaloClient = {
      ...client,
      uploadImage: (data, filename) => {
        uploaded = data;
        return client.uploadImage(data, filename);
      },
    };
    const receipt: Outbound = {
      text: '✅ Đã ghi nhận đăng ký ủng hộ. Số đăng ký: UH-0001',
      image: {
        vietqr: {
          bin: '970405',
          accountNumber: '8300201001234',
          amount: '5000000',
          purpose: 'UH-0001 TON N T P THAO',
        },
        caption: 'Quét mã để chuyển khoản 5.000.000 đ, nội dung UH-0001 TON N T P THAO',
      },
    };
    // The real renderer (bot/images/vietqr.ts): what goes out is a QR a banking app reads.
    expect(await createZaloSender(recording).send('1234567890123456789', receipt)).toEqual({ ok: true });
    expect(calls).toEqual([
      ['uploadImage', uploaded.length, 'ma-qr-chuyen-khoan.png'],
      ['sendImage', '1234567890123456789', { attachmentId: 'att-1' }, receipt.image?.caption],
      ['sendText', '1234567890123456789', receipt.text],
    ]);
    expect(decodeVietQr(scanQrPng(uploaded))).toMatchObject({
      bin: '970405',
      accountNumber: '8300201001234',
      amount: '5000000',
      purpose: 'UH-0001 TON N T P THAO',
      crcValid: true,
    });
  });

  it('sends a group chat the text only, in parts between lines, and says why there is no picture', async () => {
    const { client, calls } = fakeClient();
    const logged: unknown[] = [];
    const sender = createZaloSender(client, {
      renderPng: () => {
        throw new Error('not expected');
      },
      log: { info: (obj: unknown, msg?: string) => logged.push([obj, msg]) } as never,
    });
    const lines = Array.from(
      { length: 80 },
      (_, i) => `• Dòng ${i + 1}: 3 duyệt · 1 KC · 0 HT · 0 BG (0% HT)`,
    );
    const long: Outbound = { ...DIGEST, text: lines.join('\n') };
    expect(await sender.send('group:g-42', long)).toEqual({ ok: true });
    const parts = calls.map(([method, groupId, text]) => {
      expect([method, groupId]).toEqual(['sendGroupText', 'g-42']);
      return String(text);
    });
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(ZALO_TEXT_LIMIT);
      expect(part.split('\n').every((line) => lines.includes(line))).toBe(true);
    }
    expect(parts.join('\n')).toBe(long.text);
    expect(logged).toEqual([
      [{ chatId: 'group:g-42' }, 'Zalo group chats take no picture: sending the text only'],
    ]);
  });

  it('a plain message to a group is its text', async () => {
    const { client, calls } = fakeClient();
    await createZaloSender(client).send('group:g-1', { text: 'Xin chào' });
    expect(calls).toEqual([['sendGroupText', 'g-1', 'Xin chào']]);
  });

  it('sends the text as plain text: Zalo shows no bold or monospace, the spans are dropped', async () => {
    const { client, calls } = fakeClient();
    await createZaloSender(client).send('99', {
      text: `${bold('Đã ghi nhận')} <b>Bà Tư</b>, mã ${code('UH-0001')}`,
      choices: [[{ id: 'menu:main', label: 'Menu' }]],
    });
    expect(calls).toEqual([
      ['sendText', '99', 'Đã ghi nhận <b>Bà Tư</b>, mã UH-0001\n\nTrả lời bằng số:\n1. Menu'],
    ]);
  });

  it('outside the 7-day window the whole message is held, picture and text', async () => {
    const { client, calls } = fakeClient({
      method: 'sendImage',
      error: new ZaloApiError('/v3.0/oa/message/cs', -230, 'User has not interacted with the OA in 7 days'),
    });
    const result = await createZaloSender(client, { renderPng: () => PNG }).send('99', DIGEST);
    expect(result).toMatchObject({ ok: false, hold: true });
    expect(calls.map((c) => c[0])).toEqual(['uploadImage', 'sendImage']);
  });

  it('a chart that cannot be drawn fails for good, before anything is sent', async () => {
    const { client, calls } = fakeClient();
    const sender = createZaloSender(client, {
      renderPng: () => {
        throw new Error('bad svg');
      },
    });
    expect(await sender.send('99', DIGEST)).toEqual({ ok: false, retry: false, error: 'chart: bad svg' });
    expect(calls).toEqual([]);
  });
});

describe('createZaloSender with a document', () => {
  it('sends the text and the fallback naming the CLI command: Zalo takes no .xlsx upload', async () => {
    const { client, calls } = fakeClient();
    const message: Outbound = {
      text: '📎 Danh sách hộ – Thành phố Bắc Kạn.',
      document: {
        kind: 'households',
        params: { scope: [2] },
        fallbackText:
          'Cán bộ MTTQ thành phố có thể xuất tệp này bằng lệnh: npm run cli -- export households …',
      },
    };
    expect(await createZaloSender(client).send('u1', message)).toEqual({ ok: true });
    expect(calls.map((c) => c[0])).toEqual(['sendText']);
    expect(calls[0]?.[2]).toBe(`${message.text}\n\n${message.document?.fallbackText}`);
  });

  const LETTER: Outbound = {
    text: '📎 Giấy xác nhận ủng hộ số 7/GXN-BVĐ.',
    document: {
      kind: 'acknowledgement',
      params: { entryId: 12 },
      fallbackText: 'npm run cli -- funds ack …',
    },
  };
  const DOCX: BuiltDocument = {
    data: Buffer.from('504b030414', 'hex'),
    fileName: 'giay-xac-nhan-7.docx',
    mimeType: DOCX_MIME_TYPE,
  };

  it('uploads a Word document and sends it as a file before the text, without the fallback', async () => {
    const { client, calls } = fakeClient();
    const asked: unknown[] = [];
    const sender = createZaloSender(client, {
      buildDocument: async (document) => {
        asked.push(document);
        return DOCX;
      },
      asFile: (document) => document.kind === 'acknowledgement',
    });
    expect(await sender.send('u1', LETTER)).toEqual({ ok: true });
    expect(asked).toEqual([LETTER.document]);
    expect(calls).toEqual([
      ['uploadFile', DOCX.data.length, 'giay-xac-nhan-7.docx'],
      ['sendFile', 'u1', 't'],
      ['sendText', 'u1', LETTER.text],
    ]);
  });

  it('an Excel export is not built: the text says how to get it', async () => {
    const { client, calls } = fakeClient();
    let built = 0;
    const sender = createZaloSender(client, {
      buildDocument: async () => {
        built += 1;
        return DOCX;
      },
      asFile: (document) => document.kind === 'acknowledgement',
    });
    const message: Outbound = { ...LETTER, document: { kind: 'ledger', params: {}, fallbackText: 'cli' } };
    expect(await sender.send('u1', message)).toEqual({ ok: true });
    expect(built).toBe(0);
    expect(calls).toEqual([['sendText', 'u1', `${message.text}\n\ncli`]]);
  });

  it('a group chat gets the text and the fallback: groups take no file', async () => {
    const { client, calls } = fakeClient();
    const sender = createZaloSender(client, { buildDocument: async () => DOCX, asFile: () => true });
    expect(await sender.send('group:g-1', LETTER)).toEqual({ ok: true });
    expect(calls).toEqual([['sendGroupText', 'g-1', `${LETTER.text}\n\n${LETTER.document?.fallbackText}`]]);
  });

  it('a document that cannot be built fails for good and nothing is sent', async () => {
    const { client, calls } = fakeClient();
    const sender = createZaloSender(client, {
      buildDocument: async () => {
        throw new Error('document refused: receipt 12 reversed');
      },
      asFile: () => true,
    });
    expect(await sender.send('u1', LETTER)).toEqual({
      ok: false,
      retry: false,
      error: 'document: document refused: receipt 12 reversed',
    });
    expect(calls).toEqual([]);
  });

  it('an upload lost on the network is retried later, the text not sent before the file', async () => {
    const { client, calls } = fakeClient({
      method: 'uploadFile',
      error: new ZaloHttpError('/v2.0/oa/upload/file', 'socket hang up'),
    });
    const sender = createZaloSender(client, { buildDocument: async () => DOCX, asFile: () => true });
    expect(await sender.send('u1', LETTER)).toMatchObject({ ok: false, retry: true });
    expect(calls.map((c) => c[0])).toEqual(['uploadFile']);
  });
});
