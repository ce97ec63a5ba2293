export const directions = ['inbound', 'outbound'] as const;
export type Direction = (typeof directions)[number];

export const inboundStatuses = ['received', 'processed', 'archived'] as const;
export const outboundStatuses = ['queued', 'sent', 'delivered', 'failed'] as const;
export type MessageStatus = (typeof inboundStatuses)[number] | (typeof outboundStatuses)[number];

/** A message as volunteers see it in the inbox: never the sender's number, only their contact id. */
export interface Message {
  seq: number;
  id: string;
  channelId: string;
  direction: Direction;
  providerId: string | null;
  contactId: string | null;
  text: string;
  media: string[];
  status: MessageStatus;
  statusDetail: string | null;
  reportId: string | null;
  inReplyTo: string | null;
  sentAt: string | null;
  receivedAt: string;
  updatedAt: string;
  attempts: number;
  /** The sender's country as their number gives it: where place names in the text are looked for. */
  senderCountry: string | null;
}
