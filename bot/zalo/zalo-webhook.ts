import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../core/shared/clock.ts';
import type { InboundEventStore } from '../../prisma/inbound-event-store.ts';
import { type Logger, limitRepeats } from '../logger.ts';
import { ZZaloEvent, zaloEventId } from './zalo-inbound.ts';

export const ZALO_WEBHOOK_PATH = '/zalo/webhook';

export interface ZaloWebhookDeps {
  appId: string;
  oaSecretKey: string;
  /** Signed events older (or newer) than this are refused as replays. */
  maxAgeMs: number;
  events: InboundEventStore;
  clock: Clock;
  log: Logger;
  /** Called after an event was stored (wakes the processor). */
  onAccepted: () => void;
}

export type SignatureCheck = { ok: true; variant: string } | { ok: false; reason: string };

/**
 * Zalo's `X-ZEvent-Signature`: sha256 hex of appId + raw body + timestamp + OA secret key, plain
 * SHA-256 (not HMAC), optionally prefixed "mac=" (reference/zalo-oa.md §5.3). Sources disagree on
 * the first term (app id or OA id) and on where the timestamp comes from (body field or an
 * `X-ZEvent-Timestamp` header), so every documented variant is tried and the one that matched is
 * reported for the log.
 */
export function verifyZaloSignature(
  raw: string,
  header: string | undefined,
  input: {
    appId: string;
    oaSecretKey: string;
    oaId?: string;
    bodyTimestamp?: string;
    headerTimestamp?: string;
  },
): SignatureCheck {
  if (!header) {
    return { ok: false, reason: 'missing signature' };
  }
  const given = header.trim().replace(/^mac=/i, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(given)) {
    return { ok: false, reason: 'malformed signature' };
  }
  const expected = Buffer.from(given, 'hex');
  const ids: [string, string][] = [['app_id', input.appId]];
  if (input.oaId) {
    ids.push(['oa_id', input.oaId]);
  }
  const stamps: [string, string][] = [];
  if (input.bodyTimestamp) {
    stamps.push(['body timestamp', input.bodyTimestamp]);
  }
  if (input.headerTimestamp) {
    stamps.push(['header timestamp', input.headerTimestamp]);
  }
  for (const [idName, id] of ids) {
    for (const [stampName, stamp] of stamps) {
      const mac = createHash('sha256').update(`${id}${raw}${stamp}${input.oaSecretKey}`, 'utf8').digest();
      if (timingSafeEqual(mac, expected)) {
        return { ok: true, variant: `${idName} + ${stampName}` };
      }
    }
  }
  return { ok: false, reason: 'signature mismatch' };
}

/**
 * POST /zalo/webhook: verify, store, answer 200 — processing happens after the answer, from the
 * stored event, so Zalo's 2-second deadline is kept and an accepted event is never lost.
 */
export async function registerZaloWebhook(app: FastifyInstance, deps: ZaloWebhookDeps): Promise<void> {
  // Anyone can post forged events: their warnings are limited to one line a minute with a count.
  const refused = limitRepeats(deps.log, 'zalo webhook refused');
  const stale = limitRepeats(deps.log, 'zalo webhook refused: timestamp outside the window');
  await app.register((scope, _options, done) => {
    // The signature covers the exact bytes Zalo sent: keep the raw body, parse it ourselves.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
      done(null, body);
    });

    scope.get(ZALO_WEBHOOK_PATH, async () => ({ ok: true }));

    scope.post(ZALO_WEBHOOK_PATH, async (request, reply) => {
      const raw = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '';
      const header = headerValue(request.headers['x-zevent-signature']);
      if (!header && /^\s*(\{\s*\})?\s*$/.test(raw)) {
        // Zalo's unsigned ping when the webhook URL is saved: answer 200, do nothing.
        return reply.code(200).send({ ok: true });
      }
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        deps.log.warn({ bytes: raw.length }, 'zalo webhook: body is not JSON');
        return reply.code(400).send({ ok: false, error: 'invalid body' });
      }
      const parsed = ZZaloEvent.safeParse(json);
      const bodyTimestamp = parsed.success ? parsed.data.timestamp : undefined;
      const check = verifyZaloSignature(raw, header, {
        appId: deps.appId,
        oaSecretKey: deps.oaSecretKey,
        oaId: parsed.success ? (parsed.data.oa_id ?? parsed.data.recipient?.id) : undefined,
        bodyTimestamp,
        headerTimestamp: headerValue(request.headers['x-zevent-timestamp']),
      });
      if (!check.ok) {
        refused({ reason: check.reason });
        return reply.code(401).send({ ok: false, error: 'invalid signature' });
      }
      if (!parsed.success) {
        deps.log.warn(
          { issues: parsed.error.issues.length },
          'zalo webhook: signed event of unknown shape ignored',
        );
        return reply.code(200).send({ ok: true });
      }
      const sentAt = Number(parsed.data.timestamp);
      if (!Number.isFinite(sentAt) || Math.abs(deps.clock.now().getTime() - sentAt) > deps.maxAgeMs) {
        stale({ event: parsed.data.event_name });
        return reply.code(401).send({ ok: false, error: 'stale event' });
      }
      deps.log.debug({ variant: check.variant, event: parsed.data.event_name }, 'zalo signature matched');
      const accepted = await deps.events.accept(
        { channel: 'zalo', externalId: zaloEventId(parsed.data), payload: raw },
        deps.clock.now(),
      );
      if (accepted) {
        deps.onAccepted();
      }
      return reply.code(200).send({ ok: true });
    });
    done();
  });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
