import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../bot/app.ts';
import { createFixedClock } from '../core/shared/clock.ts';
import type { TempDatabase } from './support/app-harness.ts';
import type { BotApiEmulator, EmulatorUser, SentMessage } from './support/bot-api-emulator.ts';
import { bacKanDefinition, setDefinition } from './support/campaign-definition.ts';
import { emulatorChat } from './support/emulator-chat.ts';
import { crc16CcittFalse, decodeVietQr } from './support/emvco.ts';
import { CITY_FUND_ACCOUNT } from './support/fixtures.ts';
import { scanQrPng } from './support/qr-scan.ts';
import { joinByInvite, startTelegramWorld, stopTelegramWorld } from './support/telegram-world.ts';

/**
 * Pay by scanning (issue 17 §1), end to end on Telegram (real grammY, the Bot API emulator over
 * HTTP, the real app on the suite's database, the Bắc Kạn campaign with its city fund's account):
 * a donor with no invite pledges 5 triệu and the receipt comes with a VietQR picture — read back
 * from the PNG the bot uploaded with jsQR and checked field by field, the CRC recomputed here; after
 * a partial receipt the pledge card's "📷 Mã QR chuyển khoản" gives the QR for what remains, and a
 * pledge paid in full has none; an account without a BIN gets the text only.
 */

const donor: EmulatorUser = { id: 8701, first_name: 'Thảo' };
const officer: EmulatorUser = { id: 8702, first_name: 'Thu' };
const plainDonor: EmulatorUser = { id: 8703, first_name: 'Minh' };
const clock = createFixedClock('2025-03-10T03:00:00Z');
let emulator: BotApiEmulator;
let db: TempDatabase;
let app: App;
const chat = emulatorChat(() => emulator);

/** The pictures the bot sent to `user` from message index `from` on. */
function photosTo(user: EmulatorUser, from = 0): SentMessage[] {
  return emulator
    .messagesTo(user.id)
    .slice(from)
    .filter((m) => m.method === 'sendPhoto');
}

/**
 * Presses the button `prefix` when the answer is a picture and then its text (two messages): the
 * caption and the text, joined as the emulator chat joins them.
 */
async function pressForPicture(user: EmulatorUser, prefix: string): Promise<string> {
  const before = emulator.messagesTo(user.id).length;
  await chat.press(user, prefix);
  const messages = await emulator.waitForMessages(user.id, before + 2);
  return messages
    .slice(before)
    .map((m) => m.text)
    .join('\n\n');
}

/**
 * A donor with no invite pledges `amount` of money to the city's fund; the receipt's text (and the
 * picture's caption before it, when `picture`).
 */
async function pledgeMoney(
  user: EmulatorUser,
  name: string,
  amount: string,
  picture: boolean,
): Promise<string> {
  expect(await chat.say(user, '/ungho')).toContain('Người ủng hộ là');
  await chat.press(user, 'donorKind:individual');
  let asked = await chat.say(user, name);
  while (!asked.includes('hình thức')) {
    // The phone (and, for a person, their workplace) before what is given.
    asked = asked.includes('điện thoại')
      ? await chat.say(user, '0912 345 678')
      : await chat.press(user, chat.keyboard(user)[0]?.callback_data ?? '');
  }
  await chat.press(user, 'kind:money');
  await chat.say(user, amount);
  await chat.press(user, 'level:', 'Thành phố');
  await chat.press(user, 'target:0');
  await chat.press(user, 'dueOn:');
  await chat.press(user, 'publicName:no');
  return picture ? pressForPicture(user, '@confirm:yes') : chat.press(user, '@confirm:yes');
}

/** The fund officer records `amount` received against the only pledge waiting for money. */
/**
 * A fund officer records a receipt against the donor's pledge; the donor's notice of it (one
 * message, sent after the officer's answer) has arrived when this returns, so the donor's next
 * answer is not mistaken for it.
 */
