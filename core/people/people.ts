import type { Role } from '../shared/actor.ts';

export interface InviteView {
  id: number;
  code: string;
  role: Role;
  unitId: number;
  unitName: string;
  fullName: string | null;
  expiresAt: Date;
  usedAt: Date | null;
  usedByPersonId: number | null;
  revokedAt: Date | null;
}
