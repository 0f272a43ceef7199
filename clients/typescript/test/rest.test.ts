// Every REST call of the client against a real samples/HostApp, with assertions on the effect.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DfChatClient, DfChatError, type Room } from '../src/index.js';
import { PNG, SampleHost, waitFor, type TestUser } from './host.js';

let host: SampleHost;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;

before(async () => {
  host = await SampleHost.start();
  [alice, bob, carol] = await Promise.all([host.user('alice'), host.user('bob'), host.user('carol')]);
});

after(async () => {
  await host?.dispose();
});

async function rejects(promise: Promise<unknown>, status: number): Promise<DfChatError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DfChatError, `a DfChatError, not ${String(error)}`);
    assert.equal(error.status, status, `status ${error.status}: ${error.message}`);
    return error;
  }
  assert.fail(`expected ${status}, got success`);
}

describe('users', () => {
  test('getMe returns the caller; searchUsers finds by user name, case-insensitively', async () => {
    const me = await alice.client.getMe();
    assert.equal(me.id, alice.id);
    assert.equal(me.displayName, alice.email);
    const found = await alice.client.searchUsers({ search: bob.email.toUpperCase(), limit: 5 });
    assert.deepEqual(found.items.map((u) => u.id), [bob.id]);
    assert.equal(found.nextCursor, null);
  });
});

describe('rooms', () => {
  let group: Room;

  before(async () => {
    group = await alice.client.createRoom({ type: 'group', name: 'Team', description: 'the team', userIds: [bob.id] });
  });

  test('createRoom makes the caller owner and adds userIds with defaults', async () => {
    assert.equal(group.type, 'group');
    assert.equal(group.name, 'Team');
    assert.equal(group.memberCount, 2);
    assert.equal(group.createdBy, alice.id);
    assert.equal(group.membership?.isOwner, true);
    assert.ok(group.lastSeq >= 2, `lastSeq counts the creation's memberAdded events (${group.lastSeq})`);
    const bobsView = await bob.client.getRoom(group.id);
    assert.equal(bobsView.membership?.isOwner, false);
    assert.deepEqual([...bobsView.membership!.permissions].sort(),
      ['can_add_users', 'can_create_messages', 'can_delete_own_messages', 'can_edit_own_messages']);
  });

  test('createRoomResult tells a new private room (201) from the pair\'s existing one (200)', async () => {
    const first = await bob.client.createRoomResult({ type: 'private_messages', userIds: [carol.id] });
    assert.equal(first.created, true);
    assert.ok(first.location?.includes(first.value.id));
    const again = await carol.client.createRoomResult({ type: 'private_messages', userIds: [bob.id] });
    assert.equal(again.created, false);
    assert.equal(again.value.id, first.value.id);
  });

  test('listRooms filters by type and search; listPublicRooms lists public rooms only', async () => {
    const groups = await bob.client.listRooms({ type: 'group', search: 'tea' });
    assert.deepEqual(groups.items.map((r) => r.id), [group.id]);
    const privates = await bob.client.listRooms({ type: 'private_messages' });
    assert.equal(privates.items.length, 1);
    const lobby = await alice.client.createRoom({ type: 'channel', name: 'Lobby ts', isPublic: true });
    const publicRooms = await carol.client.listPublicRooms({ search: 'lobby ts' });
    assert.deepEqual(publicRooms.items.map((r) => r.id), [lobby.id]);
    assert.equal(publicRooms.items[0]!.membership, null);
  });

  test('updateRoom changes the room; joinRoom makes the caller a member of a public room', async () => {
    const updated = await alice.client.updateRoom(group.id, { description: 'renamed', isPublic: true });
    assert.equal(updated.description, 'renamed');
    assert.equal(updated.isPublic, true);
    const joined = await carol.client.joinRoom(group.id);
    assert.ok(joined.membership);
    assert.equal(joined.memberCount, 3);
    await alice.client.updateRoom(group.id, { isPublic: false });
  });

  test('markRead moves lastSeenAt and clears the unread count', async () => {
    const message = await alice.client.sendMessage(group.id, { text: 'read me' });
    assert.equal((await bob.client.getRoom(group.id)).membership?.unreadCount, 1);
    const membership = await bob.client.markRead(group.id, message.id);
    assert.equal(membership.unreadCount, 0);
    assert.equal(membership.lastSeenAt, message.createdAt);
    const now = await bob.client.markRead(group.id);
    assert.ok(now.lastSeenAt >= message.createdAt);
  });

  test('listEvents returns the stored events after a seq, oldest first, paging to the end', async () => {
    const room = await alice.client.createRoom({ type: 'group', name: 'Events', userIds: [bob.id] });
    for (const text of ['one', 'two', 'three']) await alice.client.sendMessage(room.id, { text });
    const latest = await alice.client.getRoom(room.id);
    const all = await alice.client.all((page) => alice.client.listEvents(room.id, page.cursor ? page : { after: 0, limit: 2 }), 2);
    assert.deepEqual(all.map((e) => e.seq), Array.from({ length: latest.lastSeq }, (_, i) => i + 1));
    const messages = all.filter((e) => e.type === 'messageCreated').map((e) => (e.payload as { text: string }).text);
    assert.deepEqual(messages, ['one', 'two', 'three']);
    const tail = await bob.client.listEvents(room.id, { after: latest.lastSeq - 1 });
    assert.deepEqual(tail.items.map((e) => e.seq), [latest.lastSeq]);
    assert.equal(tail.nextCursor, null);
    await rejects(carol.client.listEvents(room.id, { after: 0 }), 404);
  });

  test('deleteRoom removes it: 404 afterwards', async () => {
    const room = await alice.client.createRoom({ type: 'group', name: 'Doomed' });
    await alice.client.deleteRoom(room.id);
    await rejects(alice.client.getRoom(room.id), 404);
  });
});

