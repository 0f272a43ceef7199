import { DfChatError } from './errors.js';
import type { ChatEvent, ChatEventType, Page, StoredEvent } from './models.js';

/** Why a room's events cannot be continued: the app must reload the room (or drop it). */
export interface ResyncNeeded {
  roomId: string;
  /**
   * `events_gone` (410): the events after the last seq seen are no longer kept; reload the room with
   * `getRoom` and call `track(roomId, room.lastSeq)` again.
   * `room_unavailable` (404): the room was deleted or can no longer be read; it is no longer tracked.
   */
  reason: 'events_gone' | 'room_unavailable';
  error: DfChatError;
}

/** What a {@link RoomEventSequencer} needs from its owner. */
export interface RoomEventSequencerOptions {
  /** Reads a page of `GET /rooms/{roomId}/events`. */
  fetchEvents: (roomId: string, after: number, cursor: string | null) => Promise<Page<StoredEvent>>;
  /** Receives every event once, in seq order per room. */
  deliver: (event: ChatEvent) => void;
  /** A room whose gap cannot be filled. */
  resyncNeeded: (notice: ResyncNeeded) => void;
  /** A catch-up failed for another reason (network, 503); it is retried after `retryDelay`. */
  error?: (roomId: string, error: unknown) => void;
  /** Events of a room that is not tracked: `deliver` (default) starts tracking it at that event; `ignore` drops them. */
  untracked?: 'deliver' | 'ignore';
  /** Milliseconds before a failed catch-up is tried again; default 1 s doubling to 30 s. */
  retryDelay?: (attempt: number) => number;
  /** Page size of the catch-up reads (default 100). */
  pageSize?: number;
}

interface RoomState {
  /** The seq of the newest event delivered (or contained in the room as the app loaded it). */
  last: number;
  /** Events that arrived ahead of a gap, by seq. */
  pending: Map<number, ChatEvent>;
  /** The catch-up running now, if any. */
  syncing: Promise<void> | null;
  /** Another catch-up was asked for while one ran. */
  again: boolean;
  /** After a 410: buffering until the app reloads the room and calls `track` again. */
  awaitingReload: boolean;
  retryTimer: ReturnType<typeof setTimeout> | null;
  failures: number;
}

/** The room an event belongs to: `roomId`, or `id` for `roomUpdated` (a Room). */
export function roomIdOf(event: ChatEvent): string {
  const payload = event.payload as { roomId?: string; id?: string };
  return (event.type === 'roomUpdated' ? payload.id ?? payload.roomId : payload.roomId ?? payload.id) ?? '';
}

/**
 * Turns an at-least-once, possibly gappy stream of room events into exactly-once delivery in seq
 * order per room: duplicates (a seq already delivered) are dropped, an event past a gap is held
 * while the gap is read from `GET /rooms/{roomId}/events?after=`, and `catchUp` reads whatever a
 * disconnection missed. Transport-free, so that any source of events can use it.
 */
export class RoomEventSequencer {
  private readonly rooms = new Map<string, RoomState>();
  private readonly options: RoomEventSequencerOptions;
  private stopped = false;

  constructor(options: RoomEventSequencerOptions) {
    this.options = options;
  }

  /**
   * Starts tracking a room at `lastSeq`, the room's `lastSeq` as the app loaded it: events up to it
   * are in what the app loaded; later ones are delivered. A room tracked already goes on from the
   * events delivered so far (a room list reloaded for its counts must not skip the events that an
   * open room still needs), unless it waits for a reload after a 410, or `reloaded` says that the
   * app has just loaded everything of the room up to `lastSeq` again.
   */
  track(roomId: string, lastSeq: number, options: { reloaded?: boolean } = {}): void {
    const state = this.rooms.get(roomId);
    if (!state) {
      this.rooms.set(roomId, newState(lastSeq));
      return;
    }
    if (!state.awaitingReload && !options.reloaded) return;
    state.last = lastSeq;
    state.awaitingReload = false;
    this.drain(roomId, state);
    if (state.pending.size > 0) void this.sync(roomId);
  }

  /** Stops tracking a room (left, deleted, or no longer of interest); its later events count as untracked. */
  untrack(roomId: string): void {
    const state = this.rooms.get(roomId);
    if (state?.retryTimer) clearTimeout(state.retryTimer);
    this.rooms.delete(roomId);
  }

  /** The seq of the newest event delivered for a room, or undefined when it is not tracked. */
  lastSeq(roomId: string): number | undefined {
    return this.rooms.get(roomId)?.last;
  }

  /** The rooms tracked. */
  trackedRooms(): string[] {
    return [...this.rooms.keys()];
  }

