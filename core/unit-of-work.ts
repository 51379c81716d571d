import type { AppealRepository } from './appeals/appeal.repository.ts';
import type { BoardRepository } from './board/board.repository.ts';
import type { CampaignRepository } from './campaigns/campaign.ts';
import type { GroupRepository } from './digests/group.repository.ts';
import type { ModelExampleRepository } from './examples/model-example.repository.ts';
import type { DocumentRegister } from './exports/document-register.ts';
import type { FeedbackRepository } from './feedback/feedback.repository.ts';
import type { FlowStateRepository } from './flows/flow-state.repository.ts';
import type { AcknowledgementRepository } from './funds/acknowledgement.repository.ts';
import type { FundRepository, PledgeRepository } from './funds/fund.repository.ts';
import type { StatementRepository } from './funds/statements/statement.repository.ts';
import type { HouseholdRepository } from './households/household.repository.ts';
import type { Channel } from './messaging/message.ts';
import type { AuditRepository, InboundRepository, OutboxRepository } from './messaging/outbox.repository.ts';
import type { InviteRepository, PeopleRepository, ThrottleRepository } from './people/people.repository.ts';
import type { ReminderRepository } from './reminders/reminder.repository.ts';
import type { NarrativeReportRepository } from './reports/narrative.repository.ts';
import type { ReportRepository } from './reports/report.ts';
import type { UnitRepository } from './units/unit.repository.ts';

/** The repositories one inbound message may use, all inside one database transaction. */
export interface Tx {
  /**
   * Waits until no other transaction holding `key` runs, and holds it until this transaction ends:
   * work that must not interleave across bot instances (one chat's updates, a scheduler job) takes
   * the same key first. A no-op where transactions already run one at a time (SQLite).
   */
  lock(key: string): Promise<void>;
  inbound: InboundRepository;
  people: PeopleRepository;
  invites: InviteRepository;
  throttle: ThrottleRepository;
  flows: FlowStateRepository;
  campaigns: CampaignRepository;
  reports: ReportRepository;
  households: HouseholdRepository;
  units: UnitRepository;
  narratives: NarrativeReportRepository;
  /** The numbering register of documents issued. */
  documents: DocumentRegister;
  acknowledgements: AcknowledgementRepository;
  /** Model examples (gương điển hình). */
  examples: ModelExampleRepository;
  /** Appeals (Thư kêu gọi ủng hộ), the pledges they brought and the chats that asked for no more. */
  appeals: AppealRepository;
  pledges: PledgeRepository;
  funds: FundRepository;
  /** Bank statements imported per fund level and their lines. */
  statements: StatementRepository;
  reminders: ReminderRepository;
  groups: GroupRepository;
  /** The live board's sums, newest pledges and change stamp (also the groups' pinned totals). */
  board: BoardRepository;
  feedback: FeedbackRepository;
  audit: AuditRepository;
  outbox: OutboxRepository;
}

export interface UnitOfWork {
  /** Runs `work` in one transaction: everything it wrote commits together or not at all. */
  run<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Runs one inbound message's `work`, with the same guarantees as `run`. A store may first run it
   * against what it read about the chat in one statement and write what it did in one more
   * (prisma/chat-turn.ts), running it again in a transaction when the work needs anything else —
   * so `work` must have no effect but through `tx`. Without it, `run` is used.
   */
  runChatTurn?<T>(turn: ChatTurn, work: (tx: Tx) => Promise<T>): Promise<T>;
}

/** The inbound message a chat turn answers. */
export interface ChatTurn {
  channel: Channel;
  chatId: string;
  senderId: string;
  /** The channel's event id (the dedupe key). */
  externalId: string;
}

/** The lock one chat's turns take, so that they run one at a time across bot instances. */
export function chatLockKey(turn: Pick<ChatTurn, 'channel' | 'chatId'>): string {
  return `chat:${turn.channel}:${turn.chatId}`;
}
