import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { z } from 'zod';
import { EXPORT_KINDS } from '../../core/exports/export-request.ts';
import { ROLES } from '../../core/shared/actor.ts';
import {
  type CampaignSetOptions,
  type CommendationOptions,
  campaignCommendation,
  campaignPledges,
  campaignSet,
  type GroupArgs,
  groupSetStatus,
  groupsList,
  type InviteRevokeArgs,
  inviteRevoke,
  type PersonActiveArgs,
  type PersonRoleArgs,
  type PledgeSafeguardOptions,
  personRole,
  personSetActive,
  ZCampaignSetOptions,
  ZCommendationOptions,
  ZGroupArgs,
  ZInviteRevokeArgs,
  ZPersonActiveArgs,
  ZPersonRoleArgs,
  ZPledgeSafeguardOptions,
} from './admin.ts';
import { type BackupArgs, backup, ZBackupArgs } from './backup.ts';
import { type CliContext, UsageError } from './context.ts';
import { type AdminCreateOptions, adminCreate, demoRemove, ZAdminCreateOptions } from './demo.ts';
import { type DigestPreviewOptions, digestPreview, ZDigestPreviewOptions } from './digest.ts';
import { type ExportArgs, exportReport, ZExportArgs } from './export.ts';
import {
  type FundsLedgerOptions,
  type FundsReverseArgs,
  fundsLedger,
  fundsPublic,
  fundsReverse,
  fundsSummary,
  ZFundsLedgerOptions,
  ZFundsReverseArgs,
} from './funds.ts';
import {
  type HouseholdsExportArgs,
  type HouseholdsImportArgs,
  householdsExport,
  householdsImport,
  ZHouseholdsExportArgs,
  ZHouseholdsImportArgs,
} from './households.ts';
import {
  type HouseholdsApproveArgs,
  householdsApprove,
  ZHouseholdsApproveArgs,
} from './households-approve.ts';
import { type HouseholdsSetIdsArgs, householdsSetIds, ZHouseholdsSetIdsArgs } from './households-ids.ts';
import { type HouseholdsShowArgs, householdsShow, ZHouseholdsShowArgs } from './households-show.ts';
import {
  DEFAULT_INVITE_DAYS,
  type InviteCreateOptions,
  inviteCreate,
  MAX_INVITE_DAYS,
  ZInviteCreateOptions,
} from './invite-create.ts';
import { outboxFailed } from './outbox-failed.ts';
import { peopleList } from './people-list.ts';
import {
  type PledgeRefArgs,
  type PledgesListOptions,
  pledgesAck,
  pledgesList,
  pledgesShow,
  ZPledgesAckArgs,
  ZPledgesListOptions,
  ZPledgesShowArgs,
} from './pledges.ts';
import {
  type AtOption,
  outboxStatus,
  type PolicyOptions,
  remindersPlanOrRun,
  remindersPolicy,
  ZAtOption,
  ZPolicyOptions,
} from './reminders.ts';
import {
  type ReportsListOptions,
  type ReportsShowArgs,
  reportsList,
  reportsShow,
  ZReportsListOptions,
  ZReportsShowArgs,
} from './reports.ts';
import { unitsList } from './units-list.ts';
import {
  type UnitsMergeArgs,
  type UnitsSplitArgs,
  unitsMerge,
  unitsSplit,
  ZUnitsMergeArgs,
  ZUnitsSplitArgs,
} from './units-reorg.ts';
import { type ZaloSetTokenArgs, ZZaloSetTokenArgs, zaloSetToken, zaloStatus } from './zalo.ts';

