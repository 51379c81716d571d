import { unitsFor } from '../access/access.ts';
import { loadScope } from '../exports/export-scope.ts';
import { loadNarratives, type NarrativePeriod, notSent } from '../exports/narrative-export.ts';
import { answerLabelKey } from '../reports/narrative-answers.ts';
import { narrativeTitle } from '../reports/report-texts.ts';
import type { Actor } from '../shared/actor.ts';
import { fromIsoDate } from '../shared/calendar.ts';
import { formatDate, formatDateTime } from '../shared/format.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { placeInSentence } from '../units/kinds.ts';
import { isLocalKind } from '../units/unit.repository.ts';
import type { Feature, FeatureChat, TextOf } from './feature.ts';

/**
 * The wards' quarterly and final reports read in chat (issue 16 §1): a leader, an admin or the
 * staff of an area presses "📖 Báo cáo quý, báo cáo kết quả của cơ sở", chooses the period (each
 * with how many units sent it), and reads the texts of every unit of the area — a few units per
 * message, a long answer split over messages — then the units that have not sent it.
 */

/** Units per message: a phone screen or two each. */
const UNITS_PER_MESSAGE = 3;
/** Characters per message: under Zalo's 2,000 (Telegram's 4,096), so an answer of 2,000 is split. */
const MESSAGE_CHARS = 1_800;
/** Periods offered, latest first. */
const MAX_PERIODS = 8;

/** Whom the menu offers it: the area's heads, and officers of a unit above the wards (the area's staff). */
function readsArea(actor: Actor): boolean {
  return actor.memberships.some(
    (m) =>
      m.role === 'leader' || m.role === 'admin' || (m.role === 'unit_officer' && !isLocalKind(m.unitKind)),
  );
}

export const narrativeReadFeature: Feature = {
  name: 'narrative-read',
  menu: [
    {
      order: 72,
      visible: (actor) => readsArea(actor) && unitsFor(actor, 'narrative.read').length > 0,
      rows: (_actor, text) => [[{ id: menuButtonId('narratives'), label: text('menu.narratives') }]],
    },
  ],
  buttons: [
    {
      name: 'narratives',
      action: 'narrative.read',
      arg: 'optionalId',
      handle: (chat, { actor, arg }) =>
        showNarratives(chat, actor, arg === undefined ? undefined : Number(arg)),
    },
  ],
};

async function showNarratives(chat: FeatureChat, actor: Actor, periodId: number | undefined): Promise<void> {
  const units = unitsFor(actor, 'narrative.read');
  const loaded = units.length > 0 ? await loadScope(chat.tx, units, chat.now) : undefined;
  if (!loaded?.ok) {
    return chat.showMenu(chat.text('narratives.refused'));
  }
  const { scope } = loaded;
  const area = placeInSentence(scope.issuer.name);
  const periods = await loadNarratives(chat.tx, scope);
  const chosen = periods.find((p) => p.period.id === periodId);
  if (!chosen) {
    if (periods.length === 0) {
      return chat.showMenu(chat.text('narratives.none'));
    }
    const offered = periods.slice(-MAX_PERIODS).reverse();
    return chat.say(
      chat.text('narratives.choose', { area }),
      offered.map((p) => [
        {
          id: menuButtonId('narratives', p.period.id),
          label: chat.text('narratives.period', {
            report: narrativeTitle(p.period),
            sent: p.entries.filter((e) => e.report).length,
            total: p.entries.length,
          }),
        },
      ]),
    );
  }
  for (const message of periodMessages(chosen, area, scope.campaign.timeZone, (k, p) => chat.text(k, p))) {
    chat.say(message);
  }
}

/**
 * The messages of one period: the header, the units that sent it a few per message (a message
 * never over MESSAGE_CHARS: a long answer goes on in the next), and those that have not.
 */
export function periodMessages(
  view: NarrativePeriod,
  area: string,
  timeZone: string,
  text: TextOf,
): string[] {
  const sent = view.entries.filter((e) => e.report);
  const messages: string[] = [];
  let current: string[] = [
    text('narratives.header', {
      report: narrativeTitle(view.period),
      due: formatDate(fromIsoDate(view.period.dueOn)),
      area,
      sent: sent.length,
      total: view.entries.length,
    }),
  ];
  let units = 0;
  /** Where the unit being added starts in `current` (its heading line). */
  let unitAt = -1;
  const flush = () => {
    if (current.length > 0) {
      messages.push(current.join('\n'));
    }
    current = [];
    units = 0;
    unitAt = -1;
  };
  const add = (line: string) => {
    const size = current.reduce((n, l) => n + l.length + 1, 0);
    if (current.length > 0 && size + line.length > MESSAGE_CHARS) {
      // A unit's heading goes on with its first answer.
      const heading = unitAt === current.length - 1 ? current.pop() : undefined;
      flush();
      if (heading !== undefined) {
        current.push(heading.trimStart());
        unitAt = 0;
        units = 1;
      }
    }
    current.push(line);
  };
  for (const { unit, report } of sent) {
    if (!report) {
      continue;
    }
    if (units === UNITS_PER_MESSAGE) {
      flush();
    }
    unitAt = current.length;
    add(
      `${current.length > 0 ? '\n' : ''}${text('narratives.unit', {
        unit: unit.name,
        at: formatDateTime(report.submittedAt, timeZone),
        status: text(report.late ? 'narratives.late' : 'narratives.on_time'),
        ref: report.ref,
      })}`,
    );
    units += 1;
    for (const answer of view.answers) {
      const label = text(answerLabelKey(answer));
      const value = (report.answers[answer] ?? '').trim() || '(không có)';
      chunks(value, MESSAGE_CHARS - label.length - 40).forEach((part, i) => {
        add(text(i === 0 ? 'narratives.answer' : 'narratives.answer_part', { label, text: part }));
      });
    }
  }
  const missing = notSent(view);
  add(
    `${current.length > 0 ? '\n' : ''}${
      missing.length > 0
        ? text('narratives.missing', { count: missing.length, units: missing.join(', ') })
        : text('narratives.all_sent')
    }`,
  );
  flush();
  return messages;
}

/** A text cut into parts of at most `size` characters, at a space where one is near. */
function chunks(value: string, size: number): string[] {
  const parts: string[] = [];
  let rest = value;
  while (rest.length > size) {
    // At the end of a sentence where one is near, else between two words.
    const sentence = rest.lastIndexOf('. ', size - 1);
    const space = rest.lastIndexOf(' ', size);
    const cut = sentence > size / 2 ? sentence + 1 : space > size / 2 ? space : size;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  parts.push(rest);
  return parts;
}