async function recordReceipt(amount: string): Promise<string> {
  await chat.say(officer, '/menu');
  await chat.press(officer, 'menu:receiptpick');
  await chat.press(officer, 'menu:receipt:');
  await chat.say(officer, amount);
  await chat.press(officer, 'occurredOn:');
  await chat.press(officer, 'documentRef:');
  const before = emulator.messagesTo(donor.id).length;
  const answer = await chat.press(officer, '@confirm:yes');
  const [notice] = (await emulator.waitForMessages(donor.id, before + 1)).slice(before);
  expect(notice?.text).toMatch(/^💚 .* theo đăng ký UH-0001 /);
  return answer;
}

/** What the QR picture says, read as a banking app's camera reads it. */
function scanned(photo: SentMessage | undefined) {
  const upload = photo?.upload;
  if (!upload) {
    throw new Error('the bot sent no picture file');
  }
  expect(upload.filename).toBe('ma-qr-chuyen-khoan.png');
  const payload = scanQrPng(upload.bytes);
  return { payload, fields: decodeVietQr(payload) };
}

beforeAll(async () => {
  ({ emulator, db, app } = await startTelegramWorld({ clock }));
  const campaign = await app.prisma.campaign.findFirstOrThrow({ where: { code: 'BK-XNT-2025' } });
  await setDefinition(app.db, campaign.id, bacKanDefinition());
  expect(await joinByInvite({ emulator, app }, officer, 'QF7M2XQR', 'fund_officer', '058')).toContain(
    'cán bộ Quỹ',
  );
});

afterAll(() => stopTelegramWorld({ app, emulator, db }));

