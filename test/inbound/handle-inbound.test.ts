import { describe, expect, it } from 'vitest';
import { CONFIRM_STEP } from '../../core/flows/flow.ts';
import { SHOWN_CHOICES_FLOW } from '../../core/flows/shown-choices.ts';
import { createInboundHandler } from '../../core/inbound/handle-inbound.ts';
import type { Inbound } from '../../core/messaging/message.ts';
import { reportFlow } from '../../core/reports/report-flow.ts';
import {
  choiceFrom,
  commandFrom,
  photoFrom,
  type TestUser,
  testUser,
  textFrom,
} from '../../core/testing/builders.ts';
import type { UnitOfWork } from '../../core/unit-of-work.ts';
import {
  addMember,
  createInboundHarness,
  DEFAULT_FLOW_TTL_MS,
  type InboundHarness,
  type Sent,
} from '../support/inbound-harness.ts';

const MINUTE = 60_000;

const WELCOME =
  'Xin chào! Đây là trợ lý báo cáo của Ủy ban MTTQ về chương trình xóa nhà tạm, nhà dột nát.\n' +
  'Để bắt đầu, anh/chị vui lòng gửi MÃ MỜI (8 ký tự, ví dụ: ABCD-EFGH) do cán bộ MTTQ cấp trên cung cấp.\n' +
  'Muốn đăng ký ủng hộ chương trình, anh/chị gõ /ungho; xem công khai Quỹ "Vì người nghèo": /congkhai.\n' +
  'Người dân muốn phản ánh về một hộ, một công trình hay Quỹ: gõ /phananh (xem kết quả: /tracuu).';
const UNKNOWN_CODE =
  '❌ Mã mời không đúng. Anh/chị vui lòng kiểm tra lại từng ký tự (ví dụ: ABCD-EFGH) và gửi lại.';
const MENU_PROMPT = 'Anh/chị chọn một việc bên dưới:';
const CODE = 'HJKM2345';

/** The valid answer to each step of the report flow: typed text, or a message of another kind. */
type Answer = string | ((user: TestUser) => Inbound);

const ANSWERS: Record<string, Answer> = {
  period: '1',
  approvedNew: '10',
  approvedRepair: '8',
  startedNew: '6',
  startedRepair: '5',
  completedNew: '4',
  completedRepair: '3',
  handedOverNew: '2',
  handedOverRepair: '1',
  moneyReceived: '60tr',
  moneyPaid: '30.000.000',
  labourDays: '120',
  difficulties: 'Giá vật liệu tăng',
  proposals: 'Không có',
  photo: 'Không có',
  decreaseReason: 'Rà soát lại danh sách hộ',
};

const FIGURES = {
  approvedNew: 10,
  approvedRepair: 8,
  startedNew: 6,
  startedRepair: 5,
  completedNew: 4,
  completedRepair: 3,
  handedOverNew: 2,
  handedOverRepair: 1,
  moneyReceived: 60_000_000n,
  moneyPaid: 30_000_000n,
  labourDays: 120,
  difficulties: 'Giá vật liệu tăng',
  proposals: '',
  decreaseReason: null,
};

/** The chat conversations saved (the list of choices last shown is not one). */
async function conversations(h: InboundHarness) {
  return (await h.tables()).flows.filter((f) => f.flow !== SHOWN_CHOICES_FLOW);
}

async function setup(options: { now?: string } = {}): Promise<{ h: InboundHarness; officer: TestUser }> {
  const h = await createInboundHarness(options);
  const officer = testUser('5001', { senderName: 'Trần Thị Bình' });
  await addMember(h, officer, h.demo.unit.id, { fullName: 'Trần Thị Bình' });
  return { h, officer };
}

/**
 * Opens the report from the menu and answers every step up to `until` (the summary by default);
 * returns what the last message got.
 */
async function fillReport(
  h: InboundHarness,
  user: TestUser,
  answers: Record<string, Answer> = ANSWERS,
  until: string = CONFIRM_STEP,
): Promise<Sent> {
  let sent = await h.send(choiceFrom(user, `menu:report:${h.demo.unit.id}`));
  for (let i = 0; i < 30; i++) {
    const step = (await h.flowOf(user))?.step;
    if (step === until) {
      return sent;
    }
    const answer = step === undefined ? undefined : answers[step];
    if (answer === undefined) {
      throw new Error(`no answer for step ${String(step)}`);
    }
    sent = await h.send(typeof answer === 'string' ? textFrom(user, answer) : answer(user));
    if ((await h.flowOf(user))?.step === step) {
      throw new Error(`answer ${String(answer)} refused at ${step}`);
    }
  }
  throw new Error(`the report never reached ${until}`);
}

function snapshot(h: InboundHarness) {
  return h.tables();
}