  /** Takes one event as it arrived (live, from the hub). */
  receive(event: ChatEvent): void {
    if (this.stopped) return;
    const seq = (event.payload as { seq?: number }).seq;
    if (event.type === 'typing' || typeof seq !== 'number') {
      this.options.deliver(event);
      return;
    }
    const roomId = roomIdOf(event);
    let state = this.rooms.get(roomId);
    if (!state) {
      if (this.options.untracked === 'ignore') return;
      state = newState(seq - 1);
      this.rooms.set(roomId, state);
    }
    if (seq <= state.last) return;
    if (seq === state.last + 1 && !state.awaitingReload && state.pending.size === 0) {
      this.deliverNext(state, event);
      return;
    }
    state.pending.set(seq, event);
    if (state.awaitingReload) return;
    this.drain(roomId, state);
    if (state.pending.size > 0) void this.sync(roomId);
  }

  /** Reads every tracked room's missed events (after a reconnect). Resolves when all are caught up or failed. */
  async catchUpAll(concurrency = 4): Promise<void> {
    const queue = [...this.rooms.keys()];
    const worker = async () => {
      for (let roomId = queue.shift(); roomId !== undefined; roomId = queue.shift()) await this.sync(roomId);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  }

  /** Reads a room's events after its last seq to the end and delivers the new ones. */
  catchUp(roomId: string): Promise<void> {
    return this.sync(roomId);
  }

  /** Stops all catch-ups and retries; nothing more is delivered. */
  stop(): void {
    this.stopped = true;
    for (const state of this.rooms.values()) if (state.retryTimer) clearTimeout(state.retryTimer);
  }

  private deliverNext(state: RoomState, event: ChatEvent): void {
    state.last += 1;
    try {
      this.options.deliver(event);
    } catch (error) {
      // An app handler's failure must not stall the room's later events.
      this.options.error?.(roomIdOf(event), error);
    }
  }

  /** Delivers the held events that now follow on, and drops those already delivered. */
  private drain(roomId: string, state: RoomState): void {
    if (state.awaitingReload) return;
    for (const seq of state.pending.keys()) if (seq <= state.last) state.pending.delete(seq);
    for (let next = state.pending.get(state.last + 1); next; next = state.pending.get(state.last + 1)) {
      state.pending.delete(state.last + 1);
      this.deliverNext(state, next);
      // A handler may have untracked the room (memberRemoved of the caller, roomDeleted).
      if (this.rooms.get(roomId) !== state) return;
    }
  }

  private sync(roomId: string): Promise<void> {
    const state = this.rooms.get(roomId);
    if (!state || state.awaitingReload || this.stopped) return Promise.resolve();
    if (state.syncing) {
      state.again = true;
      return state.syncing;
    }
    if (state.retryTimer) {
      clearTimeout(state.retryTimer);
      state.retryTimer = null;
    }
    state.syncing = this.runSync(roomId, state).finally(() => {
      state.syncing = null;
    });
    return state.syncing;
  }

  private async runSync(roomId: string, state: RoomState): Promise<void> {
    const current = () => !this.stopped && this.rooms.get(roomId) === state && !state.awaitingReload;
    try {
      do {
        state.again = false;
        const before = state.last;
        let cursor: string | null = null;
        do {
          const page: Page<StoredEvent> = await this.options.fetchEvents(roomId, state.last, cursor);
          if (!current()) return;
          for (const item of page.items) {
            const event = { type: item.type, payload: { ...item.payload, seq: item.seq } } as ChatEvent;
            if (item.seq > state.last) state.pending.set(item.seq, event);
          }
          this.drain(roomId, state);
          if (!current()) return;
          cursor = page.nextCursor;
        } while (cursor);
        // Held events beyond what the log had a moment ago: read again while that makes progress.
        if (state.pending.size > 0) {
          if (state.last > before) state.again = true;
          else throw new Error(`Room ${roomId}: the event log ends before seq ${Math.min(...state.pending.keys())}.`);
        }
      } while (state.again && current());
      state.failures = 0;
    } catch (error) {
      if (!current()) return;
      if (error instanceof DfChatError && error.status === 410) {
        state.awaitingReload = true;
        this.options.resyncNeeded({ roomId, reason: 'events_gone', error });
      } else if (error instanceof DfChatError && error.status === 404) {
        this.untrack(roomId);
        this.options.resyncNeeded({ roomId, reason: 'room_unavailable', error });
      } else {
        this.options.error?.(roomId, error);
        const delay = (this.options.retryDelay ?? defaultRetryDelay)(state.failures++);
        state.retryTimer = setTimeout(() => {
          state.retryTimer = null;
          void this.sync(roomId);
        }, delay);
      }
    }
  }
}

function newState(last: number): RoomState {
  return { last, pending: new Map(), syncing: null, again: false, awaitingReload: false, retryTimer: null, failures: 0 };
}

function defaultRetryDelay(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** attempt);
}

/** Narrows a ChatEvent to one type: `if (isEvent(e, 'messageCreated')) e.payload.text`. */
export function isEvent<K extends ChatEventType>(event: ChatEvent, type: K): event is Extract<ChatEvent, { type: K }> {
  return event.type === type;
}
