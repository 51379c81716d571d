import type { MessageKey } from '../messaging/catalog.ts';

/**
 * The written answers of the wards' quarterly and final reports, in the order officials read them
 * (the flow asks them in its own order), and which kind of report asks each. The flow, `reports
 * show`, the export's sheets and the leaders' chat view all list them from here.
 */
export const NARRATIVE_ANSWERS = [
  'assessment',
  'achievements',
  'obstacles',
  'proposals',
  'commendations',
] as const;
export type NarrativeAnswer = (typeof NARRATIVE_ANSWERS)[number];

export type NarrativeKind = 'quarterly' | 'final';

/** The kinds of report each answer is asked in. */
export const ASKED_IN: Record<NarrativeAnswer, readonly NarrativeKind[]> = {
  assessment: ['final'],
  achievements: ['quarterly', 'final'],
  obstacles: ['quarterly', 'final'],
  proposals: ['quarterly', 'final'],
  commendations: ['final'],
};

/** The catalog key of an answer's Vietnamese label ("Đề nghị khen thưởng"). */
export function answerLabelKey(answer: NarrativeAnswer): MessageKey {
  return `narrative.field.${answer}`;
}

/**
 * The answers a period's reports show: those its kind asks, and any other a report holds (a
 * quarterly report kept from a flow that asked more).
 */
export function answersShown(
  kind: string,
  reports: readonly { answers: Record<string, string> }[],
): NarrativeAnswer[] {
  return NARRATIVE_ANSWERS.filter(
    (a) => ASKED_IN[a].some((k) => k === kind) || reports.some((r) => (r.answers[a] ?? '').trim() !== ''),
  );
}
