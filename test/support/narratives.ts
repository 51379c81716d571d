import type { SqlDb } from '../../prisma/sql-db.ts';
import { createStore } from '../../prisma/store.ts';

/** A ward's final report answers (every question of the final report answered). */
export const FINAL_ANSWERS = {
  assessment: 'Hoàn thành 100% số nhà theo kế hoạch, đúng đối tượng.',
  achievements: 'Huy động 1.200 ngày công của đoàn viên, hội viên.',
  obstacles: 'Giá vật liệu tăng cao.',
  proposals: 'Đề nghị hỗ trợ thêm cho hộ ở vùng sạt lở.',
  commendations: 'Chi hội Phụ nữ tổ 5; ông Hoàng Văn Dũng (tổ 3) hiến 30 ngày công.',
} as const;

/** A ward's quarterly report answers. */
export const QUARTERLY_ANSWERS = {
  achievements: 'Khởi công 3 nhà, bàn giao 2 nhà.',
  obstacles: 'Mưa kéo dài.',
  proposals: '',
} as const;

/** Sông Cầu (01837)'s fourth-quarter report, sent late on 16/12/2025 (for `sendNarrative`). */
export const SONG_CAU_LATE_Q4 = {
  ref: 'BCQ-2025Q4-01837-1',
  periodCode: '2025-Q4',
  unitCode: '01837',
  answers: QUARTERLY_ANSWERS,
  at: new Date('2025-12-16T01:00:00Z'),
  late: true,
};

/**
 * Stores a ward's written report as the narrative flow does (core/reports/narrative-report.ts),
 * sent by the unit's first officer (or any person): the next revision of the unit and period.
 */
export async function sendNarrative(
  db: SqlDb,
  r: {
    ref: string;
    periodCode: string;
    unitCode: string;
    answers: Record<string, string>;
    at: Date;
    late?: boolean;
    /** The unit's code names several units over time: the one valid that day. */
    asOf?: string;
  },
): Promise<number> {
  const person = await db.kysely.selectFrom('Person').select('id').orderBy('id').executeTakeFirstOrThrow();
  return createStore(db).run(async (tx) => {
    const campaign = await tx.campaigns.findCurrent();
    const unit = await tx.units.findByCode(r.unitCode, r.asOf ?? r.at.toISOString().slice(0, 10));
    if (!campaign || !unit) {
      throw new Error(`no campaign or unit ${r.unitCode}`);
    }
    const kind = r.periodCode === 'final' ? 'final' : 'quarterly';
    const period = (await tx.campaigns.listPeriods(campaign.id, kind)).find((p) => p.code === r.periodCode);
    if (!period) {
      throw new Error(`no period ${r.periodCode}`);
    }
    const revision = (await tx.narratives.lastRevision(period.id, unit.id)) + 1;
    return tx.narratives.create({
      ref: r.ref,
      periodId: period.id,
      unitId: unit.id,
      personId: person.id,
      revision,
      answers: r.answers,
      late: r.late ?? false,
      channel: 'telegram',
      submittedAt: r.at,
    });
  });
}
