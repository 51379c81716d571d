import type { PeriodKind } from '../campaigns/campaign.ts';
import { capitalised } from '../campaigns/campaign.ts';
import { type Locale, type MessageKey, t } from '../messaging/catalog.ts';

/**
 * The reminders' copy lives in the catalog (`reminder.*`, Vietnamese first, English beside it). A
 * planned reminder carries only a template name and string params, so the outbox can store it as
 * JSON; `{name}` placeholders without a param stay visible rather than vanish.
 */
export const REMINDER_TEMPLATES = [
  'report_due',
  'report_due_today',
  'escalation',
  'escalation_many',
  'pledge_due',
  'pledge_due_today',
  'pledge_overdue',
  'committee_due',
  'committee_due_today',
] as const;

export type ReminderTemplate = (typeof REMINDER_TEMPLATES)[number];

export interface ReminderText {
  template: ReminderTemplate;
  params: Record<string, string>;
}

/** How an officer sends each kind of report from the bot (the `{hint}` of report reminders). */
export const REPORT_HINTS: Record<PeriodKind, MessageKey> = {
  weekly: 'reminder.hint.weekly',
  monthly: 'reminder.hint.monthly',
  quarterly: 'reminder.hint.quarterly',
  semiannual: 'reminder.hint.semiannual',
  final: 'reminder.hint.final',
};

/**
 * The reminder in `locale`; `address` is how the campaign addresses its officers ("đồng chí" or
 * "anh/chị", the campaign's addressForm), used by the report reminders and escalations.
 */
export function renderReminder(text: ReminderText, locale: Locale = 'vi', address = 'anh/chị'): string {
  const forms = { address, Address: capitalised(address) };
  const params: Record<string, string> = { ...forms, ...text.params };
  if (params.hint?.startsWith('reminder.hint.')) {
    params.hint = t(locale, params.hint as MessageKey, forms);
  }
  if (params.to !== undefined) {
    // The committee's report's addressee, when the campaign names one: " gửi Thường trực Thành ủy".
    params.to = params.to === '' ? '' : t(locale, 'committee.recipient', { recipient: params.to });
  }
  return t(locale, `reminder.${text.template}`, params);
}
