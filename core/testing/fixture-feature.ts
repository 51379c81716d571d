import { z } from 'zod';
import { confirmation, type Feature, menuButton } from '../features/feature.ts';
import type { FlowDef } from '../flows/flow.ts';
import { defineFlow } from '../flows/flow-runner.ts';
import { menuButtonId } from '../shared/menu-button.ts';

/**
 * A feature that exists only for the registry test: one module declaring a one-question flow, a
 * command (`/ghichu`, in English `/note`), a menu entry and two buttons — what a new feature
 * brings, nothing else edited. Its texts borrow existing catalog keys (a real feature adds its own
 * to both catalogs).
 */
const ZNoteContext = z.object({ unitId: z.number() });
type NoteContext = z.infer<typeof ZNoteContext>;

const noteFlow: FlowDef<NoteContext> = {
  id: 'fixture-note',
  version: 1,
  title: 'menu.whoami',
  confirm: false,
  steps: [{ key: 'note', kind: 'text', label: 'menu.whoami', prompt: () => ({ key: 'help.in_flow' }) }],
  summaryHeader: () => [],
};

export const noteRunner = defineFlow({
  def: noteFlow,
  context: ZNoteContext,
  answers: z.object({ note: z.string() }),
  start: async (_tx, actor) => ({ ok: true, ctx: { unitId: actor.memberships[0]?.unitId ?? 0 } }),
  submit: async (_tx, _actor, { answers: { note } }) => [{ key: 'whoami.title', params: { name: note } }],
});

export const noteFeature: Feature = {
  name: 'fixture-note',
  flows: [noteRunner],
  // Any registered person may confirm a note.
  confirmations: [confirmation(noteRunner, () => [{ action: 'menu.use' }])],
  commands: [
    {
      vi: 'ghichu',
      en: 'note',
      scope: 'private',
      action: 'menu.use',
      description: 'command.help',
      telegram: 6,
      handle: (chat) => chat.beginFlow(noteRunner, undefined),
    },
  ],
  menu: [menuButton({ order: 500, visible: () => true, id: menuButtonId('note'), label: 'menu.whoami' })],
  buttons: [
    { name: 'note', action: 'menu.use', handle: (chat) => chat.beginFlow(noteRunner, undefined) },
    {
      name: 'notecard',
      action: 'menu.use',
      arg: 'id',
      handle: async (chat, { arg }) => chat.say(chat.text('whoami.title', { name: `#${arg}` })),
    },
  ],
};