describe('a stranger', () => {
  it('is welcomed and asked for an invite code; nothing about them is stored', async () => {
    const { h } = await setup();
    const stranger = testUser('9001');
    for (const inbound of [
      textFrom(stranger, 'Xin chào'),
      commandFrom(stranger, 'start'),
      photoFrom(stranger),
    ]) {
      const sent = await h.send(inbound);
      expect(sent.outcome).toEqual({ duplicate: false, replies: 1, locale: 'vi' });
      expect(sent.replies).toEqual([{ text: WELCOME }]);
    }
    expect((await h.tables()).people).toHaveLength(1);
    expect((await h.tables()).identities).toHaveLength(1);
    expect((await h.tables()).throttles.size).toBe(0);
    expect(await conversations(h)).toEqual([]);
  });

  it.each<[string, (u: TestUser) => Inbound, string]>([
    ['a wrong code typed', (u) => textFrom(u, 'ZZZZ-ZZZZ'), UNKNOWN_CODE],
    ['a wrong code with /start', (u) => commandFrom(u, 'start', 'ZZZZZZZZ'), UNKNOWN_CODE],
    [
      'a malformed code with /start',
      (u) => commandFrom(u, 'start', 'abc'),
      '❌ Mã mời gồm 8 chữ cái và chữ số, ví dụ: ABCD-EFGH. Anh/chị vui lòng gửi lại.',
    ],
  ])('is told when they send %s', async (_what, build, expected) => {
    const { h } = await setup();
    const sent = await h.send(build(testUser('9001')));
    expect(sent.replies).toEqual([{ text: expected }]);
    expect((await h.tables()).people).toHaveLength(1);
  });

  it('counts a wrong code against the chat, but not a malformed one', async () => {
    const { h } = await setup();
    const stranger = testUser('9001');
    await h.send(commandFrom(stranger, 'start', 'abc'));
    expect((await h.tables()).throttles.size).toBe(0);
    await h.send(textFrom(stranger, 'ZZZZ-ZZZZ'));
    expect((await h.tables()).throttles.get('invite:telegram:9001')).toEqual({
      failures: 1,
      windowStart: new Date('2025-03-10T03:00:00Z'),
      blockedUntil: null,
    });
  });

  it('is throttled after 5 wrong codes: even the right code is refused until 15 minutes later', async () => {
    const { h } = await setup();
    const stranger = testUser('9001');
    await h.addInvite({ code: CODE, unitId: h.demo.unit.id, expiresAt: '2025-04-01T00:00:00Z' });

    const throttled = (minutes: number) =>
      `⛔ Anh/chị đã nhập sai mã quá nhiều lần. Vì an toàn, vui lòng thử lại sau ${minutes} phút.`;
    for (let i = 1; i <= 5; i++) {
      const sent = await h.send(textFrom(stranger, `WRNG000${i}`));
      // The fifth wrong code says at once that the chat must now wait.
      expect(sent.replies).toEqual([{ text: i < 5 ? UNKNOWN_CODE : throttled(15) }]);
      h.clock.advance(10_000);
    }
    expect((await h.tables()).throttles.get('invite:telegram:9001')?.blockedUntil).toEqual(
      new Date('2025-03-10T03:15:40Z'),
    );

    expect((await h.send(commandFrom(stranger, 'start', CODE))).replies).toEqual([{ text: throttled(15) }]);
    h.clock.advance(14 * MINUTE);
    expect((await h.send(textFrom(stranger, CODE))).replies).toEqual([{ text: throttled(1) }]);
    h.clock.set('2025-03-10T03:15:39.999Z');
    expect((await h.send(textFrom(stranger, CODE))).replies).toEqual([{ text: throttled(1) }]);
    expect((await h.tables()).invites[0]?.usedAt).toBeNull();
    expect((await h.tables()).identities.some((i) => i.externalUserId === '9001')).toBe(false);

    h.clock.set('2025-03-10T03:15:40Z');
    const accepted = await h.send(textFrom(stranger, CODE));
    expect(accepted.text).toContain('✅ Đăng ký thành công!');
    expect((await h.tables()).throttles.size).toBe(0);
  });

  it('is throttled per chat: another chat may still try', async () => {
    const { h } = await setup();
    const guesser = testUser('9001');
    for (let i = 1; i <= 6; i++) {
      await h.send(textFrom(guesser, `WRNG000${i}`));
    }
    const other = await h.send(textFrom(testUser('9002'), 'WRNG0007'));
    expect(other.replies).toEqual([{ text: UNKNOWN_CODE }]);
  });

  it('starts a new count once the 15-minute window has passed', async () => {
    const { h } = await setup();
    const stranger = testUser('9001');
    for (let i = 1; i <= 4; i++) {
      await h.send(textFrom(stranger, `WRNG000${i}`));
    }
    h.clock.advance(15 * MINUTE + 1);
    await h.send(textFrom(stranger, 'WRNG0005'));
    expect((await h.tables()).throttles.get('invite:telegram:9001')).toMatchObject({
      failures: 1,
      blockedUntil: null,
    });
  });

  it('binds identity and membership with /start CODE and shows the menu', async () => {
    const { h } = await setup();
    const stranger = testUser('9001', { senderName: 'Lê Văn Cường' });
    const invite = await h.addInvite({
      code: CODE,
      unitId: h.demo.unit.id,
      expiresAt: '2025-04-01T00:00:00Z',
    });

    const sent = await h.send(commandFrom(stranger, 'start', 'hjkm-2345'));

    expect(sent.replies).toEqual([
      {
        text: `✅ Đăng ký thành công! Đồng chí tham gia với vai trò cán bộ báo cáo của Phường Đức Xuân.\n\n${MENU_PROMPT}`,
        choices: [
          [{ id: `menu:report:${h.demo.unit.id}`, label: '📝 Báo cáo tiến độ tháng' }],
          [
            { id: 'menu:hhsearch', label: '🏠 Hộ gia đình' },
            { id: 'menu:hhlist', label: '📋 Danh sách hộ' },
          ],
          [{ id: 'menu:hhadd', label: '➕ Thêm hộ mới' }],
          [{ id: 'menu:narrative', label: '🗂 Báo cáo quý, báo cáo kết quả' }],
          [{ id: 'menu:batchpledge', label: '🎤 Ghi nhận ủng hộ tại buổi lễ' }],
          [
            { id: 'menu:example', label: '🌟 Gương điển hình' },
            { id: 'menu:myexamples', label: '📋 Gương đã ghi nhận' },
          ],
          [{ id: 'menu:fblist', label: '📨 Phản ánh của người dân' }],
          [
            { id: 'menu:whoami', label: '👤 Thông tin của tôi' },
            { id: 'menu:help', label: '❓ Hướng dẫn' },
          ],
        ],
      },
    ]);
    const person = (await h.tables()).people.find((p) => p.fullName === 'Lê Văn Cường');
    expect(person).toBeDefined();
    expect((await h.tables()).identities).toContainEqual(
      expect.objectContaining({ channel: 'telegram', externalUserId: '9001', personId: person?.id }),
    );
    expect((await h.tables()).memberships).toContainEqual(
      expect.objectContaining({
        personId: person?.id,
        unitId: h.demo.unit.id,
        role: 'unit_officer',
        revokedAt: null,
      }),
    );
    expect((await h.tables()).invites.find((i) => i.id === invite.id)).toMatchObject({
      usedAt: new Date('2025-03-10T03:00:00Z'),
      usedByPersonId: person?.id,
    });
    expect((await h.tables()).audit).toEqual([
      expect.objectContaining({ action: 'invite.redeem', entity: 'Invite', entityId: String(invite.id) }),
    ]);
  });

  it('uses the name on the invite when there is one, and accepts the code typed as text', async () => {
    const { h } = await setup();
    const stranger = testUser('9001', { senderName: 'cuong99' });
    await h.addInvite({
      code: CODE,
      unitId: h.demo.unit.id,
      expiresAt: '2025-04-01T00:00:00Z',
      fullName: 'Lê Văn Cường',
    });
    await h.send(textFrom(stranger, ' hjkm 2345 '));
    expect((await h.tables()).people.map((p) => p.fullName)).toContain('Lê Văn Cường');
    const whoami = await h.send(choiceFrom(stranger, 'menu:whoami'));
    expect(whoami.text).toContain('Họ tên: Lê Văn Cường\n• cán bộ báo cáo – Phường Đức Xuân');
  });

  it.each<[string, { usedAt?: Date; revokedAt?: Date; expiresAt: string }, string]>([
    [
      'used',
      { usedAt: new Date('2025-03-01T00:00:00Z'), expiresAt: '2025-04-01T00:00:00Z' },
      '❌ Mã mời này đã được sử dụng. Mỗi mã chỉ dùng được một lần; anh/chị vui lòng xin mã mới.',
    ],
    [
      'expired',
      { expiresAt: '2025-03-10T03:00:00Z' },
      '❌ Mã mời này đã hết hạn. Anh/chị vui lòng liên hệ cán bộ MTTQ để xin mã mới.',
    ],
    [
      'revoked',
      { revokedAt: new Date('2025-03-01T00:00:00Z'), expiresAt: '2025-04-01T00:00:00Z' },
      '❌ Mã mời này đã bị thu hồi. Anh/chị vui lòng liên hệ cán bộ MTTQ để xin mã mới.',
    ],
  ])('refuses a %s code and binds nothing', async (_what, invite, expected) => {
    const { h } = await setup();
    await h.addInvite({ code: CODE, unitId: h.demo.unit.id, ...invite });
    const before = await snapshot(h);
    const sent = await h.send(commandFrom(testUser('9001'), 'start', CODE));
    expect(sent.replies).toEqual([{ text: expected }]);
    expect((await h.tables()).people).toEqual(before.people);
    expect((await h.tables()).identities).toEqual(before.identities);
    expect((await h.tables()).memberships).toEqual(before.memberships);
    expect((await h.tables()).invites).toEqual(before.invites);
    expect((await h.tables()).throttles.get('invite:telegram:9001')?.failures).toBe(1);
  });

  it('refuses a code that someone else has just used', async () => {
    const { h } = await setup();
    await h.addInvite({ code: CODE, unitId: h.demo.unit.id, expiresAt: '2025-04-01T00:00:00Z' });
    await h.send(commandFrom(testUser('9001'), 'start', CODE));
    const second = await h.send(commandFrom(testUser('9002'), 'start', CODE));
    expect(second.text).toContain('❌ Mã mời này đã được sử dụng.');
    expect((await h.tables()).identities.some((i) => i.externalUserId === '9002')).toBe(false);
  });

  it('lets a member redeem an invite for a second unit without creating another person', async () => {
    const { h, officer } = await setup();
    const other = await h.addUnit({ code: '01843', name: 'Phường Trường Chinh' });
    await h.addInvite({ code: CODE, unitId: other.id, expiresAt: '2025-04-01T00:00:00Z' });
    const sent = await h.send(commandFrom(officer, 'start', CODE));
    expect((await h.tables()).people).toHaveLength(1);
    expect((await h.tables()).memberships.map((m) => m.unitId)).toEqual([h.demo.unit.id, other.id]);
    expect(sent.buttons).toEqual([
      `menu:report:${h.demo.unit.id}`,
      `menu:report:${other.id}`,
      'menu:hhsearch',
      'menu:hhlist',
      'menu:hhadd',
      'menu:narrative',
      'menu:batchpledge',
      'menu:example',
      'menu:myexamples',
      'menu:fblist',
      'menu:whoami',
      'menu:help',
    ]);
    expect(sent.text).not.toContain('Báo cáo tiến độ tháng');
    expect(sent.replies[0]?.choices?.[1]?.[0]?.label).toBe('📝 Báo cáo tháng – Phường Trường Chinh');
  });

  it('lets a person whose membership was revoked be invited again to the same unit and role', async () => {
    const h = await createInboundHarness();
    const officer = testUser('5001');
    const person = await h.addPerson({ fullName: 'Trần Thị Bình' });
    await h.addIdentity({ personId: person.id, channel: 'telegram', externalUserId: officer.senderId });
    await h.addMembership({
      personId: person.id,
      unitId: h.demo.unit.id,
      role: 'unit_officer',
      revokedAt: new Date('2025-01-01T00:00:00Z'),
    });
    await h.addInvite({ code: CODE, unitId: h.demo.unit.id, expiresAt: '2025-04-01T00:00:00Z' });
    const sent = await h.send(commandFrom(officer, 'start', CODE));
    expect(sent.text).toContain('✅ Đăng ký thành công!');
    expect(sent.buttons).toContain(`menu:report:${h.demo.unit.id}`);
    expect((await h.tables()).memberships).toEqual([
      expect.objectContaining({ personId: person.id, revokedAt: null }),
    ]);
  });

  it('keeps quiet in group chats', async () => {
    const { h } = await setup();
    const group: TestUser = { ...testUser('-100200'), chatType: 'group' };
    const sent = await h.send(textFrom(group, CODE));
    expect(sent.outcome).toEqual({ duplicate: false, replies: 0, locale: 'vi' });
    expect((await h.tables()).outbox).toEqual([]);
  });
});

