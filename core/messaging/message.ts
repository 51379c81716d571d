/**
 * The message contract between the core and the channels (DESIGN.md §3).
 * Channels translate their updates into `Inbound` and render `Outbound`; the core never
 * knows which messenger is on the other end.
 */

export const CHANNELS = ['telegram', 'zalo', 'playground'] as const;
export type Channel = (typeof CHANNELS)[number];

export function isChannel(value: string): value is Channel {
  return (CHANNELS as readonly string[]).includes(value);
}

export type ChatType = 'private' | 'group';

export type InboundKind = 'text' | 'choice' | 'photo' | 'document' | 'command' | 'contact';

export interface InboundMedia {
  /** The channel's own file id (Telegram file_id, Zalo attachment URL or id). */
  fileId: string;
  mimeType?: string;
  /** A document's name as the sender's device gave it ("saoke-thang3.xlsx"), when the channel tells it. */
  fileName?: string;
  /** Bytes, when the channel tells it before the file is fetched (Telegram does). */
  size?: number;
}

export interface Inbound {
  channel: Channel;
  chatId: string;
  chatType: ChatType;
  senderId: string;
  /** The display name the channel reports, used only as a default when a person is created. */
  senderName?: string;
  /** A group chat's title, when the channel tells it (leadership groups are listed by it). */
  chatTitle?: string;
  /** The channel's unique id for this event (Telegram update_id, Zalo msg_id): the dedupe key. */
  externalId: string;
  kind: InboundKind;
  text?: string;
  /** For kind 'choice': the id of the pressed button. */
  choiceId?: string;
  /** For kind 'command': the command without the slash, lower case ("start", "cancel"). */
  command?: string;
  /** For kind 'command': everything after the command ("/start abc" → "abc"). */
  args?: string;
  media?: InboundMedia;
  /**
   * For kind 'contact': the phone number shared (Telegram's share-contact button) and whether it is
   * the sender's own contact. A phone number: never logged.
   */
  contact?: { phone: string; own: boolean };
  receivedAt: Date;
}

export interface Choice {
  /** Short and stable; Telegram callback_data is limited to 64 bytes. */
  id: string;
  label: string;
}

export interface Outbound {
  text: string;
  /**
   * Rows of options, one of which is the answer. Channels without buttons render them as a
   * numbered list, and the core accepts the number typed back.
   */
  choices?: Choice[][];
  /**
   * Quick answers to a question that takes typed input (a number, an amount, "none"). Buttons where
   * the channel has them; elsewhere shown as hints, never numbered — "1" typed back is the number 1.
   */
  suggestions?: Choice[];
  /**
   * A question asking the sender's phone number: Telegram shows a one-time button sharing their own
   * contact (a reply keyboard, taken away by `removeKeyboard` on a later message); elsewhere the
   * number is typed. For a question without `choices` or `suggestions`.
   */
  requestContact?: { label: string };
  /** Takes away a reply keyboard shown before (the share-contact button), where the channel has one. */
  removeKeyboard?: true;
  /**
   * A picture sent before the text (a digest's chart). The outbox keeps the SVG source, which is
   * plain JSON; each channel renders what it can send (a PNG for Telegram and Zalo) at send time.
   */
  image?: OutboundImage;
  /**
   * A file sent with the text (an Excel export). Like `image`, the outbox keeps what to build —
   * the export's kind and parameters, plain JSON — and the channel builds the file when it sends,
   * from the data as it is then.
   */
  document?: OutboundDocument;
  /**
   * What a message the bot sends on its own is — a reminder, an escalation, an acknowledgement — and
   * its parameters: a channel that reaches people who stopped writing only through pre-approved
   * templates (Zalo's ZNS after the 7-day window) sends that template instead. Plain strings only.
   * A message without it waits for its person to write again.
   */
  notice?: OutboundNotice;
}

export const NOTICE_KINDS = ['reminder', 'escalation', 'acknowledgement'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export interface OutboundNotice {
  kind: NoticeKind;
  params: Record<string, string>;
}

/**
 * A picture: a chart (its SVG source) or a payment QR code (what to encode: the channel builds the
 * VietQR payload and the PNG at send time, with the libraries of `bot/images/`).
 */
export type OutboundImage = ChartImage | PaymentQrImage | ChannelPhoto;

export interface ChartImage {
  svg: string;
  caption?: string;
}

export interface PaymentQrImage {
  vietqr: VietQrRecipe;
  caption?: string;
}

/**
 * A NAPAS VietQR transfer to a fund's account (issue 17 §1): the bank's BIN, the account, the amount
 * in đồng (digits; absent: the payer types it) and the purpose ("UH-0001 NGUYEN VAN A": ASCII,
 * at most `VIETQR_PURPOSE_MAX` characters — core/funds/vietqr.ts builds it).
 */
export interface VietQrRecipe {
  bin: string;
  accountNumber: string;
  amount?: string;
  purpose: string;
}

export function isPaymentQr(image: OutboundImage): image is PaymentQrImage {
  return 'vietqr' in image;
}

/**
 * A photo a user sent (an appeal's), by the channel's own id for it: sent again as it is on that
 * channel (a Telegram file id, a Zalo attachment URL); another channel cannot fetch it and sends the
 * text alone.
 */
export interface ChannelPhoto {
  photo: { channel: Channel; fileId: string };
  caption?: string;
}

export function isChannelPhoto(image: OutboundImage): image is ChannelPhoto {
  return 'photo' in image;
}

/**
 * What a file is built from, as plain JSON. Messaging does not know the kinds of file: the feature
 * that produces a document (core/exports, whose `ExportRequest` is one) owns their schema, and the
 * channel's document builder parses the recipe with it when it sends — so messaging imports no
 * feature folder.
 */
export interface DocumentRecipe {
  kind: string;
  params: Readonly<Record<string, unknown>>;
}

export interface OutboundDocument extends DocumentRecipe {
  /** Said on a channel that cannot carry the file (Zalo takes only PDF and Word files). */
  fallbackText: string;
}

/** Where a message goes: a chat on a channel. */
export interface Address {
  channel: Channel;
  chatId: string;
}
