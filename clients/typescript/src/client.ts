import { DfChatError, parseRetryAfter, type ProblemDetails } from './errors.js';
import type {
  AddMemberRequest,
  Ban,
  BanRequest,
  Block,
  CreateInviteRequest,
  Invite,
  CreateRoomRequest,
  EditMessageRequest,
  ListEventsOptions,
  ListPublicRoomsOptions,
  ListRoomsOptions,
  Media,
  Member,
  Membership,
  Message,
  MessageVersion,
  Page,
  PageOptions,
  Reaction,
  Room,
  SearchMessagesOptions,
  SearchUsersOptions,
  SendMessageRequest,
  StoredEvent,
  UpdateMemberRequest,
  UpdateRoomRequest,
  User,
  UserExport,
  UserPresence,
} from './models.js';

/** Returns the bearer token to send, or null/undefined to send none (cookie authentication). */
export type AccessTokenProvider = () => string | null | undefined | Promise<string | null | undefined>;

/** How to reach and authenticate against a DfChat API. */
export interface DfChatClientOptions {
  /**
   * The module's mount, prefix included: `https://chat.example.com/api/chat`, or `/api/chat` in a
   * browser page of the same origin.
   */
  baseUrl: string;
  /** Bearer authentication: called before every request (and by the hub when it connects). */
  accessToken?: AccessTokenProvider;
  /** Cookie authentication: `'include'` sends the host's cookies, also cross-origin. Default `'same-origin'`. */
  credentials?: RequestCredentials;
  /**
   * Called when a request answers 401: refresh the session and return true to retry that request
   * once, or false to give up (the request then throws a `DfChatError` with status 401).
   */
  onUnauthorized?: () => boolean | Promise<boolean>;
  /** The fetch to use; the global one by default. */
  fetch?: typeof fetch;
  /** Headers added to every request. */
  headers?: Record<string, string>;
}

/** `GET /media/{mediaId}/content`: the bytes and how the API described them. */
export interface MediaContent {
  /** 200, or 206 for a range. */
  status: number;
  blob: Blob;
  contentType: string | null;
  /** `inline` for images, `attachment` for anything else. */
  contentDisposition: string | null;
  /** For 206: `bytes start-end/size`. */
  contentRange: string | null;
}

/** The answer of a create route: 201 for a new resource, 200 when an existing one came back. */
export interface CreateResult<T> {
  value: T;
  /** False when the API returned an existing resource (a pair's private room, a repeated clientMessageId, the same reaction). */
  created: boolean;
  /** The `Location` header of a 201. */
  location: string | null;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

/** A request for {@link DfChatClient.send}. */
export interface DfChatRequest {
  query?: Query;
  /** Sent as `application/json`. */
  json?: unknown;
  /** Sent as `multipart/form-data`. */
  form?: FormData;
  /** Sent as is (set its `Content-Type` in `headers`). */
  body?: BodyInit;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * Typed calls for every route of the DfChat API (API.md §4 and §5). Every method throws a
 * {@link DfChatError} when the API answers an error status.
 */
export class DfChatClient {
  /** The mount, without a trailing slash. */
  readonly baseUrl: string;
  private readonly options: DfChatClientOptions;
  private readonly fetchImpl: typeof fetch;

  constructor(options: DfChatClientOptions) {
    this.options = options;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (!fetchImpl) throw new Error('No fetch: pass options.fetch.');
    this.fetchImpl = fetchImpl.bind(globalThis);
  }

  /** The URL of the SignalR hub (`{baseUrl}/hub`). */
  get hubUrl(): string {
    return `${this.baseUrl}/hub`;
  }

  /** The bearer token the client currently sends, or null (cookies). */
  async accessToken(): Promise<string | null> {
    return (await this.options.accessToken?.()) ?? null;
  }

  /** Cookie mode the client uses for requests (the hub sends cookies when this is `include` or the page is same-origin). */
  get credentials(): RequestCredentials | undefined {
    return this.options.credentials;
  }

  // ---------- Users ----------

  /** `GET /users/me`: the caller. */
  getMe(signal?: AbortSignal): Promise<User> {
    return this.json('GET', 'users/me', { signal });
  }

  /** `GET /users?search=`: users whose display name or user name contains `search`, case-insensitive. */
  searchUsers(options: SearchUsersOptions = {}, signal?: AbortSignal): Promise<Page<User>> {
    return this.json('GET', 'users', { query: { ...options }, signal });
  }

