import { describe, expect, it } from 'vitest';
import { MAX_BATCH_LINES } from '../../core/funds/batch-pledges.ts';
import { t } from '../../core/messaging/catalog.ts';
import { choiceFrom, commandFrom, type TestUser, testUser, textFrom } from '../../core/testing/builders.ts';
import { CEREMONY_FIXED, CEREMONY_SIX, CEREMONY_TOTAL } from '../support/ceremony-pledges.ts';
import { pledgedAt } from '../support/db-reads.ts';
import { addMember, createInboundHarness, type InboundHarness } from '../support/inbound-harness.ts';

/**
 * The pledges announced at a launch ceremony (issue 17 §3), through the inbound use case on a real
 * store (SQLite, or PostgreSQL with TEST_DATABASE=postgres): an officer of the ward sends six lines
 * of mixed forms with one the bot cannot read, sends it again corrected, confirms, and gets six
 * references; the ward's pledged total rises by exactly their sum, once even when the confirmation
 * is delivered twice. Identical lines are flagged and still recorded; a closed campaign, a person
 * who keeps no fund level, a level not theirs and a role taken away meanwhile are refused with
 * nothing written.
 */

const [SIX, FIXED, SIX_TOTAL] = [CEREMONY_SIX, CEREMONY_FIXED, CEREMONY_TOTAL];

interface World {
  h: InboundHarness;
  officer: TestUser;
  officerId: number;
  /** The officer of the other ward (Sông Cầu). */
  other: TestUser;
  admin: TestUser;
  donor: TestUser;
  city: number;
  ward: number;
  otherWard: number;
}

async function world(): Promise<World> {
  const h = await createInboundHarness();
  const city = await h.addUnit({ code: '058', name: 'Thành phố Bắc Kạn', kind: 'city' });
  await h.db.kysely.updateTable('Unit').set({ parentId: city.id }).where('id', '=', h.demo.unit.id).execute();
  const otherWard = await h.addUnit({ code: '01837', name: 'Phường Sông Cầu', parentId: city.id });
  const officer = testUser('7001', { senderName: 'Nguyễn Thị Lan' });
  const other = testUser('7002');
  const admin = testUser('7003');
  const donor = testUser('7004');
  const { id: officerId } = await addMember(h, officer, h.demo.unit.id, { fullName: 'Nguyễn Thị Lan' });
  await addMember(h, other, otherWard.id, { fullName: 'Hoàng Văn Minh' });
  await addMember(h, admin, city.id, { fullName: 'Trần Văn Hùng', role: 'admin' });
  await addMember(h, donor, h.demo.unit.id, { fullName: 'Lê Văn Bình', role: 'donor' });
  return {
    h,
    officer,
    officerId,
    other,
    admin,
    donor,
    city: city.id,
    ward: h.demo.unit.id,
    otherWard: otherWard.id,
  };
}

const pledgeRows = (h: InboundHarness) =>
  h.db.kysely.selectFrom('Pledge').selectAll().orderBy('id').execute();

const pledged = (h: InboundHarness, level: number) => pledgedAt(h.db, level);

