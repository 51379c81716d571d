import { describe, expect, it } from 'vitest';
import { personCommandList, telegramCommandLists } from '../../core/features/derive.ts';
import type { Feature } from '../../core/features/feature.ts';
import { FEATURES } from '../../core/features/registry.ts';
import { t } from '../../core/messaging/catalog.ts';
import { choiceFrom, commandFrom, testUser, textFrom } from '../../core/testing/builders.ts';
import { noteFeature } from '../../core/testing/fixture-feature.ts';
import { addMember, createInboundHarness } from '../support/inbound-harness.ts';

/**
 * A new feature is one module listed in a registry: the fixture feature (core/testing), added to a
 * registry built here, shows in the menu, `/help`, Telegram's command lists and dispatch, without
 * any other file knowing it.
 */
const WITH_NOTE = [...FEATURES, noteFeature];

async function setup(features: readonly Feature[] = WITH_NOTE, locale = 'vi') {
  const h = await createInboundHarness({ features });
  const officer = testUser('7001');
  await addMember(h, officer, h.demo.unit.id, { locale });
  return { h, officer };
}

describe('a feature added to the registry', () => {
  it('has its entry in the menu, and only in a registry that lists it', async () => {
    const { h, officer } = await setup();
    expect((await h.send(commandFrom(officer, 'menu'))).buttons).toContain('menu:note');
    const without = await setup(FEATURES);
    expect((await without.h.send(commandFrom(without.officer, 'menu'))).buttons).not.toContain('menu:note');
  });

  it('is listed by /help with both its names', async () => {
    const { h, officer } = await setup();
    const help = (await h.send(commandFrom(officer, 'help'))).text;
    expect(help).toContain(`• /ghichu, /note – ${t('vi', 'command.help')}`);
    // The monthly report is listed too (an officer's), the fund view is not (a keeper's).
    expect(help).toContain('/baocao');
    expect(help).not.toContain('/quy');
  });

  it("is in a member's own Telegram command list, per language, not in the public one or the groups'", () => {
    const lists = telegramCommandLists(WITH_NOTE);
    const names = (scope: string, locale: string) =>
      lists.find((l) => l.scope === scope && l.locale === locale)?.commands.map((c) => c.command);
    expect(names('public', 'vi')).toEqual(telegramCommandLists(FEATURES)[0]?.commands.map((c) => c.command));
    expect(names('public', 'vi')).not.toContain('ghichu');
    expect(names('group', 'vi')).not.toContain('ghichu');
    const member = { personId: 1, fullName: 'A', locale: 'vi', memberships: [] };
    expect(personCommandList(WITH_NOTE, member, 'vi').map((c) => c.command)).toContain('ghichu');
    expect(personCommandList(FEATURES, member, 'vi').map((c) => c.command)).not.toContain('ghichu');
    expect(personCommandList(WITH_NOTE, member, 'en').find((c) => c.command === 'note')).toEqual({
      command: 'note',
      description: t('en', 'command.help'),
    });
  });

  it('runs its flow from its command, to the end, confirmed by the rule it declares', async () => {
    const { h, officer } = await setup();
    const asked = await h.send(commandFrom(officer, 'ghichu'));
    expect(asked.text).toContain(t('vi', 'help.in_flow'));
    expect(await h.flowOf(officer)).toMatchObject({ flow: 'fixture-note', step: 'note' });
    const done = await h.send(textFrom(officer, 'Họp tổ lúc 8 giờ'));
    expect(done.text).toContain('Họ tên: Họp tổ lúc 8 giờ');
    expect(await h.flowOf(officer)).toBeUndefined();
  });

  it('answers its English command name and its menu button', async () => {
    const { h, officer } = await setup(WITH_NOTE, 'en');
    await h.send(commandFrom(officer, 'note'));
    expect(await h.flowOf(officer)).toMatchObject({ flow: 'fixture-note' });
    await h.send(commandFrom(officer, 'cancel'));
    await h.send(choiceFrom(officer, 'menu:note'));
    expect(await h.flowOf(officer)).toMatchObject({ flow: 'fixture-note' });
  });

  it('gets its button with a record id, and a forged id never reaches it', async () => {
    const { h, officer } = await setup();
    expect((await h.send(choiceFrom(officer, 'menu:notecard:42'))).text).toBe('Họ tên: #42');
    expect((await h.send(choiceFrom(officer, 'menu:notecard:NaN'))).text).toContain(
      t('vi', 'flow.stale_button'),
    );
  });

  it('is unknown to a registry that does not list it', async () => {
    const { h, officer } = await setup(FEATURES);
    expect((await h.send(commandFrom(officer, 'ghichu'))).text).toContain(t('vi', 'command.unknown'));
    expect((await h.send(choiceFrom(officer, 'menu:note'))).text).toContain(t('vi', 'flow.stale_button'));
  });
});

describe('the registry', () => {
  it('refuses two features claiming one command name', async () => {
    const twin = { ...noteFeature, name: 'twin', flows: [], confirmations: [], menu: [], buttons: [] };
    await expect(createInboundHarness({ features: [...WITH_NOTE, twin] })).rejects.toThrow(
      /command private:ghichu/,
    );
  });
});
