import type { Channel } from '../messaging/message.ts';
import type { Actor, Role } from '../shared/actor.ts';
import type { InviteView } from './people.ts';

export interface PeopleRepository {
  findActor(channel: Channel, externalUserId: string): Promise<Actor | undefined>;
  /**
   * The person's current roles, read again and held until the transaction ends (PostgreSQL: the
   * person and membership rows are locked for share, so a role removed or a deactivation at the
   * same moment either waits for this transaction or is seen by it); undefined when deactivated.
   */
  currentActor(personId: number): Promise<Actor | undefined>;
  touchIdentity(channel: Channel, externalUserId: string, at: Date): Promise<void>;
  create(person: { fullName: string; locale: string }, at: Date): Promise<number>;
  /** Adds a membership; one that was revoked is restored (re-inviting someone is normal). */
  addMembership(personId: number, unitId: number, role: Role, at: Date): Promise<void>;
  /** A person, active or not (administration); undefined when there is none with the id. */
  findPerson(personId: number): Promise<{ id: number; fullName: string; active: boolean } | undefined>;
  /** Sets the person active or not; false when it already was. */
  setActive(personId: number, active: boolean): Promise<boolean>;
  /** Whether the person holds the role at the unit now (a revoked membership does not count). */
  hasRole(personId: number, unitId: number, role: Role): Promise<boolean>;
  /** Revokes the person's live memberships of the role at the unit (kept, marked revoked at `at`). */
  revokeRole(personId: number, unitId: number, role: Role, at: Date): Promise<void>;
  /** Revokes every live membership of the person; how many. */
  revokeAllRoles(personId: number, at: Date): Promise<number>;
  /** Deletes the person's identities on a channel (the playground's, for the demo); how many. */
  deleteIdentities(personId: number, channel: string): Promise<number>;
  /** The live memberships of the roles at the units, oldest first, with the person's name. */
  liveMemberships(
    unitIds: readonly number[],
    roles: readonly Role[],
  ): Promise<{ personId: number; fullName: string; unitId: number; role: Role }[]>;
  /** The chats a person can be reached in (a private chat's id is the user's id on both messengers). */
  identitiesOf(personId: number): Promise<{ channel: Channel; externalUserId: string }[]>;
  /** `identitiesOf` for many people in a few statements (by person; a person without chats is absent). */
  identitiesOfPeople(
    personIds: readonly number[],
  ): Promise<Map<number, { channel: Channel; externalUserId: string }[]>>;
  /**
   * The private chats on `channel` of the people who hold or held one of `roles`, each with the
   * person's live roles (none once deactivated or every role revoked): Telegram's per-chat command
   * lists are set, and taken back, from it.
   */
  chatsOfRoleHolders(channel: Channel, roles: readonly Role[]): Promise<{ chatId: string; actor: Actor }[]>;
  addIdentity(
    identity: { channel: Channel; externalUserId: string; personId: number; displayName: string | null },
    at: Date,
  ): Promise<void>;
}

export interface InviteRepository {
  findByCode(code: string): Promise<InviteView | undefined>;
  /** A new single-use invite; its id, or undefined when the code is taken (the caller draws another). */
  create(
    invite: {
      code: string;
      role: Role;
      unitId: number;
      fullName: string | null;
      createdBy: string;
      expiresAt: Date;
    },
    at: Date,
  ): Promise<number | undefined>;
  /**
   * Marks the invite used unless it already is; false when another redemption won. Claiming comes
   * first so a losing redemption writes nothing; `setUsedBy` then records who redeemed it.
   */
  markUsed(id: number, at: Date): Promise<boolean>;
  /** Revokes the invite unless it is used or revoked already; false then. */
  revoke(id: number, at: Date): Promise<boolean>;
  setUsedBy(id: number, personId: number): Promise<void>;
}

export interface ThrottleRecord {
  failures: number;
  windowStart: Date;
  blockedUntil: Date | null;
}

export interface ThrottleRepository {
  find(key: string): Promise<ThrottleRecord | undefined>;
  save(key: string, record: ThrottleRecord): Promise<void>;
  delete(key: string): Promise<void>;
}
