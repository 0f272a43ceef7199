import * as signalR from '@microsoft/signalr';
import type { DfChatClient } from './client.js';
import { CHAT_EVENT_TYPES, type ChatEvent, type ChatEventMap, type Room } from './models.js';
import { RoomEventSequencer, roomIdOf, type ResyncNeeded } from './sequencer.js';

/** The hub connection's state as the app shows it. */
export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting';

/** Everything a {@link DfChatRealtime} emits: each hub event by name, plus its own notices. */
export interface RealtimeEventMap extends ChatEventMap {
  /** Every hub event (typing included), in delivery order: one handler for all. */
  event: ChatEvent;
  /** A room's gap cannot be filled (410: reload it and call `track` again; 404: it is gone). */
  resyncNeeded: ResyncNeeded;
  /** The connection's state changed. */
  stateChanged: { state: ConnectionState; error?: unknown };
  /** Connected again after a loss, with every tracked room caught up: a good moment to reload the room list. */
  reconnected: Record<string, never>;
  /** A catch-up read failed (it is retried) or an event handler threw. */
  error: { roomId?: string; error: unknown };
}

/** Options of {@link DfChatRealtime}. */
export interface DfChatRealtimeOptions {
  /** Milliseconds before reconnect attempt `attempt` (0-based); default 0, 1 s, 2 s, 4 s … up to 30 s, forever. */
  reconnectDelay?: (attempt: number) => number;
  /** Events of rooms not tracked: `deliver` (default) starts tracking the room at that event; `ignore` drops them. */
  untracked?: 'deliver' | 'ignore';
  /** SignalR's own logging; default warnings. */
  logLevel?: signalR.LogLevel;
  /** Last say over the SignalR connection (transports, protocols, …) before it is built. */
  configure?: (builder: signalR.HubConnectionBuilder) => void;
}

type Handler<T> = (payload: T) => void;

/**
 * The hub, gap-free: connects to `{baseUrl}/hub` with the client's authentication, reconnects
 * forever, and delivers each room's events exactly once and in `seq` order, reading what a gap or a
 * disconnection missed from `GET /rooms/{roomId}/events`. Track each room the app shows from the
 * `lastSeq` it loaded (`trackRoom(room)`); rooms it joins later are tracked from their first event.
 */
export class DfChatRealtime {
  /** The underlying SignalR connection. */
  readonly connection: signalR.HubConnection;
  private readonly client: DfChatClient;
  private readonly options: DfChatRealtimeOptions;
  private readonly sequencer: RoomEventSequencer;
  private readonly handlers = new Map<string, Set<Handler<never>>>();
  private readonly watched = new Set<string>();
  private currentState: ConnectionState = 'disconnected';
  private stopRequested = true;
  private running: Promise<void> | null = null;
  private me: string | null = null;
  private everConnected = false;
  /** Bumped by every start and stop, so that a connect loop of an earlier start gives up. */
  private generation = 0;

