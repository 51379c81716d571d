import { membershipsFor } from '../access/access.ts';
import { exportKindsFor, exportReply } from '../exports/export-chat.ts';
import type { Actor } from '../shared/actor.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { type Feature, type FeatureChat, menuButton } from './feature.ts';

/**
 * `/xuatbaocao` (or "📥 Xuất Excel" in the menu, beside "📢 Công khai" for a leader): the exports as
 * buttons; a pressed one is sent as a file built at send time.
 */
export const exportsFeature: Feature = {
  name: 'exports',
  commands: [
    {
      vi: 'xuatbaocao',
      action: 'export.download',
      scope: 'private',
      description: 'command.export',
      telegram: 4,
      handle: (chat, _args, actor) => sendExport(chat, actor, undefined),
    },
  ],
  menu: [
    menuButton({
      order: 86,
      row: 'documents',
      action: 'export.download',
      id: menuButtonId('export'),
      label: 'menu.export',
    }),
  ],
  buttons: [
    {
      name: 'export',
      action: 'export.download',
      handle: (chat, { actor, arg }) => sendExport(chat, actor, arg),
    },
  ],
};

async function sendExport(chat: FeatureChat, actor: Actor, kind: string | undefined): Promise<void> {
  const kinds = exportKindsFor(actor);
  if (kinds.length === 0) {
    return chat.showMenu(chat.text('export.refused'));
  }
  if (kind === undefined) {
    const area = membershipsFor(actor, 'export.download')[0]?.unitName ?? '';
    return chat.say(
      chat.text('export.menu', { area }),
      kinds.map((k) => [{ id: menuButtonId('export', k), label: chat.text(`export.kind.${k}`) }]),
    );
  }
  const reply = await exportReply(chat.tx, actor, kind, chat.now);
  if (!reply.ok) {
    return chat.showMenu(chat.text(reply.reason.key, reply.reason.params));
  }
  chat.reply({
    text: chat.text(reply.text.key, reply.text.params),
    document: { ...reply.request, fallbackText: chat.text(reply.fallback.key, reply.fallback.params) },
  });
}
