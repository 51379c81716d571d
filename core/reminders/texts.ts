import type { PeriodKind } from '../campaigns/campaign.ts';

/**
 * The reminders' Vietnamese copy. A planned reminder carries only a template name and string
 * params, so the outbox can store it as JSON and render it when it sends; `{name}` placeholders
 * without a param stay visible rather than vanish.
 */
export const REMINDER_TEMPLATES = {
  report_due: 'Nhắc báo cáo: {unit} chưa gửi báo cáo {period}, hạn {due} (còn {days} ngày). {hint}',
  report_due_today: 'Nhắc báo cáo: {unit} chưa gửi báo cáo {period}, hôm nay ({due}) là hạn cuối. {hint}',
  escalation:
    'Báo cáo chậm hạn: đến nay {unit} vẫn chưa gửi báo cáo {period} (hạn {due}). ' +
    'Đề nghị anh/chị đôn đốc cán bộ phụ trách gửi báo cáo sớm.',
  pledge_due:
    'Nhắc ủng hộ: khoản đăng ký ủng hộ số {ref} (còn {remaining}) dự kiến nộp ngày {due}, còn {days} ngày. ' +
    'Ban Vận động trân trọng cảm ơn tấm lòng của anh/chị!',
  pledge_due_today:
    'Nhắc ủng hộ: hôm nay ({due}) là ngày dự kiến nộp khoản đăng ký ủng hộ số {ref} (còn {remaining}). ' +
    'Ban Vận động trân trọng cảm ơn tấm lòng của anh/chị!',
  pledge_overdue:
    'Khoản đăng ký ủng hộ số {ref} dự kiến nộp ngày {due} hiện còn {remaining} chưa nhận được. ' +
    'Nếu anh/chị đã nộp, xin bỏ qua tin nhắn này; nếu cần thay đổi, xin liên hệ Ban Vận động. ' +
    'Trân trọng cảm ơn anh/chị!',
} as const;

export type ReminderTemplate = keyof typeof REMINDER_TEMPLATES;

export interface ReminderText {
  template: ReminderTemplate;
  params: Record<string, string>;
}

/** How an officer sends each kind of report from the bot (the `{hint}` of report reminders). */
export const REPORT_HINTS: Record<PeriodKind, string> = {
  monthly: 'Anh/chị gõ /baocao để gửi báo cáo qua bot.',
  quarterly: 'Anh/chị gõ /menu và chọn "Báo cáo quý / tổng kết" để gửi.',
  semiannual: 'Anh/chị gõ /menu để xem cách gửi báo cáo.',
  final: 'Anh/chị gõ /menu và chọn "Báo cáo quý / tổng kết" để gửi.',
};

export function renderReminder(text: ReminderText): string {
  return REMINDER_TEMPLATES[text.template].replace(
    /\{(\w+)\}/g,
    (whole, name: string) => text.params[name] ?? whole,
  );
}