  /** `GET /users/{userId}` (v1.2): a user who shares a room with the caller, with presence; 404 otherwise. */
  getUser(userId: string, signal?: AbortSignal): Promise<UserPresence> {
    return this.json('GET', `users/${enc(userId)}`, { signal });
  }

  /** `GET /users/me/export` (v1.2): everything the chat holds about the caller, for access requests. */
  exportMe(signal?: AbortSignal): Promise<UserExport> {
    return this.json('GET', 'users/me/export', { signal });
  }

  // ---------- Rooms ----------

  /** `GET /rooms`: the caller's rooms, newest activity first. */
  listRooms(options: ListRoomsOptions = {}, signal?: AbortSignal): Promise<Page<Room>> {
    return this.json('GET', 'rooms', { query: { ...options }, signal });
  }

  /** `GET /rooms/public`: public rooms, member or not, newest activity first. */
  listPublicRooms(options: ListPublicRoomsOptions = {}, signal?: AbortSignal): Promise<Page<Room>> {
    return this.json('GET', 'rooms/public', { query: { ...options }, signal });
  }

  /** `POST /rooms`: the new room, or (private messages) the pair's existing one. */
  async createRoom(body: CreateRoomRequest, signal?: AbortSignal): Promise<Room> {
    return (await this.createRoomResult(body, signal)).value;
  }

  /** `POST /rooms`, telling a new room (201) from the pair's existing private room (200). */
  createRoomResult(body: CreateRoomRequest, signal?: AbortSignal): Promise<CreateResult<Room>> {
    return this.create('rooms', body, signal);
  }

  /** `GET /rooms/{roomId}`. */
  getRoom(roomId: string, signal?: AbortSignal): Promise<Room> {
    return this.json('GET', `rooms/${enc(roomId)}`, { signal });
  }

  /** `PATCH /rooms/{roomId}` (`can_edit_room`). */
  updateRoom(roomId: string, body: UpdateRoomRequest, signal?: AbortSignal): Promise<Room> {
    return this.json('PATCH', `rooms/${enc(roomId)}`, { json: body, signal });
  }

  /** `DELETE /rooms/{roomId}` (`can_delete_room`): members, messages, reactions and media go with it. */
  async deleteRoom(roomId: string, signal?: AbortSignal): Promise<void> {
    await this.sendAndDrain('DELETE', `rooms/${enc(roomId)}`, { signal });
  }

  /** `POST /rooms/{roomId}/join`: joins a public room (a member already: the room, unchanged). */
  joinRoom(roomId: string, signal?: AbortSignal): Promise<Room> {
    return this.json('POST', `rooms/${enc(roomId)}/join`, { signal });
  }

  /** `POST /rooms/{roomId}/read`: moves the caller's `lastSeenAt` to that message's time, or to now. */
  markRead(roomId: string, messageId?: string | null, signal?: AbortSignal): Promise<Membership> {
    return this.json('POST', `rooms/${enc(roomId)}/read`, { json: messageId ? { messageId } : {}, signal });
  }

  /**
   * `GET /rooms/{roomId}/events?after=`: the room's stored events after a seq, oldest first. A seq
   * older than the retained window throws a `DfChatError` with status 410: reload the room.
   */
  listEvents(roomId: string, options: ListEventsOptions = {}, signal?: AbortSignal): Promise<Page<StoredEvent>> {
    return this.json('GET', `rooms/${enc(roomId)}/events`, { query: { ...options }, signal });
  }

  // ---------- Members ----------

  /** `GET /rooms/{roomId}/users`: the members, in joining order. */
  listMembers(roomId: string, options: PageOptions = {}, signal?: AbortSignal): Promise<Page<Member>> {
    return this.json('GET', `rooms/${enc(roomId)}/users`, { query: { ...options }, signal });
  }

  /** `POST /rooms/{roomId}/users` (`can_add_users`). */
  addMember(roomId: string, body: AddMemberRequest, signal?: AbortSignal): Promise<Member> {
    return this.json('POST', `rooms/${enc(roomId)}/users`, { json: body, signal });
  }

  /** `GET /rooms/{roomId}/users/{userId}`; `userId` may be `me`. */
  getMember(roomId: string, userId: string, signal?: AbortSignal): Promise<Member> {
    return this.json('GET', `rooms/${enc(roomId)}/users/${enc(userId)}`, { signal });
  }

