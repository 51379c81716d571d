import type { AuditSource } from '../messaging/outbox.repository.ts';
import type { Role } from '../shared/actor.ts';
import { AppError } from '../shared/app-error.ts';
import type { Tx } from '../unit-of-work.ts';
import { generateInviteCode } from './invite-code.ts';

const DAY_MS = 86_400_000;
/** Codes are drawn at random from 32^8; ten taken in a row means something else is wrong. */
const MAX_CODE_ATTEMPTS = 10;

export interface InviteRequest {
  role: Role;
  unitId: number;
  fullName: string | null;
  /** Valid this many days from now. */
  days: number;
}

export interface CreatedInvite {
  id: number;
  code: string;
  expiresAt: Date;
}

/**
 * Creates a single-use invite and its audit row in the caller's transaction: the chat's invite
 * flow and the CLI's `invite create` / `admin create` both come here. Undefined when the unit does
 * not exist. The audit row holds the invite's id, never its code (a code is a credential).
 */
export async function createInvite(
  tx: Tx,
  request: InviteRequest,
  by: AuditSource,
  now: Date,
): Promise<CreatedInvite | undefined> {
  const unit = await tx.units.findById(request.unitId);
  if (!unit) {
    return undefined;
  }
  const expiresAt = new Date(now.getTime() + request.days * DAY_MS);
  for (let attempt = 0; attempt < MAX_CODE_ATTEMPTS; attempt++) {
    const code = generateInviteCode();
    const id = await tx.invites.create(
      {
        code,
        role: request.role,
        unitId: unit.id,
        fullName: request.fullName,
        createdBy: by.personId === null ? 'cli' : `person:${by.personId}`,
        expiresAt,
      },
      now,
    );
    if (id !== undefined) {
      await tx.audit.record(
        {
          ...by,
          action: 'invite.create',
          entity: 'Invite',
          entityId: String(id),
          after: {
            role: request.role,
            unitId: unit.id,
            unitCode: unit.code,
            fullName: request.fullName,
            days: request.days,
            expiresAt: expiresAt.toISOString(),
          },
        },
        now,
      );
      return { id, code, expiresAt };
    }
  }
  throw new AppError('INTERNAL', `could not find an unused invite code in ${MAX_CODE_ATTEMPTS} attempts`);
}
