// The sequencer's rules on a scripted event log: what a real host cannot be made to do on demand
// (410 after retention, failures to retry), plus DfChatError's reading of Retry-After.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DfChatClient, DfChatError, RoomEventSequencer, parseRetryAfter, type ChatEvent, type ResyncNeeded, type StoredEvent } from '../src/index.js';
import { waitFor } from './host.js';

function message(roomId: string, seq: number): ChatEvent {
  return { type: 'messageDeleted', payload: { roomId, messageId: `m${seq}`, seq } };
}

function stored(roomId: string, seq: number): StoredEvent {
  return { seq, type: 'messageDeleted', payload: { roomId, messageId: `m${seq}`, seq }, createdAt: new Date().toISOString() };
}

function harness(log: (after: number) => StoredEvent[] | Error) {
  const delivered: ChatEvent[] = [];
  const resyncs: ResyncNeeded[] = [];
  const fetches: number[] = [];
  const sequencer = new RoomEventSequencer({
    fetchEvents: async (_roomId, after) => {
      fetches.push(after);
      const result = log(after);
      if (result instanceof Error) throw result;
      return { items: result, nextCursor: null };
    },
    deliver: (event) => delivered.push(event),
    resyncNeeded: (notice) => resyncs.push(notice),
    retryDelay: () => 10,
  });
  const seqOf = () => delivered.map((e) => (e.payload as { seq: number }).seq);
  return { sequencer, delivered, resyncs, fetches, seqOf };
}

const gone = new DfChatError({ status: 410, request: { method: 'GET', url: '/events' }, problem: { status: 410, title: 'events_gone' } });

describe('RoomEventSequencer', () => {
  test('delivers in order, drops duplicates, holds an event past a gap until the log fills it', async () => {
    const h = harness((after) => [3, 4, 5].filter((s) => s > after).map((s) => stored('r', s)));
    h.sequencer.track('r', 2);
    h.sequencer.receive(message('r', 2));
    h.sequencer.receive(message('r', 5));
    assert.deepEqual(h.seqOf(), [], '5 waits for 3 and 4');
    await waitFor('the gap', () => h.seqOf().length === 3);
    h.sequencer.receive(message('r', 4));
    h.sequencer.receive(message('r', 6));
    assert.deepEqual(h.seqOf(), [3, 4, 5, 6]);
    assert.deepEqual(h.fetches, [2]);
  });

  test('tracking a tracked room again keeps its place, unless the app says it reloaded the room', async () => {
    const h = harness((after) => [2, 3, 4].filter((s) => s > after).map((s) => stored('r', s)));
    h.sequencer.track('r', 1);
    // A room list reloaded for its counts says lastSeq 3: events 2 and 3 are still owed to the app.
    h.sequencer.track('r', 3);
    assert.equal(h.sequencer.lastSeq('r'), 1);
    await h.sequencer.catchUp('r');
    assert.deepEqual(h.seqOf(), [2, 3, 4]);
    h.sequencer.track('r', 9, { reloaded: true });
    assert.equal(h.sequencer.lastSeq('r'), 9);
  });

  test('typing (no seq) goes straight through', () => {
    const h = harness(() => []);
    h.sequencer.receive({ type: 'typing', payload: { roomId: 'r', userId: 'u' } });
    assert.equal(h.delivered.length, 1);
  });

  test('410: resyncNeeded, later events held until the app reloads the room and tracks it again', async () => {
    let answer: 'gone' | 'ok' = 'gone';
    const h = harness((after) => (answer === 'gone' ? gone : [11, 12].filter((s) => s > after).map((s) => stored('r', s))));
    h.sequencer.track('r', 3);
    h.sequencer.receive(message('r', 9));
    await waitFor('resyncNeeded', () => h.resyncs.length === 1);
    assert.equal(h.resyncs[0]!.reason, 'events_gone');
    assert.equal(h.resyncs[0]!.error.status, 410);
    h.sequencer.receive(message('r', 12));
    assert.deepEqual(h.seqOf(), []);
    answer = 'ok';
    // The app reloaded the room: its lastSeq is 10.
    h.sequencer.track('r', 10);
    await waitFor('11 and the held 12', () => h.seqOf().length === 2);
    assert.deepEqual(h.seqOf(), [11, 12]);
  });

  test('404: the room is dropped with room_unavailable', async () => {
    const h = harness(() => new DfChatError({ status: 404, request: { method: 'GET', url: '/events' } }));
    h.sequencer.track('r', 1);
    await h.sequencer.catchUp('r');
    assert.equal(h.resyncs[0]!.reason, 'room_unavailable');
    assert.equal(h.sequencer.lastSeq('r'), undefined);
  });

  test('a failed catch-up (503, network) is retried until it succeeds', async () => {
    let failures = 2;
    const h = harness((after) => (failures-- > 0
      ? new DfChatError({ status: 503, request: { method: 'GET', url: '/events' } })
      : [2, 3].filter((s) => s > after).map((s) => stored('r', s))));
    h.sequencer.track('r', 1);
    h.sequencer.receive(message('r', 3));
    await waitFor('the retry', () => h.seqOf().length === 2);
    assert.deepEqual(h.seqOf(), [2, 3]);
    assert.equal(h.fetches.length, 3);
  });

  test('a handler that throws does not stall the room', () => {
    const delivered: number[] = [];
    const errors: unknown[] = [];
    const sequencer = new RoomEventSequencer({
      fetchEvents: async () => ({ items: [], nextCursor: null }),
      deliver: (event) => {
        const seq = (event.payload as { seq: number }).seq;
        delivered.push(seq);
        if (seq === 1) throw new Error('app bug');
      },
      resyncNeeded: () => undefined,
      error: (_roomId, error) => errors.push(error),
    });
    sequencer.track('r', 0);
    sequencer.receive(message('r', 1));
    sequencer.receive(message('r', 2));
    assert.deepEqual(delivered, [1, 2]);
    assert.equal(errors.length, 1);
  });
});

describe('DfChatError', () => {
  test('429 and 503 carry Retry-After in seconds, from seconds or an HTTP date', async () => {
    const fake = (async () => new Response(JSON.stringify({ status: 429, title: 'Too many requests' }), {
      status: 429,
      headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '7' },
    })) as typeof fetch;
    const client = new DfChatClient({ baseUrl: 'http://chat.test/api/chat', fetch: fake });
    await assert.rejects(client.sendMessage('1', { text: 'x' }), (error: unknown) => {
      assert.ok(error instanceof DfChatError);
      assert.equal(error.status, 429);
      assert.equal(error.retryAfter, 7);
      assert.equal(error.isTransient, true);
      assert.equal(error.problem?.title, 'Too many requests');
      return true;
    });
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now), 30);
    assert.equal(parseRetryAfter(null), null);
  });
});
