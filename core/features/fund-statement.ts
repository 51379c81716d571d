import { can } from '../access/access.ts';
import { statementWalkInRunner } from '../funds/flows/statement-walk-in.ts';
import {
  chooseStatementLevel,
  confirmAll,
  confirmOne,
  dismissOne,
  parsePageArg,
  receiveStatementFile,
  type StatementAnswer,
  type StatementPress,
  sectionPage,
} from '../funds/statement-chat.ts';
import type { Actor } from '../shared/actor.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import {
  type ActiveFlow,
  confirmation,
  type Feature,
  type FeatureButton,
  type FeatureChat,
  menuButton,
  needAt,
  render,
} from './feature.ts';

const pressOf = (chat: FeatureChat, actor: Actor): StatementPress => ({
  tx: chat.tx,
  actor,
  now: chat.now,
  channel: chat.inbound.channel,
  locale: chat.locale,
});

/** An answer of core/funds/statement-chat.ts in the chat; none: refused (the line is not the officer's). */
function answer(chat: FeatureChat, a: StatementAnswer | undefined, active?: ActiveFlow): void {
  if (!a) {
    chat.showMenu(chat.text('fund.refused.not_fund_officer'), active);
  } else if (a.menu) {
    chat.showMenu(render(chat, a.lines), active);
  } else {
    chat.say(render(chat, a.lines), a.choices);
  }
}

/** A button on a statement line (its id the button's argument) that the officer's decision answers. */
const decisionButton = (
  name: string,
  decide: (press: StatementPress, lineId: number) => Promise<StatementAnswer | undefined>,
): FeatureButton => ({
  name,
  action: 'fund.receipt',
  arg: 'id',
  handle: async (chat, { actor, arg }) => answer(chat, await decide(pressOf(chat, actor), Number(arg))),
});

/**
 * Bank statements in the chat (issue 17 §2): a fund officer sends the statement file (or opens
 * "🏦 Nhập sao kê ngân hàng" / `/saoke` to be told how); the bot reads it after the message
 * (bot/statements/statement-worker.ts) and answers with the counts and the lists. Buttons carry a
 * statement line's id: `stmtok` confirms a proposal, `stmtwalk` makes an unmatched credit a walk-in
 * receipt (a flow: who paid, named publicly or not), `stmtskip` sets it aside, `stmtall` confirms
 * every proposal of the line's import, `stmtpage:<line>:<section>:<offset>` shows more of a list;
 * `stmtlevel:<unit>` says which fund level a file is of, for an officer keeping several.
 */
export const fundStatementFeature: Feature = {
  name: 'fund-statement',
  flows: [statementWalkInRunner],
  confirmations: [confirmation(statementWalkInRunner, (_tx, ctx) => needAt('fund.receipt', ctx.levelUnitId))],
  commands: [
    {
      vi: 'saoke',
      en: 'statement',
      scope: 'private',
      action: 'fund.receipt',
      description: 'command.statement',
      handle: async (chat, _args, actor) =>
        chat.showMenu(
          chat.text(can(actor, 'fund.receipt') ? 'stmtchat.how' : 'fund.refused.not_fund_officer'),
        ),
    },
  ],
  menu: [
    menuButton({
      order: 60.5,
      row: 'funds-statement',
      action: 'fund.receipt',
      id: menuButtonId('stmtimport'),
      label: 'stmtchat.menu',
    }),
  ],
  buttons: [
    { name: 'stmtimport', action: 'fund.receipt', handle: (chat) => chat.runCommand('saoke', '') },
    {
      name: 'stmtlevel',
      action: 'fund.receipt',
      arg: 'id',
      handle: async (chat, { actor, arg }) =>
        answer(chat, await chooseStatementLevel(chat.tx, actor, chat.inbound, Number(arg), chat.now)),
    },
    decisionButton('stmtok', confirmOne),
    decisionButton('stmtall', confirmAll),
    decisionButton('stmtskip', dismissOne),
    {
      name: 'stmtwalk',
      action: 'fund.receipt',
      arg: 'id',
      handle: (chat, { arg }) => chat.beginFlow(statementWalkInRunner, arg),
    },
    {
      name: 'stmtpage',
      action: 'fund.receipt',
      arg: 'id',
      handle: async (chat, { actor, arg }) => {
        const page = parsePageArg(arg ?? '');
        if (!page) {
          return chat.showMenu(chat.text('flow.stale_button'));
        }
        const shown = await sectionPage(
          chat.tx,
          actor,
          page.anchorId,
          page.section,
          page.offset,
          chat.locale,
        );
        answer(chat, shown && (shown.count > 0 ? shown : { lines: shown.lines, menu: true }));
      },
    },
  ],
  document: async (chat, media, actor, active) => {
    const taken = await receiveStatementFile(chat.tx, actor, chat.inbound, media, chat.now, chat.locale);
    if (taken) {
      answer(chat, taken, active);
    }
    return taken !== undefined;
  },
};