/** A command line, parsed and validated; nothing has touched the database yet. */
export type CliCommand =
  | { name: 'help' }
  | { name: 'invite create'; options: InviteCreateOptions }
  | { name: 'admin create'; options: AdminCreateOptions }
  | { name: 'demo remove' }
  | { name: 'units list' }
  | { name: 'units merge'; args: UnitsMergeArgs }
  | { name: 'units split'; args: UnitsSplitArgs }
  | { name: 'people list' }
  | { name: 'reports list'; options: ReportsListOptions }
  | { name: 'reports show'; args: ReportsShowArgs }
  | { name: 'outbox failed' }
  | { name: 'zalo status' }
  | { name: 'households import'; args: HouseholdsImportArgs }
  | { name: 'households export'; args: HouseholdsExportArgs }
  | { name: 'households approve'; args: HouseholdsApproveArgs }
  | { name: 'households show'; args: HouseholdsShowArgs }
  | { name: 'households set-ids'; args: HouseholdsSetIdsArgs }
  | { name: 'pledges list'; options: PledgesListOptions }
  | { name: 'pledges show'; args: PledgeRefArgs }
  | { name: 'pledges ack'; args: PledgeRefArgs }
  | { name: 'funds summary' }
  | { name: 'funds public' }
  | { name: 'funds ledger'; options: FundsLedgerOptions }
  | { name: 'funds reverse'; args: FundsReverseArgs }
  | { name: 'zalo set-token'; args: ZaloSetTokenArgs }
  | { name: 'reminders plan'; options: AtOption }
  | { name: 'reminders run'; options: AtOption }
  | { name: 'reminders policy'; options: PolicyOptions }
  | { name: 'outbox status' }
  | { name: 'invite revoke'; args: InviteRevokeArgs }
  | { name: 'people deactivate'; args: PersonActiveArgs }
  | { name: 'people activate'; args: PersonActiveArgs }
  | { name: 'people role'; args: PersonRoleArgs }
  | { name: 'groups list' }
  | { name: 'groups confirm'; args: GroupArgs }
  | { name: 'groups stop'; args: GroupArgs }
  | { name: 'campaign show' }
  | { name: 'campaign set'; options: CampaignSetOptions }
  | { name: 'campaign commendation'; options: CommendationOptions }
  | { name: 'campaign pledges'; options: PledgeSafeguardOptions }
  | { name: 'digest preview'; options: DigestPreviewOptions }
  | { name: 'export'; args: ExportArgs }
  | { name: 'backup'; args: BackupArgs };

/** The line printed after every usage error. */
export const USAGE_HINT = 'Xem hướng dẫn: npm run cli -- help';

type ParsedValues = ReturnType<typeof parseArgs>['values'];

interface CommandSpec {
  options: NonNullable<ParseArgsConfig['options']>;
  /** How many positional arguments the command takes. */
  positionals: number;
  build: (values: ParsedValues, positionals: string[]) => CliCommand;
}

const S = { type: 'string' } as const;

/** `export <kind> <file.xlsx>`: one spec per kind, each building the same command. */
const EXPORT_SPECS: Record<string, CommandSpec> = Object.fromEntries(
  EXPORT_KINDS.map((kind) => [
    kind,
    {
      options: { period: S, unit: S },
      positionals: 1,
      build: (values: ParsedValues, positionals: string[]): CliCommand => ({
        name: 'export',
        args: validate(ZExportArgs, { kind, file: positionals[0], period: values.period, unit: values.unit }),
      }),
    },
  ]),
);

/** Commands without a subcommand. */
const SINGLE_COMMANDS: Record<string, CommandSpec> = {
  backup: {
    options: { force: { type: 'boolean' } },
    positionals: 1,
    build: (values, positionals) => ({
      name: 'backup',
      args: validate(ZBackupArgs, { file: positionals[0], force: values.force === true }),
    }),
  },
};