describe('members', () => {
  test('add, get, list, update (self and owner), remove and leave', async () => {
    const channel = await alice.client.createRoom({ type: 'channel', name: 'News' });
    const editor = await alice.client.addMember(channel.id, { userId: bob.id, permissions: ['can_add_users', 'can_create_messages'] });
    assert.deepEqual([...editor.permissions].sort(), ['can_add_users', 'can_create_messages']);
    const reader = await bob.client.addMember(channel.id, { userId: carol.id, permissions: [] });
    assert.deepEqual(reader.permissions, []);
    assert.equal(reader.createdBy, bob.id);
    await rejects(alice.client.addMember(channel.id, { userId: carol.id }), 409);

    const listed = await carol.client.all((page) => carol.client.listMembers(channel.id, page));
    assert.deepEqual(listed.map((m) => m.userId), [alice.id, bob.id, carol.id]);
    const me = await carol.client.getMember(channel.id, 'me');
    assert.equal(me.userId, carol.id);
    assert.equal((await alice.client.getMember(channel.id, bob.id)).displayName, bob.email);

    const muted = await carol.client.updateMember(channel.id, 'me', { muted: true });
    assert.equal(muted.muted, true);
    await rejects(alice.client.updateMember(channel.id, carol.id, { muted: false }), 403);
    const promoted = await alice.client.updateMember(channel.id, carol.id, { permissions: ['can_create_messages'] });
    assert.deepEqual(promoted.permissions, ['can_create_messages']);
    await carol.client.sendMessage(channel.id, { text: 'now I post' });

    await rejects(bob.client.removeMember(channel.id, carol.id), 403);
    await carol.client.leaveRoom(channel.id);
    await rejects(carol.client.getRoom(channel.id), 404);
    await alice.client.removeMember(channel.id, bob.id);
    assert.equal((await alice.client.getRoom(channel.id)).memberCount, 1);
  });
});

