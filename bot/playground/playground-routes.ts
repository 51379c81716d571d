import { randomBytes } from 'node:crypto';
import type { FastifyError, FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Inbound } from '../../core/messaging/message.ts';
import { vietQrPng } from '../images/vietqr.ts';
import { createPlaygroundGuard, type PlaygroundAccess } from './access.ts';
import { PLAYGROUND_PAGE_CSP, PLAYGROUND_PAGE_HTML } from './page.ts';
import {
  PLAYGROUND_FILES_PATH,
  PLAYGROUND_IMAGES_PATH,
  type PlaygroundMessage,
  type PlaygroundSender,
} from './playground-sender.ts';

/** A member of a playground group: one of the personas, who writes in it as themselves. */
export interface PlaygroundMember {
  id: string;
  name: string;
  roleLabel: string;
}

/**
 * A demo person one can act as in the playground (`kind` 'person', the default), a group chat of
 * some of them ('group', with its `members`), or the entry that makes a new stranger ('stranger').
 */
export interface PlaygroundPersona {
  id: string;
  name: string;
  roleLabel: string;
  unitName: string;
  kind?: 'person' | 'group' | 'stranger';
  members?: PlaygroundMember[];
}

export interface PlaygroundDeps {
  /** The personas and groups of the database (not the stranger entry, which the routes add). */
  listPersonas(): Promise<PlaygroundPersona[]>;
  /** Processes one inbound message durably; replies arrive later through the sender. */
  handleInbound(inbound: Inbound): Promise<void>;
  sender: PlaygroundSender;
  /**
   * Host check, password and origin check on every playground route (bot/playground/access.ts).
   * The app always passes it; only the route tests here, on a bare Fastify, leave it out.
   */
  access?: PlaygroundAccess;
  /** A demo invite code a new stranger can try (made anew when the last one was used), if any. */
  demoInvite?(): Promise<string | undefined>;
  /**
   * "Bắt đầu lại": the demo database seeded afresh. Only given where the playground runs on the
   * demo database (never on a real deployment's); without it the page shows no such button.
   */
  reset?(): Promise<void>;
}

/** Body of `POST /api/playground/messages`. */
export interface PlaygroundPostBody {
  personaId: string;
  clientMessageId: string;
  text?: string;
  choiceId?: string;
  /** In a group chat: the member who writes (the group's first member when left out). */
  senderId?: string;
}

/** The longest long poll the server accepts, in seconds; kept under common proxy idle timeouts. */
export const MAX_WAIT_SECONDS = 25;

const API = '/api/playground';

// A UUID is 36 characters of hex and dashes, so this one pattern accepts both allowed forms.
const CLIENT_MESSAGE_ID = /^[A-Za-z0-9-]{8,64}$/;

const postBodySchema = z
  .object(
    {
      personaId: z
        .string({ error: 'Thiếu mã người dùng mẫu (personaId).' })
        .min(1, { error: 'Thiếu mã người dùng mẫu (personaId).' })
        .max(64, { error: 'Mã người dùng mẫu (personaId) dài quá 64 ký tự.' }),
      clientMessageId: z.string({ error: 'Thiếu mã tin nhắn (clientMessageId).' }).regex(CLIENT_MESSAGE_ID, {
        error:
          'Mã tin nhắn (clientMessageId) không hợp lệ: cần UUID hoặc 8–64 ký tự chữ, số, dấu gạch ngang.',
      }),
      text: z
        .string({ error: 'Nội dung tin nhắn (text) phải là chuỗi ký tự.' })
        .max(4000, { error: 'Tin nhắn quá dài (tối đa 4000 ký tự).' })
        .optional(),
      choiceId: z
        .string({ error: 'Mã lựa chọn (choiceId) phải là chuỗi ký tự.' })
        .min(1, { error: 'Mã lựa chọn (choiceId) không được để trống.' })
        .max(64, { error: 'Mã lựa chọn (choiceId) dài quá 64 ký tự.' })
        .optional(),
      senderId: z
        .string({ error: 'Người viết trong nhóm (senderId) phải là chuỗi ký tự.' })
        .max(64, { error: 'Người viết trong nhóm (senderId) dài quá 64 ký tự.' })
        .optional(),
    },
    { error: 'Dữ liệu gửi lên phải là một đối tượng JSON.' },
  )
  .refine((body) => (body.text !== undefined && body.text.trim() !== '') || body.choiceId !== undefined, {
    error: 'Cần có nội dung tin nhắn (text) hoặc lựa chọn (choiceId).',
  });