const COMMANDS: Record<string, Record<string, CommandSpec>> = {
  admin: {
    create: {
      options: { unit: S, name: S, days: S, bot: S },
      positionals: 0,
      build: (values) => ({ name: 'admin create', options: validate(ZAdminCreateOptions, values) }),
    },
  },
  demo: {
    remove: { options: {}, positionals: 0, build: () => ({ name: 'demo remove' }) },
  },
  invite: {
    create: {
      options: { role: S, unit: S, days: S, name: S, bot: S },
      positionals: 0,
      build: (values) => ({ name: 'invite create', options: validate(ZInviteCreateOptions, values) }),
    },
    revoke: {
      options: {},
      positionals: 1,
      build: (_v, p) => ({ name: 'invite revoke', args: validate(ZInviteRevokeArgs, { code: p[0] }) }),
    },
  },
  groups: {
    list: { options: {}, positionals: 0, build: () => ({ name: 'groups list' }) },
    confirm: {
      options: {},
      positionals: 1,
      build: (_v, p) => ({ name: 'groups confirm', args: validate(ZGroupArgs, { id: p[0] }) }),
    },
    stop: {
      options: {},
      positionals: 1,
      build: (_v, p) => ({ name: 'groups stop', args: validate(ZGroupArgs, { id: p[0] }) }),
    },
  },
  campaign: {
    show: { options: {}, positionals: 0, build: () => ({ name: 'campaign show' }) },
    set: {
      options: {
        'norm-new-build': S,
        'norm-repair': S,
        'monthly-due-day': S,
        'quarterly-due-day': S,
        'final-due-on': S,
      },
      positionals: 0,
      build: (values) => ({ name: 'campaign set', options: validate(ZCampaignSetOptions, values) }),
    },
    commendation: {
      options: { set: S },
      positionals: 0,
      build: (values) => ({ name: 'campaign commendation', options: validate(ZCommendationOptions, values) }),
    },
    pledges: {
      options: { set: S },
      positionals: 0,
      build: (values) => ({ name: 'campaign pledges', options: validate(ZPledgeSafeguardOptions, values) }),
    },
  },
  units: {
    list: { options: {}, positionals: 0, build: () => ({ name: 'units list' }) },
    merge: {
      options: { into: S, name: S, on: S, kind: S },
      positionals: 50,
      build: (values, positionals) => ({
        name: 'units merge',
        args: validate(ZUnitsMergeArgs, {
          codes: positionals,
          into: values.into,
          name: values.name,
          on: values.on,
          kind: values.kind,
        }),
      }),
    },
    split: {
      options: { into: S, on: S, kind: S },
      positionals: 1,
      build: (values, positionals) => ({
        name: 'units split',
        args: validate(ZUnitsSplitArgs, {
          code: positionals[0],
          into: values.into,
          on: values.on,
          kind: values.kind,
        }),
      }),
    },
  },
  people: {
    list: { options: {}, positionals: 0, build: () => ({ name: 'people list' }) },
    deactivate: {
      options: {},
      positionals: 1,
      build: (_v, p) => ({ name: 'people deactivate', args: validate(ZPersonActiveArgs, { id: p[0] }) }),
    },
    activate: {
      options: {},
      positionals: 1,
      build: (_v, p) => ({ name: 'people activate', args: validate(ZPersonActiveArgs, { id: p[0] }) }),
    },
    role: {
      options: { add: S, remove: S },
      positionals: 1,
      build: (values, p) => ({
        name: 'people role',
        args: validate(ZPersonRoleArgs, { id: p[0], add: values.add, remove: values.remove }),
      }),
    },
  },
  outbox: {
    failed: { options: {}, positionals: 0, build: () => ({ name: 'outbox failed' }) },
    status: { options: {}, positionals: 0, build: () => ({ name: 'outbox status' }) },
  },
  digest: {
    preview: {
      options: { at: S, group: S, unit: S, out: S },
      positionals: 0,
      build: (values) => ({ name: 'digest preview', options: validate(ZDigestPreviewOptions, values) }),
    },
  },
  reminders: {
    plan: {
      options: { at: S },
      positionals: 0,
      build: (values) => ({ name: 'reminders plan', options: validate(ZAtOption, values) }),
    },
    run: {
      options: { at: S },
      positionals: 0,
      build: (values) => ({ name: 'reminders run', options: validate(ZAtOption, values) }),
    },
    policy: {
      options: { set: S },
      positionals: 0,
      build: (values) => ({ name: 'reminders policy', options: validate(ZPolicyOptions, values) }),
    },
  },
  households: {
    import: {
      options: {
        unit: S,
        'dry-run': { type: 'boolean' },
        'accept-valid': { type: 'boolean' },
        'max-mb': S,
        'max-rows': S,
      },
      positionals: 1,
      build: (values, positionals) => ({
        name: 'households import',
        args: validate(ZHouseholdsImportArgs, {
          file: positionals[0],
          unit: values.unit,
          dryRun: values['dry-run'] === true,
          acceptValid: values['accept-valid'] === true,
          maxMb: values['max-mb'],
          maxRows: values['max-rows'],
        }),
      }),
    },
    approve: {
      options: { reason: S },
      positionals: 1,
      build: (values, positionals) => ({
        name: 'households approve',
        args: validate(ZHouseholdsApproveArgs, { code: positionals[0], reason: values.reason }),
      }),
    },
    export: {
      options: { unit: S },
      positionals: 1,
      build: (values, positionals) => ({
        name: 'households export',
        args: validate(ZHouseholdsExportArgs, { file: positionals[0], unit: values.unit }),
      }),
    },
    'set-ids': {
      options: { unit: S, 'dry-run': { type: 'boolean' } },
      positionals: 1,
      build: (values, positionals) => ({
        name: 'households set-ids',
        args: validate(ZHouseholdsSetIdsArgs, {
          file: positionals[0],
          unit: values.unit,
          dryRun: values['dry-run'] === true,
        }),
      }),
    },
    show: {
      options: {},
      positionals: 1,
      build: (_values, positionals) => ({
        name: 'households show',
        args: validate(ZHouseholdsShowArgs, { code: positionals[0] }),
      }),
    },
  },
  pledges: {
    list: {
      options: { unit: S },
      positionals: 0,
      build: (values) => ({ name: 'pledges list', options: validate(ZPledgesListOptions, values) }),
    },
    show: {
      options: {},
      positionals: 1,
      build: (_values, positionals) => ({
        name: 'pledges show',
        args: validate(ZPledgesShowArgs, { ref: positionals[0] }),
      }),
    },
    ack: {
      options: {},
      positionals: 1,
      build: (_values, positionals) => ({
        name: 'pledges ack',
        args: validate(ZPledgesAckArgs, { ref: positionals[0] }),
      }),
    },
  },
  funds: {
    summary: { options: {}, positionals: 0, build: () => ({ name: 'funds summary' }) },
    public: { options: {}, positionals: 0, build: () => ({ name: 'funds public' }) },
    ledger: {
      options: { unit: S },
      positionals: 0,
      build: (values) => ({ name: 'funds ledger', options: validate(ZFundsLedgerOptions, values) }),
    },
    reverse: {
      options: { reason: S },
      positionals: 1,
      build: (values, positionals) => ({
        name: 'funds reverse',
        args: validate(ZFundsReverseArgs, { entryId: positionals[0], reason: values.reason }),
      }),
    },
  },
  zalo: {
    status: { options: {}, positionals: 0, build: () => ({ name: 'zalo status' }) },
    'set-token': {
      options: {},
      positionals: 1,
      build: (_values, positionals) => ({
        name: 'zalo set-token',
        args: validate(ZZaloSetTokenArgs, { token: positionals[0] }),
      }),
    },
  },
  export: EXPORT_SPECS,
  reports: {
    list: {
      options: { period: S, unit: S },
      positionals: 0,
      build: (values) => ({ name: 'reports list', options: validate(ZReportsListOptions, values) }),
    },
    show: {
      options: {},
      positionals: 1,
      build: (_values, positionals) => ({
        name: 'reports show',
        args: validate(ZReportsShowArgs, { ref: positionals[0] }),
      }),
    },
  },
};

