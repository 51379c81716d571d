import { type MessageKey, t } from '../../core/messaging/catalog.ts';
import type { OutboundNotice } from '../../core/messaging/message.ts';
import type { ChannelSender, SendContext, SendResult } from '../../core/messaging/messenger.ts';
import { addDays, dateInZone, startOfDay, toIsoDate } from '../../core/shared/calendar.ts';
import type { Clock } from '../../core/shared/clock.ts';
import { formatDateTime } from '../../core/shared/format.ts';
import { parsePhone } from '../../core/shared/parse.ts';
import type { ZnsRecipient, ZnsStore } from '../../prisma/zns-store.ts';
import type { ZnsConfig, ZnsTemplate } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { ZaloClient } from './zalo-client.ts';
import {
  failedBeforeSending,
  ZaloApiError,
  ZaloHttpError,
  ZaloTokenDeadError,
  type ZnsProblem,
  znsProblem,
} from './zalo-errors.ts';
import { ZALO_GROUP_PREFIX } from './zalo-sender.ts';

/** Zalo refuses long template parameters (limits per parameter type, 30–400 characters). */
const PARAM_MAX = 100;
const TOKEN_RETRY_MS = 10 * 60_000;
const RATE_RETRY_MS = 60_000;
/** ZNS is not delivered at night (22:00–06:00, Vietnam): sent again from this hour. */
const MORNING_HOUR = 6;

export interface ZnsSenderDeps {
  client: Pick<ZaloClient, 'sendTemplate'>;
  config: ZnsConfig;
  store: ZnsStore;
  clock: Clock;
  /** The campaign's zone: the month a send counts in, when a day's quota starts again. */
  timeZone: string;
  log: Pick<Logger, 'info' | 'warn'>;
  /** Tells the admins, once per key (the outbox keeps one alert per key and chat). */
  alert: (key: string, text: string) => void;
}

/**
 * Zalo's consultation messages reach only people who wrote to the OA in the last 7 days; after that
 * Zalo answers -230 and the message waits for them to write again (`hold`). A reminder, an
 * escalation or an acknowledgement (`message.notice`) of a kind with a configured template goes
 * instead as a ZNS template message to the phone number the person registered: at once when their
 * last message is older than the window, or when the consultation message was refused for the
 * window. Each outbox row is sent by ZNS at most once (table ZnsSend, tracking_id = the row).
 *
 * Zalo's refusals: token and rate limits are tried again later; the day's quota or balance pauses
 * ZNS until the next day; night hours until 06:00; a template, permission or recipient problem holds
 * the message as before and tells the admins once. Anything else is held too — never dropped.
 */
