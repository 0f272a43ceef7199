// A client away for longer than the server keeps events: the catch-up answers 410, the client
// says resyncNeeded, the app reloads the room, and real time goes on from there. The host is
// restarted with a retention of one second (it prunes on its first round, 10 s after start).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DfChatError, DfChatRealtime, LogLevel, isRedacted, type ChatEvent, type ResyncNeeded } from '../src/index.js';
import { SampleHost, waitFor, type TestUser } from './host.js';

let host: SampleHost;
let alice: TestUser;
let bob: TestUser;

before(async () => {
  host = await SampleHost.start();
  [alice, bob] = await Promise.all([host.user('alice'), host.user('bob')]);
});

after(async () => {
  await host?.dispose();
});

test('410 after the retention: resyncNeeded, the app reloads the room, then events flow again once each', async () => {
  const room = await alice.client.createRoom({ type: 'group', name: 'Long away', userIds: [bob.id] });
  const realtime = new DfChatRealtime(bob.client, { reconnectDelay: () => 200, logLevel: LogLevel.None });
  const events: ChatEvent[] = [];
  const resyncs: ResyncNeeded[] = [];
  realtime.on('event', (event) => events.push(event));
  realtime.on('resyncNeeded', async (notice) => {
    resyncs.push(notice);
    // What an app does: load the room afresh and go on from its lastSeq.
    realtime.trackRoom(await bob.client.getRoom(notice.roomId));
  });
  try {
    realtime.trackRoom(await bob.client.getRoom(room.id));
    await realtime.start();
    await alice.client.sendMessage(room.id, { text: 'seen' });
    await waitFor('seen', () => events.length === 1);
    await realtime.stop();

    for (const text of ['gone 1', 'gone 2']) await alice.client.sendMessage(room.id, { text });
    await host.stop(true);
    await host.launch({ DfChat__Events__Retention: '00:00:01' });
    await waitFor('the events pruned', async () => {
      try {
        await alice.client.listEvents(room.id, { after: 0 });
        return false;
      } catch (error) {
        if (error instanceof DfChatError && error.status === 410) return true;
        throw error;
      }
    }, 40_000);

    await realtime.start();
    await waitFor('resyncNeeded', () => resyncs.length === 1);
    assert.equal(resyncs[0]!.roomId, room.id);
    assert.equal(resyncs[0]!.reason, 'events_gone');
    assert.equal(resyncs[0]!.error.status, 410);
    const reloaded = await bob.client.getRoom(room.id);
    await waitFor('tracking from the reloaded room', () => realtime.lastSeq(room.id) === reloaded.lastSeq);

    await alice.client.sendMessage(room.id, { text: 'after the reload' });
    await waitFor('after the reload', () => events.length === 2);
    const texts = events.map((e) => (e.type === 'messageCreated' && !isRedacted(e.payload) ? e.payload.text : e.type));
    assert.deepEqual(texts, ['seen', 'after the reload'], 'nothing of the pruned span is replayed, nothing twice');
    assert.equal((events[1]!.payload as { seq: number }).seq, reloaded.lastSeq + 1);
  } finally {
    await realtime.stop();
  }
});