/** The usage text listing every command (printed by `help`, `--help` and a bare `npm run cli`). */
export function usageText(): string[] {
  return [
    'Công cụ vận hành bot MTTQ – cơ sở dữ liệu theo DATABASE_URL (mặc định file:./data/bot.db;',
    '  PostgreSQL: postgresql://…).',
    '',
    'Cách dùng: npm run cli -- <lệnh> [tùy chọn]',
    '',
    'Lệnh:',
    '  admin create --name "Họ tên" --unit <mã đơn vị> [--days N] [--bot <tên_bot>]',
    `      Tạo người quản trị đầu tiên khi đưa bot vào sử dụng thật: in mã mời quản trị viên dùng một lần (mặc định ${DEFAULT_INVITE_DAYS} ngày)`,
    '      và liên kết https://t.me/<tên_bot>?start=<MÃ> (không có --bot thì hỏi Telegram theo TELEGRAM_BOT_TOKEN);',
    '      người đó gửi mã cho bot để trở thành quản trị viên của đơn vị.',
    '  demo remove',
    '      Gỡ dữ liệu mẫu của playground (người dùng mẫu, mã mời DEMO2025, hộ mẫu chưa ai sửa,',
    '      đăng ký ủng hộ mẫu chưa có khoản nộp) khỏi cơ sở dữ liệu',
    '      của bot thật; giữ nguyên người dùng Telegram, Zalo; ghi nhật ký; chạy lại nhiều lần cũng không sao.',
    '  invite create --role <vai trò> --unit <mã đơn vị> [--days N] [--name "Họ tên"] [--bot <tên_bot>]',
    `      Tạo mã mời dùng một lần, hiệu lực N ngày (mặc định ${DEFAULT_INVITE_DAYS}, từ 1 đến ${MAX_INVITE_DAYS}),`,
    '      in mã dạng ABCD-EFGH và liên kết https://t.me/<tên_bot>?start=<MÃ>.',
    `      Vai trò: ${ROLES.join(', ')}.`,
    '  units list',
    '      Liệt kê đơn vị: mã, tên, loại, mã đơn vị cha, thời gian hiệu lực.',
    '  units merge <mã 1> <mã 2> … --into <mã mới> --name "<tên mới>" --on <YYYY-MM-DD> [--kind ward|commune]',
    '      Sáp nhập phường, xã (cùng đơn vị cấp trên) thành đơn vị mới từ ngày --on: đơn vị cũ hết hiệu lực',
    '      từ hôm trước, cán bộ chuyển sang đơn vị mới; báo cáo, hộ đã có vẫn thuộc đơn vị cũ, số liệu cộng dồn',
    '      vào đơn vị mới từ ngày đó. Ghi nhật ký.',
    '  units split <mã> --into <mã>:"<tên>",<mã>:"<tên>" --on <YYYY-MM-DD> [--kind ward|commune]',
    '      Chia tách một phường, xã từ ngày --on; hộ vẫn thuộc đơn vị cũ đến khi nhập lại cho từng đơn vị mới.',
    '  people list',
    '      Liệt kê người dùng: vai trò@đơn vị, kênh, lần tương tác gần nhất (không in số điện thoại).',
    '  people deactivate <ID> | people activate <ID>',
    '      Ngừng / kích hoạt lại một người (bot không nhận người đã ngừng hoạt động).',
    '  people role <ID> --add <vai trò>@<mã đơn vị> | --remove <vai trò>@<mã đơn vị>',
    '      Giao hoặc thu hồi một vai trò (ghi nhật ký).',
    '  invite revoke <MÃ>',
    '      Thu hồi mã mời chưa dùng.',
    '  groups list | groups confirm <số> | groups stop <số>',
    '      Nhóm lãnh đạo nhận bản tin: xem, xác nhận, dừng.',
    '  campaign show | campaign set [--norm-new-build 60tr] [--norm-repair 30tr] [--monthly-due-day 15]',
    '                               [--quarterly-due-day 15] [--final-due-on YYYY-MM-DD]',
    '      Xem / đổi định mức và hạn báo cáo (chỉ áp dụng cho các kỳ chưa đến hạn; ghi nhật ký).',
    "  campaign commendation [--set '<JSON>']",
    '      Xem / đổi tiêu chí đề xuất khen thưởng (số nhà hoàn thành, tỷ lệ báo cáo đúng hạn, kết quả vận động).',
    "  campaign pledges [--set '<JSON>']",
    '      Xem / đổi giới hạn đăng ký ủng hộ của người chưa có mã mời: số đăng ký mỗi người mỗi ngày',
    '      (perChatPerDay, mặc định 3), tổng số đăng ký của mọi người chưa có mã mời trong một giờ',
    '      (anonymousPerHour, mặc định 30), và mức giá trị mà từ trên mức đó đăng ký phải chờ cán bộ Quỹ',
    '      xác minh (verifyAbove, mặc định 500.000.000 đ). Ghi nhật ký. Ví dụ: --set \'{"anonymousPerHour":200}\'',
    '  reports list [--period <mã kỳ, ví dụ 2025-02, 2025-Q1, final>] [--unit <mã đơn vị>]',
    '      Liệt kê các lần gửi báo cáo; ✓ đánh dấu bản mới nhất của mỗi đơn vị trong mỗi kỳ.',
    '  reports show <số tham chiếu>',
    '      Xem toàn bộ số liệu một báo cáo và các lần gửi của cùng đơn vị, cùng kỳ.',
    '  households import <tệp.csv|tệp.xlsx> --unit <mã đơn vị> [--dry-run] [--accept-valid] [--max-mb N] [--max-rows N]',
    '      Nhập danh sách hộ: kiểm tra từng dòng, báo dòng, cột, lỗi và cách sửa; không ghi gì nếu còn lỗi',
    '      (trừ khi có --accept-valid: chỉ nhập các dòng hợp lệ). --dry-run: chỉ kiểm tra.',
    '      Tệp quá 20 MB hoặc quá 200.000 hộ bị từ chối, không ghi gì (đổi bằng --max-mb, --max-rows',
    '      hoặc HOUSEHOLD_IMPORT_MAX_MB, HOUSEHOLD_IMPORT_MAX_ROWS).',
    '  households export <tệp.xlsx> --unit <mã đơn vị>',
    '      Xuất danh sách hộ của đơn vị ra Excel (nhập lại được).',
    '  households approve <mã hộ> --reason "lý do"',
    '      Duyệt hộ đề xuất; hộ chưa đủ điều kiện theo tiêu chí chỉ duyệt được với lý do (ghi nhật ký).',
    '  households set-ids <tệp.csv|tệp.xlsx> --unit <mã đơn vị> [--dry-run]',
    '      Ghi lại mã băm số CCCD (theo khóa ID_HASH_KEY, để phát hiện hộ trùng) cho các hộ đã có, khớp theo mã hộ;',
    '      chỉ đọc cột "Mã hộ" và "Số CCCD", không lưu số CCCD. Dùng sau khi nâng cấp hoặc đổi khóa.',
    '  households show <mã hộ>',
    '      Xem hộ: thông tin, lịch sử kèm ảnh, kinh phí phân bổ và nguồn tiền (khoản thu, đăng ký), chi trả.',
    '  pledges list [--unit <mã đơn vị có Quỹ>]',
    '      Liệt kê đăng ký ủng hộ: số đăng ký, người ủng hộ, nội dung, Quỹ tiếp nhận, trạng thái, đã nhận.',
    '  pledges show <số đăng ký>',
    '      Xem đăng ký, các khoản đã nộp và tiền đã đến hộ nào: phân bổ, chi trả, ảnh của hộ.',
    '  pledges ack <số đăng ký>',
    '      In giấy xác nhận việc tài trợ, ủng hộ (như bot gửi cho người ủng hộ).',
    '  funds summary',
    '      Tình hình Quỹ "Vì người nghèo": theo cấp, theo tổ chức thành viên, người ủng hộ (như /quy).',
    '  funds public',
    '      Bản công khai Quỹ, đúng như bot trả lời /congkhai (không có số điện thoại).',
    '  funds ledger [--unit <mã đơn vị có Quỹ>]',
    '      Sổ quỹ: các bút toán theo thứ tự, số dư còn lại của từng cấp sau mỗi bút toán.',
    '  funds reverse <số bút toán> --reason "lý do"',
    '      Hủy một bút toán bằng bút toán điều chỉnh (sổ quỹ không sửa, không xóa); ghi nhật ký.',
    '      Bị từ chối nếu tiền đã được dùng (ví dụ khoản thu đã phân bổ cho hộ).',
    '  zalo status',
    '      Kênh Zalo: hạn access token, lần làm mới cuối, sự kiện webhook cuối, số tin chưa gửi được.',
    '  zalo set-token <refresh_token>',
    '      Lưu refresh token mới (khi Zalo từ chối token cũ); bot tự lấy access token mới.',
    '  outbox failed',
    '      Tin nhắn bot không gửi được (bị chặn, quá số lần thử) và tin đang chờ gửi lại.',
    '  outbox status',
    '      Số tin trong hàng đợi theo loại (trả lời, nhắc, báo cáo tổng hợp…) và trạng thái.',
    '  reminders plan [--at <thời điểm ISO>]',
    '      Chạy thử: những lời nhắc sẽ gửi vào thời điểm đó, gửi cho ai và vì sao; đơn vị chậm báo cáo.',
    '  reminders run [--at <thời điểm ISO>]',
    '      Đưa các lời nhắc đến hạn vào hàng đợi (chạy lại không gửi trùng).',
    '  digest preview [--at <thời điểm ISO>] [--group <số nhóm> | --unit <mã đơn vị>] [--out bieu-do.png]',
    '      Xem trước bản tin tổng hợp gửi nhóm lãnh đạo (chữ và biểu đồ PNG); không gửi gì.',
    "  reminders policy [--set '<JSON>']",
    '      Xem hoặc đổi chính sách nhắc (số ngày nhắc trước hạn, giờ gửi, giờ yên lặng, số lần tối đa mỗi ngày…).',
    '  export <progress|households|pledges|ledger|late> <tệp.xlsx> [--period <mã kỳ tháng>] [--unit <mã đơn vị>]',
    '      Xuất báo cáo Excel theo mẫu (tiêu đề, cột đánh số, dòng tổng cộng, in A4 ngang): tiến độ theo đơn vị',
    '      (progress, mặc định kỳ tháng gần nhất đã đến hạn), danh sách hộ (households), ủng hộ theo tổ chức',
    '      (pledges), sổ Quỹ theo cấp (ledger), đơn vị chậm báo cáo (late). Mặc định: toàn thành phố;',
    '      --unit: một phường, xã. --period chỉ dùng cho progress và late.',
    '  backup <tệp sao lưu> [--force]',
    '      Sao lưu cơ sở dữ liệu SQLite khi bot đang chạy (bản sao nhất quán, đã kiểm tra toàn vẹn);',
    '      in kích thước và thời gian. Không ghi đè tệp đã có, trừ khi thêm --force.',
    '      Với PostgreSQL lệnh này không chạy: sao lưu bằng pg_dump -Fc (docs/deployment.md, mục 5).',
    '  help',
    '      In hướng dẫn này (hoặc --help, -h).',
    '',
    'Ví dụ:',
    '  npm run cli -- admin create --name "Trần Văn Hùng" --unit 058 --bot mttq_backan_bot',
    '  npm run cli -- invite create --role unit_officer --unit 01852 --days 14 --name "Nguyễn Văn An" --bot mttq_backan_bot',
    '  npm run cli -- reports list --period 2025-02 --unit 01840',
    '  npm run cli -- units merge 01837 01840 --into 01900 --name "Phường Sông Cầu - Đức Xuân" --on 2025-05-01',
    '  npm run cli -- reports show BC-202502-01840-1',
    '  npm run cli -- pledges show UH-0001',
    '  npm run cli -- funds reverse 12 --reason "Ghi nhầm số tiền, chứng từ PT-015"',
    '  npm run cli -- reminders plan --at 2025-04-09T08:00:00+07:00',
    `  npm run cli -- reminders policy --set '{"offsetsDays":[7,3,0]}'`,
    '  npm run cli -- export progress tien-do-2025-02.xlsx --period 2025-02',
    '  npm run cli -- backup /var/backups/mttq-bot/bot-2025-03-10.db',
    '',
    'Mã thoát: 0 thành công, 2 lệnh hoặc tham số sai, 1 lỗi khác.',
  ];
}

