import { can, unitsFor } from '../access/access.ts';
import { figurePeriod } from '../campaigns/figure-periods.ts';
import type { Text } from '../flows/flow.ts';
import type { Actor } from '../shared/actor.ts';
import type { Tx } from '../unit-of-work.ts';
import { placeInSentence } from '../units/kinds.ts';
import {
  EXPORT_KINDS,
  type ExportKind,
  type ExportRequest,
  exportFileName,
  isExportKind,
} from './export-request.ts';
import { displayUnitName, loadScope } from './export-scope.ts';

/**
 * `/xuatbaocao` in chat: leaders and admins get the five exports of their own area as a file.
 * The reply carries what to build (a document spec), not the file: the channel builds it when it
 * sends, so the outbox stays small and the figures are those of the moment it goes out.
 */

/** The exports a person may ask for in chat: all five for leaders and admins, none for others. */
export function exportKindsFor(actor: Actor): readonly ExportKind[] {
  return can(actor, 'export.download') ? EXPORT_KINDS : [];
}

export type ExportReply =
  | {
      ok: true;
      /** The file's caption. */
      text: Text;
      request: ExportRequest;
      /** For channels that cannot carry the file: the operator's CLI command that writes it. */
      fallback: Text;
    }
  | { ok: false; reason: Text };

/**
 * One export of the leader's area: its caption, what to build and the fallback text. The progress
 * export is of the latest monthly period due (the one leaders are chasing); the others are as of
 * the moment the file is built.
 */
export async function exportReply(tx: Tx, actor: Actor, kind: string, now: Date): Promise<ExportReply> {
  const area = unitsFor(actor, 'export.download');
  if (area.length === 0) {
    return { ok: false, reason: { key: 'export.refused' } };
  }
  if (!isExportKind(kind)) {
    return { ok: false, reason: { key: 'flow.stale_button' } };
  }
  const loaded = await loadScope(tx, area, now);
  if (!loaded.ok) {
    return { ok: false, reason: { key: 'export.unavailable' } };
  }
  const { scope } = loaded;
  const period =
    kind === 'progress' ? await figurePeriod(tx, scope.campaign.id, undefined, scope.today) : undefined;
  const request: ExportRequest = {
    kind,
    params: { scope: area, ...(period ? { period: period.code } : {}) },
  };
  const name: Text = { key: `export.kind.${kind}` };
  const where = displayUnitName(scope.issuer);
  const unitCode = actor.memberships.find((m) => m.unitId === area[0])?.unitCode ?? scope.issuer.code;
  const command = [
    'npm run cli -- export',
    kind,
    exportFileName(request, scope.today),
    ...(period ? ['--period', period.code] : []),
    '--unit',
    unitCode,
  ].join(' ');
  return {
    ok: true,
    text: period
      ? { key: 'export.sending_period', params: { name, period: period.label, area: where } }
      : { key: 'export.sending', params: { name, area: where } },
    request,
    fallback: { key: 'export.fallback', params: { command, area: placeInSentence(scope.issuer.name) } },
  };
}
