// The JSON shapes of the DfChat API (API.md §2–§5). Timestamps are ISO 8601 strings in UTC; ids are
// opaque strings to echo back.

/** A room's kind. */
export type RoomType = 'private_messages' | 'group' | 'channel';

/** What a room member may do (API.md §3). */
export type Permission =
  | 'can_add_users'
  | 'can_remove_users'
  | 'can_create_messages'
  | 'can_delete_messages'
  | 'can_delete_own_messages'
  | 'can_edit_messages'
  | 'can_edit_own_messages'
  | 'can_edit_room'
  | 'can_delete_room';

/** Every permission value, in the contract's order. */
export const PERMISSIONS: readonly Permission[] = [
  'can_add_users',
  'can_remove_users',
  'can_create_messages',
  'can_delete_messages',
  'can_delete_own_messages',
  'can_edit_messages',
  'can_edit_own_messages',
  'can_edit_room',
  'can_delete_room',
];

/** A page of a list: pass `nextCursor` back as `cursor` for the next one; null at the end. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A user as the host's user table shows it. */
export interface User {
  id: string;
  displayName: string;
}

/** The caller's own membership in a room. */
export interface Membership {
  isOwner: boolean;
  permissions: Permission[];
  muted: boolean;
  lastSeenAt: string;
  unreadCount: number;
  /** Unread messages that mention the caller (v1.2), reset by reading. */
  mentionCount: number;
}

/** `GET /users/{userId}` (v1.2): a user who shares a room with the caller, with presence. */
export interface UserPresence extends User {
  online: boolean;
  /** When the user's last connection closed, or null when never seen. */
  lastActiveAt: string | null;
}

/** A room. `lastSeq` is the seq of the room's newest event: start real-time tracking from it. */
export interface Room {
  id: string;
  type: RoomType;
  name: string | null;
  description: string | null;
  isPublic: boolean;
  avatarUrl: string | null;
  createdAt: string;
  /** Null once the creator was erased. */
  createdBy: string | null;
  memberCount: number;
  lastMessage: Message | null;
  lastActivityAt: string;
  /** The caller's membership, or null when the caller is not a member. */
  membership: Membership | null;
  lastSeq: number;
  /** Slow mode (v1.2): members without `can_edit_room` send one top-level message per this many seconds; 0 is off. */
  slowModeSeconds: number;
  /** Frozen (v1.2): only the owner and members with `can_edit_room` send, edit or react. */
  frozen: boolean;
}

/** A room member ("room user"). */
export interface Member {
  roomId: string;
  userId: string;
  displayName: string;
  isOwner: boolean;
  permissions: Permission[];
  muted: boolean;
  lastSeenAt: string;
  /** Null once the user who added the member was erased. */
  createdBy: string | null;
  createdAt: string;
}

/** An uploaded file. `url` points at its content route. */
export interface Media {
  id: string;
  contentType: string;
  fileName: string;
  size: number;
  url: string;
  createdAt: string;
}

/** The reactions of one value on a message, with `me` true when the caller reacted so. */
export interface ReactionCount {
  reaction: string;
  count: number;
  me: boolean;
}

/** A message; `user` is its author as `GET /users` shows it (both null once the author was erased and the message kept). */
export interface Message {
  id: string;
  roomId: string;
  userId: string | null;
  user: User | null;
  text: string | null;
  media: Media[];
  reactions: ReactionCount[];
  replyToId: string | null;
  createdAt: string;
  editedAt: string | null;
  /** The thread's root, for a thread reply (v1.2). */
  threadId: string | null;
  /** Replies in this message's thread (v1.2); 0 for replies. */
  threadReplyCount: number;
  threadLastReplyAt: string | null;
  /** Ids of the members the message mentions (v1.2). */
  mentions: string[];
  /** When and by whom the message was pinned (v1.2); null when not pinned. */
  pinnedAt: string | null;
  pinnedBy: string | null;
}

/** An earlier version of an edited message (v1.2), from `GET .../history`. */
export interface MessageVersion {
  text: string | null;
  editedAt: string;
}

