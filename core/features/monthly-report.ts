import { can, unitsFor } from '../access/access.ts';
import { reportRunner } from '../reports/report-runner.ts';
import type { Actor } from '../shared/actor.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { confirmation, type Feature, needAt } from './feature.ts';

/** The units the officer reports for, with their names. */
const reportingUnits = (actor: Actor) =>
  unitsFor(actor, 'report.submit').flatMap((id) => actor.memberships.find((m) => m.unitId === id) ?? []);

/** The monthly progress report of a unit officer: one menu button per unit they report for. */
export const monthlyReportFeature: Feature = {
  name: 'monthly-report',
  flows: [reportRunner],
  confirmations: [confirmation(reportRunner, (_tx, ctx) => needAt('report.submit', ctx.unitId))],
  commands: [
    {
      vi: 'baocao',
      action: 'report.submit',
      scope: 'private',
      description: 'command.report',
      telegram: 2,
      handle: (chat) => chat.beginFlow(reportRunner, undefined),
    },
  ],
  menu: [
    {
      order: 10,
      visible: (actor) => can(actor, 'report.submit'),
      rows: (actor, text) => {
        const units = reportingUnits(actor);
        return units.map((unit) => [
          {
            id: menuButtonId('report', unit.unitId),
            label: units.length > 1 ? text('menu.report_unit', { unit: unit.unitName }) : text('menu.report'),
          },
        ]);
      },
    },
  ],
  buttons: [
    { name: 'report', action: 'report.submit', handle: (chat, { arg }) => chat.beginFlow(reportRunner, arg) },
  ],
};
