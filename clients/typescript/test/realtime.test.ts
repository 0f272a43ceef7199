// Real time against a real samples/HostApp: every hub event typed and delivered once in seq order,
// a reconnect that missed events and recovers them all exactly once, and gap filling.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  DfChatClient,
  DfChatRealtime,
  RoomEventSequencer,
  isRedacted,
  LogLevel,
  type ChatEvent,
  type ConnectionState,
} from '../src/index.js';
import { CuttableProxy, PNG, SampleHost, waitFor, type TestUser } from './host.js';

let host: SampleHost;
let alice: TestUser;
let bob: TestUser;
const open: DfChatRealtime[] = [];

before(async () => {
  host = await SampleHost.start();
  [alice, bob] = await Promise.all([host.user('alice'), host.user('bob')]);
});

after(async () => {
  await Promise.all(open.map((r) => r.stop()));
  await host?.dispose();
});

/** A connected realtime client that records what it delivers. */
async function listen(client: DfChatClient, name: string) {
  const realtime = new DfChatRealtime(client, { reconnectDelay: () => 100, logLevel: LogLevel.None });
  open.push(realtime);
  const events: ChatEvent[] = [];
  const states: ConnectionState[] = [];
  let reconnects = 0;
  realtime.on('event', (event) => events.push(event));
  realtime.on('stateChanged', ({ state }) => states.push(state));
  realtime.on('reconnected', () => reconnects++);
  await realtime.start();
  return {
    name,
    realtime,
    events,
    states,
    reconnects: () => reconnects,
    of: (roomId: string) => events.filter((e) => e.type !== 'typing' && (e.payload as { roomId?: string; id?: string }).roomId === roomId
      || (e.type === 'roomUpdated' && e.payload.id === roomId)),
  };
}

function seqs(events: ChatEvent[]): number[] {
  return events.map((e) => (e.payload as { seq: number }).seq);
}

/** Seqs that run one by one from `first`, no duplicate, no hole. */
function assertConsecutive(events: ChatEvent[], first: number, label: string): void {
  const actual = seqs(events);
  assert.deepEqual(actual, Array.from({ length: actual.length }, (_, i) => first + i), `${label}: ${actual.join(',')}`);
}