const personaQuery = z.object(
  {
    personaId: z
      .string({ error: 'Thiếu mã người dùng mẫu (personaId).' })
      .min(1, { error: 'Thiếu mã người dùng mẫu (personaId).' })
      .max(64, { error: 'Mã người dùng mẫu (personaId) dài quá 64 ký tự.' }),
    after: z
      .string({ error: 'Tham số after phải là một số nguyên không âm.' })
      .regex(/^\d{1,15}$/, { error: 'Tham số after phải là một số nguyên không âm.' })
      .transform(Number)
      .optional(),
    wait: z
      .string({ error: `Tham số wait phải là số giây từ 0 đến ${MAX_WAIT_SECONDS}.` })
      .regex(/^\d{1,2}(\.\d{1,3})?$/, { error: `Tham số wait phải là số giây từ 0 đến ${MAX_WAIT_SECONDS}.` })
      .transform(Number)
      .refine((seconds) => seconds <= MAX_WAIT_SECONDS, {
        error: `Tham số wait phải là số giây từ 0 đến ${MAX_WAIT_SECONDS}.`,
      })
      .optional(),
  },
  { error: 'Thiếu tham số truy vấn.' },
);

function firstIssue(error: z.ZodError): string {
  return error.issues[0]?.message ?? 'Dữ liệu gửi lên không hợp lệ.';
}

/**
 * A stranger of the playground: `khach-` and a random part, known to nobody until they register (a
 * pledge, an invite), after which they are a persona like the others.
 */
export const STRANGER_ID = /^khach-[a-z0-9]{6,16}$/;

/** The picker's entry that makes a new stranger. */
export const NEW_STRANGER: PlaygroundPersona = {
  id: 'khach-moi',
  kind: 'stranger',
  name: 'Khách mới',
  roleLabel: 'Người chưa đăng ký — mỗi lần bấm là một người mới: thử /ungho, /phananh hoặc mã mời',
  unitName: '',
};

/** A stranger, named after their id ("Khách E4C8") so that two of them are told apart, here and once registered. */
function strangerPersona(id: string, inviteCode?: string): PlaygroundPersona {
  return {
    id,
    kind: 'person',
    name: `Khách ${id.slice('khach-'.length, 'khach-'.length + 4).toUpperCase()}`,
    roleLabel: inviteCode
      ? `Chưa đăng ký — thử /ungho, /phananh hoặc mã mời ${inviteCode}`
      : 'Chưa đăng ký — thử /ungho, /phananh',
    unitName: '',
  };
}

/**
 * The chat of a persona on the playground channel: its id, as a Telegram private chat's id is the
 * user's. So a reply and a message the bot sends on its own (a reminder, an alert, a receipt notice:
 * to the person's identity, whose id is the persona id) are one conversation on the page.
 */
export function playgroundChatId(personaId: string): string {
  return personaId;
}

/**
 * Splits "/Start@MttqBot  abc " into `{ command: 'start', args: 'abc' }` the way Telegram
 * commands are read, so the core sees the same thing from both channels. Returns null for a bare
 * "/" (or "/ text"), which is then treated as ordinary text.
 */
export function parseCommand(text: string): { command: string; args: string } | null {
  if (!text.startsWith('/')) {
    return null;
  }
  const match = /^\/(\S*)\s*([\s\S]*)$/.exec(text);
  const word = match?.[1] ?? '';
  const command = (word.split('@')[0] ?? '').toLowerCase();
  if (command === '') {
    return null;
  }
  return { command, args: (match?.[2] ?? '').trim() };
}

/**
 * Translates a page request into the channel-neutral `Inbound`, exactly as a messenger adapter
 * would: the clientMessageId is the dedupe key, so a retried request is processed once.
 */
export function buildPlaygroundInbound(
  persona: PlaygroundPersona,
  body: PlaygroundPostBody,
  receivedAt: Date,
): Inbound {
  const group = persona.kind === 'group';
  const sender = group ? memberOf(persona, body.senderId) : undefined;
  const inbound: Inbound = {
    channel: 'playground',
    chatId: playgroundChatId(persona.id),
    chatType: group ? 'group' : 'private',
    senderId: sender?.id ?? persona.id,
    senderName: sender?.name ?? persona.name,
    externalId: body.clientMessageId,
    kind: 'text',
    receivedAt,
  };
  if (group) {
    inbound.chatTitle = persona.name;
  }
  const text = body.text?.trim();
  if (text !== undefined && text !== '') {
    inbound.text = text;
  }
  const command = text === undefined ? null : parseCommand(text);
  if (command) {
    inbound.kind = 'command';
    inbound.command = command.command;
    inbound.args = command.args;
  } else if (body.choiceId !== undefined) {
    inbound.kind = 'choice';
    inbound.choiceId = body.choiceId;
  }
  return inbound;
}

