import { reportRunner } from '../reports/report-runner.ts';
import type { Actor } from '../shared/actor.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import type { Feature } from './feature.ts';

const officerUnits = (actor: Actor) => actor.memberships.filter((m) => m.role === 'unit_officer');
export const isUnitOfficer = (actor: Actor) => officerUnits(actor).length > 0;

/** The monthly progress report of a unit officer: one menu button per unit they report for. */
export const monthlyReportFeature: Feature = {
  name: 'monthly-report',
  flows: [reportRunner],
  commands: [
    {
      vi: 'baocao',
      scope: 'private',
      listedFor: isUnitOfficer,
      description: 'command.report',
      telegram: 2,
      handle: (chat) => chat.beginFlow(reportRunner, undefined),
    },
  ],
  menu: [
    {
      order: 10,
      visible: isUnitOfficer,
      rows: (actor, text) => {
        const units = officerUnits(actor);
        return units.map((unit) => [
          {
            id: menuButtonId('report', unit.unitId),
            label: units.length > 1 ? text('menu.report_unit', { unit: unit.unitName }) : text('menu.report'),
          },
        ]);
      },
    },
  ],
  buttons: [{ name: 'report', handle: (chat, { arg }) => chat.beginFlow(reportRunner, arg) }],
};