/** One user's reaction to a message. */
export interface Reaction {
  id: string;
  roomId: string;
  messageId: string;
  userId: string;
  reaction: string;
  createdAt: string;
}

// ---------- Request bodies ----------

/** `POST /rooms`. */
export interface CreateRoomRequest {
  type: RoomType;
  /** Required (1–255 chars) for groups and channels; optional for private messages. */
  name?: string | null;
  description?: string | null;
  isPublic?: boolean;
  /** An image the caller uploaded. */
  avatarMediaId?: string | null;
  /** Added as members with their type's defaults; exactly one other user for private messages. */
  userIds?: string[];
}

/** `PATCH /rooms/{roomId}`: name at least one field. */
export interface UpdateRoomRequest {
  name?: string | null;
  description?: string | null;
  isPublic?: boolean;
  avatarMediaId?: string | null;
  /** 0-3600 seconds (v1.2). */
  slowModeSeconds?: number;
  /** v1.2. */
  frozen?: boolean;
}

/** `POST /rooms/{roomId}/users`. Without `permissions`, the room type's defaults; `[]` means none. */
export interface AddMemberRequest {
  userId: string;
  permissions?: Permission[];
}

/** `PATCH /rooms/{roomId}/users/{userId}`: `muted` and `lastSeenAt` by the member itself, `permissions` by the owner. */
export interface UpdateMemberRequest {
  muted?: boolean;
  lastSeenAt?: string;
  permissions?: Permission[];
}

/** `POST /rooms/{roomId}/messages`: text or at least one media id. */
export interface SendMessageRequest {
  text?: string | null;
  mediaIds?: string[];
  replyToId?: string | null;
  /** Makes a retry safe: the same id from the same caller in the same room returns the first message. */
  clientMessageId?: string | null;
  /** A top-level message of the same room: the message becomes a reply in its thread (v1.2). */
  threadId?: string | null;
  /** Ids of room members, at most 50 (v1.2). */
  mentions?: string[];
}

/** `PATCH /rooms/{roomId}/messages/{messageId}`. */
export interface EditMessageRequest {
  text: string;
  /** Replaces the message's mentions when given (v1.2). */
  mentions?: string[];
}

// ---------- Query options ----------

/** Paging of every list. */
export interface PageOptions {
  /** 1 to the configured maximum (100 by default); 50 when omitted. */
  limit?: number;
  /** The previous page's `nextCursor`. */
  cursor?: string | null;
}

/** `GET /rooms`. */
export interface ListRoomsOptions extends PageOptions {
  type?: RoomType;
  search?: string;
}

/** `GET /rooms/public`. */
export interface ListPublicRoomsOptions extends PageOptions {
  search?: string;
}

/** `GET /search/messages` (v1.2). */
export interface SearchMessagesOptions extends PageOptions {
  /** 1–200 characters; every word must match, the last one also as a prefix. */
  q: string;
  /** Only this room (a member's room or a readable public one). */
  roomId?: string;
}

/** `GET /users`. */
export interface SearchUsersOptions {
  search?: string;
  limit?: number;
  cursor?: string | null;
}

// ---------- Real-time events (API.md §5) ----------

/** The room-wide order number every event but `typing` carries. */
export interface Sequenced {
  seq: number;
}

export interface MessageDeletedEvent extends Sequenced {
  roomId: string;
  messageId: string;
}

export interface ReactionRemovedEvent extends Sequenced {
  roomId: string;
  messageId: string;
  reactionId: string;
  userId: string;
  reaction: string;
}

export interface MemberRemovedEvent extends Sequenced {
  roomId: string;
  userId: string;
}

export interface RoomDeletedEvent extends Sequenced {
  roomId: string;
}

export interface ReadEvent extends Sequenced {
  roomId: string;
  userId: string;
  lastSeenAt: string;
}

export interface TypingEvent {
  roomId: string;
  userId: string;
}