describe('pledges announced at the ceremony, registered at once', () => {
  it('reads six lines, asks for the one it cannot read, and records six pledges with their references', async () => {
    const { h, officer, officerId, ward } = await world();
    const menu = await h.send(commandFrom(officer, 'menu'));
    expect(menu.buttons).toContain('menu:batchpledge');
    const ask = await h.send(choiceFrom(officer, 'menu:batchpledge'));
    expect(ask.text).toContain('mỗi dòng một nhà hảo tâm');
    // One level: no question about it.
    expect(ask.buttons).toEqual([]);

    const read = await h.send(textFrom(officer, SIX));
    expect(read.text).toContain('Đã đọc được 5 đăng ký. Còn 1 dòng chưa đọc được:');
    expect(read.text).toContain(
      '• «Ông Nguyễn Văn B 5 bao xi măng»: hiện vật, ngày công cần ghi giá trị quy đổi (ví dụ: … trị giá 500k)',
    );
    expect(read.suggestions).toEqual(['fix:skip']);
    expect(await pledgeRows(h)).toEqual([]);
    // The same line sent again unchanged: said so first, then the same question.
    const still = await h.send(textFrom(officer, '3. Ông Nguyễn Văn B 5 bao xi măng'));
    expect(still.text).toMatch(/^⚠️ Dòng vừa gửi lại vẫn chưa đọc được\.\nĐã đọc được 5 đăng ký\./);

    const publicName = await h.send(textFrom(officer, FIXED));
    expect(publicName.text).toContain('Công khai tên các nhà hảo tâm trong danh sách này trên bảng tin?');
    const summary = await h.send(choiceFrom(officer, 'publicName:yes'));
    expect(summary.text).toContain(
      '6 đăng ký vào Quỹ "Vì người nghèo" phường Đức Xuân, tổng 1.575.500.000 đ:\n' +
        '1. Công ty A — 50.000.000 đ (doanh nghiệp)\n' +
        '2. Hội LHPN phường — 20.000.000 đ (cơ quan, tổ chức)\n' +
        // The corrected line in the place of the one it corrects.
        '3. Ông Nguyễn Văn B — 5 bao xi măng, trị giá 500.000 đ (cá nhân)\n' +
        '4. Cty TNHH Hòa Bình — 1.500.000.000 đ (doanh nghiệp)\n' +
        '5. Bà Lê Thị C — 2.000.000 đ (cá nhân)\n' +
        '6. Trường THCS Đức Xuân — 10 ngày công, trị giá 3.000.000 đ (cơ quan, tổ chức)',
    );
    expect(summary.buttons).toContain('@confirm:yes');
    expect(await pledged(h, ward)).toBe(0n);

    const audit = (await h.tables()).audit.length;
    const confirm = choiceFrom(officer, '@confirm:yes');
    const done = await h.send(confirm);
    expect(done.text).toContain(
      '✅ Đã ghi nhận 6 đăng ký, tổng 1.575.500.000 đ, vào Quỹ "Vì người nghèo" phường Đức Xuân.',
    );
    for (const [i, line] of [
      'Công ty A: 50.000.000 đ',
      'Hội LHPN phường: 20.000.000 đ',
      'Ông Nguyễn Văn B: 5 bao xi măng, trị giá 500.000 đ',
      'Cty TNHH Hòa Bình: 1.500.000.000 đ',
      'Bà Lê Thị C: 2.000.000 đ',
      'Trường THCS Đức Xuân: 10 ngày công, trị giá 3.000.000 đ',
    ].entries()) {
      expect(done.text).toContain(`UH-000${i + 1} — ${line}`);
    }
    const rows = await pledgeRows(h);
    expect(rows.map((r) => [r.ref, r.donorName, r.donorKind, r.kind, BigInt(r.amount)])).toEqual([
      ['UH-0001', 'Công ty A', 'enterprise', 'money', 50_000_000n],
      ['UH-0002', 'Hội LHPN phường', 'organisation', 'money', 20_000_000n],
      ['UH-0003', 'Ông Nguyễn Văn B', 'individual', 'materials', 500_000n],
      ['UH-0004', 'Cty TNHH Hòa Bình', 'enterprise', 'money', 1_500_000_000n],
      ['UH-0005', 'Bà Lê Thị C', 'individual', 'money', 2_000_000n],
      ['UH-0006', 'Trường THCS Đức Xuân', 'organisation', 'labour', 3_000_000n],
    ]);
    expect(rows[2]).toMatchObject({ quantity: 5, quantityUnit: 'bao', description: 'xi măng' });
    expect(rows[5]).toMatchObject({ quantity: 10, quantityUnit: 'ngày công' });
    for (const row of rows) {
      expect(row).toMatchObject({
        personId: officerId,
        fundUnitId: ward,
        channel: 'telegram',
        donorPhone: null,
        verification: null,
      });
      expect(Boolean(row.publicName)).toBe(true);
    }
    expect(await pledged(h, ward)).toBe(SIX_TOTAL);
    const written = await h.auditAfter(audit);
    expect(written.filter((a) => a.action === 'pledge.create')).toHaveLength(6);
    expect(written.find((a) => a.action === 'pledge.create')?.after).toMatchObject({
      ref: 'UH-0001',
      batch: true,
    });

    // The same confirmation delivered again (a channel's retry) and a second press write nothing.
    expect(await h.handle(confirm)).toEqual({ duplicate: true });
    const again = await h.send(choiceFrom(officer, '@confirm:yes'));
    expect(again.text).not.toContain('Đã ghi nhận');
    expect(await pledgeRows(h)).toHaveLength(6);
    expect(await pledged(h, ward)).toBe(SIX_TOTAL);
  });

  it('flags identical lines, records both when confirmed, and skips the lines left unread when asked', async () => {
    const { h, officer, ward } = await world();
    await h.send(commandFrom(officer, 'ghiungho'));
    const read = await h.send(
      textFrom(officer, '- Công ty A 50tr\n- Công ty A 50tr\n\n- Danh sách còn tiếp\n- Bà Lê Thị C 2tr'),
    );
    expect(read.text).toContain('• «Danh sách còn tiếp»: chưa thấy số tiền (ví dụ: 50tr, 2.000.000đ)');
    const publicName = await h.send(choiceFrom(officer, 'fix:skip'));
    expect(publicName.text).toContain('Công khai tên');
    const summary = await h.send(choiceFrom(officer, 'publicName:no'));
    expect(summary.text).toContain('2. Công ty A — 50.000.000 đ (doanh nghiệp) ⚠️ giống dòng 1');
    expect(summary.text).toContain('Có dòng giống hệt nhau, có thể đã gõ hai lần.');
    expect(summary.text).toContain('Bỏ qua 1 dòng chưa đọc được (không ghi nhận).');
    const done = await h.send(choiceFrom(officer, '@confirm:yes'));
    expect(done.text).toContain('✅ Đã ghi nhận 3 đăng ký, tổng 102.000.000 đ');
    const rows = await pledgeRows(h);
    expect(rows.map((r) => r.donorName)).toEqual(['Công ty A', 'Công ty A', 'Bà Lê Thị C']);
    expect(rows.every((r) => !r.publicName)).toBe(true);
    expect(await pledged(h, ward)).toBe(102_000_000n);
  });

  it(`refuses an empty list and one of more than ${MAX_BATCH_LINES} lines with the same question; records ${MAX_BATCH_LINES} at once`, async () => {
    const { h, officer } = await world();
    await h.send(commandFrom(officer, 'ghiungho'));
    const empty = await h.send(textFrom(officer, '-\n•\n  \n1.'));
    expect(empty.text).toContain('Chưa thấy dòng nào.');
    expect(empty.text).toContain('mỗi dòng một nhà hảo tâm');
    const lines = Array.from(
      { length: MAX_BATCH_LINES + 1 },
      (_, i) => `Hộ gia đình ông Nông Văn ${i + 1}: ${i + 1}00k`,
    );
    const tooMany = await h.send(textFrom(officer, lines.join('\n')));
    expect(tooMany.text).toContain(`Mỗi lần gửi tối đa ${MAX_BATCH_LINES} dòng.`);
    expect(tooMany.text).toContain('mỗi dòng một nhà hảo tâm');
    expect(await pledgeRows(h)).toEqual([]);

    await h.send(textFrom(officer, lines.slice(0, MAX_BATCH_LINES).join('\n')));
    const summary = await h.send(choiceFrom(officer, 'publicName:yes'));
    expect(summary.text).toContain(`${MAX_BATCH_LINES} đăng ký vào`);
    expect(summary.text).toContain(
      `${MAX_BATCH_LINES}. Hộ gia đình ông Nông Văn ${MAX_BATCH_LINES} — 6.000.000 đ (cá nhân)`,
    );
    const done = await h.send(choiceFrom(officer, '@confirm:yes'));
    expect(done.text).toContain(
      `UH-00${MAX_BATCH_LINES} — Hộ gia đình ông Nông Văn ${MAX_BATCH_LINES}: 6.000.000 đ`,
    );
    expect(await pledgeRows(h)).toHaveLength(MAX_BATCH_LINES);
  });

  it('offers an admin the levels of their area, and an officer only their own ward', async () => {
    const { h, admin, other, city, ward, otherWard } = await world();
    const levels = await h.send(commandFrom(admin, 'ghiungho'));
    expect(levels.text).toContain('Ghi nhận vào Quỹ "Vì người nghèo" của cấp nào?');
    expect(levels.buttons.sort()).toEqual([`level:${city}`, `level:${ward}`, `level:${otherWard}`].sort());
    await h.send(choiceFrom(admin, `level:${city}`));
    await h.send(textFrom(admin, 'Ngân hàng Agribank chi nhánh Bắc Kạn 200 triệu'));
    const summary = await h.send(choiceFrom(admin, 'publicName:yes'));
    expect(summary.text).toContain('1 đăng ký vào Quỹ "Vì người nghèo" thành phố Bắc Kạn');
    expect(summary.text).toContain('Ngân hàng Agribank chi nhánh Bắc Kạn — 200.000.000 đ (doanh nghiệp)');

    // The other ward's officer records into their own ward only: a level button not offered is refused.
    const own = await h.send(commandFrom(other, 'ghiungho'));
    expect(own.buttons).toEqual([]);
    const forged = await h.send(choiceFrom(other, `level:${ward}`));
    expect(forged.text).toContain(t('vi', 'flow.stale_button'));
    await h.send(textFrom(other, 'Công ty A 50tr'));
    const theirs = await h.send(choiceFrom(other, 'publicName:yes'));
    expect(theirs.text).toContain('vào Quỹ "Vì người nghèo" phường Sông Cầu');
    await h.send(choiceFrom(other, '@confirm:yes'));
    expect((await pledgeRows(h)).map((r) => r.fundUnitId)).toEqual([otherWard]);
    expect(await pledged(h, ward)).toBe(0n);
  });

  it('refuses a person who keeps no fund level, a role taken away before confirming, and a closed campaign', async () => {
    const { h, officer, donor, ward } = await world();
    const menu = await h.send(commandFrom(donor, 'menu'));
    expect(menu.buttons).not.toContain('menu:batchpledge');
    const refused = await h.send(commandFrom(donor, 'ghiungho'));
    expect(refused.text).toContain(
      'Chức năng này dành cho cán bộ Quỹ "Vì người nghèo", cán bộ và quản trị viên',
    );
    expect(await h.flowOf(donor)).toBeUndefined();

    await h.send(commandFrom(officer, 'ghiungho'));
    await h.send(textFrom(officer, 'Công ty A 50tr'));
    await h.send(choiceFrom(officer, 'publicName:yes'));
    await h.db.kysely
      .updateTable('Membership')
      .set({ revokedAt: new Date('2025-03-10T02:00:00Z') })
      .where('unitId', '=', ward)
      .where('role', '=', 'unit_officer')
      .execute();
    const gone = await h.send(choiceFrom(officer, '@confirm:yes'));
    expect(gone.text).toContain('không còn quyền thực hiện "Ghi nhận ủng hộ tại buổi lễ"');
    expect(await pledgeRows(h)).toEqual([]);
    await h.db.kysely.updateTable('Membership').set({ revokedAt: null }).where('unitId', '=', ward).execute();

    // Closed while the summary was on screen: nothing is written.
    await h.send(commandFrom(officer, 'ghiungho'));
    await h.send(textFrom(officer, 'Công ty A 50tr'));
    await h.send(choiceFrom(officer, 'publicName:yes'));
    await h.db.kysely.updateTable('Campaign').set({ closedOn: '2025-03-01' }).execute();
    const closed = await h.send(choiceFrom(officer, '@confirm:yes'));
    expect(closed.text).toContain('đã khép lại từ ngày 01/03/2025, nên bot không nhận thêm đăng ký ủng hộ');
    expect(await pledgeRows(h)).toEqual([]);
    expect(await pledged(h, ward)).toBe(0n);
    const start = await h.send(commandFrom(officer, 'ghiungho'));
    expect(start.text).toContain('đã khép lại');
    expect(await h.flowOf(officer)).toBeUndefined();
  });
});