  constructor(client: DfChatClient, options: DfChatRealtimeOptions = {}) {
    this.client = client;
    this.options = options;
    this.sequencer = new RoomEventSequencer({
      fetchEvents: (roomId, after, cursor) => client.listEvents(roomId, cursor ? { cursor, limit: 100 } : { after, limit: 100 }),
      deliver: (event) => this.deliver(event),
      resyncNeeded: (notice) => this.emit('resyncNeeded', notice),
      error: (roomId, error) => this.emit('error', { roomId, error }),
      untracked: options.untracked,
    });

    const builder = new signalR.HubConnectionBuilder()
      .withUrl(client.hubUrl, {
        accessTokenFactory: async () => (await client.accessToken()) ?? '',
        withCredentials: client.credentials !== 'omit',
      })
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (context) => this.delay(context.previousRetryCount) })
      .configureLogging(options.logLevel ?? signalR.LogLevel.Warning);
    options.configure?.(builder);
    this.connection = builder.build();

    for (const type of CHAT_EVENT_TYPES) {
      this.connection.on(type, (payload: never) => this.sequencer.receive({ type, payload } as ChatEvent));
    }
    this.connection.onreconnecting((error) => this.setState('reconnecting', error));
    this.connection.onreconnected(() => void this.afterConnected());
    this.connection.onclose((error) => {
      if (this.stopRequested) {
        this.setState('disconnected', error);
        return;
      }
      // Automatic reconnect gave up or the server closed without allowing it: start over.
      this.setState('disconnected', error);
      this.running = this.connectLoop(1);
    });
  }

  /** The connection's state. */
  get state(): ConnectionState {
    return this.currentState;
  }

  /** Listens to an event; returns the function that stops listening. */
  on<K extends keyof RealtimeEventMap>(type: K, handler: Handler<RealtimeEventMap[K]>): () => void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    set.add(handler as Handler<never>);
    return () => this.off(type, handler);
  }

  /** Stops listening. */
  off<K extends keyof RealtimeEventMap>(type: K, handler: Handler<RealtimeEventMap[K]>): void {
    this.handlers.get(type)?.delete(handler as Handler<never>);
  }

  /**
   * Connects, retrying until it succeeds or `stop` is called; resolves once connected and caught
   * up. Later losses reconnect by themselves.
   */
  start(): Promise<void> {
    if (!this.stopRequested && this.running) return this.running;
    this.stopRequested = false;
    this.generation++;
    this.running = this.connectLoop(0);
    return this.running;
  }

  /** Closes the connection; no reconnect follows. Tracking is kept for a later `start`. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.generation++;
    await this.connection.stop();
    this.setState('disconnected');
  }

  /**
   * Tracks a room from the `lastSeq` the app loaded it with: later events are delivered. A room
   * tracked already goes on from the events delivered so far (so reloading a room list never skips
   * events), except after `resyncNeeded` or with `reloaded: true` (the app has just loaded all of the
   * room again, messages included), where tracking restarts at this `lastSeq`.
   */
  trackRoom(room: Pick<Room, 'id' | 'lastSeq'>, options: { reloaded?: boolean } = {}): void {
    this.sequencer.track(room.id, room.lastSeq ?? 0, options);
  }

  /** Tracks each room of a list (for instance `GET /rooms`) that is not tracked yet. */
  trackRooms(rooms: Iterable<Pick<Room, 'id' | 'lastSeq'>>): void {
    for (const room of rooms) this.trackRoom(room);
  }

  /** Tracks a room from a seq, as `trackRoom` does. */
  track(roomId: string, lastSeq: number, options: { reloaded?: boolean } = {}): void {
    this.sequencer.track(roomId, lastSeq, options);
  }

  /** Stops tracking a room. */
  untrack(roomId: string): void {
    this.sequencer.untrack(roomId);
  }

  /** The seq of the newest event delivered for a room (undefined when not tracked). */
  lastSeq(roomId: string): number | undefined {
    return this.sequencer.lastSeq(roomId);
  }

  /** Reads every tracked room's events missed so far (done by itself after each reconnect). */
  catchUp(): Promise<void> {
    return this.sequencer.catchUpAll();
  }

  /** Tells the room the caller is typing (best effort: nothing is sent while disconnected). */
  async typing(roomId: string): Promise<void> {
    if (this.connection.state !== signalR.HubConnectionState.Connected) return;
    await this.connection.invoke('Typing', roomId);
  }

  /** Follows a public room without joining it; kept across reconnects. Track it too (`trackRoom`). */
  async watch(roomId: string): Promise<void> {
    this.watched.add(roomId);
    if (this.connection.state === signalR.HubConnectionState.Connected) await this.connection.invoke('Watch', roomId);
  }

  /** Stops following a public room. */
  async unwatch(roomId: string): Promise<void> {
    this.watched.delete(roomId);
    if (this.connection.state === signalR.HubConnectionState.Connected) await this.connection.invoke('Unwatch', roomId);
  }

  private delay(attempt: number): number {
    return (this.options.reconnectDelay ?? defaultReconnectDelay)(attempt);
  }

  private async connectLoop(firstAttempt: number): Promise<void> {
    const generation = this.generation;
    const current = () => !this.stopRequested && generation === this.generation;
    for (let attempt = firstAttempt; current(); attempt++) {
      if (attempt > 0) await sleep(this.delay(attempt - 1));
      if (!current()) return;
      if (this.connection.state !== signalR.HubConnectionState.Disconnected) return;
      this.setState('connecting');
      try {
        await this.connection.start();
      } catch (error) {
        this.setState('disconnected', error);
        continue;
      }
      await this.afterConnected();
      return;
    }
  }

  /** On every (re)connection: follow watched rooms again, then read what was missed meanwhile. */
  private async afterConnected(): Promise<void> {
    const reconnect = this.everConnected;
    this.everConnected = true;
    this.setState('connected');
    if (this.me === null) {
      try {
        this.me = (await this.client.getMe()).id;
      } catch (error) {
        this.emit('error', { error });
      }
    }
    for (const roomId of this.watched) {
      await this.connection.invoke('Watch', roomId).catch((error: unknown) => this.emit('error', { roomId, error }));
    }
    await this.sequencer.catchUpAll();
    if (reconnect) this.emit('reconnected', {});
  }

  private deliver(event: ChatEvent): void {
    this.emit(event.type, event.payload as never);
    this.emit('event', event);
    // The caller gets nothing more of a room it left or that was deleted.
    const ownRemoval = event.type === 'memberRemoved' && this.me !== null && event.payload.userId === this.me;
    if (event.type === 'roomDeleted' || ownRemoval) this.sequencer.untrack(roomIdOf(event));
  }

  private setState(state: ConnectionState, error?: unknown): void {
    if (state === this.currentState && error === undefined) return;
    this.currentState = state;
    this.emit('stateChanged', error === undefined ? { state } : { state, error });
  }

  private emit<K extends keyof RealtimeEventMap>(type: K, payload: RealtimeEventMap[K]): void {
    for (const handler of [...(this.handlers.get(type) ?? [])]) {
      try {
        (handler as Handler<RealtimeEventMap[K]>)(payload);
      } catch (error) {
        if (type === 'error') console.error(error);
        else this.emit('error', { error });
      }
    }
  }
}

function defaultReconnectDelay(attempt: number): number {
  return attempt === 0 ? 0 : Math.min(30_000, 1000 * 2 ** (attempt - 1));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