function validate<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new UsageError(result.error.issues[0]?.message ?? 'tham số không hợp lệ');
  }
  return result.data;
}

function listOptions(spec: CommandSpec): string {
  const names = Object.keys(spec.options).map((name) => `--${name}`);
  return names.length > 0 ? names.join(', ') : '(không có)';
}

function toUsageError(error: unknown, command: string, spec: CommandSpec): unknown {
  if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string') {
    return error;
  }
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? '';
  const option = /--[\w-]+/.exec(error.message)?.[0] ?? quoted;
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(
        `tùy chọn không hợp lệ cho "${command}": ${quoted}. Tùy chọn hợp lệ: ${listOptions(spec)}`,
      );
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`thừa đối số cho "${command}": "${quoted}"`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(error.message)) {
        return new UsageError(`${option} không nhận giá trị`);
      }
      if (/ambiguous/.test(error.message)) {
        return new UsageError(
          `thiếu giá trị cho ${option} (giá trị bắt đầu bằng "-" thì viết ${option}=<giá trị>)`,
        );
      }
      return new UsageError(`thiếu giá trị cho ${option}`);
    default:
      return error;
  }
}

/**
 * Parses and validates a command line (the arguments after `npm run cli --`). Throws UsageError,
 * with a message meant for the operator, for an unknown command, an unknown or repeated-wrong
 * option, a missing argument or a value that fails validation.
 */