describe('an officer sending the monthly report', () => {
  it('completes a full report from the menu button and gets a receipt', async () => {
    const { h, officer } = await setup();
    const opened = await h.send(choiceFrom(officer, `menu:report:${h.demo.unit.id}`));
    expect(opened.text).toBe(
      'Anh/chị báo cáo cho kỳ nào? (⏰: đã quá hạn; ✔︎: đã gửi, gửi lại sẽ thành bản sửa)\nBấm một nút hoặc gõ số thứ tự',
    );
    const feb = h.demo.period('2025-02');
    expect(opened.buttons).toEqual([
      `period:${feb.id}`,
      `period:${h.demo.period('2025-01').id}`,
      `period:${h.demo.period('2024-12').id}`,
    ]);
    expect(opened.replies[0]?.choices?.flat().map((c) => c.label)).toEqual([
      'tháng 2/2025',
      'tháng 1/2025 ⏰',
      'tháng 12/2024 ⏰',
    ]);

    await fillReport(h, officer);
    expect((await h.tables()).reports).toEqual([]);
    const confirm = choiceFrom(officer, '@confirm:yes');
    const sent = await h.send(confirm);

    expect((await h.tables()).reports).toEqual([
      {
        ...FIGURES,
        id: 1,
        ref: 'BC-202502-01840-1',
        periodId: feb.id,
        unitId: h.demo.unit.id,
        personId: 1,
        revision: 1,
        late: false,
        channel: 'telegram',
        photos: [],
        registryReason: null,
        submittedAt: new Date('2025-03-10T03:00:00Z'),
      },
    ]);
    expect((await h.tables()).audit).toEqual([
      {
        id: 1,
        at: new Date('2025-03-10T03:00:00Z'),
        personId: 1,
        channel: 'telegram',
        action: 'report.submit',
        entity: 'Report',
        entityId: '1',
        after: {
          ...FIGURES,
          moneyReceived: '60000000',
          moneyPaid: '30000000',
          ref: 'BC-202502-01840-1',
          periodId: feb.id,
          unitId: h.demo.unit.id,
          revision: 1,
          late: false,
          photos: 0,
        },
      },
    ]);
    expect(await conversations(h)).toEqual([]);
    expect(sent.replies).toHaveLength(1);
    expect(sent.text).toBe(
      [
        '✅ Đã nhận báo cáo tháng 2/2025 của Phường Đức Xuân.',
        'Số tham chiếu: BC-202502-01840-1',
        'Thời gian nhận: 10:00 ngày 10/03/2025',
        'Báo cáo được gửi đúng hạn. Cảm ơn anh/chị!',
        '',
        MENU_PROMPT,
      ].join('\n'),
    );
    const queued = (await h.tables()).outbox.find(
      (o) => o.idempotencyKey === `reply:telegram:${confirm.externalId}:0`,
    );
    expect(queued).toMatchObject({ chatId: officer.chatId, status: 'pending' });
    expect(queued?.message.text).toContain('BC-202502-01840-1');
    expect((await h.tables()).identities[0]?.lastInteractionAt).toEqual(new Date('2025-03-10T03:00:00Z'));
  });

  it('marks the February report late when it is sent on 20/03/2025 (due 15/03)', async () => {
    const { h, officer } = await setup({ now: '2025-03-20T03:00:00Z' });
    const opened = await h.send(choiceFrom(officer, `menu:report:${h.demo.unit.id}`));
    expect(opened.replies[0]?.choices?.flat().map((c) => c.label)).toEqual([
      'tháng 3/2025',
      'tháng 2/2025 ⏰',
      'tháng 1/2025 ⏰',
    ]);
    const summary = await fillReport(h, officer, { ...ANSWERS, period: '2' });
    expect(summary.text).toContain('Kỳ: tháng 2/2025 (hạn trước ngày 15/03/2025 – đã quá hạn)');
    const sent = await h.send(textFrom(officer, 'Gửi'));
    expect((await h.tables()).reports).toEqual([
      expect.objectContaining({
        ref: 'BC-202502-01840-1',
        late: true,
        revision: 1,
        periodId: h.demo.period('2025-02').id,
      }),
    ]);
    expect(sent.text).toContain('⏰ Báo cáo được ghi nhận là gửi sau hạn.');
  });

  it('is on time up to 23:59 on the 14th in Vietnam and late from 00:00 on the 15th', async () => {
    for (const [now, late] of [
      ['2025-03-14T16:59:00Z', false],
      ['2025-03-14T17:00:00Z', true],
    ] as const) {
      const { h, officer } = await setup({ now });
      await fillReport(h, officer);
      await h.send(choiceFrom(officer, '@confirm:yes'));
      expect((await h.tables()).reports[0]?.late).toBe(late);
    }
  });

  it('ignores a redelivered message: the second returns {duplicate: true} and nothing changes', async () => {
    const { h, officer } = await setup();
    await fillReport(h, officer);
    const confirm = choiceFrom(officer, '@confirm:yes');
    expect((await h.send(confirm)).outcome).toEqual({ duplicate: false, replies: 1, locale: 'vi' });
    const before = await snapshot(h);
    expect(await h.handle(confirm)).toEqual({ duplicate: true });
    expect(await h.handle({ ...confirm })).toEqual({ duplicate: true });
    expect(await h.tables()).toEqual(before);
    expect((await h.tables()).reports).toHaveLength(1);
  });

  it('ignores a redelivered answer in the middle of a flow', async () => {
    const { h, officer } = await setup();
    await h.send(choiceFrom(officer, `menu:report:${h.demo.unit.id}`));
    await h.send(textFrom(officer, '1'));
    const answer = textFrom(officer, '10');
    await h.send(answer);
    expect((await h.flowOf(officer))?.step).toBe('approvedRepair');
    const before = await snapshot(h);
    expect(await h.handle(answer)).toEqual({ duplicate: true });
    expect(await h.tables()).toEqual(before);
  });

  it('treats the same event id on another channel as a new message', async () => {
    const { h } = await setup();
    const first = textFrom(testUser('9001'), 'xin chào');
    await h.send(first);
    const sameIdOnZalo: Inbound = { ...first, channel: 'zalo' };
    expect(await h.handle(sameIdOnZalo)).toEqual({ duplicate: false, replies: 1, locale: 'vi' });
  });

  it('stores a second submission for the same period as revision 2 and keeps the first', async () => {
    const { h, officer } = await setup();
    await fillReport(h, officer);
    await h.send(choiceFrom(officer, '@confirm:yes'));

    const reopened = await h.send(choiceFrom(officer, `menu:report:${h.demo.unit.id}`));
    expect(reopened.replies[0]?.choices?.flat()[0]?.label).toBe('tháng 2/2025 ✔︎');
    await fillReport(h, officer, { ...ANSWERS, approvedNew: '11' });
    const sent = await h.send(choiceFrom(officer, '@confirm:yes'));

    expect((await h.tables()).reports.map((r) => [r.ref, r.revision, r.approvedNew])).toEqual([
      ['BC-202502-01840-1', 1, 10],
      ['BC-202502-01840-2', 2, 11],
    ]);
    expect((await h.tables()).audit.map((a) => a.action)).toEqual(['report.submit', 'report.revise']);
    expect(sent.text).toContain('Số tham chiếu: BC-202502-01840-2');
    expect(sent.text).toContain('Đây là bản sửa lần 2; các bản trước vẫn được lưu lại.');
  });

  it('asks for a reason when a figure is lower than the previous period', async () => {
    const { h, officer } = await setup();
    // January first (second option, late), then February with fewer approved households.
    await fillReport(h, officer, { ...ANSWERS, period: '2' });
    await h.send(choiceFrom(officer, '@confirm:yes'));
    expect((await h.tables()).reports[0]).toMatchObject({ ref: 'BC-202501-01840-1', late: true });

    await h.send(choiceFrom(officer, `menu:report:${h.demo.unit.id}`));
    const question = await h.send(textFrom(officer, '1'));
    expect((await h.flowOf(officer))?.step).toBe('approvedNew');
    expect(question.text).toContain(
      '1/14. Số hộ được phê duyệt hỗ trợ XÂY MỚI (lũy kế đến nay) (kỳ trước: 10)?',
    );
    expect(question.suggestions).toEqual(['approvedNew:10', 'approvedNew:0']);
    expect(question.buttons).toEqual([]);

    let last = question;
    // approvedNew … photo: every question after the period up to the last one.
    for (const step of Object.keys(ANSWERS).slice(1, 15)) {
      last = await h.send(textFrom(officer, step === 'approvedNew' ? '9' : String(ANSWERS[step] ?? '')));
    }
    expect((await h.flowOf(officer))?.step).toBe('decreaseReason');
    expect(last.text).toContain('Một số chỉ tiêu thấp hơn kỳ trước: Hộ được duyệt – xây mới.');
    await h.send(textFrom(officer, 'Rà soát lại danh sách hộ'));
    expect((await h.flowOf(officer))?.step).toBe(CONFIRM_STEP);
    await h.send(choiceFrom(officer, '@confirm:yes'));
    expect((await h.tables()).reports[1]).toMatchObject({
      ref: 'BC-202502-01840-1',
      approvedNew: 9,
      decreaseReason: 'Rà soát lại danh sách hộ',
    });
  });

  it('edits a field from the summary before sending', async () => {
    const { h, officer } = await setup();
    await fillReport(h, officer);
    await h.send(choiceFrom(officer, '@confirm:edit'));
    await h.send(choiceFrom(officer, '@edit:labourDays'));
    const back = await h.send(textFrom(officer, '150'));
    expect(back.text).toContain('• Ngày công: 150');
    await h.send(choiceFrom(officer, '@confirm:yes'));
    expect((await h.tables()).reports[0]?.labourDays).toBe(150);
  });

  it.each<[string, (u: TestUser) => Inbound]>([
    ['/cancel', (u) => commandFrom(u, 'cancel')],
    ['/huy', (u) => commandFrom(u, 'huy')],
    ['the Hủy button', (u) => choiceFrom(u, '@confirm:cancel')],
  ])('discards the flow on %s and saves nothing', async (_what, build) => {
    const { h, officer } = await setup();
    await fillReport(h, officer);
    const sent = await h.send(build(officer));
    expect(sent.text).toBe(`Đã hủy. Không có thông tin nào được lưu.\n\n${MENU_PROMPT}`);
    expect(await conversations(h)).toEqual([]);
    expect((await h.tables()).reports).toEqual([]);
    expect((await h.tables()).audit).toEqual([]);
  });

  it('cancels in the middle of the questions', async () => {
    const { h, officer } = await setup();
    await h.send(choiceFrom(officer, `menu:report:${h.demo.unit.id}`));
    await h.send(textFrom(officer, '1'));
    await h.send(textFrom(officer, '10'));
    await h.send(commandFrom(officer, 'cancel'));
    expect(await conversations(h)).toEqual([]);
    // "12" is past the end of the menu (11 buttons) shown after the cancellation: said so, with the
    // menu again.
    const idle = await h.send(textFrom(officer, '12'));
    expect(idle.text).toContain('Danh sách dưới đây không có số 12');
    expect(idle.replies[0]?.choices?.flat().map((c) => c.id)).toContain(`menu:report:${h.demo.unit.id}`);
    expect(idle.replies[0]?.choices?.flat()).toHaveLength(11);
    expect((await h.tables()).reports).toEqual([]);
  });

  it('says so when /cancel finds nothing to cancel', async () => {
    const { h, officer } = await setup();
    const sent = await h.send(commandFrom(officer, 'cancel'));
    expect(sent.text).toBe(`Hiện không có việc gì đang làm dở.\n\n${MENU_PROMPT}`);
  });

  it('repeats the current question on /help without changing the flow', async () => {
    const { h, officer } = await setup();
    await h.send(choiceFrom(officer, `menu:report:${h.demo.unit.id}`));
    await h.send(textFrom(officer, '1'));
    await h.send(textFrom(officer, '10'));
    const before = await h.flowOf(officer);
    const sent = await h.send(commandFrom(officer, 'help'));
    expect(sent.text).toBe(
      [
        '⚠️ Anh/chị trả lời câu hỏi dưới đây. Gõ /huy để hủy (không lưu gì), /menu để xem danh mục.',
        '2/14. Số hộ được phê duyệt hỗ trợ SỬA CHỮA (lũy kế đến nay)?',
        'Gõ một số nguyên, ví dụ: 12',
      ].join('\n'),
    );
    expect(sent.suggestions).toEqual(['approvedRepair:0']);
    expect(sent.buttons).toEqual([]);
    expect(await h.flowOf(officer)).toEqual(before);
    await h.send(textFrom(officer, '8'));
    expect((await h.flowOf(officer))?.data).toMatchObject({ approvedNew: 10, approvedRepair: 8 });
  });

  it('repeats the question with a warning after a bad answer and keeps the data', async () => {
    const { h, officer } = await setup();
    await h.send(choiceFrom(officer, `menu:report:${h.demo.unit.id}`));
    await h.send(textFrom(officer, '1'));
    const before = await h.flowOf(officer);
    for (const bad of ['-5', 'abc', '1e9', '12,5', '👍', `'; DROP TABLE x; --"`, '99999999999']) {
      const sent = await h.send(textFrom(officer, bad));
      expect(sent.text.startsWith('⚠️ ')).toBe(true);
      expect(sent.text).toContain('1/14. Số hộ được phê duyệt hỗ trợ XÂY MỚI');
      expect(sent.suggestions).toEqual(['approvedNew:0']);
      expect(await h.flowOf(officer)).toEqual(before);
    }
    const photo = await h.send(photoFrom(officer));
    expect(photo.text).toBe(
      [
        '⚠️ Câu hỏi này cần trả lời bằng chữ hoặc bấm nút.',
        '1/14. Số hộ được phê duyệt hỗ trợ XÂY MỚI (lũy kế đến nay)?',
        'Gõ một số nguyên, ví dụ: 12',
      ].join('\n'),
    );
    expect(photo.suggestions).toEqual(['approvedNew:0']);
    expect(await h.flowOf(officer)).toEqual(before);
  });

  it('tells the user and discards a flow left unanswered longer than its TTL', async () => {
    const { h, officer } = await setup();
    await fillReport(h, officer);
    h.clock.advance(DEFAULT_FLOW_TTL_MS - 1);
    await h.send(commandFrom(officer, 'help'));
    expect((await h.flowOf(officer))?.step).toBe(CONFIRM_STEP);
    // /help does not save the flow, so its deadline did not move.
    h.clock.advance(1);
    const sent = await h.send(choiceFrom(officer, '@confirm:yes'));
    expect(sent.replies[0]?.text).toBe(
      '⌛ Phần "báo cáo tiến độ tháng" đang làm dở đã quá hạn (lâu không trả lời) nên đã được hủy; chưa có gì được lưu.',
    );
    expect(await conversations(h)).toEqual([]);
    expect((await h.tables()).reports).toEqual([]);
  });

  it('moves the deadline forward with every answer', async () => {
    const { h, officer } = await setup();
    await h.send(choiceFrom(officer, `menu:report:${h.demo.unit.id}`));
    for (const answer of ['1', '10', '8']) {
      h.clock.advance(DEFAULT_FLOW_TTL_MS - MINUTE);
      await h.send(textFrom(officer, answer));
    }
    expect((await h.flowOf(officer))?.step).toBe('startedNew');
  });

  it('offers to resume an unfinished report from /menu', async () => {
    const { h, officer } = await setup();
    await h.send(choiceFrom(officer, `menu:report:${h.demo.unit.id}`));
    await h.send(textFrom(officer, '1'));
    const menu = await h.send(commandFrom(officer, 'menu'));
    expect(menu.buttons[0]).toBe('menu:resume');
    const resumed = await h.send(choiceFrom(officer, 'menu:resume'));
    expect(resumed.text).toContain('1/14. Số hộ được phê duyệt hỗ trợ XÂY MỚI');
    expect(resumed.suggestions).toEqual(['approvedNew:0']);
  });

  it('refuses the report to a member who is not a unit officer', async () => {
    const { h } = await setup();
    const leader = testUser('7001');
    await addMember(h, leader, h.demo.unit.id, { role: 'leader' });
    const sent = await h.send(commandFrom(leader, 'baocao'));
    expect(sent.text).toBe(`Chức năng báo cáo dành cho cán bộ phường, xã được phân công.\n\n${MENU_PROMPT}`);
    expect(await conversations(h)).toEqual([]);
  });

  it('says there is no period yet before the first report window opens', async () => {
    const { h, officer } = await setup({ now: '2024-10-10T03:00:00Z' });
    const sent = await h.send(choiceFrom(officer, `menu:report:${h.demo.unit.id}`));
    expect(sent.text).toContain('Chưa đến kỳ báo cáo nào.');
  });
});

