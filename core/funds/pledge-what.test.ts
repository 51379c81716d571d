import { describe, expect, it } from 'vitest';
import { t } from '../messaging/catalog.ts';
import { withoutQuantity } from './fund-views.ts';

describe('a goods pledge reads its quantity once', () => {
  it.each<[string, number, string, string]>([
    ['50 bao xi măng', 50, 'bao', 'xi măng'],
    ['50 Bao xi măng', 50, 'bao', 'xi măng'],
    ['50 xi măng', 50, 'bao', 'xi măng'],
    ['1.000 viên gạch', 1000, 'viên', 'gạch'],
    ['1000 viên gạch', 1000, 'viên', 'gạch'],
    ['10 ngày công san nền', 10, 'ngày công', 'san nền'],
    ['2 m³ cát', 2, 'm³', 'cát'],
  ])('%j with %i %s is described as %j', (description, quantity, unit, shown) => {
    expect(withoutQuantity(description, quantity, unit)).toBe(shown);
  });

  it.each<[string, number, string]>([
    ['xi măng', 50, 'bao'],
    // Another number: kept as typed.
    ['500 bao xi măng', 50, 'bao'],
    ['50kg xi măng', 50, 'bao'],
    ['xi măng PCB40', 40, 'bao'],
  ])('keeps %j with %i %s as typed', (description, quantity, unit) => {
    expect(withoutQuantity(description, quantity, unit)).toBe(description);
  });

  it('renders "50 bao xi măng" once in the pledge line', () => {
    const text = t('vi', 'pledge.what.materials', {
      quantity: '50',
      unit: 'bao',
      description: withoutQuantity('50 bao xi măng', 50, 'bao'),
      amount: '5.000.000 đ',
    });
    expect(text).toBe('50 bao xi măng (ước 5.000.000 đ)');
  });
});