export function parseCommand(argv: readonly string[]): CliCommand {
  const [group, sub, ...rest] = argv;
  if (group === undefined || group === 'help' || group === '--help' || group === '-h') {
    return { name: 'help' };
  }
  const single = SINGLE_COMMANDS[group];
  if (single !== undefined) {
    return parseSpec(group, single, argv.slice(1));
  }
  const groupSpecs = COMMANDS[group];
  if (groupSpecs === undefined) {
    throw new UsageError(
      group.startsWith('-')
        ? `thiếu lệnh trước "${group}". Các lệnh: ${commandNames().join(', ')}, help`
        : `lệnh không tồn tại: "${group}". Các lệnh: ${commandNames().join(', ')}, help`,
    );
  }
  const subNames = Object.keys(groupSpecs).map((name) => `${group} ${name}`);
  if (sub === '--help' || sub === '-h') {
    return { name: 'help' };
  }
  if (sub === undefined || sub.startsWith('-')) {
    throw new UsageError(`thiếu lệnh con sau "${group}". Dùng: ${subNames.join(', ')}`);
  }
  const spec = groupSpecs[sub];
  if (spec === undefined) {
    throw new UsageError(`lệnh không tồn tại: "${group} ${sub}". Dùng: ${subNames.join(', ')}`);
  }
  return parseSpec(`${group} ${sub}`, spec, rest);
}