  /** `PATCH /rooms/{roomId}/users/{userId}`: `muted`/`lastSeenAt` by the member itself, `permissions` by the owner. */
  updateMember(roomId: string, userId: string, body: UpdateMemberRequest, signal?: AbortSignal): Promise<Member> {
    return this.json('PATCH', `rooms/${enc(roomId)}/users/${enc(userId)}`, { json: body, signal });
  }

  /** `DELETE /rooms/{roomId}/users/{userId}`: removes a member (`can_remove_users`), or leaves (`me`). */
  async removeMember(roomId: string, userId: string, signal?: AbortSignal): Promise<void> {
    await this.sendAndDrain('DELETE', `rooms/${enc(roomId)}/users/${enc(userId)}`, { signal });
  }

  /** Leaves a room: `DELETE /rooms/{roomId}/users/me`. */
  leaveRoom(roomId: string, signal?: AbortSignal): Promise<void> {
    return this.removeMember(roomId, 'me', signal);
  }

  // ---------- Messages ----------

  /** `GET /rooms/{roomId}/messages`: newest first. */
  listMessages(roomId: string, options: PageOptions = {}, signal?: AbortSignal): Promise<Page<Message>> {
    return this.json('GET', `rooms/${enc(roomId)}/messages`, { query: { ...options }, signal });
  }

  /** `GET /rooms/{roomId}/messages?after=`: messages newer than that one, oldest first; `nextCursor` continues forward. */
  listMessagesAfter(roomId: string, afterMessageId: string, options: PageOptions = {}, signal?: AbortSignal): Promise<Page<Message>> {
    return this.json('GET', `rooms/${enc(roomId)}/messages`, { query: { after: afterMessageId, ...options }, signal });
  }

  /** `POST /rooms/{roomId}/messages` (`can_create_messages`). */
  async sendMessage(roomId: string, body: SendMessageRequest, signal?: AbortSignal): Promise<Message> {
    return (await this.sendMessageResult(roomId, body, signal)).value;
  }

  /** `POST /rooms/{roomId}/messages`, telling a new message (201) from a repeated `clientMessageId` (200). */
  sendMessageResult(roomId: string, body: SendMessageRequest, signal?: AbortSignal): Promise<CreateResult<Message>> {
    return this.create(`rooms/${enc(roomId)}/messages`, body, signal);
  }

  /** `GET /rooms/{roomId}/messages/{messageId}`. */
  getMessage(roomId: string, messageId: string, signal?: AbortSignal): Promise<Message> {
    return this.json('GET', `rooms/${enc(roomId)}/messages/${enc(messageId)}`, { signal });
  }

  /**
   * `PATCH /rooms/{roomId}/messages/{messageId}`: replaces the text (and, given a body with
   * `mentions`, the mentions); `editedAt` is set and the former text goes to the history.
   */
  editMessage(roomId: string, messageId: string, text: string | EditMessageRequest, signal?: AbortSignal): Promise<Message> {
    const body: EditMessageRequest = typeof text === 'string' ? { text } : text;
    return this.json('PATCH', `rooms/${enc(roomId)}/messages/${enc(messageId)}`, { json: body, signal });
  }

  /** `DELETE /rooms/{roomId}/messages/{messageId}`: its reactions and media go with it. */
  async deleteMessage(roomId: string, messageId: string, signal?: AbortSignal): Promise<void> {
    await this.sendAndDrain('DELETE', `rooms/${enc(roomId)}/messages/${enc(messageId)}`, { signal });
  }

  // ---------- Conversation (API.md §8) ----------

  /** `GET /rooms/{roomId}/messages/{messageId}/thread`: the replies in a message's thread, oldest first. */
  listThread(roomId: string, messageId: string, options: PageOptions = {}, signal?: AbortSignal): Promise<Page<Message>> {
    return this.json('GET', `rooms/${enc(roomId)}/messages/${enc(messageId)}/thread`, { query: { ...options }, signal });
  }

  /** `POST /rooms/{roomId}/messages/{messageId}/pin` (`can_edit_room`; in private rooms either member): at most 50 a room (409). */
  pinMessage(roomId: string, messageId: string, signal?: AbortSignal): Promise<Message> {
    return this.json('POST', `rooms/${enc(roomId)}/messages/${enc(messageId)}/pin`, { signal });
  }