describe('messages, media and reactions', () => {
  let room: Room;

  before(async () => {
    room = await alice.client.createRoom({ type: 'group', name: 'Pictures', userIds: [bob.id] });
  });

  test('uploadMedia, getMedia, getMediaContent (whole and a range), then send it in a message', async () => {
    const media = await alice.client.uploadMedia(new Blob([PNG], { type: 'image/png' }), 'dot.png');
    assert.equal(media.contentType, 'image/png');
    assert.equal(media.fileName, 'dot.png');
    assert.equal(media.size, PNG.length);
    assert.deepEqual(await alice.client.getMedia(media.id), media);
    await rejects(bob.client.getMedia(media.id), 404);

    const message = await alice.client.sendMessage(room.id, { text: 'a picture', mediaIds: [media.id] });
    assert.deepEqual(message.media.map((m) => m.id), [media.id]);
    assert.deepEqual(message.user, { id: alice.id, displayName: alice.email });

    const content = await bob.client.getMediaContent(media.id);
    assert.equal(content.status, 200);
    assert.equal(content.contentType, 'image/png');
    assert.match(content.contentDisposition ?? '', /^inline/);
    assert.deepEqual(Buffer.from(await content.blob.arrayBuffer()), PNG);
    const range = await bob.client.getMediaContent(media.id, { start: 1, end: 3 });
    assert.equal(range.status, 206);
    assert.deepEqual(Buffer.from(await range.blob.arrayBuffer()), PNG.subarray(1, 4));
    assert.equal(range.contentRange, `bytes 1-3/${PNG.length}`);

    const error = await rejects(alice.client.uploadMedia(new Blob(['not a picture'], { type: 'image/png' }), 'fake.png'), 415);
    assert.ok(error.problem, 'problem details');
  });

  test('sendMessage, a repeated clientMessageId (200), get, list, listMessagesAfter, edit and delete', async () => {
    const first = await bob.client.sendMessageResult(room.id, { text: 'hello', clientMessageId: 'c-1' });
    assert.equal(first.created, true);
    const repeat = await bob.client.sendMessageResult(room.id, { text: 'hello', clientMessageId: 'c-1' });
    assert.equal(repeat.created, false);
    assert.equal(repeat.value.id, first.value.id);
    const reply = await alice.client.sendMessage(room.id, { text: 'hi Bob', replyToId: first.value.id });
    assert.equal(reply.replyToId, first.value.id);

    assert.equal((await alice.client.getMessage(room.id, first.value.id)).text, 'hello');
    const newestFirst = await alice.client.listMessages(room.id, { limit: 2 });
    assert.deepEqual(newestFirst.items.map((m) => m.id), [reply.id, first.value.id]);
    assert.ok(newestFirst.nextCursor, 'an older page follows');
    const older = await alice.client.listMessages(room.id, { limit: 2, cursor: newestFirst.nextCursor });
    assert.equal(older.items[0]!.text, 'a picture');
    const afterFirst = await alice.client.listMessagesAfter(room.id, first.value.id);
    assert.deepEqual(afterFirst.items.map((m) => m.id), [reply.id]);
    assert.equal(afterFirst.nextCursor, null);

    const edited = await bob.client.editMessage(room.id, first.value.id, 'hello, edited');
    assert.equal(edited.text, 'hello, edited');
    assert.ok(edited.editedAt);
    // Bob holds can_edit_own_messages only; Alice, the owner, holds every permission.
    await rejects(bob.client.editMessage(room.id, reply.id, 'not mine'), 403);

    await bob.client.deleteMessage(room.id, first.value.id);
    await rejects(alice.client.getMessage(room.id, first.value.id), 404);
  });

  test('addReaction (again: 200), list per message and mine, getReaction, deleteReaction', async () => {
    const message = await alice.client.sendMessage(room.id, { text: 'react to me' });
    const like = await bob.client.addReactionResult(room.id, message.id, 'like');
    assert.equal(like.created, true);
    const again = await bob.client.addReactionResult(room.id, message.id, 'like');
    assert.equal(again.created, false);
    assert.equal(again.value.id, like.value.id);
    await alice.client.addReaction(room.id, message.id, 'dislike');

    const reactions = await alice.client.listMessageReactions(room.id, message.id);
    assert.deepEqual(reactions.items.map((r) => r.reaction).sort(), ['dislike', 'like']);
    const mine = await bob.client.listMyReactions({ limit: 10 });
    assert.deepEqual(mine.items.map((r) => r.id), [like.value.id]);
    assert.deepEqual(await alice.client.getReaction(like.value.id), like.value);
    const counted = await bob.client.getMessage(room.id, message.id);
    assert.deepEqual(counted.reactions.find((r) => r.reaction === 'like'), { reaction: 'like', count: 1, me: true });

    const invalid = await rejects(bob.client.addReaction(room.id, message.id, 'not-allowed'), 400);
    assert.ok(invalid.errors.reaction?.length, 'errors.reaction');

    await bob.client.deleteReaction(like.value.id);
    await rejects(bob.client.getReaction(like.value.id), 404);
  });
});