/** Parses and validates the options and positionals of one command. */
function parseSpec(command: string, spec: CommandSpec, rest: readonly string[]): CliCommand {
  let parsed: { values: ParsedValues; positionals: string[] };
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...spec.options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw toUsageError(error, command, spec);
  }
  if (parsed.values.help === true) {
    return { name: 'help' };
  }
  const extra = parsed.positionals.slice(spec.positionals);
  if (extra.length > 0) {
    throw new UsageError(`thừa đối số cho "${command}": ${extra.map((a) => `"${a}"`).join(' ')}`);
  }
  return spec.build(parsed.values, parsed.positionals);
}

function commandNames(): string[] {
  return [
    ...Object.entries(COMMANDS).flatMap(([group, subs]) => Object.keys(subs).map((sub) => `${group} ${sub}`)),
    ...Object.keys(SINGLE_COMMANDS),
  ];
}

/** Runs a parsed command against the database in `ctx`; `help` only prints the usage text. */
export async function executeCommand(command: CliCommand, ctx: CliContext): Promise<void> {
  switch (command.name) {
    case 'help':
      for (const line of usageText()) {
        ctx.out(line);
      }
      return;
    case 'invite create':
      await inviteCreate(ctx, command.options);
      return;
    case 'admin create':
      await adminCreate(ctx, command.options);
      return;
    case 'demo remove':
      return demoRemove(ctx);
    case 'units list':
      return unitsList(ctx);
    case 'units merge':
      return unitsMerge(ctx, command.args);
    case 'units split':
      return unitsSplit(ctx, command.args);
    case 'people list':
      return peopleList(ctx);
    case 'reports list':
      return reportsList(ctx, command.options);
    case 'reports show':
      return reportsShow(ctx, command.args);
    case 'outbox failed':
      return outboxFailed(ctx);
    case 'outbox status':
      return outboxStatus(ctx);
    case 'invite revoke':
      return inviteRevoke(ctx, command.args);
    case 'people deactivate':
      return personSetActive(ctx, command.args, false);
    case 'people activate':
      return personSetActive(ctx, command.args, true);
    case 'people role':
      return personRole(ctx, command.args);
    case 'groups list':
      return groupsList(ctx);
    case 'groups confirm':
      return groupSetStatus(ctx, command.args, 'active');
    case 'groups stop':
      return groupSetStatus(ctx, command.args, 'removed');
    case 'campaign show':
      return campaignSet(ctx, undefined);
    case 'campaign set':
      return campaignSet(ctx, command.options);
    case 'campaign commendation':
      return campaignCommendation(ctx, command.options);
    case 'campaign pledges':
      return campaignPledges(ctx, command.options);
    case 'reminders plan':
      return remindersPlanOrRun(ctx, command.options, false);
    case 'reminders run':
      return remindersPlanOrRun(ctx, command.options, true);
    case 'reminders policy':
      return remindersPolicy(ctx, command.options);
    case 'digest preview':
      return digestPreview(ctx, command.options);
    case 'households import': {
      const outcome = await householdsImport(ctx, command.args);
      if (outcome.problems.length > 0 && outcome.written === 0 && !command.args.dryRun) {
        // Refused imports end with a non-zero code so scripts notice.
        process.exitCode = 1;
      }
      return;
    }
    case 'households export':
      return householdsExport(ctx, command.args);
    case 'households approve':
      return householdsApprove(ctx, command.args);
    case 'households show':
      return householdsShow(ctx, command.args);
    case 'households set-ids': {
      const outcome = await householdsSetIds(ctx, command.args);
      if (outcome.problems.length > 0) {
        process.exitCode = 1;
      }
      return;
    }
    case 'pledges list':
      return pledgesList(ctx, command.options);
    case 'pledges show':
      return pledgesShow(ctx, command.args);
    case 'pledges ack':
      return pledgesAck(ctx, command.args);
    case 'funds summary':
      return fundsSummary(ctx);
    case 'funds public':
      return fundsPublic(ctx);
    case 'funds ledger':
      return fundsLedger(ctx, command.options);
    case 'funds reverse': {
      const outcome = await fundsReverse(ctx, command.args);
      if (!outcome.ok) {
        // A refused correction ends with a non-zero code so scripts notice.
        process.exitCode = 1;
      }
      return;
    }
    case 'zalo status':
      return zaloStatus(ctx);
    case 'zalo set-token':
      return zaloSetToken(ctx, command.args);
    case 'export':
      return exportReport(ctx, command.args);
    case 'backup':
      await backup(ctx, command.args);
      return;
  }
}