const PHOTO_QUESTION = [
  '14/14. Ảnh công trình (nếu có): anh/chị gửi 1 ảnh nhà đang xây hoặc đã hoàn thành, hoặc bấm "Không có".',
  'Gửi một ảnh chụp, hoặc bấm "Không có"',
].join('\n');

describe('the photo of the works in the monthly report', () => {
  it.each<['telegram' | 'zalo', string]>([
    ['telegram', 'AgACAgIAAxkBAAIBZ2d'],
    ['zalo', 'https://photo-stal-1.zdn.vn/abc.jpg'],
  ])(
    'stores a photo sent on %s at the photo step on the report, with its channel',
    async (channel, fileId) => {
      const h = await createInboundHarness();
      const officer = testUser('5001', { channel });
      await addMember(h, officer, h.demo.unit.id, { fullName: 'Trần Thị Bình' });

      const asked = await fillReport(h, officer, ANSWERS, 'photo');
      expect(asked.text).toBe(PHOTO_QUESTION);
      expect(asked.suggestions).toEqual(['photo:']);
      expect(asked.buttons).toEqual([]);

      const summary = await h.send(photoFrom(officer, fileId));
      expect(await h.flowOf(officer)).toMatchObject({ step: CONFIRM_STEP, data: { photo: fileId } });
      expect(summary.text).toContain('• Đề xuất, kiến nghị: Không có\n• Ảnh công trình: Đã nhận 1 ảnh\n');
      expect(summary.text).not.toContain(fileId);
      expect(summary.buttons).toEqual(['@confirm:yes', '@confirm:edit', '@confirm:cancel']);
      expect(summary.suggestions).toEqual([]);

      await h.send(choiceFrom(officer, '@confirm:yes'));
      expect((await h.tables()).reports).toEqual([
        expect.objectContaining({
          ...FIGURES,
          ref: 'BC-202502-01840-1',
          channel,
          photos: [{ channel, fileId }],
        }),
      ]);
      expect((await h.tables()).audit).toEqual([
        expect.objectContaining({
          action: 'report.submit',
          channel,
          after: expect.objectContaining({ ref: 'BC-202502-01840-1', photos: 1 }),
        }),
      ]);
    },
  );

  it('refuses typed text at the photo step in Vietnamese and asks the same question', async () => {
    const { h, officer } = await setup();
    await fillReport(h, officer, ANSWERS, 'photo');
    const before = await h.flowOf(officer);
    for (const typed of ['Ảnh đây', '1', '0', 'có', `'; DROP TABLE x; --"`]) {
      const sent = await h.send(textFrom(officer, typed));
      expect(sent.replies).toEqual([
        {
          text: `⚠️ Câu hỏi này cần một ảnh. Anh/chị bấm biểu tượng ảnh để gửi, hoặc trả lời "Không có".\n${PHOTO_QUESTION}`,
          suggestions: [{ id: 'photo:', label: 'Không có' }],
        },
      ]);
      expect(await h.flowOf(officer)).toEqual(before);
    }
    // /help shows the photo question again, and a photo still answers it.
    const help = await h.send(commandFrom(officer, 'help'));
    expect(help.text).toContain(PHOTO_QUESTION);
    expect(help.suggestions).toEqual(['photo:']);
    await h.send(photoFrom(officer, 'late-photo'));
    expect(await h.flowOf(officer)).toMatchObject({ step: CONFIRM_STEP, data: { photo: 'late-photo' } });
  });

  it.each<[string, (u: TestUser) => Inbound]>([
    ['"Không có" typed', (u) => textFrom(u, 'Không có')],
    ['"không" typed', (u) => textFrom(u, 'không')],
    ['the "Không có" button', (u) => choiceFrom(u, 'photo:')],
  ])('takes %s as no photo, and stores none', async (_what, build) => {
    const { h, officer } = await setup();
    const summary = await fillReport(h, officer, { ...ANSWERS, photo: build });
    expect((await h.flowOf(officer))?.data.photo).toBe('');
    expect(summary.text).toContain('• Ảnh công trình: Không có\n');
    await h.send(choiceFrom(officer, '@confirm:yes'));
    expect((await h.tables()).reports).toEqual([expect.objectContaining({ ...FIGURES, photos: [] })]);
    expect((await h.tables()).audit[0]?.after).toMatchObject({ photos: 0 });
  });

  it('refuses a photo at a count step with the same question and keeps the data', async () => {
    const { h, officer } = await setup();
    await fillReport(h, officer, ANSWERS, 'startedNew');
    const before = await h.flowOf(officer);
    const sent = await h.send(photoFrom(officer, 'too-early'));
    expect(sent.replies).toEqual([
      {
        text: [
          '⚠️ Câu hỏi này cần trả lời bằng chữ hoặc bấm nút.',
          '3/14. Số nhà XÂY MỚI đã khởi công (lũy kế đến nay)?',
          'Gõ một số nguyên, ví dụ: 12',
        ].join('\n'),
        suggestions: [{ id: 'startedNew:0', label: '0' }],
      },
    ]);
    expect(await h.flowOf(officer)).toEqual(before);
  });

  it('ignores a redelivered photo', async () => {
    const { h, officer } = await setup();
    await fillReport(h, officer, ANSWERS, 'photo');
    const sentPhoto = photoFrom(officer, 'once');
    await h.send(sentPhoto);
    const before = await snapshot(h);
    expect(await h.handle(sentPhoto)).toEqual({ duplicate: true });
    expect(await h.tables()).toEqual(before);
  });

  it('keeps the photo of the first revision when the second is sent without one', async () => {
    const { h, officer } = await setup();
    await fillReport(h, officer, { ...ANSWERS, photo: (u) => photoFrom(u, 'first') });
    await h.send(choiceFrom(officer, '@confirm:yes'));
    await fillReport(h, officer);
    await h.send(choiceFrom(officer, '@confirm:yes'));
    expect((await h.tables()).reports.map((r) => [r.revision, r.photos])).toEqual([
      [1, [{ channel: 'telegram', fileId: 'first' }]],
      [2, []],
    ]);
  });
});