  /** `DELETE /rooms/{roomId}/messages/{messageId}/pin` (same permission as pinning): the message unpinned. */
  unpinMessage(roomId: string, messageId: string, signal?: AbortSignal): Promise<Message> {
    return this.json('DELETE', `rooms/${enc(roomId)}/messages/${enc(messageId)}/pin`, { signal });
  }

  /** `GET /rooms/{roomId}/pins` (readers): the pinned messages, newest pin first. */
  listPins(roomId: string, options: PageOptions = {}, signal?: AbortSignal): Promise<Page<Message>> {
    return this.json('GET', `rooms/${enc(roomId)}/pins`, { query: { ...options }, signal });
  }

  /** `GET /rooms/{roomId}/messages/{messageId}/history` (readers): earlier versions, newest first. */
  listMessageHistory(roomId: string, messageId: string, options: PageOptions = {}, signal?: AbortSignal): Promise<Page<MessageVersion>> {
    return this.json('GET', `rooms/${enc(roomId)}/messages/${enc(messageId)}/history`, { query: { ...options }, signal });
  }

  /** `GET /rooms/{roomId}/messages/{messageId}/readers` (readers): members other than the author who read up to it. */
  listMessageReaders(roomId: string, messageId: string, options: PageOptions = {}, signal?: AbortSignal): Promise<Page<Member>> {
    return this.json('GET', `rooms/${enc(roomId)}/messages/${enc(messageId)}/readers`, { query: { ...options }, signal });
  }

  /** `GET /search/messages?q=` (v1.2): messages of the caller's rooms (or of `roomId`) matching every word, newest first. */
  searchMessages(options: SearchMessagesOptions, signal?: AbortSignal): Promise<Page<Message>> {
    return this.json('GET', 'search/messages', { query: { ...options }, signal });
  }

  // ---------- Reactions ----------

  /** `GET /rooms/{roomId}/messages/{messageId}/reactions`. */
  listMessageReactions(roomId: string, messageId: string, options: PageOptions = {}, signal?: AbortSignal): Promise<Page<Reaction>> {
    return this.json('GET', `rooms/${enc(roomId)}/messages/${enc(messageId)}/reactions`, { query: { ...options }, signal });
  }

  /** `GET /reactions`: the caller's own reactions, newest first. */
  listMyReactions(options: PageOptions = {}, signal?: AbortSignal): Promise<Page<Reaction>> {
    return this.json('GET', 'reactions', { query: { ...options }, signal });
  }

  /** `POST /rooms/{roomId}/messages/{messageId}/reactions` (members): the same value again returns the existing one. */
  async addReaction(roomId: string, messageId: string, reaction: string, signal?: AbortSignal): Promise<Reaction> {
    return (await this.addReactionResult(roomId, messageId, reaction, signal)).value;
  }

  /** `POST …/reactions`, telling a new reaction (201) from the caller's existing one (200). */
  addReactionResult(roomId: string, messageId: string, reaction: string, signal?: AbortSignal): Promise<CreateResult<Reaction>> {
    return this.create(`rooms/${enc(roomId)}/messages/${enc(messageId)}/reactions`, { reaction }, signal);
  }

  /** `GET /reactions/{reactionId}`. */
  getReaction(reactionId: string, signal?: AbortSignal): Promise<Reaction> {
    return this.json('GET', `reactions/${enc(reactionId)}`, { signal });
  }

  /** `DELETE /reactions/{reactionId}`: its author, or a member with `can_delete_messages`. */
  async deleteReaction(reactionId: string, signal?: AbortSignal): Promise<void> {
    await this.sendAndDrain('DELETE', `reactions/${enc(reactionId)}`, { signal });
  }

  // ---------- Media ----------

  /** `POST /media` (multipart, one part named `file`): 413 over the size limit, 415 for a type not allowed. */
  uploadMedia(file: Blob, fileName?: string, signal?: AbortSignal): Promise<Media> {
    const form = new FormData();
    const ownName = (file as Blob & { name?: unknown }).name;
    const name = fileName ?? (typeof ownName === 'string' ? ownName : 'file');
    form.append('file', file, name);
    return this.json('POST', 'media', { form, signal });
  }

  /** `GET /media/{mediaId}`. */
  getMedia(mediaId: string, signal?: AbortSignal): Promise<Media> {
    return this.json('GET', `media/${enc(mediaId)}`, { signal });
  }