describe('a money pledge is paid by scanning', () => {
  it('sends the VietQR of the city fund with the receipt: every field, and the CRC', async () => {
    const before = emulator.messagesTo(donor.id).length;
    const receipt = await pledgeMoney(donor, 'Tôn Nữ Thị Phương Thảo', '5 triệu', true);
    expect(receipt).toContain('Số đăng ký: UH-0001');
    expect(receipt).toContain(
      '🏦 Chuyển khoản về Quỹ «Vì người nghèo» thành phố Bắc Kạn: Ngân hàng Agribank chi nhánh Bắc Kạn, số tài khoản 8300201001234, chủ tài khoản Ủy ban MTTQ Việt Nam thành phố Bắc Kạn, nội dung: UH-0001 TON N T P THAO',
    );
    expect(receipt).toContain('📷 Hoặc quét mã QR ở ảnh trên bằng ứng dụng ngân hàng');

    const sent = emulator.messagesTo(donor.id).slice(before);
    const photos = photosTo(donor, before);
    expect(photos).toHaveLength(1);
    // The picture comes just before the receipt's text.
    const at = sent.indexOf(photos[0] as SentMessage);
    expect(sent[at + 1]?.text).toContain('Số đăng ký: UH-0001');
    expect(photos[0]?.text).toBe(
      'Quét mã để chuyển khoản 5.000.000 đ về Quỹ «Vì người nghèo» thành phố Bắc Kạn, nội dung UH-0001 TON N T P THAO',
    );

    const { payload, fields } = scanned(photos[0]);
    expect(fields).toEqual({
      format: '01',
      initiation: '12',
      guid: 'A000000727',
      bin: CITY_FUND_ACCOUNT.bin,
      accountNumber: CITY_FUND_ACCOUNT.accountNumber,
      service: 'QRIBFTTA',
      currency: '704',
      amount: '5000000',
      country: 'VN',
      purpose: 'UH-0001 TON N T P THAO',
      crc: payload.slice(-4),
      crcValid: true,
      ids: ['00', '01', '38', '53', '54', '58', '62', '63'],
    });
    // The CRC once more, over the payload as scanned: everything up to and including "6304".
    expect(payload.slice(-8, -4)).toBe('6304');
    expect(crc16CcittFalse(payload.slice(0, -4))).toBe(payload.slice(-4));
    // Field by field, as the payload spells them.
    expect(payload.startsWith('000201' + '010212' + '38')).toBe(true);
    expect(payload).toContain(`0010A000000727`);
    expect(payload).toContain(`0006${CITY_FUND_ACCOUNT.bin}0113${CITY_FUND_ACCOUNT.accountNumber}`);
    expect(payload).toContain('0208QRIBFTTA');
    expect(payload).toContain('5303704' + '54075000000' + '5802VN');
    expect(payload).toContain('0822UH-0001 TON N T P THAO');
  });

  it('gives the QR for what remains from the pledge card after a partial receipt', async () => {
    expect(await recordReceipt('2tr')).toContain('Đã ghi nhận khoản thu 2.000.000 đ');

    await chat.say(donor, '/menu');
    await chat.press(donor, 'menu:mypledges');
    const card = await chat.press(donor, 'menu:pledgecard:');
    expect(card).toContain('UH-0001');
    const qrButton = chat.keyboard(donor).find((b) => b.callback_data?.startsWith('menu:pledgeqr:'));
    expect(qrButton?.text).toBe('📷 Mã QR chuyển khoản');

    const before = emulator.messagesTo(donor.id).length;
    const answer = await pressForPicture(donor, 'menu:pledgeqr:');
    expect(answer).toContain('Đăng ký UH-0001 còn phải nộp 3.000.000 đ.');
    expect(answer).toContain('nội dung: UH-0001 TON N T P THAO');
    const photos = photosTo(donor, before);
    expect(photos).toHaveLength(1);
    expect(photos[0]?.text).toContain('Quét mã để chuyển khoản 3.000.000 đ');
    const { fields } = scanned(photos[0]);
    expect(fields).toMatchObject({
      initiation: '12',
      bin: CITY_FUND_ACCOUNT.bin,
      accountNumber: CITY_FUND_ACCOUNT.accountNumber,
      amount: '3000000',
      purpose: 'UH-0001 TON N T P THAO',
      crcValid: true,
    });
    // Back to the card from there.
    expect(chat.keyboard(donor).map((b) => b.callback_data)).toContain('menu:mypledges');
  });

  it('offers no QR once the pledge is paid in full, and an old button says so', async () => {
    expect(await recordReceipt('3tr')).toContain('Đã nộp đủ');
    await chat.say(donor, '/menu');
    await chat.press(donor, 'menu:mypledges');
    await chat.press(donor, 'menu:pledgecard:');
    expect(chat.keyboard(donor).some((b) => b.callback_data?.startsWith('menu:pledgeqr:'))).toBe(false);
    const pledge = await app.prisma.pledge.findUniqueOrThrow({ where: { ref: 'UH-0001' } });
    const before = emulator.messagesTo(donor.id).length;
    const last = emulator.lastMessageTo(donor.id);
    if (!last) {
      throw new Error('no message to press under');
    }
    emulator.pressButton(donor, last.messageId, `menu:pledgeqr:${pledge.id}`);
    const [answer] = await emulator.waitForMessages(donor.id, before + 1).then((m) => m.slice(before));
    expect(answer?.text).toContain('Đăng ký UH-0001 không còn khoản tiền nào chuyển khoản được bằng mã QR.');
    expect(photosTo(donor, before)).toHaveLength(0);
  });

  it('gives the transfer text without a QR when the fund account names no BIN', async () => {
    const { bin: _bin, ...withoutBin } = CITY_FUND_ACCOUNT;
    const campaign = await app.prisma.campaign.findFirstOrThrow({ where: { code: 'BK-XNT-2025' } });
    await setDefinition(app.db, campaign.id, bacKanDefinition({ funds: [withoutBin] }));
    const before = emulator.messagesTo(plainDonor.id).length;
    const receipt = await pledgeMoney(plainDonor, 'Hoàng Văn Minh', '1 triệu', false);
    expect(receipt).toContain(
      'số tài khoản 8300201001234, chủ tài khoản Ủy ban MTTQ Việt Nam thành phố Bắc Kạn, nội dung: UH-0002 HOANG VAN MINH',
    );
    expect(receipt).not.toContain('quét mã');
    expect(photosTo(plainDonor, before)).toHaveLength(0);
    await setDefinition(app.db, campaign.id, bacKanDefinition());
  });
});