describe('atomicity: a failure inside the transaction saves nothing', () => {
  it.each<['reports.create' | 'audit.record' | 'outbox.enqueue' | 'flows.delete']>([
    ['reports.create'],
    ['audit.record'],
    ['flows.delete'],
    ['outbox.enqueue'],
  ])('rolls back everything when %s throws at submit, and the redelivery succeeds', async (point) => {
    const { h, officer } = await setup();
    await fillReport(h, officer);
    const before = await snapshot(h);
    const confirm = choiceFrom(officer, '@confirm:yes');
    h.failOn(point);

    await expect(h.handle(confirm)).rejects.toThrow(`injected failure at ${point}`);

    expect(await h.tables()).toEqual(before);
    expect((await h.tables()).reports).toEqual([]);
    expect((await h.flowOf(officer))?.step).toBe(CONFIRM_STEP);
    expect(h.stats.rollbacks).toBe(1);

    // The event was not marked seen, so the channel's redelivery is processed normally.
    expect(await h.handle(confirm)).toEqual({ duplicate: false, replies: 1, locale: 'vi' });
    expect((await h.tables()).reports.map((r) => r.ref)).toEqual(['BC-202502-01840-1']);
  });

  it('rolls back an invite redemption that fails half way', async () => {
    const { h } = await setup();
    await h.addInvite({ code: CODE, unitId: h.demo.unit.id, expiresAt: '2025-04-01T00:00:00Z' });
    const before = await snapshot(h);
    h.failOn('audit.record');
    await expect(h.handle(commandFrom(testUser('9001'), 'start', CODE))).rejects.toThrow();
    expect(await h.tables()).toEqual(before);
    expect((await h.tables()).invites[0]?.usedAt).toBeNull();
  });
});