  /**
   * `GET /media/{mediaId}/content`: the bytes, all of them or a range (`{ start, end }`, both
   * inclusive; `end` omitted for the rest of the file). An `<img>` cannot send a bearer token: show
   * `URL.createObjectURL(content.blob)`.
   */
  async getMediaContent(mediaId: string, range?: { start: number; end?: number }, signal?: AbortSignal): Promise<MediaContent> {
    const headers: Record<string, string> = {};
    if (range) headers.Range = `bytes=${range.start}-${range.end ?? ''}`;
    const response = await this.send('GET', `media/${enc(mediaId)}/content`, { headers, signal });
    return {
      status: response.status,
      blob: await response.blob(),
      contentType: response.headers.get('Content-Type'),
      contentDisposition: response.headers.get('Content-Disposition'),
      contentRange: response.headers.get('Content-Range'),
    };
  }

  // ---------- Moderation (API.md §9) ----------

  /** `POST /rooms/{roomId}/bans` (`can_remove_users`): removes the user if a member and keeps them out. */
  banUser(roomId: string, body: BanRequest, signal?: AbortSignal): Promise<Ban> {
    return this.json('POST', `rooms/${enc(roomId)}/bans`, { json: body, signal });
  }

  /** `GET /rooms/{roomId}/bans` (`can_remove_users`): the bans in force. */
  listBans(roomId: string, options: PageOptions = {}, signal?: AbortSignal): Promise<Page<Ban>> {
    return this.json('GET', `rooms/${enc(roomId)}/bans`, { query: { ...options }, signal });
  }

  /** `DELETE /rooms/{roomId}/bans/{userId}` (`can_remove_users`). */
  async unbanUser(roomId: string, userId: string, signal?: AbortSignal): Promise<void> {
    await this.sendAndDrain('DELETE', `rooms/${enc(roomId)}/bans/${enc(userId)}`, { signal });
  }

  /** `POST /users/me/blocks`: the blocked user can no longer reach the caller. */
  blockUser(userId: string, signal?: AbortSignal): Promise<Block> {
    return this.json('POST', 'users/me/blocks', { json: { userId }, signal });
  }

  /** `GET /users/me/blocks`. */
  listBlocks(options: PageOptions = {}, signal?: AbortSignal): Promise<Page<Block>> {
    return this.json('GET', 'users/me/blocks', { query: { ...options }, signal });
  }

  /** `DELETE /users/me/blocks/{userId}`. */
  async unblockUser(userId: string, signal?: AbortSignal): Promise<void> {
    await this.sendAndDrain('DELETE', `users/me/blocks/${enc(userId)}`, { signal });
  }

  /** `POST /rooms/{roomId}/owner` (the owner): the former owner keeps every permission and may then leave. */
  transferOwnership(roomId: string, userId: string, signal?: AbortSignal): Promise<Room> {
    return this.json('POST', `rooms/${enc(roomId)}/owner`, { json: { userId }, signal });
  }

  /** `POST /rooms/{roomId}/invites` (`can_add_users`): the answer's `token` is shown only here. */
  createInvite(roomId: string, body: CreateInviteRequest = {}, signal?: AbortSignal): Promise<Invite> {
    return this.json('POST', `rooms/${enc(roomId)}/invites`, { json: body, signal });
  }

  /** `GET /rooms/{roomId}/invites` (`can_add_users`): without tokens. */
  listInvites(roomId: string, options: PageOptions = {}, signal?: AbortSignal): Promise<Page<Invite>> {
    return this.json('GET', `rooms/${enc(roomId)}/invites`, { query: { ...options }, signal });
  }

  /** `DELETE /rooms/{roomId}/invites/{token}`: revokes an invitation, named by its token or its id. */
  async revokeInvite(roomId: string, tokenOrId: string, signal?: AbortSignal): Promise<void> {
    await this.sendAndDrain('DELETE', `rooms/${enc(roomId)}/invites/${enc(tokenOrId)}`, { signal });
  }

  /** `POST /invites/{token}/accept`: joins the invitation's room. */
  acceptInvite(token: string, signal?: AbortSignal): Promise<Room> {
    return this.json('POST', `invites/${enc(token)}/accept`, { signal });
  }

  /** `POST /rooms/{roomId}/messages/{messageId}/reports` (readers): 202, handed to the host's moderators. */
  async reportMessage(roomId: string, messageId: string, reason: string, signal?: AbortSignal): Promise<void> {
    await this.sendAndDrain('POST', `rooms/${enc(roomId)}/messages/${enc(messageId)}/reports`, { json: { reason }, signal });
  }

