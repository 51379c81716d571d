import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FEATURES } from '../../core/features/registry.ts';
import { hasRecordId, isMenuButton, menuButtonId, parseMenuButton } from '../../core/shared/menu-button.ts';

/** Every core source file (tests and the test fixtures of core/testing aside). */
function coreSources(): { path: string; text: string }[] {
  const root = new URL('../../core/', import.meta.url);
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.startsWith('testing/'))
    .map((path) => ({ path, text: readFileSync(new URL(path, root), 'utf8') }));
}

describe('menu button ids', () => {
  it('are read back as they were built', () => {
    expect(menuButtonId('hhmove', 12, 'approved')).toBe('menu:hhmove:12:approved');
    expect(parseMenuButton(menuButtonId('hhmove', 12, 'approved'))).toEqual({
      name: 'hhmove',
      arg: '12:approved',
    });
    expect(parseMenuButton(menuButtonId('fblist'))).toEqual({ name: 'fblist', arg: undefined });
    expect(isMenuButton('menu:main')).toBe(true);
    expect(isMenuButton('kind:money')).toBe(false);
    expect(isMenuButton(undefined)).toBe(false);
  });

  it('carry a record id of 1 to 9 digits, or none where none is a choice', () => {
    expect(hasRecordId('42', false)).toBe(true);
    expect(hasRecordId('42:approved', false)).toBe(true);
    expect(hasRecordId(undefined, true)).toBe(true);
    for (const forged of [undefined, '', 'NaN', '-1', '1e3', '12345678901234567890']) {
      expect(hasRecordId(forged, false)).toBe(false);
    }
    expect(hasRecordId('', true)).toBe(false);
  });

  it('built anywhere in core name a button a feature declares (no dead button)', () => {
    const declared = new Set(FEATURES.flatMap((f) => f.buttons ?? []).map((b) => b.name));
    const built = coreSources().flatMap(({ path, text }) =>
      [...text.matchAll(/menuButtonId\('([a-z]+)'|['`]menu:([a-z]+)\b/g)].map((m) => ({
        path,
        name: m[1] ?? m[2] ?? '',
      })),
    );
    expect(built.length).toBeGreaterThan(30);
    expect(built.filter((b) => !declared.has(b.name))).toEqual([]);
  });
});
