import type { AuditSource } from '../messaging/outbox.repository.ts';
import { PHASE, type ProgressReporter, progressPhase } from '../shared/progress.ts';
import type { Tx } from '../unit-of-work.ts';
import { type IdNumberHasher, idNumberLast4 } from './id-number.ts';

/** One row of an operator's file: a household code and a valid ID number. */
export interface IdNumberRow {
  rowNumber: number;
  code: string | undefined;
  idNumber: string;
}

export interface IdNumberUpdate {
  /** Households whose keyed ID hash was (or, in a dry run, would be) written. */
  written: number;
  /** Rows whose household already had this very hash. */
  unchanged: number;
  problems: { row: number; message: string }[];
}

/**
 * (Re)writes the keyed hash of the ID numbers of households already registered in a unit, matched
 * by household code (issue 14 §6: `households set-ids`): after the migration that removed the old
 * unkeyed hashes, or after a lost ID_HASH_KEY was replaced. A row whose last 4 digits differ from
 * the stored ones, or whose number is already another household's in the campaign, is a problem,
 * not written. The hashes and one audit row in the caller's transaction; nothing with `dryRun`.
 */
export async function setIdNumbers(
  tx: Tx,
  target: { campaignId: number; unit: { id: number; name: string }; file: string },
  rows: readonly IdNumberRow[],
  hashId: IdNumberHasher,
  options: { dryRun: boolean; by: AuditSource; now: Date; progress?: ProgressReporter },
): Promise<IdNumberUpdate> {
  const byCode = new Map(
    (await tx.households.idNumbersOf(target.campaignId, target.unit.id)).map((h) => [
      h.code.toLowerCase(),
      h,
    ]),
  );
  // Hashes already in the campaign (any unit): the same person twice is reported, not written.
  const owners = new Map(
    (await tx.households.idNumberOwners(target.campaignId)).map((o) => [o.hash, o.code]),
  );
  const update: IdNumberUpdate = { written: 0, unchanged: 0, problems: [] };
  const writes: { id: number; hash: string; last4: string | null }[] = [];
  for (const row of rows) {
    const problem = (message: string) => update.problems.push({ row: row.rowNumber, message });
    const household = row.code === undefined ? undefined : byCode.get(row.code.toLowerCase());
    if (!household) {
      problem(`không có hộ mã ${row.code ?? '(trống)'} ở ${target.unit.name}.`);
      continue;
    }
    const last4 = idNumberLast4(row.idNumber);
    if (household.idNumberLast4 !== null && household.idNumberLast4 !== last4) {
      problem(
        `hộ ${household.code}: 4 số cuối CCCD trong tệp (${last4}) khác số đã lưu (${household.idNumberLast4}); không ghi.`,
      );
      continue;
    }
    const hash = hashId(row.idNumber);
    const owner = owners.get(hash);
    if (owner !== undefined && owner !== household.code) {
      problem(`hộ ${household.code}: cùng số CCCD với hộ ${owner}; không ghi.`);
      continue;
    }
    if (household.idNumberHash === hash) {
      update.unchanged += 1;
      continue;
    }
    owners.set(hash, household.code);
    writes.push({ id: household.id, hash, last4 });
  }
  update.written = writes.length;
  if (options.dryRun || writes.length === 0) {
    return update;
  }
  const writing = progressPhase(options.progress, PHASE.write, 'hộ', writes.length);
  for (const w of writes) {
    await tx.households.setIdNumber(w.id, w.hash, w.last4);
    writing.step(1);
  }
  await tx.audit.record(
    {
      ...options.by,
      action: 'households.set_ids',
      entity: 'Unit',
      entityId: String(target.unit.id),
      after: { file: target.file, updated: writes.length },
    },
    options.now,
  );
  return update;
}
