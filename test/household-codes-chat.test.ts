import { describe, expect, it } from 'vitest';
import { choiceFrom, type TestUser, testUser, textFrom } from '../core/testing/builders.ts';
import { addMember, createInboundHarness, type InboundHarness } from './support/inbound-harness.ts';
import { rawRows } from './support/raw-sql.ts';

/**
 * A household without a code gets the next code of its unit from the bot (issue 16 §7): shown at
 * the summary, given on saving, never twice when two officers save at the same moment; a code
 * already taken is asked again at once. On the database the suite runs (SQLite or PostgreSQL).
 */

/** Answers the add flow up to its summary, pressing "no code yet" when `code` is undefined. */
async function toSummary(h: InboundHarness, officer: TestUser, name: string, code?: string) {
  await h.send(choiceFrom(officer, 'menu:hhadd'));
  await h.send(code === undefined ? choiceFrom(officer, 'code:') : textFrom(officer, code));
  for (const answer of ['Tổ 2', name, '1961']) {
    await h.send(textFrom(officer, answer));
  }
  for (const id of [
    'category:poor',
    'need:new_build',
    'foundationDurable:no',
    'frameDurable:no',
    'roofDurable:no',
  ]) {
    await h.send(choiceFrom(officer, id));
  }
  await h.send(textFrom(officer, '18 m2'));
  await h.send(textFrom(officer, '2'));
  for (const id of ['landLegal:yes', 'landDisputed:no', 'inLandslideZone:no']) {
    await h.send(choiceFrom(officer, id));
  }
  return h.send(choiceFrom(officer, 'confirmedByCommune:yes'));
}

describe('the code the bot gives a new household', () => {
  it('gives two officers saving at once two different codes of the unit, each told its own', async () => {
    const h = await createInboundHarness();
    const lan = testUser('6101', { senderName: 'Lan' });
    const minh = testUser('6102', { senderName: 'Minh' });
    await addMember(h, lan, h.demo.unit.id, { fullName: 'Đinh Thị Lan' });
    await addMember(h, minh, h.demo.unit.id, { fullName: 'Hoàng Văn Minh' });

    const first = await toSummary(h, lan, 'Lục Văn Một');
    const second = await toSummary(h, minh, 'Lục Văn Hai');
    // Both see the code the unit would give now; saving decides.
    const preview = /• Mã hộ: (\S+) \(bot cấp mã mới\)/;
    expect(first.text).toMatch(preview);
    expect(second.text).toMatch(preview);

    const receipts = await Promise.all([
      h.send(choiceFrom(lan, '@confirm:yes')),
      h.send(choiceFrom(minh, '@confirm:yes')),
    ]);
    const given = receipts.map((r) => /Mã hộ do bot cấp: (\S+)\./.exec(r.text)?.[1]);
    const rows = await rawRows(h.db, 'SELECT "code", "headName" FROM "Household" ORDER BY "code"');
    expect(rows.map((r) => String(r.code))).toEqual([...given].sort());
    expect(new Set(given).size).toBe(2);
    const [a, b] = rows.map((r) => String(r.code));
    // One series: the second is the first's next ("…-001", "…-002").
    expect(b).toBe(a?.replace(/\d+$/, (n) => String(Number(n) + 1).padStart(n.length, '0')));

    // The next household of the unit continues the series; a code already taken is asked again at once.
    const third = testUser('6103', { senderName: 'Hoa' });
    await addMember(h, third, h.demo.unit.id, { fullName: 'Triệu Thị Hoa' });
    await h.send(choiceFrom(third, 'menu:hhadd'));
    const again = await h.send(textFrom(third, String(a)));
    expect(again.text).toContain(
      `1/15. Mã hộ ${a} đã có trong chương trình. Anh/chị gõ mã khác, hoặc bấm "Chưa có mã — bot cấp mã mới".`,
    );
    expect((await h.flowOf(third))?.step).toBe('code');
    await h.send(choiceFrom(third, 'code:'));
    expect((await h.flowOf(third))?.step).toBe('village');
  });
});
