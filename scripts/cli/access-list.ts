import { ACCESS, ACTIONS, type AccessRule, type Action, type Area } from '../../core/access/access.ts';
import { t } from '../../core/messaging/catalog.ts';
import { ROLES } from '../../core/shared/actor.ts';
import type { CliContext } from './context.ts';
import { renderTable } from './text.ts';

/** What each action of the access table is, for the operator (a new action needs its line). */
const ACTION_LABELS = {
  'report.submit': 'Gửi báo cáo tiến độ tháng',
  'narrative.submit': 'Gửi báo cáo quý, báo cáo kết quả thực hiện Kế hoạch',
  'narrative.read': 'Xem báo cáo quý, báo cáo kết quả của các phường, xã',
  'committee.report': 'Ban hành báo cáo 6 tháng, báo cáo kết quả của Ban Thường trực',
  'reminder.pause': 'Báo đã báo cáo bằng văn bản (dừng nhắc)',
  'household.view': 'Xem, tìm, liệt kê hộ',
  'household.add': 'Thêm hộ',
  'household.status': 'Chuyển trạng thái hộ',
  'pledge.register': 'Đăng ký ủng hộ (nhà hảo tâm)',
  'pledge.mine': 'Xem, sửa, hủy đăng ký của mình',
  'pledge.track': 'Mục ủng hộ trên menu',
  'pledge.org': 'Đăng ký ủng hộ của tổ chức thành viên',
  'pledge.verify': 'Xác nhận, từ chối đăng ký chờ xác minh',
  'pledge.batch': 'Ghi nhận ủng hộ tại buổi lễ (nhiều đăng ký một lần)',
  'fund.receipt': 'Ghi khoản thu',
  'fund.allocate': 'Phân bổ từ quỹ của cấp',
  'fund.household': 'Hộ được phân bổ, chi',
  'fund.disburse': 'Ghi khoản chi cho hộ',
  'fund.transfer': 'Chuyển tiền giữa các cấp',
  'fund.acknowledge': 'Thư xác nhận tài trợ, ủng hộ',
  'fund.view': 'Tình hình quỹ (/quy)',
  'fund.donors': 'Tên nhà hảo tâm không muốn công khai',
  'fund.public': 'Công khai quỹ (/congkhai)',
  'status.view': 'Tình hình tiến độ (/tinhhinh)',
  'export.download': 'Xuất báo cáo (/xuatbaocao)',
  'feedback.handle': 'Xử lý, trả lời phản ánh',
  'feedback.send': 'Gửi phản ánh',
  'feedback.track': 'Tra cứu phản ánh',
  'example.record': 'Ghi nhận, rút lại gương điển hình',
  'appeal.send': 'Gửi thư kêu gọi ủng hộ (/thukeugoi)',
  'appeal.optout': 'Tắt, bật nhận thư kêu gọi (/tatthongbao, /batthongbao)',
  'invite.create': 'Tạo mã mời',
  'group.register': 'Đăng ký nhóm lãnh đạo (/dangkynhom)',
  'group.decide': 'Duyệt nhóm lãnh đạo',
  'digest.request': 'Bản tin trong nhóm (/baocao)',
  'menu.use': 'Menu, trợ giúp, hủy',
} as const satisfies Record<Action, string>;

const AREA_LABELS: Record<Area, string> = {
  own: 'tại đơn vị',
  below: 'đơn vị và cấp dưới',
  any: 'mọi nơi',
};

/** Who may, in words: each role with its reach, then any person and strangers. */
function whoMay(rule: AccessRule): string {
  const roles = ROLES.flatMap((role) => {
    const area = rule.roles[role];
    return area ? [`${t('vi', `role.${role}`)} (${AREA_LABELS[area]})`] : [];
  });
  const holding = rule.holding?.length
    ? [`phải là ${rule.holding.map((r) => t('vi', `role.${r}`)).join(' hoặc ')}`]
    : [];
  const anyone = rule.guest
    ? ['mọi người, cả người chưa đăng ký']
    : rule.person
      ? ['mọi người đã đăng ký']
      : [];
  return [...roles, ...holding, ...anyone].join('; ');
}

/**
 * `access list`: the access table the chat applies (core/access/access.ts), one action a line —
 * who may do it and how far from their unit — so the operator reads the rules the bot enforces.
 */
export async function accessList(ctx: Pick<CliContext, 'out'>): Promise<void> {
  const rows = ACTIONS.map((action) => [action, ACTION_LABELS[action], whoMay(ACCESS[action])]);
  for (const line of renderTable(['Hành động', 'Nội dung', 'Ai được làm'], rows)) {
    ctx.out(line);
  }
  ctx.out(`Tổng: ${ACTIONS.length} hành động.`);
}
