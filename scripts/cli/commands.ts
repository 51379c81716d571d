import { EXPORT_KINDS } from '../../core/exports/export-request.ts';
import { ROLES } from '../../core/shared/actor.ts';
import { accessList } from './access-list.ts';
import {
  campaignCommendation,
  campaignPledges,
  campaignSet,
  groupSetStatus,
  groupsList,
  inviteRevoke,
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
import { backup, ZBackupArgs } from './backup.ts';
import { CAMPAIGN_OPTION, CAMPAIGN_SYNOPSIS } from './campaign-option.ts';
import {
  campaignClose,
  campaignCreate,
  campaignList,
  campaignShow,
  campaignUpdate,
  ZCampaignCloseArgs,
  ZCampaignFileArgs,
  ZCampaignShowArgs,
} from './campaigns.ts';
import { CLI, type CommandSpec, commandUsage, readArguments, validate } from './command-spec.ts';
import { reportsCommittee, ZCommitteeReportOptions } from './committee-report.ts';
import { type CliContext, UsageError } from './context.ts';
import { adminCreate, demoRemove, ZAdminCreateOptions } from './demo.ts';
import { digestPreview, ZDigestPreviewOptions } from './digest.ts';
import { documentCommand, ZDocumentArgs } from './document-file.ts';
import { exportReport, ZExportArgs } from './export.ts';
import {
  fundsAck,
  fundsLedger,
  fundsPublic,
  fundsReverse,
  fundsSummary,
  ZFundsAckArgs,
  ZFundsLedgerOptions,
  ZFundsReverseArgs,
} from './funds.ts';
import {
  fundsStatementConfirm,
  fundsStatementImport,
  fundsStatementLines,
  ZStatementConfirmArgs,
  ZStatementImportArgs,
  ZStatementLinesArgs,
} from './funds-statement.ts';
import {
  householdsExport,
  householdsImport,
  ZHouseholdsExportArgs,
  ZHouseholdsImportArgs,
} from './households.ts';
import { householdsApprove, ZHouseholdsApproveArgs } from './households-approve.ts';
import { householdsSetIds, ZHouseholdsSetIdsArgs } from './households-ids.ts';
import { householdsShow, ZHouseholdsShowArgs } from './households-show.ts';
import { DEFAULT_INVITE_DAYS, inviteCreate, MAX_INVITE_DAYS, ZInviteCreateOptions } from './invite-create.ts';
import { outboxFailed } from './outbox-failed.ts';
import { peopleList } from './people-list.ts';
import {
  pledgesAckMoved,
  pledgesList,
  pledgesShow,
  ZPledgesListOptions,
  ZPledgesShowArgs,
} from './pledges.ts';
import {
  outboxStatus,
  remindersPlanOrRun,
  remindersPolicy,
  ZPolicyOptions,
  ZRemindersRunOptions,
} from './reminders.ts';
import { reportsList, reportsShow, ZReportsListOptions, ZReportsShowArgs } from './reports.ts';
import { unitsImport, ZUnitsImportArgs } from './units-import.ts';
import { unitsList } from './units-list.ts';
import {
  unitsAdd,
  unitsEnd,
  unitsMerge,
  unitsMove,
  unitsRename,
  unitsReorganise,
  unitsSplit,
  ZUnitsAddArgs,
  ZUnitsEndArgs,
  ZUnitsMergeArgs,
  ZUnitsMoveArgs,
  ZUnitsRenameArgs,
  ZUnitsReorganiseArgs,
  ZUnitsSplitArgs,
} from './units-reorg.ts';
import { peoplePhone, ZPeoplePhoneArgs, ZZaloSetTokenArgs, zaloSetToken, zaloStatus } from './zalo.ts';

/** The line printed after every usage error. */
export const USAGE_HINT = `Xem hướng dẫn: ${CLI} help`;

const S = { type: 'string' } as const;
const FLAG = { type: 'boolean' } as const;

/** One entry of the table; a function only so that `parse` gives `run` its argument type. */
function command<A>(spec: CommandSpec<A>): CommandSpec<A> {
  return spec;
}

/** A command without options or arguments. */
function bare(
  spec: Omit<CommandSpec<undefined>, 'parse' | 'run' | 'synopsis'> & {
    run(ctx: CliContext): Promise<unknown>;
  },
  synopsis: string,
): CommandSpec<undefined> {
  return { ...spec, synopsis, parse: () => undefined, run: (ctx) => spec.run(ctx) };
}

/**
 * Every command of the operator CLI: its name (what the operator types, one or two words), then
 * its help, options, validation and handler. `--help` and the command list derive from here.
 */
const TABLE = {
  'admin create': command({
    summary: 'Tạo mã mời người quản trị đầu tiên khi đưa bot vào sử dụng thật.',
    synopsis: 'admin create --name "Họ tên" --unit <mã đơn vị> [--days N] [--bot <tên_bot>]',
    description: [
      `In mã mời quản trị viên dùng một lần (mặc định ${DEFAULT_INVITE_DAYS} ngày) và liên kết`,
      'https://t.me/<tên_bot>?start=<MÃ> (không có --bot thì hỏi Telegram theo TELEGRAM_BOT_TOKEN);',
      'người đó gửi mã cho bot để trở thành quản trị viên của đơn vị.',
    ],
    examples: ['admin create --name "Trần Văn Hùng" --unit 058 --bot mttq_backan_bot'],
    options: { unit: S, name: S, days: S, bot: S },
    parse: (values) => validate(ZAdminCreateOptions, values),
    run: adminCreate,
  }),
  'demo remove': bare(
    {
      summary: 'Gỡ dữ liệu mẫu của playground khỏi cơ sở dữ liệu của bot thật.',
      description: [
        'Gỡ người dùng mẫu, mã mời DEMO2025, hộ mẫu chưa ai sửa và đăng ký ủng hộ mẫu chưa có khoản nộp;',
        'giữ nguyên người dùng Telegram, Zalo; ghi nhật ký; chạy lại nhiều lần cũng không sao.',
      ],
      run: demoRemove,
    },
    'demo remove',
  ),
  'invite create': command({
    summary: 'Tạo mã mời dùng một lần cho một vai trò tại một đơn vị.',
    synopsis:
      'invite create --role <vai trò> --unit <mã đơn vị> [--days N] [--name "Họ tên"] [--bot <tên_bot>]',
    description: [
      `Tạo mã mời dùng một lần, hiệu lực N ngày (mặc định ${DEFAULT_INVITE_DAYS}, từ 1 đến ${MAX_INVITE_DAYS}),`,
      'in mã dạng ABCD-EFGH và liên kết https://t.me/<tên_bot>?start=<MÃ>. Ghi nhật ký.',
      `Vai trò: ${ROLES.join(', ')}.`,
    ],
    examples: [
      'invite create --role unit_officer --unit 01852 --days 14 --name "Nguyễn Văn An" --bot mttq_backan_bot',
    ],
    options: { role: S, unit: S, days: S, name: S, bot: S },
    parse: (values) => validate(ZInviteCreateOptions, values),
    run: inviteCreate,
  }),
  'invite revoke': command({
    summary: 'Thu hồi mã mời chưa dùng.',
    synopsis: 'invite revoke <MÃ>',
    description: ['Thu hồi mã mời chưa dùng (mã đã dùng thì thu hồi vai trò bằng people role). Ghi nhật ký.'],
    positionals: 1,
    parse: (_values, positionals) => validate(ZInviteRevokeArgs, { code: positionals[0] }),
    run: inviteRevoke,
  }),
  'access list': bare(
    {
      summary: 'Bảng quyền: ai được làm gì, ở đâu.',
      description: [
        'Bảng quyền mà bot áp dụng (core/access): mỗi hành động, vai trò được làm và phạm vi (tại đơn vị,',
        'đơn vị và cấp dưới, mọi nơi); dùng để kiểm tra trước khi giao hoặc thu hồi vai trò.',
      ],
      run: accessList,
    },
    'access list',
  ),
  'units list': bare(
    {
      summary: 'Liệt kê đơn vị.',
      description: ['Liệt kê đơn vị: mã, tên, loại, mã đơn vị cha, thời gian hiệu lực.'],
      run: unitsList,
    },
    'units list',
  ),
  'units merge': command({
    summary: 'Sáp nhập phường, xã thành đơn vị mới.',
    synopsis:
      'units merge <mã 1> <mã 2> … --into <mã mới> --name "<tên mới>" --on <YYYY-MM-DD> [--kind ward|commune] [--parent <mã cấp trên>]',
    description: [
      'Sáp nhập phường, xã, đặc khu thành đơn vị mới từ ngày --on: đơn vị cũ hết hiệu lực từ hôm trước,',
      'cán bộ chuyển sang đơn vị mới; báo cáo, hộ đã có vẫn thuộc đơn vị cũ, số liệu cộng dồn vào đơn vị',
      'mới từ ngày đó. Một mã: kế thừa một-một; mã mới có thể là mã của một đơn vị cũ (01849). Các đơn vị',
      'thuộc các đơn vị cấp trên khác nhau: thêm --parent <mã cấp trên của đơn vị mới>. Ghi nhật ký.',
    ],
    examples: ['units merge 01837 01840 --into 01900 --name "Phường Sông Cầu - Đức Xuân" --on 2025-05-01'],
    options: { into: S, name: S, on: S, kind: S, parent: S },
    positionals: 50,
    parse: (values, positionals) =>
      validate(ZUnitsMergeArgs, {
        codes: positionals,
        into: values.into,
        name: values.name,
        on: values.on,
        kind: values.kind,
        parent: values.parent,
      }),
    run: unitsMerge,
  }),
  'units split': command({
    summary: 'Chia tách một phường, xã thành các đơn vị mới.',
    synopsis: 'units split <mã> --into <mã>:"<tên>",<mã>:"<tên>" --on <YYYY-MM-DD> [--kind ward|commune]',
    description: [
      'Chia tách một phường, xã từ ngày --on; hộ vẫn thuộc đơn vị cũ đến khi nhập lại cho từng đơn vị mới.',
      'Ghi nhật ký.',
    ],
    examples: ['units split 01843 --into 01960:"Phường A",01961:"Phường B" --on 2025-06-01'],
    options: { into: S, on: S, kind: S },
    positionals: 1,
    parse: (values, positionals) =>
      validate(ZUnitsSplitArgs, {
        code: positionals[0],
        into: values.into,
        on: values.on,
        kind: values.kind,
      }),
    run: unitsSplit,
  }),
  'units import': command({
    summary: 'Nhập danh sách đơn vị hành chính từ tệp CSV hoặc Excel.',
    synopsis: 'units import --file <tệp.csv|tệp.xlsx> [--dry-run]',
    description: [
      'Nhập danh sách đơn vị: cột Mã, Tên, Cấp/Loại (tỉnh, thành phố, quận/huyện, phường, xã, đặc khu,',
      'tổ chức thành viên), Mã cấp trên, Hiệu lực từ, Hiệu lực đến; cột Ghi chú (nếu có) chỉ được in ra cùng',
      'dòng, không ghi vào đơn vị. Báo dòng, cột, lỗi và cách sửa; không',
      'ghi gì nếu còn lỗi. Nhập lại cùng tệp không thêm gì; ngày hết hiệu lực mới được cập nhật. Ghi nhật ký.',
    ],
    examples: ['units import --file campaigns/bac-kan-2024-2025/units-2024.csv --dry-run'],
    options: { file: S, 'dry-run': FLAG },
    parse: (values) => validate(ZUnitsImportArgs, { file: values.file, dryRun: values['dry-run'] === true }),
    run: async (ctx, args) => {
      const outcome = await unitsImport(ctx, args);
      if (outcome.problems.length > 0) {
        process.exitCode = 1;
      }
    },
  }),
  'units add': command({
    summary: 'Thêm một đơn vị mới.',
    synopsis: 'units add <mã> --name "<tên>" --kind <loại> [--parent <mã>] --from <YYYY-MM-DD>',
    description: ['Thêm một đơn vị (không kế thừa đơn vị nào), có hiệu lực từ ngày --from. Ghi nhật ký.'],
    examples: ['units add 01960 --name "Phường Mới" --kind ward --parent 058 --from 2025-01-01'],
    options: { name: S, kind: S, parent: S, from: S },
    positionals: 1,
    parse: (values, [code]) =>
      validate(ZUnitsAddArgs, {
        code,
        name: values.name,
        kind: values.kind,
        parent: values.parent,
        from: values.from,
      }),
    run: unitsAdd,
  }),
  'units rename': command({
    summary: 'Đổi tên một đơn vị từ một ngày.',
    synopsis: 'units rename <mã> --name "<tên mới>" --on <YYYY-MM-DD>',
    description: [
      'Đổi tên từ ngày --on: đơn vị cũ hết hiệu lực từ hôm trước, đơn vị cùng mã với tên mới kế thừa,',
      'số liệu cộng dồn, cán bộ chuyển sang. Ghi nhật ký.',
    ],
    examples: ['units rename 01843 --name "Phường Bắc Kạn" --on 2025-07-01'],
    options: { name: S, on: S },
    positionals: 1,
    parse: (values, [code]) => validate(ZUnitsRenameArgs, { code, name: values.name, on: values.on }),
    run: unitsRename,
  }),
  'units end': command({
    summary: 'Kết thúc một đơn vị (và các tổ chức thành viên của nó).',
    synopsis: 'units end <mã> --on <YYYY-MM-DD> [--successor <mã>]',
    description: [
      'Đơn vị hết hiệu lực từ hôm trước ngày --on; tổ chức thành viên của nó cũng kết thúc, vai trò tại',
      'đó bị thu hồi. Có --successor: số liệu cộng vào đơn vị kế thừa, cán bộ chuyển sang. Hồ sơ đã có vẫn',
      'thuộc đơn vị cũ. Ghi nhật ký.',
    ],
    examples: ['units end 058 --on 2025-07-01 --successor 19'],
    options: { on: S, successor: S },
    positionals: 1,
    parse: (values, [code]) => validate(ZUnitsEndArgs, { code, on: values.on, successor: values.successor }),
    run: unitsEnd,
  }),
  'units move': command({
    summary: 'Chuyển một đơn vị sang đơn vị cấp trên khác từ một ngày.',
    synopsis: 'units move <mã> --parent <mã> --on <YYYY-MM-DD>',
    description: [
      'Từ ngày --on đơn vị (cùng mã, cùng tên) thuộc đơn vị cấp trên mới; các kỳ trước vẫn thấy đơn vị',
      'cấp trên cũ. Cán bộ chuyển sang. Ghi nhật ký.',
    ],
    examples: ['units move 01840 --parent 19 --on 2025-07-01'],
    options: { parent: S, on: S },
    positionals: 1,
    parse: (values, [code]) => validate(ZUnitsMoveArgs, { code, parent: values.parent, on: values.on }),
    run: unitsMove,
  }),
  'units reorganise': command({
    summary: 'Sắp xếp lại đơn vị hành chính theo tệp sự kiện (YAML/JSON).',
    synopsis: 'units reorganise --file <tệp.yaml|tệp.json> [--dry-run]',
    description: [
      'Áp dụng các sự kiện (add, rename, succeed, merge, split, move, end) theo thứ tự trong tệp, trong một',
      'lần ghi: sai một chỗ thì không ghi gì; mỗi lỗi ghi dòng, mục và cách sửa. --dry-run: chỉ kiểm tra.',
    ],
    examples: ['units reorganise --file campaigns/bac-kan-2024-2025/reform-2025-07-01.yaml --dry-run'],
    options: { file: S, 'dry-run': FLAG },
    parse: (values) =>
      validate(ZUnitsReorganiseArgs, { file: values.file, dryRun: values['dry-run'] === true }),
    run: async (ctx, args) => {
      if ((await unitsReorganise(ctx, args)).problems > 0) {
        process.exitCode = 1;
      }
    },
  }),
  'people list': bare(
    {
      summary: 'Liệt kê người dùng.',
      description: [
        'Liệt kê người dùng: vai trò@đơn vị, kênh, lần tương tác gần nhất (không in số điện thoại).',
      ],
      run: peopleList,
    },
    'people list',
  ),
  'people deactivate': command({
    summary: 'Ngừng hoạt động một người.',
    synopsis: 'people deactivate <ID>',
    description: ['Ngừng hoạt động một người: bot không nhận người đã ngừng hoạt động. Ghi nhật ký.'],
    positionals: 1,
    parse: (_values, positionals) => validate(ZPersonActiveArgs, { id: positionals[0] }),
    run: (ctx, args) => personSetActive(ctx, args, false),
  }),
  'people activate': command({
    summary: 'Kích hoạt lại một người.',
    synopsis: 'people activate <ID>',
    description: ['Kích hoạt lại một người đã ngừng hoạt động. Ghi nhật ký.'],
    positionals: 1,
    parse: (_values, positionals) => validate(ZPersonActiveArgs, { id: positionals[0] }),
    run: (ctx, args) => personSetActive(ctx, args, true),
  }),
  'people phone': command({
    summary: 'Lưu số điện thoại của một người (tin ZNS của Zalo).',
    synopsis: 'people phone <ID> <số điện thoại>',
    description: [
      'Số điện thoại nhận tin ZNS của Zalo (nhắc việc, báo chậm, xác nhận ủng hộ) khi người này quá 7 ngày',
      'không nhắn cho OA. Ghi nhật ký; số không bao giờ in đầy đủ.',
    ],
    examples: ['people phone 12 0912345678'],
    positionals: 2,
    parse: (_values, positionals) =>
      validate(ZPeoplePhoneArgs, { id: positionals[0], phone: positionals[1] }),
    run: peoplePhone,
  }),
  'people role': command({
    summary: 'Giao hoặc thu hồi một vai trò.',
    synopsis: 'people role <ID> --add <vai trò>@<mã đơn vị> | --remove <vai trò>@<mã đơn vị>',
    description: ['Giao hoặc thu hồi một vai trò của một người tại một đơn vị (ghi nhật ký).'],
    examples: ['people role 12 --add unit_officer@01840'],
    options: { add: S, remove: S },
    positionals: 1,
    parse: (values, positionals) =>
      validate(ZPersonRoleArgs, { id: positionals[0], add: values.add, remove: values.remove }),
    run: personRole,
  }),
  'groups list': bare(
    {
      summary: 'Xem các nhóm lãnh đạo nhận bản tin.',
      description: ['Nhóm lãnh đạo nhận bản tin: số, kênh, tên nhóm, địa bàn, bản tin, trạng thái.'],
      run: groupsList,
    },
    'groups list',
  ),
  'groups confirm': command({
    summary: 'Xác nhận một nhóm lãnh đạo nhận bản tin.',
    synopsis: 'groups confirm <số nhóm>',
    description: ['Xác nhận nhóm lãnh đạo (số trong groups list): nhóm sẽ nhận bản tin. Ghi nhật ký.'],
    positionals: 1,
    parse: (_values, positionals) => validate(ZGroupArgs, { id: positionals[0] }),
    run: (ctx, args) => groupSetStatus(ctx, args, 'active'),
  }),
  'groups stop': command({
    summary: 'Dừng gửi bản tin cho một nhóm lãnh đạo.',
    synopsis: 'groups stop <số nhóm>',
    description: ['Nhóm lãnh đạo (số trong groups list) thôi nhận bản tin. Ghi nhật ký.'],
    positionals: 1,
    parse: (_values, positionals) => validate(ZGroupArgs, { id: positionals[0] }),
    run: (ctx, args) => groupSetStatus(ctx, args, 'removed'),
  }),
  'campaign create': command({
    summary: 'Tạo cuộc vận động mới từ tệp định nghĩa (YAML hoặc JSON).',
    synopsis: 'campaign create --file <tệp.yaml|tệp.json> [--dry-run]',
    description: [
      'Tạo cuộc vận động từ tệp định nghĩa: tên, địa bàn (mã đơn vị), thời gian, lịch báo cáo, tiêu chí,',
      'nhóm hộ, chuẩn nghèo, mức hỗ trợ, tài khoản Quỹ, chính sách nhắc, tiêu chí khen thưởng; tạo các kỳ báo',
      'cáo theo lịch. Tệp có lỗi: báo từng lỗi (dòng, mục, cách sửa), không ghi gì. --dry-run: chỉ kiểm tra.',
      'Tệp mẫu có chú thích: campaigns/examples/campaign-example.yaml. Ghi nhật ký.',
    ],
    examples: [
      'campaign create --file campaigns/examples/campaign-example.yaml --dry-run',
      'campaign create --file tn-ncc-2026.yaml',
    ],
    options: { file: S, 'dry-run': FLAG },
    parse: (values) => validate(ZCampaignFileArgs, { file: values.file, dryRun: values['dry-run'] === true }),
    run: async (ctx, args) => {
      if (!(await campaignCreate(ctx, args)).ok) {
        // A refused file ends with a non-zero code so scripts notice.
        process.exitCode = 1;
      }
    },
  }),
  'campaign list': bare(
    {
      summary: 'Liệt kê các cuộc vận động.',
      description: [
        'Liệt kê các cuộc vận động: mã, tên, địa bàn, thời gian, trạng thái (đang chạy, đã khép lại…).',
      ],
      run: campaignList,
    },
    'campaign list',
  ),
  'campaign show': command({
    summary: 'Xem một cuộc vận động: địa bàn, thời gian, lịch báo cáo, mức hỗ trợ, Quỹ.',
    synopsis: 'campaign show [<mã cuộc vận động>]',
    description: [
      'Xem cuộc vận động (mặc định: cuộc duy nhất đang chạy, nếu không thì cuộc mới nhất): địa bàn, thời gian,',
      'trạng thái, lịch báo cáo, mức hỗ trợ theo thời gian, nhóm hộ, chuẩn nghèo, tài khoản Quỹ, kỳ sắp đến hạn.',
    ],
    examples: ['campaign show', 'campaign show BK-XNT-2025'],
    positionals: 1,
    parse: (_values, positionals) => validate(ZCampaignShowArgs, { code: positionals[0] }),
    run: campaignShow,
  }),
  'campaign update': command({
    summary: 'Cập nhật cuộc vận động theo tệp định nghĩa đã sửa.',
    synopsis: 'campaign update --file <tệp.yaml|tệp.json> [--dry-run]',
    description: [
      'Cập nhật cuộc vận động có mã ghi trong tệp. Kỳ báo cáo chưa đến hạn theo lịch mới; kỳ đã đến hạn giữ',
      'nguyên (báo cáo đã gửi không thành chậm); kỳ không còn trong lịch bị bỏ nếu chưa có báo cáo nào.',
      'Tệp có lỗi: báo từng lỗi, không ghi gì. --dry-run: in những gì sẽ thay đổi, không ghi. Ghi nhật ký.',
    ],
    examples: ['campaign update --file tn-ncc-2026.yaml --dry-run'],
    options: { file: S, 'dry-run': FLAG },
    parse: (values) => validate(ZCampaignFileArgs, { file: values.file, dryRun: values['dry-run'] === true }),
    run: async (ctx, args) => {
      if (!(await campaignUpdate(ctx, args)).ok) {
        process.exitCode = 1;
      }
    },
  }),
  'campaign close': command({
    summary: 'Khép lại (hoặc mở lại) một cuộc vận động.',
    synopsis: 'campaign close [<mã cuộc vận động>] --on <YYYY-MM-DD> | --reopen',
    description: [
      'Khép lại cuộc vận động từ ngày --on: từ ngày đó bot không nhắc, không nhận báo cáo, đăng ký ủng hộ;',
      'số liệu vẫn xem và xuất được. --reopen: mở lại. Không ghi mã: cuộc duy nhất đang chạy. Ghi nhật ký.',
    ],
    examples: ['campaign close BK-XNT-2025 --on 2025-08-27', 'campaign close BK-XNT-2025 --reopen'],
    options: { on: S, reopen: FLAG },
    positionals: 1,
    parse: (values, positionals) =>
      validate(ZCampaignCloseArgs, { code: positionals[0], on: values.on, reopen: values.reopen === true }),
    run: campaignClose,
  }),
  'campaign set': command({
    summary: 'Đổi định mức và hạn báo cáo.',
    synopsis: `campaign set [--norm-new-build 60tr] [--norm-repair 30tr] [--monthly-due-day 15] [--quarterly-due-day 15] [--final-due-on YYYY-MM-DD] ${CAMPAIGN_SYNOPSIS}`,
    description: ['Đổi định mức và hạn báo cáo (chỉ áp dụng cho các kỳ chưa đến hạn; ghi nhật ký).'],
    examples: ['campaign set --norm-repair 35tr --monthly-due-day 10'],
    options: {
      'norm-new-build': S,
      'norm-repair': S,
      'monthly-due-day': S,
      'quarterly-due-day': S,
      'final-due-on': S,
      ...CAMPAIGN_OPTION,
    },
    parse: (values) => validate(ZCampaignSetOptions, values),
    run: campaignSet,
  }),
  'campaign commendation': command({
    summary: 'Xem / đổi tiêu chí đề xuất khen thưởng.',
    synopsis: `campaign commendation [--set '<JSON>'] ${CAMPAIGN_SYNOPSIS}`,
    description: [
      'Xem / đổi tiêu chí đề xuất khen thưởng (số nhà hoàn thành, tỷ lệ báo cáo đúng hạn, kết quả vận động).',
      'Ghi nhật ký.',
    ],
    examples: [`campaign commendation --set '{"minOnTimeShare":0.9}'`],
    options: { set: S, ...CAMPAIGN_OPTION },
    parse: (values) => validate(ZCommendationOptions, values),
    run: campaignCommendation,
  }),
  'campaign pledges': command({
    summary: 'Xem / đổi giới hạn đăng ký ủng hộ của người chưa có mã mời.',
    synopsis: `campaign pledges [--set '<JSON>'] ${CAMPAIGN_SYNOPSIS}`,
    description: [
      'Xem / đổi giới hạn đăng ký ủng hộ của người chưa có mã mời: số đăng ký mỗi người mỗi ngày',
      '(perChatPerDay, mặc định 3), tổng số đăng ký của mọi người chưa có mã mời trong một giờ',
      '(anonymousPerHour, mặc định 30), và mức giá trị mà từ trên mức đó đăng ký phải chờ cán bộ Quỹ',
      'xác minh (verifyAbove, mặc định 500.000.000 đ). Ghi nhật ký.',
    ],
    examples: [`campaign pledges --set '{"anonymousPerHour":200}'`],
    options: { set: S, ...CAMPAIGN_OPTION },
    parse: (values) => validate(ZPledgeSafeguardOptions, values),
    run: campaignPledges,
  }),
  'reports list': command({
    summary: 'Liệt kê các lần gửi báo cáo.',
    synopsis: 'reports list [--period <mã kỳ, ví dụ 2025-02, 2026-W07, 2025-Q1, final>] [--unit <mã đơn vị>]',
    description: ['Liệt kê các lần gửi báo cáo; ✓ đánh dấu bản mới nhất của mỗi đơn vị trong mỗi kỳ.'],
    examples: ['reports list --period 2025-02 --unit 01840'],
    options: { period: S, unit: S },
    parse: (values) => validate(ZReportsListOptions, values),
    run: reportsList,
  }),
  'reports show': command({
    summary: 'Xem toàn bộ số liệu một báo cáo.',
    synopsis: 'reports show <số tham chiếu>',
    description: ['Xem toàn bộ số liệu một báo cáo và các lần gửi của cùng đơn vị, cùng kỳ.'],
    examples: ['reports show BC-202502-01840-1'],
    positionals: 1,
    parse: (_values, positionals) => validate(ZReportsShowArgs, { ref: positionals[0] }),
    run: reportsShow,
  }),
  'reports committee': command({
    summary: 'Báo cáo 6 tháng, báo cáo kết quả của Ban Thường trực: dự thảo hoặc bản đã ban hành (Word).',
    synopsis: `reports committee --period <2025-H1|final> [--ref <số tham chiếu>] [--out <tệp.docx>] ${CAMPAIGN_SYNOPSIS}`,
    description: [
      'Báo cáo của chính Ban Thường trực cấp phát động (6 tháng, kết quả thực hiện Kế hoạch): in các lần',
      'đã ban hành (số văn bản, ngày); với --out ghi văn bản Word: dự thảo bot soạn từ số liệu các đơn vị',
      '(để trống số), hoặc bản đã ban hành khi có --ref.',
    ],
    examples: [
      'reports committee --period 2025-H1 --out bao-cao-6-thang.docx',
      'reports committee --period 2025-H1 --ref BC6T-2025H1-058-1 --out bc6t.docx',
    ],
    options: { period: S, ref: S, out: S, ...CAMPAIGN_OPTION },
    parse: (values) => validate(ZCommitteeReportOptions, values),
    run: reportsCommittee,
  }),
  'households import': command({
    summary: 'Nhập danh sách hộ từ tệp CSV hoặc Excel.',
    synopsis:
      'households import <tệp.csv|tệp.xlsx> --unit <mã đơn vị> [--dry-run] [--accept-valid] [--max-mb N] [--max-rows N]',
    description: [
      'Nhập danh sách hộ: kiểm tra từng dòng, báo dòng, cột, lỗi và cách sửa; không ghi gì nếu còn lỗi',
      '(trừ khi có --accept-valid: chỉ nhập các dòng hợp lệ). --dry-run: chỉ kiểm tra.',
      'Tệp quá 20 MB hoặc quá 200.000 hộ bị từ chối, không ghi gì (đổi bằng --max-mb, --max-rows',
      'hoặc HOUSEHOLD_IMPORT_MAX_MB, HOUSEHOLD_IMPORT_MAX_ROWS).',
    ],
    examples: ['households import ho-duc-xuan.xlsx --unit 01840 --dry-run'],
    options: { unit: S, 'dry-run': FLAG, 'accept-valid': FLAG, 'max-mb': S, 'max-rows': S },
    positionals: 1,
    parse: (values, positionals) =>
      validate(ZHouseholdsImportArgs, {
        file: positionals[0],
        unit: values.unit,
        dryRun: values['dry-run'] === true,
        acceptValid: values['accept-valid'] === true,
        maxMb: values['max-mb'],
        maxRows: values['max-rows'],
      }),
    run: async (ctx, args) => {
      const outcome = await householdsImport(ctx, args);
      if (outcome.problems.length > 0 && outcome.written === 0 && !args.dryRun) {
        // Refused imports end with a non-zero code so scripts notice.
        process.exitCode = 1;
      }
    },
  }),
  'households export': command({
    summary: 'Xuất danh sách hộ của đơn vị ra Excel.',
    synopsis: 'households export <tệp.xlsx> --unit <mã đơn vị>',
    description: ['Xuất danh sách hộ của đơn vị ra Excel (nhập lại được).'],
    options: { unit: S },
    positionals: 1,
    parse: (values, positionals) =>
      validate(ZHouseholdsExportArgs, { file: positionals[0], unit: values.unit }),
    run: householdsExport,
  }),
  'households approve': command({
    summary: 'Duyệt hộ đề xuất.',
    synopsis: `households approve <mã hộ> --reason "lý do" ${CAMPAIGN_SYNOPSIS}`,
    description: [
      'Duyệt hộ đề xuất; hộ chưa đủ điều kiện theo tiêu chí chỉ duyệt được với lý do (ghi nhật ký).',
    ],
    options: { reason: S, ...CAMPAIGN_OPTION },
    positionals: 1,
    parse: (values, positionals) =>
      validate(ZHouseholdsApproveArgs, {
        code: positionals[0],
        reason: values.reason,
        campaign: values.campaign,
      }),
    run: householdsApprove,
  }),
  'households set-ids': command({
    summary: 'Ghi lại mã băm số CCCD cho các hộ đã có.',
    synopsis: 'households set-ids <tệp.csv|tệp.xlsx> --unit <mã đơn vị> [--dry-run]',
    description: [
      'Ghi lại mã băm số CCCD (theo khóa ID_HASH_KEY, để phát hiện hộ trùng) cho các hộ đã có, khớp theo mã hộ;',
      'chỉ đọc cột "Mã hộ" và "Số CCCD", không lưu số CCCD. Dùng sau khi nâng cấp hoặc đổi khóa.',
    ],
    options: { unit: S, 'dry-run': FLAG },
    positionals: 1,
    parse: (values, positionals) =>
      validate(ZHouseholdsSetIdsArgs, {
        file: positionals[0],
        unit: values.unit,
        dryRun: values['dry-run'] === true,
      }),
    run: async (ctx, args) => {
      const outcome = await householdsSetIds(ctx, args);
      if (outcome.problems.length > 0) {
        process.exitCode = 1;
      }
    },
  }),
  'households show': command({
    summary: 'Xem thông tin, lịch sử và kinh phí của một hộ.',
    synopsis: 'households show <mã hộ>',
    description: [
      'Xem hộ: thông tin, lịch sử kèm ảnh, kinh phí phân bổ và nguồn tiền (khoản thu, đăng ký), chi trả.',
    ],
    positionals: 1,
    parse: (_values, positionals) => validate(ZHouseholdsShowArgs, { code: positionals[0] }),
    run: householdsShow,
  }),
  'pledges list': command({
    summary: 'Liệt kê đăng ký ủng hộ.',
    synopsis: `pledges list [--unit <mã đơn vị có Quỹ>] ${CAMPAIGN_SYNOPSIS}`,
    description: [
      'Liệt kê đăng ký ủng hộ: số đăng ký, người ủng hộ, nội dung, Quỹ tiếp nhận, trạng thái, đã nhận.',
    ],
    options: { unit: S, ...CAMPAIGN_OPTION },
    parse: (values) => validate(ZPledgesListOptions, values),
    run: pledgesList,
  }),
  'pledges show': command({
    summary: 'Xem một đăng ký ủng hộ và tiền đã đến hộ nào.',
    synopsis: 'pledges show <số đăng ký>',
    description: ['Xem đăng ký, các khoản đã nộp và tiền đã đến hộ nào: phân bổ, chi trả, ảnh của hộ.'],
    examples: ['pledges show UH-0001'],
    positionals: 1,
    parse: (_values, positionals) => validate(ZPledgesShowArgs, { ref: positionals[0] }),
    run: pledgesShow,
  }),
  'pledges ack': command({
    summary: 'Đã đổi thành funds ack.',
    synopsis: 'pledges ack <số đăng ký>',
    description: [
      'Đã đổi thành "funds ack": giấy xác nhận cho mọi khoản ủng hộ, có hoặc không theo đăng ký.',
    ],
    positionals: 1,
    parse: (_values, positionals) => pledgesAckMoved(positionals[0]),
    run: async () => undefined,
  }),
  'funds summary': bare(
    {
      summary: 'Tình hình Quỹ "Vì người nghèo" (như /quy).',
      description: [
        'Tình hình Quỹ "Vì người nghèo": theo cấp, theo tổ chức thành viên, người ủng hộ (như /quy).',
      ],
      run: fundsSummary,
    },
    'funds summary',
  ),
  'funds public': bare(
    {
      summary: 'Bản công khai Quỹ (như /congkhai).',
      description: ['Bản công khai Quỹ, đúng như bot trả lời /congkhai (không có số điện thoại).'],
      run: fundsPublic,
    },
    'funds public',
  ),
  'funds ledger': command({
    summary: 'Sổ quỹ: các bút toán và số dư sau mỗi bút toán.',
    synopsis: `funds ledger [--unit <mã đơn vị có Quỹ>] ${CAMPAIGN_SYNOPSIS}`,
    description: ['Sổ quỹ: các bút toán theo thứ tự, số dư còn lại của từng cấp sau mỗi bút toán.'],
    options: { unit: S, ...CAMPAIGN_OPTION },
    parse: (values) => validate(ZFundsLedgerOptions, values),
    run: fundsLedger,
  }),
  'funds ack': command({
    summary: 'Cấp giấy xác nhận ủng hộ cho một khoản đã nhận; xem các đề nghị chờ duyệt.',
    synopsis: `funds ack <số bút toán | số chứng từ | số đăng ký> [--out <tệp.docx>] | funds ack --pending ${CAMPAIGN_SYNOPSIS}`,
    description: [
      'Cấp giấy xác nhận cho một khoản ủng hộ đã nhận (tiền, hiện vật hoặc ngày công; theo đăng ký hoặc không):',
      'lấy số từ sổ văn bản (GXN, theo năm), gửi vào tin nhắn của người ủng hộ nếu họ dùng bot, in nội dung giấy;',
      '--out ghi bản Word để in, ký, đóng dấu. Khoản đã cấp giữ nguyên số. Số đăng ký: khoản nộp gần nhất chưa cấp giấy.',
      '--pending: các đề nghị cấp giấy xác nhận của người ủng hộ đang chờ duyệt.',
    ],
    examples: ['funds ack 12 --out giay-xac-nhan-12.docx', 'funds ack UH-0001', 'funds ack --pending'],
    options: { out: S, pending: FLAG, ...CAMPAIGN_OPTION },
    positionals: 1,
    parse: (values, positionals) =>
      validate(ZFundsAckArgs, {
        receipt: positionals[0],
        out: values.out,
        pending: values.pending === true,
        campaign: values.campaign,
      }),
    run: fundsAck,
  }),
  'funds reverse': command({
    summary: 'Hủy một bút toán bằng bút toán điều chỉnh.',
    synopsis: 'funds reverse <số bút toán> --reason "lý do"',
    description: [
      'Hủy một bút toán bằng bút toán điều chỉnh (sổ quỹ không sửa, không xóa); ghi nhật ký.',
      'Bị từ chối nếu tiền đã được dùng (ví dụ khoản thu đã phân bổ cho hộ).',
    ],
    examples: ['funds reverse 12 --reason "Ghi nhầm số tiền, chứng từ PT-015"'],
    options: { reason: S },
    positionals: 1,
    parse: (values, positionals) =>
      validate(ZFundsReverseArgs, { entryId: positionals[0], reason: values.reason }),
    run: async (ctx, args) => {
      const outcome = await fundsReverse(ctx, args);
      if (!outcome.ok) {
        // A refused correction ends with a non-zero code so scripts notice.
        process.exitCode = 1;
      }
    },
  }),
  'funds statement import': command({
    summary: 'Nhập sao kê ngân hàng của một cấp Quỹ, khớp với các đăng ký ủng hộ.',
    synopsis: `funds statement import <tệp.csv|tệp.xlsx> --level <mã đơn vị có Quỹ> [--bank <mã ngân hàng> | --mapping <tệp.json>] [--dry-run] ${CAMPAIGN_SYNOPSIS}`,
    description: [
      'Đọc sao kê tài khoản (CSV hoặc Excel, như ngân hàng xuất: vcb, vietinbank, bidv, agribank hoặc mẫu chung generic;',
      'tự nhận biết khi không ghi --bank; --mapping: tệp cấu hình cột tự viết, xem docs/bank-statements.md).',
      'Khoản có ghi số đăng ký (UH-0001, UH0001, uh 1…) được ghi ngay thành khoản thu theo đăng ký, ngày nộp là ngày',
      'ngân hàng hạch toán, số chứng từ là số giao dịch của ngân hàng; khoản khớp tên người ủng hộ và số tiền được đề xuất',
      'để xác nhận; các khoản còn lại để xem lại; khoản chi được liệt kê cùng các khoản chi cho hộ có cùng số tiền.',
      'Nhập lại cùng tệp hoặc tệp trùng một phần không ghi thêm gì. --dry-run: chỉ xem thử, không ghi.',
    ],
    examples: [
      'funds statement import docs/samples/statements/vietcombank.xlsx --level 058 --dry-run',
      'funds statement import saoke-thang3.csv --level 058 --bank bidv',
      'funds statement import saoke.csv --level 058 --mapping docs/samples/statements/techcombank-mapping.json',
    ],
    options: { level: S, bank: S, mapping: S, 'dry-run': FLAG, ...CAMPAIGN_OPTION },
    positionals: 1,
    parse: (values, positionals) =>
      validate(ZStatementImportArgs, {
        file: positionals[0],
        level: values.level,
        bank: values.bank,
        mapping: values.mapping,
        dryRun: values['dry-run'] === true,
        campaign: values.campaign,
      }),
    run: fundsStatementImport,
  }),
  'funds statement lines': command({
    summary: 'Các dòng sao kê đã nhập của một cấp Quỹ.',
    synopsis: `funds statement lines --level <mã đơn vị có Quỹ> [--status proposed|unmatched|debit|matched|confirmed|walk_in|dismissed] ${CAMPAIGN_SYNOPSIS}`,
    description: [
      'Các dòng sao kê đã nhập của một cấp Quỹ, mới nhất trước; --status: chỉ các dòng ở trạng thái đó.',
    ],
    examples: ['funds statement lines --level 058 --status proposed'],
    options: { level: S, status: S, ...CAMPAIGN_OPTION },
    parse: (values) => validate(ZStatementLinesArgs, values),
    run: fundsStatementLines,
  }),
  'funds statement confirm': command({
    summary: 'Xác nhận khoản đề xuất của sao kê thành khoản thu theo đăng ký.',
    synopsis:
      'funds statement confirm <số dòng sao kê> | funds statement confirm --all-proposed --import <số lần nhập>',
    description: [
      'Ghi khoản đề xuất (khớp tên và số tiền) thành khoản thu theo đăng ký, như cán bộ quỹ bấm xác nhận trong tin nhắn;',
      '--all-proposed: mọi khoản đề xuất còn chờ của một lần nhập. Mỗi khoản chỉ được ghi một lần.',
    ],
    examples: ['funds statement confirm 1234', 'funds statement confirm --all-proposed --import 3'],
    options: { 'all-proposed': FLAG, import: S },
    positionals: 1,
    parse: (values, positionals) =>
      validate(ZStatementConfirmArgs, {
        lineId: positionals[0],
        allProposed: values['all-proposed'] === true,
        importId: values.import,
      }),
    run: fundsStatementConfirm,
  }),
  'zalo status': bare(
    {
      summary: 'Tình trạng kênh Zalo.',
      description: [
        'Kênh Zalo: hạn access token, lần làm mới cuối, sự kiện webhook cuối, số tin chưa gửi được.',
      ],
      run: zaloStatus,
    },
    'zalo status',
  ),
  'zalo set-token': command({
    summary: 'Lưu refresh token Zalo mới.',
    synopsis: 'zalo set-token <refresh_token>',
    description: ['Lưu refresh token mới (khi Zalo từ chối token cũ); bot tự lấy access token mới.'],
    positionals: 1,
    parse: (_values, positionals) => validate(ZZaloSetTokenArgs, { token: positionals[0] }),
    run: zaloSetToken,
  }),
  'outbox failed': bare(
    {
      summary: 'Tin nhắn bot không gửi được.',
      description: ['Tin nhắn bot không gửi được (bị chặn, quá số lần thử) và tin đang chờ gửi lại.'],
      run: outboxFailed,
    },
    'outbox failed',
  ),
  'outbox status': bare(
    {
      summary: 'Số tin trong hàng đợi theo loại và trạng thái.',
      description: ['Số tin trong hàng đợi theo loại (trả lời, nhắc, báo cáo tổng hợp…) và trạng thái.'],
      run: outboxStatus,
    },
    'outbox status',
  ),
  'reminders plan': command({
    summary: 'Chạy thử: những lời nhắc sẽ gửi.',
    synopsis: `reminders plan [--at <thời điểm ISO>] ${CAMPAIGN_SYNOPSIS}`,
    description: [
      'Chạy thử: những lời nhắc sẽ gửi vào thời điểm đó, gửi cho ai và vì sao; đơn vị chậm báo cáo.',
      'Mỗi cuộc vận động đang chạy nhắc theo lịch của mình (hoặc chỉ cuộc --campaign); cuộc đã khép lại không nhắc.',
    ],
    examples: ['reminders plan --at 2025-04-09T08:00:00+07:00', 'reminders plan --campaign BK-XNT-2025'],
    options: { at: S, ...CAMPAIGN_OPTION },
    parse: (values) => validate(ZRemindersRunOptions, values),
    run: (ctx, args) => remindersPlanOrRun(ctx, args, false),
  }),
  'reminders run': command({
    summary: 'Đưa các lời nhắc đến hạn vào hàng đợi.',
    synopsis: `reminders run [--at <thời điểm ISO>] ${CAMPAIGN_SYNOPSIS}`,
    description: ['Đưa các lời nhắc đến hạn vào hàng đợi (chạy lại không gửi trùng).'],
    options: { at: S, ...CAMPAIGN_OPTION },
    parse: (values) => validate(ZRemindersRunOptions, values),
    run: (ctx, args) => remindersPlanOrRun(ctx, args, true),
  }),
  'reminders policy': command({
    summary: 'Xem hoặc đổi chính sách nhắc.',
    synopsis: `reminders policy [--set '<JSON>'] ${CAMPAIGN_SYNOPSIS}`,
    description: [
      'Xem hoặc đổi chính sách nhắc (số ngày nhắc trước hạn, giờ gửi, giờ yên lặng, số lần tối đa mỗi ngày…).',
      'Ghi nhật ký.',
    ],
    examples: [`reminders policy --set '{"offsetsDays":[7,3,0]}'`],
    options: { set: S, ...CAMPAIGN_OPTION },
    parse: (values) => validate(ZPolicyOptions, values),
    run: remindersPolicy,
  }),
  'digest preview': command({
    summary: 'Xem trước bản tin tổng hợp gửi nhóm lãnh đạo.',
    synopsis:
      'digest preview [--at <thời điểm ISO>] [--group <số nhóm> | --unit <mã đơn vị>] [--out bieu-do.png]',
    description: ['Xem trước bản tin tổng hợp gửi nhóm lãnh đạo (chữ và biểu đồ PNG); không gửi gì.'],
    options: { at: S, group: S, unit: S, out: S },
    parse: (values) => validate(ZDigestPreviewOptions, values),
    run: digestPreview,
  }),
  export: command({
    summary: 'Xuất báo cáo Excel theo mẫu.',
    synopsis: `export <${EXPORT_KINDS.join('|')}> <tệp.xlsx> [--period <mã kỳ tháng hoặc tuần>] [--unit <mã đơn vị>]`,
    description: [
      'Xuất báo cáo Excel theo mẫu (tiêu đề, cột đánh số, dòng tổng cộng, in A4 ngang): tiến độ theo đơn vị',
      '(progress, mặc định kỳ tháng hoặc tuần gần nhất đã đến hạn), danh sách hộ (households), ủng hộ theo tổ chức',
      '(pledges), sổ Quỹ theo cấp (ledger), đơn vị chậm báo cáo (late). Mặc định: toàn thành phố;',
      '--unit: một phường, xã. --period (2025-02, 2026-W07) chỉ dùng cho progress và late.',
    ],
    examples: ['export progress tien-do-2025-02.xlsx --period 2025-02'],
    options: { period: S, unit: S },
    positionals: 2,
    parse: (values, [kind, file]) => {
      if (kind === undefined || !(EXPORT_KINDS as readonly string[]).includes(kind)) {
        const known = EXPORT_KINDS.map((k) => `export ${k}`).join(', ');
        throw new UsageError(
          kind === undefined
            ? `thiếu loại báo cáo sau "export". Dùng: ${known}`
            : `lệnh không tồn tại: "export ${kind}". Dùng: ${known}`,
        );
      }
      return validate(ZExportArgs, { kind, file, period: values.period, unit: values.unit });
    },
    run: exportReport,
  }),
  document: command({
    summary: 'Lập văn bản Word theo thể thức (báo cáo, giấy xác nhận, tờ trình).',
    synopsis: "document <loại> --params '<json>' --out <tệp.docx>",
    description: [
      'Lập văn bản Word theo thể thức Nghị định 30/2020/NĐ-CP (Quốc hiệu, tiêu ngữ, số, địa danh và ngày,',
      'nơi nhận, chữ ký) như bot gửi: báo cáo của Ban Thường trực (committee-report), giấy xác nhận ủng hộ',
      '(acknowledgement), tờ trình khen thưởng (commendation). --params: các tham số của loại văn bản, dạng JSON.',
    ],
    examples: [
      `document committee-report --params '{"unitId": 2, "periodId": 30}' --out bao-cao-6-thang.docx`,
    ],
    options: { params: S, out: S },
    positionals: 1,
    parse: (values, [kind]) => validate(ZDocumentArgs, { kind, params: values.params, out: values.out }),
    run: documentCommand,
  }),
  backup: command({
    summary: 'Sao lưu cơ sở dữ liệu SQLite khi bot đang chạy.',
    synopsis: 'backup <tệp sao lưu> [--force]',
    description: [
      'Sao lưu cơ sở dữ liệu SQLite khi bot đang chạy (bản sao nhất quán, đã kiểm tra toàn vẹn);',
      'in kích thước và thời gian. Không ghi đè tệp đã có, trừ khi thêm --force.',
      'Với PostgreSQL lệnh này không chạy: sao lưu bằng pg_dump -Fc (docs/deployment.md, mục 5).',
    ],
    examples: ['backup /var/backups/mttq-bot/bot-2025-03-10.db'],
    options: { force: FLAG },
    positionals: 1,
    parse: (values, positionals) =>
      validate(ZBackupArgs, { file: positionals[0], force: values.force === true }),
    run: backup,
  }),
};

type Table = typeof TABLE;
export type CommandName = keyof Table;
type ArgsOf<Spec> = Spec extends CommandSpec<infer A> ? A : never;
type ArgsMap = { [K in CommandName]: ArgsOf<Table[K]> };

/** The table, typed so that a command's name gives its arguments' type (see `runCommand`). */
const COMMANDS: { [K in CommandName]: CommandSpec<ArgsMap[K]> } = TABLE;

/** A command line, parsed and validated; nothing has touched the database yet. */
export type CliCommand =
  /** `topic`: a command or a group of commands (`units`) whose usage alone is printed. */
  { name: 'help'; topic?: string } | { [K in CommandName]: { name: K; args: ArgsMap[K] } }[CommandName];

const NAMES = Object.keys(COMMANDS).filter((name): name is CommandName => name in COMMANDS);

function isCommandName(name: string): name is CommandName {
  return name in COMMANDS;
}

function isHelp(word: string | undefined): boolean {
  return word === undefined || word === 'help' || word === '--help' || word === '-h';
}

/** The commands of a group (`units` → units list, units merge, units split). */
function groupCommands(group: string): CommandName[] {
  return NAMES.filter((name) => name.startsWith(`${group} `));
}

/** Every command as `--help` shows it: its name, synopsis and options (without the dashes). */
export function commandCatalog(): { name: CommandName; synopsis: string; options: string[] }[] {
  return NAMES.map((name) => ({
    name,
    synopsis: COMMANDS[name].synopsis,
    options: Object.keys(COMMANDS[name].options ?? {}),
  }));
}

/** The page of `npm run cli -- --help`: every command with its one-line summary. */
export function usageText(): string[] {
  const width = Math.max(...NAMES.map((name) => name.length));
  return [
    'Công cụ vận hành bot MTTQ – cơ sở dữ liệu theo DATABASE_URL (mặc định file:./data/bot.db;',
    '  PostgreSQL: postgresql://…).',
    '',
    `Cách dùng: ${CLI} <lệnh> [tùy chọn]`,
    `Cách dùng của một lệnh: ${CLI} <lệnh> --help (ví dụ: ${CLI} invite create --help)`,
    '',
    'Lệnh:',
    ...NAMES.map((name) => `  ${name.padEnd(width)}  ${COMMANDS[name].summary}`),
    `  ${'help'.padEnd(width)}  In hướng dẫn này (hoặc --help, -h).`,
    '',
    'Lệnh chạy lâu (nhập, xuất, sao lưu) báo tiến độ trên stderr khi đọc và khi ghi: một dòng cập nhật',
    'tại chỗ trên màn hình; trong tệp nhật ký, các dòng thường (mỗi 10% hoặc vài giây một dòng).',
    'Mã thoát: 0 thành công, 2 lệnh hoặc tham số sai, 1 lỗi khác.',
  ];
}

/**
 * What `help` prints for `topic`: one command's usage, the usages of a group's commands one after
 * the other, or the command list.
 */
export function helpText(topic?: string): string[] {
  if (topic !== undefined && isCommandName(topic)) {
    return commandUsage(COMMANDS[topic]);
  }
  const group = topic === undefined ? [] : groupCommands(topic);
  if (group.length === 0) {
    return usageText();
  }
  return group.flatMap((name, i) => [...(i > 0 ? [''] : []), ...commandUsage(COMMANDS[name])]);
}

/** Names the command a usage error is about, so the hint can point to its own `--help`. */
function about(command: string, error: unknown): unknown {
  if (error instanceof UsageError && error.command === undefined) {
    error.command = command;
  }
  return error;
}

function parseOne<K extends CommandName>(name: K, rest: readonly string[]): CliCommand {
  const spec = COMMANDS[name];
  try {
    const read = readArguments(name, spec, rest);
    if (read === 'help') {
      return { name: 'help', topic: name };
    }
    // TypeScript cannot see that `name: K` with `args: ArgsMap[K]` is one member of the union
    // (the correlated-union limit); the table's type guarantees it.
    return { name, args: spec.parse(read.values, read.positionals) } as CliCommand;
  } catch (error) {
    throw about(name, error);
  }
}

/**
 * Parses and validates a command line (the arguments after `npm run cli --`). Throws UsageError,
 * with a message meant for the operator, for an unknown command, an unknown or repeated-wrong
 * option, a missing argument or a value that fails validation. `--help` anywhere after a command
 * asks for that command's usage.
 */
export function parseCommand(argv: readonly string[]): CliCommand {
  const [first, second, ...rest] = argv;
  if (isHelp(first)) {
    const topic = [second, ...rest].join(' ').trim();
    return topic === '' ? { name: 'help' } : { name: 'help', topic };
  }
  const word = first ?? '';
  if (isCommandName(word)) {
    return parseOne(word, argv.slice(1));
  }
  const group = groupCommands(word);
  if (group.length === 0) {
    const names = [
      ...NAMES.filter((name) => !name.includes(' ')),
      ...new Set(NAMES.map((n) => n.split(' ')[0])),
    ];
    const list = `Các lệnh: ${[...new Set(names)].join(', ')}, help`;
    throw new UsageError(
      word.startsWith('-') ? `thiếu lệnh trước "${word}". ${list}` : `lệnh không tồn tại: "${word}". ${list}`,
    );
  }
  if (second === '--help' || second === '-h') {
    return { name: 'help', topic: word };
  }
  if (second === undefined || second.startsWith('-')) {
    throw about(word, new UsageError(`thiếu lệnh con sau "${word}". Dùng: ${group.join(', ')}`));
  }
  const name = `${word} ${second}`;
  // A group within the group: "funds statement import".
  const [third, ...after] = rest;
  const longer = `${name} ${third ?? ''}`;
  if (!isCommandName(name) && isCommandName(longer)) {
    return parseOne(longer, after);
  }
  if (!isCommandName(name)) {
    throw about(word, new UsageError(`lệnh không tồn tại: "${name}". Dùng: ${group.join(', ')}`));
  }
  return parseOne(name, rest);
}

/** Runs one parsed command: its name picks the handler that takes its arguments' type. */
function runCommand<K extends CommandName>(command: { name: K; args: ArgsMap[K] }, ctx: CliContext) {
  return COMMANDS[command.name].run(ctx, command.args);
}

/** Runs a parsed command against the database in `ctx`; `help` only prints usage text. */
export async function executeCommand(command: CliCommand, ctx: CliContext): Promise<void> {
  if (command.name === 'help') {
    for (const line of helpText(command.topic)) {
      ctx.out(line);
    }
    return;
  }
  await runCommand(command, ctx);
}