/**
 * What the events route serves, in place of the payload of a `messageCreated`, `messageUpdated`,
 * `reactionAdded` or `reactionRemoved`, once its message was deleted (v1.2: deleted means gone).
 * A client that catches up gets these; `messageDeleted` follows in the same log.
 */
export interface RedactedEvent extends Sequenced {
  roomId: string;
  messageId: string;
  redacted: true;
}

/** The room as `roomUpdated` carries it: without the caller's membership. */
export type RoomUpdatedEvent = Omit<Room, 'membership'> & Partial<Pick<Room, 'membership'>> & Sequenced;

/** Every hub event by name, with its payload. */
export interface ChatEventMap {
  messageCreated: (Message & Sequenced) | RedactedEvent;
  messageUpdated: (Message & Sequenced) | RedactedEvent;
  messageDeleted: MessageDeletedEvent;
  reactionAdded: (Reaction & Sequenced) | RedactedEvent;
  reactionRemoved: ReactionRemovedEvent | RedactedEvent;
  memberAdded: Member & Sequenced;
  memberUpdated: Member & Sequenced;
  memberRemoved: MemberRemovedEvent;
  roomUpdated: RoomUpdatedEvent;
  roomDeleted: RoomDeletedEvent;
  read: ReadEvent;
  typing: TypingEvent;
}

/** The name of a hub event. */
export type ChatEventType = keyof ChatEventMap;

/** The names of every hub event. */
export const CHAT_EVENT_TYPES: readonly ChatEventType[] = [
  'messageCreated',
  'messageUpdated',
  'messageDeleted',
  'reactionAdded',
  'reactionRemoved',
  'memberAdded',
  'memberUpdated',
  'memberRemoved',
  'roomUpdated',
  'roomDeleted',
  'read',
  'typing',
];

/** The events that carry `seq` (all but `typing`). */
export type SequencedEventType = Exclude<ChatEventType, 'typing'>;

/** One event as a tagged union: `switch (event.type)` narrows `payload`. */
export type ChatEvent = { [K in ChatEventType]: { type: K; payload: ChatEventMap[K] } }[ChatEventType];

/** True for the payload of an event whose message was deleted since (see {@link RedactedEvent}). */
export function isRedacted(payload: object): payload is RedactedEvent {
  return (payload as Partial<RedactedEvent>).redacted === true;
}

/** An item of `GET /rooms/{roomId}/events`: a stored event, oldest first. */
export interface StoredEvent<K extends SequencedEventType = SequencedEventType> {
  seq: number;
  type: K;
  payload: ChatEventMap[K];
  createdAt: string;
}

/** `GET /rooms/{roomId}/events`. */
export interface ListEventsOptions {
  /** The seq after which to list (0 for the start). */
  after?: number;
  limit?: number;
  cursor?: string | null;
}

/** `GET /users/me/export`: everything the chat holds about the caller. */
export interface UserExport {
  user: User;
  memberships: Member[];
  messages: Message[];
  reactions: Reaction[];
  media: Media[];
}

// ---------- Moderation (API.md §9, v1.2) ----------

/** A user banned from a room. */
export interface Ban {
  roomId: string;
  userId: string;
  reason: string | null;
  /** When the ban ends, or null when it lasts until lifted. */
  expiresAt: string | null;
  createdBy: string;
  createdAt: string;
}

/** `POST /rooms/{roomId}/bans`. */
export interface BanRequest {
  userId: string;
  reason?: string | null;
  expiresAt?: string | null;
}

/** A user the caller blocked. */
export interface Block {
  userId: string;
  displayName: string;
  createdAt: string;
}

/** An invitation; `token` only in the answer that created it (lists show `id`). */
export interface Invite {
  id: string;
  token: string | null;
  roomId: string;
  expiresAt: string | null;
  maxUses: number | null;
  uses: number;
  createdBy: string;
  createdAt: string;
}

/** `POST /rooms/{roomId}/invites`. */
export interface CreateInviteRequest {
  expiresAt?: string | null;
  maxUses?: number | null;
}
