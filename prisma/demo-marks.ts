/**
 * What marks the demo in a database: its invite code, the seed's invites, the playground's channel.
 * Apart from prisma/seed.ts so that the repositories can recognise the demo without importing the
 * seed (which builds on the store).
 */

/** A single-use invite the playground's "new person" can try (fixture: Nông Thượng; living: phường Bắc Kạn). */
export const DEMO_INVITE_CODE = 'DEMO2025';

/** The marker `createdBy` of the invites the seed writes (the demo's `DEMO_INVITE_CODE`). */
export const SEED_INVITE_CREATOR = 'seed';

/** The channel of the playground's personas: a person known only there is a demo person. */
export const PLAYGROUND_CHANNEL = 'playground';

/**
 * Whether an invite is one of the demo's (see `findDemoData`): a real deployment refuses these as
 * if they did not exist. `personIsDemo` tells whether the person who made it is a demo person.
 */
export async function isDemoInvite(
  invite: { code: string; createdBy: string },
  personIsDemo: (personId: number) => Promise<boolean>,
): Promise<boolean> {
  if (invite.code === DEMO_INVITE_CODE || invite.createdBy === SEED_INVITE_CREATOR) {
    return true;
  }
  const by = /^person:(\d+)$/.exec(invite.createdBy);
  return by !== null && (await personIsDemo(Number(by[1])));
}