describe('races and damaged saved state', () => {
  // Another chat redeemed the code between findByCode and markUsed (possible on PostgreSQL).
  it('creates no person when another redemption wins the race for the same code', async () => {
    const { h } = await setup();
    await h.addInvite({
      code: CODE,
      unitId: h.demo.unit.id,
      expiresAt: '2025-04-01T00:00:00Z',
      usedAt: new Date('2025-03-10T02:59:59Z'),
    });
    // The racing transaction read the invite before the winner committed: usedAt still null.
    const staleReads: UnitOfWork = {
      run: (work) =>
        h.uow.run((tx) =>
          work({
            ...tx,
            invites: {
              ...tx.invites,
              findByCode: async (code) => {
                const invite = await tx.invites.findByCode(code);
                return invite && { ...invite, usedAt: null };
              },
            },
          }),
        ),
    };
    const handle = createInboundHandler({
      uow: staleReads,
      clock: h.clock,
      flowTtlMs: DEFAULT_FLOW_TTL_MS,
      timeZone: 'Asia/Ho_Chi_Minh',
    });
    const loser = commandFrom(testUser('9002'), 'start', CODE);
    await handle(loser);
    expect((await h.repliesTo(loser))[0]?.text).toContain('❌ Mã mời này đã được sử dụng.');
    expect((await h.tables()).people).toHaveLength(1);
  });
  // A saved context that no longer has the runner's shape is discarded, not fed to the engine.
  it('discards a saved flow whose context is malformed instead of throwing', async () => {
    const { h, officer } = await setup();
    await h.addFlow({
      channel: 'telegram',
      chatId: officer.chatId,
      flow: 'monthly-report',
      version: reportFlow.version,
      step: 'approvedNew',
      data: JSON.stringify({ data: {}, ctx: {}, reviewing: false }),
      expiresAt: new Date('2025-03-10T04:00:00Z'),
    });
    const sent = await h.send(textFrom(officer, '5'));
    expect(sent.text).toContain('Bot vừa được cập nhật nên phần đang làm dở đã được hủy');
    expect(await conversations(h)).toEqual([]);
  });
  it('discards a report begun before the photo step was added (flow version 1)', async () => {
    const { h, officer } = await setup();
    await fillReport(h, officer, ANSWERS, 'approvedRepair');
    const row = (await conversations(h))[0];
    if (!row) {
      throw new Error('no saved flow');
    }
    expect(row.version).toBe(reportFlow.version);
    // As a bot of the old version left it.
    await h.db.kysely.updateTable('FlowState').set({ version: 1 }).where('id', '=', row.id).execute();
    const sent = await h.send(textFrom(officer, '8'));
    expect(sent.replies[0]?.text).toBe(
      'Bot vừa được cập nhật nên phần đang làm dở đã được hủy; chưa có gì được lưu. Đề nghị đồng chí thực hiện lại.',
    );
    expect(await conversations(h)).toEqual([]);
    expect((await h.tables()).reports).toEqual([]);
  });
});

