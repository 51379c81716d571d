import { appealsFeature } from './appeals.ts';
import { basicsFeature } from './basics.ts';
import { batchPledgesFeature } from './batch-pledges.ts';
import { committeeReportFeature } from './committee-report.ts';
import { examplesFeature } from './examples.ts';
import { exportsFeature } from './exports.ts';
import type { Feature } from './feature.ts';
import { feedbackFeature } from './feedback.ts';
import { fundAcknowledgementFeature } from './fund-acknowledgement.ts';
import { fundAllocationFeature } from './fund-allocation.ts';
import { fundDisbursementFeature } from './fund-disbursement.ts';
import { fundReceiptFeature } from './fund-receipt.ts';
import { fundStatementFeature } from './fund-statement.ts';
import { fundTransferFeature } from './fund-transfer.ts';
import { fundViewFeature } from './fund-view.ts';
import { groupsFeature } from './groups.ts';
import { householdsFeature } from './households.ts';
import { invitesFeature } from './invites.ts';
import { monthlyReportFeature } from './monthly-report.ts';
import { narrativeReadFeature } from './narrative-read.ts';
import { narrativeReportsFeature } from './narrative-reports.ts';
import { pledgesFeature } from './pledges.ts';
import { publicSummaryFeature } from './public-summary.ts';
import { remindersFeature } from './reminders.ts';
import { statusFeature } from './status.ts';

/**
 * Every feature of the chat. The order is the order in which a stranger's free text is offered to
 * them (a pledge's "ủng hộ" before an invite code); the menu has its own `order`.
 *
 * Adding a feature: write its module here (a `Feature`: flows with their confirmation rules,
 * commands with their access action, menu entries, buttons), add its texts to both catalogs, and
 * list it below. The menu, `/help`, Telegram's command lists and dispatch follow; the fixture test
 * (test/features/registry.test.ts) shows it with a feature the app does not list.
 */
export const FEATURES: readonly Feature[] = [
  basicsFeature,
  monthlyReportFeature,
  narrativeReportsFeature,
  narrativeReadFeature,
  committeeReportFeature,
  householdsFeature,
  pledgesFeature,
  batchPledgesFeature,
  fundReceiptFeature,
  fundStatementFeature,
  fundAllocationFeature,
  fundDisbursementFeature,
  fundTransferFeature,
  fundAcknowledgementFeature,
  publicSummaryFeature,
  fundViewFeature,
  statusFeature,
  feedbackFeature,
  examplesFeature,
  appealsFeature,
  exportsFeature,
  groupsFeature,
  invitesFeature,
  remindersFeature,
];