/** The member of a group who writes: the one named, else the first; undefined when not a member. */
function memberOf(group: PlaygroundPersona, senderId: string | undefined): PlaygroundMember | undefined {
  const members = group.members ?? [];
  return senderId === undefined ? members[0] : members.find((m) => m.id === senderId);
}

/** What the conversation shows for the person's message: the pressed button's label when known. */
function userDisplayText(messages: PlaygroundMessage[], inbound: Inbound): string {
  if (inbound.kind === 'choice' && inbound.choiceId !== undefined) {
    for (let i = messages.length - 1; i >= 0; i -= 1) {
      const message = messages[i];
      if (message?.from !== 'bot' || !message.choices) {
        continue;
      }
      for (const row of message.choices) {
        const choice = row.find((candidate) => candidate.id === inbound.choiceId);
        if (choice) {
          return choice.label;
        }
      }
    }
    return inbound.text ?? inbound.choiceId;
  }
  return inbound.text ?? '';
}

async function findPersona(deps: PlaygroundDeps, personaId: string): Promise<PlaygroundPersona | undefined> {
  const personas = await deps.listPersonas();
  const known = personas.find((persona) => persona.id === personaId);
  return known ?? (STRANGER_ID.test(personaId) ? strangerPersona(personaId) : undefined);
}

function unknownPersona(personaId: string): { ok: false; error: string } {
  return { ok: false, error: `Không tìm thấy người dùng mẫu "${personaId}". Hãy tải lại trang và chọn lại.` };
}

/**
 * Registers the local playground: the page at `/` and its JSON API under `/api/playground`.
 * Meant for runs without a messenger token (or a staging database, behind a password), so trainers
 * and officials can try the real core from a browser without any message leaving the machine.
 * Routes live in their own encapsulated scope so the playground's error format and its access
 * guard do not reach the rest of the app (webhooks, /healthz).
 */
