import { narrativeReportRunner } from '../reports/narrative-report.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { confirmation, type Feature, menuButton, needAt } from './feature.ts';

/** The quarterly, half-year and final written reports of a unit officer. */
export const narrativeReportsFeature: Feature = {
  name: 'narrative-reports',
  flows: [narrativeReportRunner],
  confirmations: [confirmation(narrativeReportRunner, (_tx, ctx) => needAt('narrative.submit', ctx.unitId))],
  menu: [
    menuButton({
      order: 40,
      action: 'narrative.submit',
      id: menuButtonId('narrative'),
      label: 'menu.narrative',
    }),
  ],
  buttons: [
    {
      name: 'narrative',
      action: 'narrative.submit',
      handle: (chat) => chat.beginFlow(narrativeReportRunner, undefined),
    },
  ],
};