describe('conversation, search, presence and export (v1.2)', () => {
  let room: Room;

  before(async () => {
    room = await alice.client.createRoom({ type: 'group', name: 'Threads', userIds: [bob.id] });
  });

  test('a thread reply, mentions, edit history, readers, pin and unpin', async () => {
    const root = await alice.client.sendMessage(room.id, { text: 'the plan' });
    const reply = await bob.client.sendMessage(room.id, { text: 'agreed', threadId: root.id, mentions: [alice.id] });
    assert.equal(reply.threadId, root.id);
    assert.deepEqual(reply.mentions, [alice.id]);
    const thread = await alice.client.listThread(room.id, root.id);
    assert.deepEqual(thread.items.map((m) => m.id), [reply.id]);
    assert.equal((await alice.client.getMessage(room.id, root.id)).threadReplyCount, 1);
    assert.ok(!(await alice.client.listMessages(room.id)).items.some((m) => m.id === reply.id), 'replies are not in the room list');

    const edited = await alice.client.editMessage(room.id, root.id, { text: 'the new plan', mentions: [bob.id] });
    assert.deepEqual(edited.mentions, [bob.id]);
    const history = await bob.client.listMessageHistory(room.id, root.id);
    assert.deepEqual(history.items.map((v) => v.text), ['the plan']);

    await bob.client.markRead(room.id, root.id);
    const readers = await alice.client.listMessageReaders(room.id, root.id);
    assert.deepEqual(readers.items.map((m) => m.userId), [bob.id]);

    const pinned = await alice.client.pinMessage(room.id, root.id);
    assert.ok(pinned.pinnedAt);
    assert.equal(pinned.pinnedBy, alice.id);
    assert.deepEqual((await bob.client.listPins(room.id)).items.map((m) => m.id), [root.id]);
    const unpinned = await alice.client.unpinMessage(room.id, root.id);
    assert.equal(unpinned.pinnedAt, null);
    assert.deepEqual((await bob.client.listPins(room.id)).items, []);
  });

  test('searchMessages finds current text in the caller\'s rooms, the last word as a prefix', async () => {
    const message = await alice.client.sendMessage(room.id, { text: 'Meet at the Café tomorrow' });
    await waitFor('the message is found', async () =>
      (await bob.client.searchMessages({ q: 'caf', roomId: room.id })).items.some((m) => m.id === message.id));
    assert.deepEqual((await carol.client.searchMessages({ q: 'caf' })).items, []);
    await rejects(bob.client.searchMessages({ q: '' }), 400);
  });

  test('getUser shows a roommate with presence, 404 for a stranger; exportMe returns the caller\'s data', async () => {
    const seen = await alice.client.getUser(bob.id);
    assert.equal(seen.id, bob.id);
    assert.equal(seen.displayName, bob.email);
    assert.equal(typeof seen.online, 'boolean');
    const stranger = await host.user('dave');
    await rejects(alice.client.getUser(stranger.id), 404);

    const exported = await bob.client.exportMe();
    assert.equal(exported.user.id, bob.id);
    assert.ok(exported.memberships.some((m) => m.roomId === room.id));
    assert.ok(exported.messages.some((m) => m.text === 'agreed' && m.roomId === room.id));
  });
});

describe('errors', () => {
  test('400 carries problem details with errors keyed by field', async () => {
    const error = await rejects(alice.client.createRoom({ type: 'group' }), 400);
    assert.ok(error.errors.name?.length, `errors.name in ${JSON.stringify(error.problem)}`);
    assert.equal(error.problem?.status, 400);
    assert.match(error.message, /name/);
  });

  test('401 without a token, and onUnauthorized can refresh and retry once', async () => {
    const anonymous = new DfChatClient({ baseUrl: host.baseUrl });
    await rejects(anonymous.getMe(), 401);
    let token: string | null = null;
    let refreshes = 0;
    const refreshing = new DfChatClient({
      baseUrl: host.baseUrl,
      accessToken: () => token,
      onUnauthorized: () => {
        refreshes++;
        token = alice.token;
        return true;
      },
    });
    assert.equal((await refreshing.getMe()).id, alice.id);
    assert.equal(refreshes, 1);
  });

  test('the escape hatch `send` throws the same DfChatError: a body that is not the route\'s content type is 415', async () => {
    const upload = await rejects(
      alice.client.send('POST', 'media', { body: 'plain text', headers: { 'Content-Type': 'text/plain' } }),
      415,
    );
    assert.equal(upload.request.method, 'POST');
    // A JSON route refuses a form-encodable type: no cross-site form post reaches it.
    await rejects(
      alice.client.send('POST', 'rooms', { body: '{"type":"group","name":"x"}', headers: { 'Content-Type': 'text/plain' } }),
      415,
    );
  });

  test('a network failure is status 0 and transient', async () => {
    const nowhere = new DfChatClient({ baseUrl: 'http://127.0.0.1:9/api/chat', accessToken: () => 'x' });
    const error = await rejects(nowhere.getMe(), 0);
    assert.equal(error.isTransient, true);
  });
});
