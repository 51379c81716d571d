import { describe, expect, it } from 'vitest';
import { classifyTheme, groupByTheme, statementsOf, THEMES, themeBullet } from './proposals.ts';

describe('classifyTheme', () => {
  it.each([
    ['Một số hộ đang tranh chấp đất với hộ liền kề', 'land'],
    ['Hộ chưa có giấy chứng nhận quyền sử dụng đất', 'land'],
    ['Thiếu kinh phí đối ứng', 'funds'],
    ['Nguồn vốn xã hội hóa còn hạn chế', 'funds'],
    ['Giá vật liệu tăng cao', 'materials'],
    ['Xi măng, sắt thép vận chuyển khó khăn', 'materials'],
    ['Mưa lũ kéo dài làm chậm tiến độ', 'weather'],
    ['Thiếu thợ xây, nhân công', 'labour'],
    ['Hồ sơ, thủ tục thanh quyết toán phức tạp', 'procedures'],
    ['Một số hộ chưa đồng thuận', 'other'],
  ] as const)('"%s" → %s', (text, theme) => {
    expect(classifyTheme(text)).toBe(theme);
  });

  it('matches whole words with their diacritics: "đạt" is not land, "đánh giá" is not prices', () => {
    expect(classifyTheme('Kết quả đạt thấp so với kế hoạch')).toBe('other');
    expect(classifyTheme('Công tác đánh giá còn chậm')).toBe('other');
    expect(classifyTheme('Tiến độ chậm')).toBe('other');
  });

  it('reads text typed without diacritics by its multi-word keywords', () => {
    expect(classifyTheme('ho dang tranh chap dat')).toBe('land');
    expect(classifyTheme('thieu nhan cong')).toBe('labour');
  });

  it('picks the theme with most keywords, the earlier theme on a tie', () => {
    // Two money words against one material word.
    expect(classifyTheme('Thiếu kinh phí, nguồn vốn để mua vật liệu')).toBe('funds');
    // One land word and one procedures word: land comes first.
    expect(classifyTheme('Hồ sơ đất')).toBe('land');
    expect(THEMES.at(-1)).toBe('other');
  });
});

describe('statementsOf', () => {
  it('splits lines, bullets and sentences, drops empty ones and the final full stop', () => {
    expect(statementsOf('- Giá vật liệu tăng.\n+ Thiếu thợ; mưa nhiều. \n\n.')).toEqual([
      'Giá vật liệu tăng',
      'Thiếu thợ',
      'mưa nhiều',
    ]);
    // A number's thousands dot is not the end of a sentence.
    expect(statementsOf('Còn thiếu 1.500.000 đồng')).toEqual(['Còn thiếu 1.500.000 đồng']);
  });
});

describe('groupByTheme', () => {
  it('groups statements by theme in the order of THEMES, each once, with every unit that raised it', () => {
    const groups = groupByTheme([
      { unit: 'phường Đức Xuân', text: 'Giá vật liệu tăng cao; thiếu nhân công' },
      { unit: 'xã Dương Quang', text: 'Mưa lũ kéo dài. giá vật liệu tăng cao' },
      { unit: 'phường Sông Cầu', text: 'Hộ đang tranh chấp đất' },
      { unit: 'xã Nông Thượng', text: '' },
    ]);
    expect(groups.map((g) => g.theme)).toEqual(['land', 'materials', 'weather', 'labour']);
    const materials = groups.find((g) => g.theme === 'materials');
    expect(materials?.statements).toEqual(['Giá vật liệu tăng cao']);
    expect(materials?.units).toEqual(['phường Đức Xuân', 'xã Dương Quang']);
    expect(groups.flatMap((g) => g.units)).not.toContain('xã Nông Thượng');
  });

  it('writes a bullet "Về <theme>: …; … (units)", later statements in lower case unless a name', () => {
    const [group] = groupByTheme([
      { unit: 'phường Đức Xuân', text: 'Thiếu kinh phí đối ứng' },
      { unit: 'xã Dương Quang', text: 'Nguồn vốn chậm giải ngân; Quỹ "Vì người nghèo" chưa đủ tiền' },
    ]);
    expect(group && themeBullet(group)).toBe(
      'Về kinh phí, nguồn vốn: Thiếu kinh phí đối ứng; nguồn vốn chậm giải ngân; Quỹ "Vì người nghèo" chưa đủ tiền (phường Đức Xuân, xã Dương Quang)',
    );
  });
});