describe('saved flows that cannot be resumed', () => {
  it.each<[string, { flow?: string; version?: number; data?: string }]>([
    ['another flow version', { version: 99 }],
    ['an unknown flow', { flow: 'no-such-flow' }],
    ['data that is not JSON', { data: '{not json' }],
    ['data of the wrong shape', { data: JSON.stringify({ data: { a: [1] }, ctx: {}, reviewing: 'no' }) }],
  ])('discards %s with a message and nothing saved', async (_what, row) => {
    const { h, officer } = await setup();
    await h.addFlow({
      channel: 'telegram',
      chatId: officer.chatId,
      flow: row.flow ?? 'monthly-report',
      version: row.version ?? reportFlow.version,
      step: 'approvedNew',
      data: row.data ?? JSON.stringify({ data: {}, ctx: {}, reviewing: false }),
      expiresAt: new Date('2025-03-10T04:00:00Z'),
    });
    const sent = await h.send(textFrom(officer, '5'));
    expect(sent.replies[0]?.text).toBe(
      'Bot vừa được cập nhật nên phần đang làm dở đã được hủy; chưa có gì được lưu. Đề nghị đồng chí thực hiện lại.',
    );
    expect(await conversations(h)).toEqual([]);
    expect((await h.tables()).reports).toEqual([]);
  });
});