describe('real time', () => {
  test('every hub event arrives typed, once, in seq order, to both members', async () => {
    const a = await listen(alice.client, 'alice');
    const b = await listen(bob.client, 'bob');
    const room = await alice.client.createRoom({ type: 'group', name: 'Live', userIds: [bob.id] });
    a.realtime.trackRoom({ id: room.id, lastSeq: 0 });

    const media = await alice.client.uploadMedia(new Blob([PNG], { type: 'image/png' }), 'dot.png');
    const message = await alice.client.sendMessage(room.id, { text: 'hello', mediaIds: [media.id] });
    await bob.client.editMessage(room.id, (await bob.client.sendMessage(room.id, { text: 'hi' })).id, 'hi!');
    const reaction = await bob.client.addReaction(room.id, message.id, 'like');
    await bob.client.deleteReaction(reaction.id);
    await bob.client.markRead(room.id, message.id);
    await bob.client.updateMember(room.id, 'me', { muted: true });
    await alice.client.updateRoom(room.id, { description: 'live room' });
    await waitFor('the typing event', async () => {
      await b.realtime.typing(room.id);
      return a.events.some((e) => e.type === 'typing' && e.payload.roomId === room.id && e.payload.userId === bob.id);
    });
    await alice.client.deleteMessage(room.id, message.id);
    await alice.client.removeMember(room.id, bob.id);
    const last = await alice.client.getRoom(room.id);
    await waitFor('alice has every event', () => a.of(room.id).length === last.lastSeq);
    await alice.client.deleteRoom(room.id);
    await waitFor('roomDeleted', () => a.events.some((e) => e.type === 'roomDeleted' && e.payload.roomId === room.id));

    const aliceTypes = a.of(room.id).map((e) => e.type);
    for (const type of ['memberAdded', 'messageCreated', 'messageUpdated', 'reactionAdded', 'reactionRemoved', 'read',
      'memberUpdated', 'roomUpdated', 'messageDeleted', 'memberRemoved', 'roomDeleted'] as const) {
      assert.ok(aliceTypes.includes(type), `alice got ${type}: ${aliceTypes.join(',')}`);
    }
    assertConsecutive(a.of(room.id), 1, 'alice');
    const created = a.of(room.id).find((e) => e.type === 'messageCreated');
    assert.ok(created?.type === 'messageCreated' && !isRedacted(created.payload));
    assert.equal(created.payload.text, 'hello');
    assert.deepEqual(created.payload.user, { id: alice.id, displayName: alice.email });
    assert.deepEqual(created.payload.media.map((m) => m.id), [media.id]);

    // Bob was not tracking the room: it is tracked from his first event (his memberAdded), up to his own removal.
    const bobs = b.of(room.id);
    assertConsecutive(bobs, seqs(bobs)[0]!, 'bob');
    const removed = bobs.at(-1);
    assert.ok(removed?.type === 'memberRemoved' && removed.payload.userId === bob.id, `bob's last event: ${removed?.type}`);
    assert.equal(b.realtime.lastSeq(room.id), undefined, 'a room the caller was removed from is no longer tracked');
  });

  test('a reconnect that missed events recovers every one of them exactly once, in order', async () => {
    const proxy = await CuttableProxy.start(host.port);
    try {
      const bobViaProxy = new DfChatClient({ baseUrl: `${proxy.origin}/api/chat`, accessToken: () => bob.token });
      const room = await alice.client.createRoom({ type: 'group', name: 'Flaky', userIds: [bob.id] });
      await alice.client.sendMessage(room.id, { text: 'before' });
      const b = await listen(bobViaProxy, 'bob');
      const loaded = await bobViaProxy.getRoom(room.id);
      b.realtime.trackRoom(loaded);
      await alice.client.sendMessage(room.id, { text: 'live 1' });
      await waitFor('live 1', () => b.of(room.id).length === 1);

      proxy.cut();
      await waitFor('bob notices the loss', () => b.realtime.state !== 'connected');
      const missed: string[] = [];
      for (let i = 1; i <= 12; i++) {
        const sent = await alice.client.sendMessage(room.id, { text: `missed ${i}` });
        missed.push(sent.id);
      }
      await alice.client.editMessage(room.id, missed[0]!, 'missed 1, edited');
      await alice.client.addReaction(room.id, missed[1]!, 'like');
      await alice.client.deleteMessage(room.id, missed[2]!);
      const expectedLast = (await alice.client.getRoom(room.id)).lastSeq;
      assert.equal(b.of(room.id).length, 1, 'nothing reached bob while cut off');

      proxy.restore();
      await waitFor('bob catches up', () => b.realtime.lastSeq(room.id) === expectedLast, 30_000);
      await waitFor('the reconnected notice', () => b.reconnects() >= 1);
      // Events sent after the reconnect keep flowing, still once each.
      await alice.client.sendMessage(room.id, { text: 'after' });
      await waitFor('after', () => b.of(room.id).length === expectedLast - loaded.lastSeq + 1);

      const got = b.of(room.id);
      assertConsecutive(got, loaded.lastSeq + 1, 'bob after the reconnect');
      // Deleted means gone: the log serves the deleted message's messageCreated redacted.
      const texts = got.filter((e) => e.type === 'messageCreated').map((e) => (isRedacted(e.payload) ? 'redacted' : e.payload.text));
      const missedTexts = Array.from({ length: 12 }, (_, i) => (i === 2 ? 'redacted' : `missed ${i + 1}`));
      assert.deepEqual(texts, ['live 1', ...missedTexts, 'after']);
      const redacted = got.find((e) => e.type === 'messageCreated' && isRedacted(e.payload));
      assert.ok(redacted && isRedacted(redacted.payload));
      assert.equal(redacted.payload.roomId, room.id);
      assert.equal(redacted.payload.messageId, missed[2]);
      assert.deepEqual(got.slice(-4).map((e) => e.type), ['messageUpdated', 'reactionAdded', 'messageDeleted', 'messageCreated']);
      assert.ok(b.states.includes('reconnecting') || b.states.includes('disconnected'), b.states.join(','));
      assert.equal(b.realtime.state, 'connected');
    } finally {
      await proxy.close();
    }
  });

  test('watch follows a public room without joining; unwatch stops it', async () => {
    const carol = await host.user('carol');
    const lobby = await alice.client.createRoom({ type: 'channel', name: 'Lobby', isPublic: true });
    const c = await listen(carol.client, 'carol');
    c.realtime.trackRoom(await carol.client.getRoom(lobby.id));
    await c.realtime.watch(lobby.id);
    await alice.client.sendMessage(lobby.id, { text: 'news 1' });
    await waitFor('news 1', () => c.of(lobby.id).length === 1);
    await c.realtime.unwatch(lobby.id);
    await alice.client.sendMessage(lobby.id, { text: 'news 2' });
    // The host sends a room's events to all its connections one event after the other: once alice
    // has news 3, news 2 went out to every connection following the room, and carol's was not one.
    const a = await listen(alice.client, 'alice');
    a.realtime.trackRoom(await alice.client.getRoom(lobby.id));
    await alice.client.sendMessage(lobby.id, { text: 'news 3' });
    await waitFor('news 3 to alice', () => a.of(lobby.id).length === 1);
    const texts = c.of(lobby.id).map((e) => (e.type === 'messageCreated' && !isRedacted(e.payload) ? e.payload.text : e.type));
    assert.deepEqual(texts, ['news 1']);
  });

  test('an event past a gap is held while the gap is read from the events route, then all go once in order', async () => {
    const room = await alice.client.createRoom({ type: 'group', name: 'Gaps', userIds: [bob.id] });
    for (let i = 1; i <= 5; i++) await alice.client.sendMessage(room.id, { text: `m${i}` });
    const log = await bob.client.all((page) => bob.client.listEvents(room.id, page.cursor ? page : { after: 0 }));
    const delivered: ChatEvent[] = [];
    const sequencer = new RoomEventSequencer({
      fetchEvents: (roomId, afterSeq, cursor) => bob.client.listEvents(roomId, cursor ? { cursor } : { after: afterSeq, limit: 2 }),
      deliver: (event) => delivered.push(event),
      resyncNeeded: () => assert.fail('no resync expected'),
    });
    sequencer.track(room.id, 1);
    const live = (seq: number) => {
      const stored = log.find((e) => e.seq === seq)!;
      return { type: stored.type, payload: stored.payload } as ChatEvent;
    };
    // Only the newest arrives live, then a duplicate of an older one.
    sequencer.receive(live(log.length));
    await waitFor('the gap filled', () => sequencer.lastSeq(room.id) === log.length);
    sequencer.receive(live(3));
    sequencer.receive(live(log.length));
    assertConsecutive(delivered, 2, 'after the gap');
    assert.equal(delivered.length, log.length - 1);
  });
});