export async function registerPlayground(app: FastifyInstance, deps: PlaygroundDeps): Promise<void> {
  const { sender } = deps;

  // A callback-style plugin: everything below registers synchronously, nothing to await.
  await app.register((scope, _options, done) => {
    // Long polls would otherwise hold `app.close()` for up to MAX_WAIT_SECONDS.
    scope.addHook('preClose', async () => {
      sender.releaseWaiters();
    });

    if (deps.access) {
      scope.addHook('onRequest', createPlaygroundGuard(deps.access));
    }

    scope.setErrorHandler((error: FastifyError, request, reply) => {
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        // Fastify's own body errors (bad JSON, wrong content type, too large) in our JSON shape.
        const message =
          status === 413
            ? 'Dữ liệu gửi lên quá lớn.'
            : status === 415
              ? 'Dữ liệu gửi lên phải là JSON (Content-Type: application/json).'
              : 'Dữ liệu gửi lên không hợp lệ (cần JSON đúng định dạng).';
        return reply.code(status).header('cache-control', 'no-store').send({ ok: false, error: message });
      }
      request.log.error({ err: error }, 'playground request failed');
      return reply
        .code(500)
        .header('cache-control', 'no-store')
        .send({ ok: false, error: 'Máy chủ gặp lỗi khi xử lý, vui lòng thử lại.' });
    });

    scope.get('/', async (_request, reply) => {
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-security-policy', PLAYGROUND_PAGE_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .send(PLAYGROUND_PAGE_HTML);
    });

    scope.get(`${API}/personas`, async (_request, reply) => {
      const personas = [...(await deps.listPersonas()), NEW_STRANGER];
      return reply.header('cache-control', 'no-store').send({
        personas: personas.map(({ id, name, roleLabel, unitName, kind, members }) => ({
          id,
          name,
          roleLabel,
          unitName,
          kind: kind ?? 'person',
          ...(members ? { members } : {}),
        })),
        canReset: deps.reset !== undefined,
      });
    });

    // "Khách mới": a new stranger each time, with a demo invite still to try.
    scope.post(`${API}/strangers`, async (_request, reply) => {
      const id = `khach-${randomBytes(6).toString('hex')}`;
      const persona = strangerPersona(id, await deps.demoInvite?.());
      return reply.code(201).header('cache-control', 'no-store').send({ ok: true, persona });
    });

    // "Bắt đầu lại": the demo database as fresh as at the first start; every conversation forgotten.
    scope.post(`${API}/reset`, { bodyLimit: 1024 }, async (request, reply) => {
      reply.header('cache-control', 'no-store');
      if (!deps.reset) {
        return reply.code(409).send({
          ok: false,
          error:
            'Chỉ bắt đầu lại được khi môi trường thử nghiệm chạy trên dữ liệu mẫu (không có token Telegram/Zalo).',
        });
      }
      if ((request.body as { confirm?: unknown } | undefined)?.confirm !== true) {
        return reply.code(400).send({ ok: false, error: 'Cần xác nhận bắt đầu lại (confirm: true).' });
      }
      await deps.reset();
      sender.clear();
      return reply.send({ ok: true });
    });

    scope.post(`${API}/messages`, { bodyLimit: 64 * 1024 }, async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const parsed = postBodySchema.safeParse(request.body);
      if (!parsed.success) {
        return reply.code(400).send({ ok: false, error: firstIssue(parsed.error) });
      }
      const body = parsed.data;
      const persona = await findPersona(deps, body.personaId);
      if (!persona) {
        return reply.code(404).send(unknownPersona(body.personaId));
      }
      if (persona.kind === 'group' && !memberOf(persona, body.senderId)) {
        return reply.code(400).send({ ok: false, error: 'Người viết không phải thành viên của nhóm này.' });
      }
      const inbound = buildPlaygroundInbound(persona, body, new Date());
      // Recorded before the core runs so the person's message is drawn above the bot's replies;
      // keyed by clientMessageId so a retried request does not show it twice.
      sender.recordUser(
        inbound.chatId,
        userDisplayText(sender.list(inbound.chatId, 0), inbound),
        body.clientMessageId,
        persona.kind === 'group' ? inbound.senderName : undefined,
      );
      await deps.handleInbound(inbound);
      return reply.code(202).send({ ok: true });
    });

    // A built file (an Excel export, a Word document), by the unguessable id in the message that offered it.
    scope.get<{ Params: { id: string } }>(`${PLAYGROUND_FILES_PATH}/:id`, async (request, reply) => {
      const file = sender.file(request.params.id);
      if (!file) {
        return reply
          .code(404)
          .header('cache-control', 'no-store')
          .send({ ok: false, error: 'Tệp không còn nữa. Anh/chị hãy yêu cầu xuất lại.' });
      }
      return reply
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .header(
          'content-disposition',
          `attachment; filename="${file.fileName.replace(/[^\w.-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
        )
        .type(file.mimeType)
        .send(file.data);
    });

    // A payment QR (a pledge's VietQR), drawn from the recipe its message keeps: `<seq>.png`.
    scope.get<{ Params: { name: string } }>(`${PLAYGROUND_IMAGES_PATH}/:name`, async (request, reply) => {
      const seq = /^(\d{1,15})\.png$/.exec(request.params.name)?.[1];
      const image = seq === undefined ? undefined : sender.paymentQr(Number(seq));
      if (!image) {
        return reply
          .code(404)
          .header('cache-control', 'no-store')
          .send({ ok: false, error: 'Không còn ảnh này. Anh/chị hãy mở lại đăng ký để lấy mã QR.' });
      }
      return reply
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .type('image/png')
        .send(await vietQrPng(image.vietqr));
    });

    scope.get(`${API}/messages`, async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const parsed = personaQuery.safeParse(request.query);
      if (!parsed.success) {
        return reply.code(400).send({ ok: false, error: firstIssue(parsed.error) });
      }
      const query = parsed.data;
      const persona = await findPersona(deps, query.personaId);
      if (!persona) {
        return reply.code(404).send(unknownPersona(query.personaId));
      }
      const chatId = playgroundChatId(persona.id);
      let after = query.after ?? 0;
      if (after > sender.lastSeq()) {
        // A cursor from before a server restart: send everything, the page notices and redraws.
        after = 0;
      }
      const waitMs = Math.round((query.wait ?? 0) * 1000);
      if (waitMs <= 0) {
        return reply.send({ messages: sender.list(chatId, after) });
      }
      const gone = new AbortController();
      const onClose = (): void => {
        gone.abort();
      };
      // The response's 'close' (not the request's) tells that the browser went away mid-poll.
      reply.raw.once('close', onClose);
      try {
        const messages = await sender.waitFor(chatId, after, waitMs, gone.signal);
        return reply.send({ messages });
      } finally {
        reply.raw.removeListener('close', onClose);
      }
    });

    done();
  });
}