  // ---------- Paging ----------

  /**
   * Follows `nextCursor` to the end of a list: `for await (const room of client.pages(o => client.listRooms(o)))`.
   */
  async *pages<T>(list: (page: PageOptions) => Promise<Page<T>>, limit?: number): AsyncGenerator<T> {
    let cursor: string | null = null;
    do {
      const page: Page<T> = await list(limit === undefined ? { cursor } : { cursor, limit });
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor);
  }

  /** Every item of a list, following `nextCursor`: `await client.all(o => client.listMembers(roomId, o))`. */
  async all<T>(list: (page: PageOptions) => Promise<Page<T>>, limit = 100): Promise<T[]> {
    const items: T[] = [];
    for await (const item of this.pages(list, limit)) items.push(item);
    return items;
  }

  // ---------- Transport ----------

  /**
   * Sends a request to a path under the mount (or an absolute URL) and returns the response when
   * its status is 2xx; throws a {@link DfChatError} otherwise. The escape hatch for anything the
   * typed methods do not cover.
   */
  async send(method: string, path: string, init: DfChatRequest = {}): Promise<Response> {
    const url = this.url(path, init.query);
    let retried = false;
    for (;;) {
      const headers: Record<string, string> = { Accept: 'application/json', ...this.options.headers, ...init.headers };
      const token = await this.accessToken();
      if (token) headers.Authorization = `Bearer ${token}`;
      let body: BodyInit | undefined = init.body;
      if (init.form) body = init.form;
      else if (init.json !== undefined) {
        headers['Content-Type'] = 'application/json';
        body = JSON.stringify(init.json);
      }
      let response: Response;
      try {
        response = await this.fetchImpl(url, {
          method,
          headers,
          body,
          signal: init.signal,
          ...(this.options.credentials ? { credentials: this.options.credentials } : {}),
        });
      } catch (error) {
        if ((error as { name?: string }).name === 'AbortError') throw error;
        throw new DfChatError({ status: 0, request: { method, url }, message: `${method} ${url} failed: ${String(error)}`, cause: error });
      }
      if (response.status === 401 && !retried && this.options.onUnauthorized) {
        retried = true;
        await response.body?.cancel().catch(() => undefined);
        if (await this.options.onUnauthorized()) continue;
      }
      if (response.ok) return response;
      throw await errorFrom(response, method, url);
    }
  }

  /**
   * A route answered with no content of interest (204, 202): its body is read to the end all the same,
   * since a browser reports a response whose body was never read as a cancelled request (ERR_ABORTED).
   */
  private async sendAndDrain(method: string, path: string, init: DfChatRequest = {}): Promise<void> {
    const response = await this.send(method, path, init);
    await response.arrayBuffer().catch(() => undefined);
  }

  private async json<T>(method: string, path: string, init: DfChatRequest = {}): Promise<T> {
    const response = await this.send(method, path, init);
    return (await response.json()) as T;
  }

  private async create<T>(path: string, body: unknown, signal?: AbortSignal): Promise<CreateResult<T>> {
    const response = await this.send('POST', path, { json: body, signal });
    return { value: (await response.json()) as T, created: response.status === 201, location: response.headers.get('Location') };
  }

  private url(path: string, query?: Query): string {
    let base: string;
    if (/^([a-z][a-z0-9+.-]*:)?\/\//i.test(path)) base = path;
    // A host-relative URL such as a media's `url`: against the mount's origin when it has one.
    else if (path.startsWith('/')) base = /^[a-z][a-z0-9+.-]*:\/\//i.test(this.baseUrl) ? new URL(path, this.baseUrl).toString() : path;
    else base = `${this.baseUrl}/${path}`;
    if (!query) return base;
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
    }
    const text = params.toString();
    return text ? `${base}?${text}` : base;
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

async function errorFrom(response: Response, method: string, url: string): Promise<DfChatError> {
  let problem: ProblemDetails | null = null;
  try {
    const text = await response.text();
    if (text) problem = JSON.parse(text) as ProblemDetails;
  } catch {
    // Not JSON: the status alone tells.
  }
  return new DfChatError({
    status: response.status,
    problem,
    retryAfter: parseRetryAfter(response.headers.get('Retry-After')),
    request: { method, url },
  });
}
