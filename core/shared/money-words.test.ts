import { describe, expect, it } from 'vitest';
import { moneyInWords } from './money-words.ts';

describe('money in words', () => {
  it.each<[bigint, string]>([
    [0n, 'Không đồng'],
    [5n, 'Năm đồng'],
    [10n, 'Mười đồng'],
    [15n, 'Mười lăm đồng'],
    [21n, 'Hai mươi mốt đồng'],
    [24n, 'Hai mươi tư đồng'],
    [105n, 'Một trăm linh năm đồng'],
    [1_500_000n, 'Một triệu năm trăm nghìn đồng'],
    [50_000_000n, 'Năm mươi triệu đồng'],
    [60_005_000n, 'Sáu mươi triệu không trăm linh năm nghìn đồng'],
    [1_000_000_000n, 'Một tỷ đồng'],
    [1_250_000_000n, 'Một tỷ hai trăm năm mươi triệu đồng'],
    [2_000_000_001n, 'Hai tỷ không trăm linh một đồng'],
    [1_000_000_000_000n, 'Một nghìn tỷ đồng'],
  ])('%s đ → %s', (amount, expected) => {
    expect(moneyInWords(amount)).toBe(expected);
  });
});