export function withZnsFallback(inner: ChannelSender, deps: ZnsSenderDeps): ChannelSender {
  const { config, store, clock, log } = deps;
  /** No ZNS before this instant (the day's quota is spent, or it is night). */
  let pausedUntil = 0;

  const tell = (key: string, text: MessageKey, params: Record<string, string>) =>
    deps.alert(`zns:${key}`, t('vi', text, params));

  async function sendTemplate(
    outboxId: number,
    recipient: ZnsRecipient,
    notice: OutboundNotice,
    template: ZnsTemplate,
    why: string,
  ): Promise<SendResult> {
    const now = clock.now();
    if (pausedUntil > now.getTime()) {
      return retryAt(pausedUntil - now.getTime(), 'ZNS paused (quota or night hours)');
    }
    const phone = parsePhone(recipient.phone ?? '');
    if (phone === undefined) {
      tell(`phone:${recipient.personId}`, 'zns.alert.person', {
        name: recipient.fullName,
        reason: t('vi', 'zns.alert.person.no_phone'),
      });
      return { ok: false, hold: true, error: `${why}; ZNS: no phone number registered` };
    }
    const begun = await store.begin(
      outboxId,
      { kind: notice.kind, templateId: template.templateId, personId: recipient.personId },
      now,
    );
    if (begun === 'sent') {
      return { ok: true };
    }
    if (begun === 'unknown') {
      return { ok: false, retry: false, error: 'ZNS: an earlier attempt got no answer; not sent again' };
    }
    const fields = {
      outboxId,
      kind: notice.kind,
      templateId: template.templateId,
      personId: recipient.personId,
    };
    try {
      const sent = await deps.client.sendTemplate(config.url, {
        phone: `84${phone.slice(1)}`,
        templateId: template.templateId,
        templateData: templateData(template, { ...notice.params, name: recipient.fullName }),
        trackingId: String(outboxId),
        ...(config.mode ? { mode: config.mode } : {}),
      });
      await store.sent(
        outboxId,
        {
          msgId: sent.msgId,
          costDong: template.costDong,
          month: toIsoDate(dateInZone(now, deps.timeZone)).slice(0, 7),
          ...(sent.dailyQuota === undefined ? {} : { dailyQuota: sent.dailyQuota }),
          ...(sent.remainingQuota === undefined ? {} : { remainingQuota: sent.remainingQuota }),
        },
        now,
      );
      log.info(fields, 'sent by ZNS (outside the consultation window)');
      return { ok: true };
    } catch (error) {
      return failed(error, outboxId, recipient, notice, template, fields);
    }
  }

  async function failed(
    error: unknown,
    outboxId: number,
    recipient: ZnsRecipient,
    notice: OutboundNotice,
    template: ZnsTemplate,
    fields: Record<string, unknown>,
  ): Promise<SendResult> {
    if (error instanceof ZaloHttpError && error.status === 200) {
      // Zalo said success (error 0) in a shape we did not expect: it went.
      const now = clock.now();
      const month = toIsoDate(dateInZone(now, deps.timeZone)).slice(0, 7);
      await store.sent(outboxId, { msgId: null, costDong: template.costDong, month }, now);
      return { ok: true };
    }
    if (error instanceof ZaloHttpError && error.status === undefined && !failedBeforeSending(error)) {
      // No answer: it may have reached Zalo. Not sent again; an admin can see it among the failed.
      await store.unknown(outboxId, error.message);
      log.warn({ ...fields, err: error }, 'ZNS send got no answer; not sent again');
      tell(`unknown:${outboxId}`, 'zns.alert.unknown', { name: recipient.fullName, error: error.message });
      return { ok: false, retry: false, error: `ZNS: no answer, not sent again (${error.message})` };
    }
    const description = error instanceof ZaloApiError ? `${error.code} ${error.apiMessage}` : String(error);
    await store.refused(outboxId, description);
    if (!(error instanceof ZaloApiError)) {
      // Nothing left (refused connection, HTTP 5xx) or the refresh token is dead (admins told).
      const slow = error instanceof ZaloTokenDeadError;
      return retryAt(slow ? TOKEN_RETRY_MS : RATE_RETRY_MS, `ZNS: ${description}`);
    }
    const problem = znsProblem(error);
    log.warn({ ...fields, code: error.code, problem }, 'Zalo refused a ZNS message');
    return onRefusal(problem, error.code, `ZNS ${description}`, recipient, notice, template);
  }

  function onRefusal(
    problem: ZnsProblem,
    code: number,
    error: string,
    recipient: ZnsRecipient,
    notice: OutboundNotice,
    template: ZnsTemplate,
  ): SendResult {
    const now = clock.now();
    const today = dateInZone(now, deps.timeZone);
    const day = toIsoDate(today);
    switch (problem) {
      case 'token':
        tell(`token:${day}`, 'zns.alert.token', { error });
        return retryAt(TOKEN_RETRY_MS, error);
      case 'rate':
        return retryAt(RATE_RETRY_MS, error);
      case 'quota': {
        pausedUntil = startOfDay(addDays(today, 1), deps.timeZone).getTime();
        tell(`quota:${day}`, 'zns.alert.quota', {
          error,
          retry: formatDateTime(new Date(pausedUntil), deps.timeZone),
        });
        return retryAt(pausedUntil - now.getTime(), error);
      }
      case 'night': {
        const morning = startOfDay(today, deps.timeZone).getTime() + MORNING_HOUR * 3_600_000;
        pausedUntil = morning > now.getTime() ? morning : morning + 86_400_000;
        return retryAt(pausedUntil - now.getTime(), error);
      }
      case 'recipient':
        tell(`recipient:${recipient.personId}:${code}`, 'zns.alert.person', {
          name: recipient.fullName,
          reason: t('vi', 'zns.alert.person.refused', { error }),
        });
        return { ok: false, hold: true, error };
      case 'permission':
        tell(`permission:${code}`, 'zns.alert.token', { error });
        return { ok: false, hold: true, error };
      default:
        tell(`template:${template.templateId}:${code}`, 'zns.alert.template', {
          kind: t('vi', `zns.kind.${notice.kind}`),
          template: template.templateId,
          error,
          variable: template.variable,
        });
        return { ok: false, hold: true, error };
    }
  }

  return {
    async send(chatId, message, context?: SendContext): Promise<SendResult> {
      const notice = message.notice;
      const template = notice ? config.templates[notice.kind] : undefined;
      if (!context || !notice || !template || chatId.startsWith(ZALO_GROUP_PREFIX)) {
        return inner.send(chatId, message, context);
      }
      const recipient = await store.recipient(chatId);
      if (!recipient) {
        return inner.send(chatId, message, context);
      }
      const last = recipient.lastInteractionAt?.getTime();
      if (last !== undefined && clock.now().getTime() - last >= config.windowMs) {
        return sendTemplate(context.outboxId, recipient, notice, template, 'outside the consultation window');
      }
      // The person wrote meanwhile, but an earlier attempt of this row may have gone by ZNS.
      const before = await store.statusOf(context.outboxId);
      if (before === 'sent') {
        return { ok: true };
      }
      if (before === 'unknown' || before === 'sending') {
        return { ok: false, retry: false, error: 'ZNS: an earlier attempt got no answer; not sent again' };
      }
      const result = await inner.send(chatId, message, context);
      return 'hold' in result
        ? sendTemplate(context.outboxId, recipient, notice, template, result.error)
        : result;
    },
  };
}

function retryAt(ms: number, error: string): SendResult {
  return { ok: false, retry: true, error, retryAfterMs: Math.max(1_000, ms) };
}

/**
 * The template's parameters: each "template param = our param" pair of the configuration, or ours
 * under their own names; a param we do not have is "–" (Zalo refuses an empty one), a long one cut.
 */
export function templateData(template: ZnsTemplate, ours: Record<string, string>): Record<string, string> {
  const pairs = template.params ?? Object.keys(ours).map((name): [string, string] => [name, name]);
  const data: Record<string, string> = {};
  for (const [theirs, mine] of pairs) {
    const value = (ours[mine] ?? '').trim() || '–';
    data[theirs] = value.length > PARAM_MAX ? `${value.slice(0, PARAM_MAX - 1)}…` : value;
  }
  return data;
}
