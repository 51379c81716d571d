import { can } from '../access/access.ts';
import {
  type CommitteeChoice,
  committeeChoices,
  committeeReportRunner,
  draftDocument,
  draftText,
  nextCommitteePeriod,
} from '../committee/committee-flow.ts';
import { COMMITTEE_ROLES } from '../committee/obligation.ts';
import { isLocale } from '../messaging/catalog.ts';
import type { Actor } from '../shared/actor.ts';
import { fromIsoDate } from '../shared/calendar.ts';
import { formatDate } from '../shared/format.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { isLocalKind } from '../units/unit.repository.ts';
import { confirmation, type Feature, type FeatureChat, menuButton, needAt } from './feature.ts';

/**
 * The committee's own six-monthly and final reports (issue 16 §2): `/baocao6thang` (or
 * `/baocaoketqua`, or the menu) for the staff of the campaign's area unit — the draft as a Word
 * document, then the committee's texts, then the issued, numbered report.
 */
export const committeeReportFeature: Feature = {
  name: 'committee-report',
  flows: [committeeReportRunner],
  confirmations: [confirmation(committeeReportRunner, (_tx, ctx) => needAt('committee.report', ctx.unitId))],
  commands: [
    {
      vi: 'baocao6thang',
      aliases: ['baocaoketqua'],
      action: 'committee.report',
      scope: 'private',
      description: 'command.committee',
      handle: (chat, args, actor) => openCommitteeReport(chat, actor, args.trim() || undefined),
    },
  ],
  menu: [
    menuButton({
      order: 41,
      // The staff of an area above the wards (the wards' own staff owe no committee report).
      visible: (actor) =>
        can(actor, 'committee.report') &&
        actor.memberships.some((m) => COMMITTEE_ROLES.includes(m.role) && !isLocalKind(m.unitKind)),
      id: menuButtonId('committee'),
      label: 'menu.committee',
    }),
  ],
  buttons: [
    {
      name: 'committee',
      action: 'committee.report',
      arg: 'optionalId',
      handle: (chat, { actor, arg }) => openCommitteeReport(chat, actor, arg),
    },
  ],
};

const display = (iso: string) => formatDate(fromIsoDate(iso));

/**
 * Opens the committee's report: the period asked when several are open (or the one pressed), then
 * the draft document and the first question.
 */
async function openCommitteeReport(chat: FeatureChat, actor: Actor, arg: string | undefined): Promise<void> {
  if (!can(actor, 'committee.report')) {
    return chat.showMenu(chat.text('committee.refused'));
  }
  const choices = await committeeChoices(chat.tx, actor, chat.now);
  if (choices.length === 0) {
    return chat.showMenu(await nothingToDraft(chat, actor));
  }
  const chosen: CommitteeChoice | undefined =
    arg === undefined
      ? choices.length === 1
        ? choices[0]
        : undefined
      : choices.find((c) => String(c.period.id) === arg);
  if (arg !== undefined && !chosen) {
    return chat.showMenu(chat.text('flow.stale_button'));
  }
  if (!chosen) {
    return chat.say(
      chat.text('committee.choose_period'),
      choices.map((c) => [
        {
          id: menuButtonId('committee', c.period.id),
          label: `${c.issued ? '✅ ' : c.late ? '⏰ ' : ''}Báo cáo ${c.period.label} (hạn trước ${display(c.period.dueOn)})`,
        },
      ]),
    );
  }
  const caption = draftText(chosen);
  chat.reply({
    text: chat.text(caption.key, caption.params),
    document: draftDocument(chosen, isLocale(chat.locale) ? chat.locale : 'vi'),
  });
  await chat.beginFlow(committeeReportRunner, String(chosen.period.id));
}

/** No committee report open: the next one of the person's area, or why a ward's staff have none. */
async function nothingToDraft(chat: FeatureChat, actor: Actor): Promise<string> {
  const next = await nextCommitteePeriod(chat.tx, actor, chat.now);
  if (next) {
    return chat.text('committee.no_period_next', {
      area: next.area.unitName,
      period: next.period.label,
      opens: display(next.period.opensOn),
      due: display(next.period.dueOn),
    });
  }
  const areaHeld = actor.memberships.find(
    (m) => COMMITTEE_ROLES.includes(m.role) && !isLocalKind(m.unitKind),
  );
  if (areaHeld) {
    return chat.text('committee.no_period', { area: areaHeld.unitName });
  }
  const unit = actor.memberships.find((m) => COMMITTEE_ROLES.includes(m.role))?.unitName ?? '';
  return chat.text('committee.not_owed', { unit });
}
