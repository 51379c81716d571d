import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../core/access/access.ts';
import { accessList } from './access-list.ts';

describe('access list', () => {
  it('prints every action of the access table with who may do it, in Vietnamese', async () => {
    const lines: string[] = [];
    await accessList({ out: (l) => lines.push(l) });
    const text = lines.join('\n');
    for (const action of ACTIONS) {
      expect(text).toContain(action);
    }
    expect(lines.find((l) => l.includes('feedback.handle'))).toMatch(
      /cán bộ báo cáo \(tại đơn vị\).*quản trị \(đơn vị và cấp dưới\)|quản trị \(đơn vị và cấp dưới\).*cán bộ báo cáo \(tại đơn vị\)/,
    );
    expect(lines.find((l) => l.includes('feedback.send'))).toContain('cả người chưa đăng ký');
    expect(lines.find((l) => l.includes('invite.create'))).toContain('phải là quản trị');
    expect(lines.at(-1)).toBe(`Tổng: ${ACTIONS.length} hành động.`);
  });
});