describe('a discarded flow is explained in the campaign form of address', () => {
  it('asks a stranger (not a cadre) with "anh/chị"', async () => {
    const { h } = await setup();
    const stranger = testUser('9002');
    await h.addFlow({
      channel: 'telegram',
      chatId: stranger.chatId,
      flow: 'feedback',
      version: 99,
      step: 'text',
      data: JSON.stringify({ data: {}, ctx: {}, reviewing: false }),
      expiresAt: new Date('2025-03-10T04:00:00Z'),
    });
    const sent = await h.send(textFrom(stranger, 'Nhà bị dột'));
    expect(sent.replies[0]?.text).toContain('Đề nghị anh/chị thực hiện lại.');
    expect(sent.replies[0]?.text).not.toContain('đồng chí');
  });
});

describe('the menu without buttons', () => {
  it('takes a typed number or a word of a label as the menu choice', async () => {
    const { h, officer } = await setup();
    expect((await h.send(textFrom(officer, '1'))).text).toContain('kỳ nào');
    await h.send(commandFrom(officer, 'cancel'));
    expect((await h.send(textFrom(officer, 'thông tin'))).text).toContain('Họ tên:');
    expect((await h.send(textFrom(officer, 'xin chào'))).text).toContain('Tôi chưa hiểu');
  });
});
