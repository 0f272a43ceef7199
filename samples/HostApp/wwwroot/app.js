// DfChat sample page: plain DOM, no build step of its own. It talks to the API through the TypeScript
// client (clients/typescript), bundled with SignalR into lib/dfchat/dfchat-client.js: typed REST calls,
// and real time that delivers each room's events once, in order, catching up after a lost connection.
// User text only ever reaches the page through textContent and attributes, never innerHTML.
import { DfChatClient, DfChatError, DfChatRealtime, LogLevel } from './lib/dfchat/dfchat-client.js';

(() => {
  const API = '/api/chat';
  const PAGE_SIZE = 30;
  const TYPING_SEND_INTERVAL_MS = 2000;
  const TYPING_SHOW_MS = 3500;
  const REACTIONS = [['like', '👍'], ['dislike', '👎']];
  const AUTH_KEY = 'dfchat.auth';

  const $ = (id) => document.getElementById(id);

  const state = {
    auth: null,             // { accessToken, refreshToken, expiresAt }
    me: null,               // { id, displayName }
    rooms: new Map(),       // roomId -> Room
    names: new Map(),       // userId -> displayName
    privateTitles: new Map(), // roomId -> the other member's name
    currentRoomId: null,
    roomGeneration: 0,      // bumped on every room switch, to drop answers meant for the previous room
    messageElements: new Map(), // messageId -> <li> of the open room
    olderCursor: null,
    loadingOlder: false,
    pendingFiles: [],       // { file, previewUrl, mediaId? }
    draftClientId: null,
    lastTypingSentAt: 0,
    typingUsers: new Map(), // userId -> timeout handle
    realtime: null,         // DfChatRealtime while signed in
    mediaUrls: new Map(),   // mediaId -> Promise<object URL>
    groupSelection: new Map(), // userId -> displayName
  };

  // ---------- DOM helpers ----------

  /** Creates an element; `props` sets properties (textContent, className, dataset, on*). */
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === 'dataset') Object.assign(node.dataset, value);
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node[key] = value;
    }
    node.append(...children.filter((c) => c !== null && c !== undefined));
    return node;
  }

  function show(id, visible) { $(id).hidden = !visible; }
  function setError(id, error) { $(id).textContent = error ? describeError(error) : ''; }

  /** Invalid input lists its fields' messages; any other error its own message. */
  function describeError(error) {
    if (error instanceof DfChatError && Object.keys(error.errors).length) return Object.values(error.errors).flat().join('\n');
    return error.message || String(error);
  }

  function formatTime(iso) {
    const date = new Date(iso);
    const sameDay = date.toDateString() === new Date().toDateString();
    return sameDay
      ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
      : date.toLocaleDateString([], { day: 'numeric', month: 'short' });
  }

  function debounce(fn, ms) {
    let handle;
    return (...args) => { clearTimeout(handle); handle = setTimeout(() => fn(...args), ms); };
  }

  function newClientId() {
    // crypto.randomUUID exists only in secure contexts; the sample may be served over plain http.
    return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  }

  // ---------- HTTP ----------

  const api = new DfChatClient({
    baseUrl: API,
    accessToken: () => currentToken(),
    // A 401 refreshes the session once; if that fails, the user signs in again.
    onUnauthorized: async () => {
      if (await refreshTokens()) return true;
      signOut();
      return false;
    },
  });

  /** Every item of a list, following nextCursor. */
  function fetchAll(list) {
    return api.all(list, 100);
  }

  // ---------- Authentication ----------

  /** The host's Identity endpoints, outside the chat's mount. */
  async function postAuth(path, body) {
    const response = await fetch(path, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    if (!response.ok) {
      let problem = null;
      try { problem = await response.json(); } catch { /* not JSON */ }
      throw new DfChatError({ status: response.status, problem, request: { method: 'POST', url: path } });
    }
    const type = response.headers.get('Content-Type') || '';
    return type.includes('json') ? response.json() : null;
  }

  function saveTokens(tokens) {
    state.auth = {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: Date.now() + (tokens.expiresIn || 3600) * 1000,
    };
    sessionStorage.setItem(AUTH_KEY, JSON.stringify(state.auth));
  }

  let refreshing = null;
  /** One refresh at a time, however many requests hit 401 together. */
  function refreshTokens() {
    if (!state.auth || !state.auth.refreshToken) return Promise.resolve(false);
    refreshing ??= postAuth('/auth/refresh', { refreshToken: state.auth.refreshToken })
      .then((tokens) => { saveTokens(tokens); return true; })
      .catch(() => false)
      .finally(() => { refreshing = null; });
    return refreshing;
  }

  /** The access token, refreshed shortly before it expires (the hub cannot retry a 401 by itself). */
  async function currentToken() {
    if (!state.auth) return null;
    if (Date.now() > state.auth.expiresAt - 60_000) await refreshTokens();
    return state.auth.accessToken;
  }

  async function onAuthSubmit(event) {
    event.preventDefault();
    const action = event.submitter ? event.submitter.dataset.action : 'login';
    const email = $('auth-email').value.trim();
    const password = $('auth-password').value;
    setError('auth-error', null);
    for (const button of ['login-button', 'register-button']) $(button).disabled = true;
    try {
      if (action === 'register') await postAuth('/auth/register', { email, password });
      saveTokens(await postAuth('/auth/login', { email, password }));
      await startSession();
    } catch (error) {
      setError('auth-error', error.status === 401 ? 'Wrong email or password.' : error);
    } finally {
      for (const button of ['login-button', 'register-button']) $(button).disabled = false;
    }
  }

  function signOut() {
    if (state.realtime) state.realtime.stop();
    state.realtime = null;
    sessionStorage.removeItem(AUTH_KEY);
    for (const url of state.mediaUrls.values()) url.then(URL.revokeObjectURL, () => {});
    Object.assign(state, {
      auth: null, me: null, currentRoomId: null, olderCursor: null, draftClientId: null,
    });
    for (const map of [state.rooms, state.names, state.privateTitles, state.messageElements, state.mediaUrls]) map.clear();
    clearPendingFiles();
    $('room-list').replaceChildren();
    $('message-list').replaceChildren();
    show('chat-view', false);
    show('auth-view', true);
  }

  async function startSession() {
    state.me = await api.getMe();
    state.names.set(state.me.id, state.me.displayName);
    $('me-name').textContent = state.me.displayName;
    show('auth-view', false);
    show('chat-view', true);
    closeRoom();
    await loadRooms();
    connectHub();
  }

  // ---------- Rooms ----------

  async function loadRooms() {
    const rooms = await fetchAll((page) => api.listRooms(page));
    state.rooms = new Map(rooms.map((room) => [room.id, room]));
    // Real time goes on from each room's lastSeq as loaded here: nothing in between is lost.
    if (state.realtime) state.realtime.trackRooms(rooms);
    renderRooms();
    if (state.currentRoomId && !state.rooms.has(state.currentRoomId)) closeRoom();
  }

  function roomTitle(room) {
    if (room.name) return room.name;
    if (room.type === 'private_messages') {
      if (!state.privateTitles.has(room.id)) resolvePrivateTitle(room.id);
      return state.privateTitles.get(room.id) || 'Private conversation';
    }
    return 'Untitled room';
  }

  /** A private room has no name of its own: it is called after the other member. */
  async function resolvePrivateTitle(roomId) {
    state.privateTitles.set(roomId, null);
    try {
      const members = await api.listMembers(roomId, { limit: 10 });
      const other = members.items.find((m) => m.userId !== state.me.id);
      members.items.forEach(rememberMemberName);
      state.privateTitles.set(roomId, other ? other.displayName : 'Only you');
      renderRooms();
      if (roomId === state.currentRoomId) renderRoomHeader();
    } catch { state.privateTitles.delete(roomId); }
  }

  function messagePreview(room) {
    const message = room.lastMessage;
    if (!message) return 'No messages yet';
    const body = message.text || (message.media.length ? '📷 Picture' : '');
    if (message.userId === state.me.id) return `You: ${body}`;
    // In a private room the title already names the author.
    const author = room.type === 'private_messages' ? '' : shortName(state.names.get(message.userId));
    return author ? `${author}: ${body}` : body;
  }

  /** Sample users are named by their email: the part before @ is enough in a one-line preview. */
  function shortName(name) {
    return name ? name.split('@')[0] : '';
  }

  function renderRooms() {
    const rooms = [...state.rooms.values()].sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt));
    $('room-list').replaceChildren(...rooms.map(renderRoomItem));
  }

  function renderRoomItem(room) {
    const unread = room.membership ? room.membership.unreadCount : 0;
    const badge = unread > 0
      ? el('span', { className: `badge${room.membership.muted ? ' muted-room' : ''}`, textContent: String(unread) })
      : el('span');
    return el('li', {
      className: `room-item${room.id === state.currentRoomId ? ' active' : ''}`,
      dataset: { roomId: room.id },
      tabIndex: 0,
      onclick: () => openRoom(room.id),
      onkeydown: (e) => { if (e.key === 'Enter') openRoom(room.id); },
    },
    el('span', { className: 'room-name', textContent: roomTitle(room) }),
    el('span', { className: 'room-time', textContent: formatTime(room.lastActivityAt) }),
    el('span', { className: 'room-last', textContent: messagePreview(room) }),
    badge);
  }

  /** A room as the routes return it: shown, and its events tracked from the lastSeq it carries. */
  function putRoom(room) {
    if (state.realtime) state.realtime.trackRoom(room);
    showRoom(room);
  }

  /** A roomUpdated event: its room carries no membership (null), so keep the one we know. */
  function onRoomUpdated(room) {
    const existing = state.rooms.get(room.id);
    if (existing) showRoom({ ...room, membership: existing.membership });
  }

  function showRoom(room) {
    state.rooms.set(room.id, room);
    renderRooms();
    if (room.id === state.currentRoomId) renderRoomHeader();
  }

  function dropRoom(roomId) {
    state.rooms.delete(roomId);
    renderRooms();
    if (roomId === state.currentRoomId) closeRoom();
  }

  const refetchTimers = new Map();
  /** Re-reads a room after events that change counts we cannot compute locally; coalesces bursts. */
  function refetchRoom(roomId) {
    clearTimeout(refetchTimers.get(roomId));
    refetchTimers.set(roomId, setTimeout(async () => {
      refetchTimers.delete(roomId);
      try {
        const room = await api.getRoom(roomId);
        if (room.membership) putRoom(room); else dropRoom(roomId);
      } catch (error) {
        if (error.status === 404) dropRoom(roomId);
      }
    }, 150));
  }

  async function markRead(roomId, messageId) {
    if (document.visibilityState !== 'visible') return;
    try {
      const membership = await api.markRead(roomId, messageId);
      const room = state.rooms.get(roomId);
      if (room) { room.membership = membership; renderRooms(); }
    } catch { /* a failed read mark only leaves the badge; the next open retries */ }
  }

  // A burst of incoming messages needs one read mark, for the newest.
  const markReadSoon = debounce(markRead, 300);

  // ---------- The open room ----------

  function closeRoom() {
    state.currentRoomId = null;
    state.roomGeneration++;
    show('no-room', true);
    show('room-open', false);
    renderRooms();
  }

  async function openRoom(roomId) {
    if (roomId === state.currentRoomId) return;
    const generation = ++state.roomGeneration;
    state.currentRoomId = roomId;
    state.olderCursor = null;
    state.messageElements.clear();
    clearTyping();
    clearPendingFiles();
    state.draftClientId = null;
    $('message-list').replaceChildren();
    $('message-text').value = '';
    setError('composer-error', null);
    show('no-room', false);
    show('room-open', true);
    renderRoomHeader();
    renderRooms();

    await loadMemberNames(roomId);
    const page = await api.listMessages(roomId, { limit: PAGE_SIZE });
    if (generation !== state.roomGeneration) return;
    state.olderCursor = page.nextCursor;
    page.items.slice().reverse().forEach(appendMessage);
    scrollToBottom();
    await fillViewportWithHistory(generation);
    markRead(roomId);
    $('message-text').focus();
  }

  function renderRoomHeader() {
    const room = state.rooms.get(state.currentRoomId);
    if (!room) return;
    $('room-title').textContent = roomTitle(room);
    const kind = { private_messages: 'Private', group: 'Group', channel: 'Channel' }[room.type] || room.type;
    const members = `${room.memberCount} member${room.memberCount === 1 ? '' : 's'}`;
    $('room-subtitle').textContent = [kind, room.isPublic ? 'public' : null, members].filter(Boolean).join(' · ');
    const canPost = room.membership && room.membership.permissions.includes('can_create_messages');
    show('composer', canPost);
    if (!canPost) $('typing').textContent = 'You can read this room but not post in it.';
  }

  function rememberMemberName(member) {
    state.names.set(member.userId, member.displayName);
  }

  async function loadMemberNames(roomId) {
    try {
      const page = await api.listMembers(roomId, { limit: 100 });
      page.items.forEach(rememberMemberName);
    } catch { /* names fall back to a lookup per author */ }
  }

  /** Authors not among the first members loaded (large rooms, former members) are looked up once. */
  const nameLookups = new Set();
  function authorName(roomId, userId) {
    if (state.names.has(userId)) return state.names.get(userId);
    if (!nameLookups.has(userId)) {
      nameLookups.add(userId);
      api.getMember(roomId, userId)
        .then((member) => { rememberMemberName(member); updateAuthorLabels(userId); })
        .catch(() => { state.names.set(userId, 'Former member'); updateAuthorLabels(userId); });
    }
    return '…';
  }

  function updateAuthorLabels(userId) {
    for (const label of document.querySelectorAll('.message-author')) {
      if (label.dataset.userId === userId) label.textContent = state.names.get(userId);
    }
  }

  function scrollToBottom() {
    const box = $('messages');
    box.scrollTop = box.scrollHeight;
  }

  function isNearBottom() {
    const box = $('messages');
    return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  }

  // ---------- Messages ----------

  function renderMessage(message) {
    // A message names its author (v1.1): no look-up needed for it.
    if (message.user) state.names.set(message.userId, message.user.displayName);
    const mine = message.userId === state.me.id;
    const meta = el('div', { className: 'message-meta' },
      el('span', {
        className: 'message-author',
        dataset: { userId: message.userId },
        textContent: mine ? 'You' : authorName(message.roomId, message.userId),
      }),
      el('time', { dateTime: message.createdAt, textContent: formatTime(message.createdAt), title: new Date(message.createdAt).toLocaleString() }),
      message.editedAt ? el('span', { textContent: '(edited)' }) : null);

    return el('li', { className: `message${mine ? ' mine' : ''}`, dataset: { id: message.id } },
      meta,
      message.media.length ? renderMedia(message.media) : null,
      message.text ? el('div', { className: 'message-text', textContent: message.text }) : null,
      renderReactions(message));
  }

  function renderMedia(mediaList) {
    return el('div', { className: 'message-media' }, ...mediaList.map((media) => (
      media.contentType.startsWith('image/') ? renderImage(media) : renderAttachment(media))));
  }

  /** <img> cannot send the Authorization header: fetch the bytes with the token, show an object URL. */
  function renderImage(media) {
    const img = el('img', { alt: media.fileName || 'picture', title: media.fileName || '' });
    mediaObjectUrl(media).then((url) => {
      img.src = url;
      img.onload = () => { if (isNearBottom()) scrollToBottom(); };
      img.onclick = () => window.open(url, '_blank', 'noopener');
    }, () => { img.alt = `${media.fileName || 'picture'} (could not load)`; });
    return img;
  }

  function renderAttachment(media) {
    return el('button', {
      type: 'button', className: 'secondary', textContent: `📄 ${media.fileName || 'file'}`,
      onclick: async () => {
        const link = el('a', { href: await mediaObjectUrl(media), download: media.fileName || 'file' });
        link.click();
      },
    });
  }

  function mediaObjectUrl(media) {
    if (!state.mediaUrls.has(media.id)) {
      const url = api.getMediaContent(media.id).then((content) => URL.createObjectURL(content.blob));
      url.catch(() => state.mediaUrls.delete(media.id));
      state.mediaUrls.set(media.id, url);
    }
    return state.mediaUrls.get(media.id);
  }

  function renderReactions(message) {
    const counts = new Map(message.reactions.map((r) => [r.reaction, r]));
    const values = [...REACTIONS.map(([value]) => value), ...[...counts.keys()].filter((v) => !REACTIONS.some(([known]) => known === v))];
    return el('div', { className: 'reactions' }, ...values.map((value) => {
      const summary = counts.get(value);
      const label = (REACTIONS.find(([known]) => known === value) || [value, value])[1];
      return el('button', {
        type: 'button',
        className: `reaction${summary && summary.me ? ' me' : ''}`,
        title: value,
        ariaLabel: summary ? `${value} (${summary.count})` : value,
        dataset: { reaction: value },
        textContent: summary ? `${label} ${summary.count}` : label,
        onclick: () => toggleReaction(message, value, Boolean(summary && summary.me)),
      });
    }));
  }

  function appendMessage(message) {
    if (state.messageElements.has(message.id)) return replaceMessage(message);
    const item = renderMessage(message);
    state.messageElements.set(message.id, item);
    $('message-list').append(item);
  }

  function prependMessages(messagesOldestFirst) {
    const fresh = messagesOldestFirst.filter((m) => !state.messageElements.has(m.id));
    const items = fresh.map((m) => { const item = renderMessage(m); state.messageElements.set(m.id, item); return item; });
    $('message-list').prepend(...items);
  }

  function replaceMessage(message) {
    const old = state.messageElements.get(message.id);
    if (!old) return;
    const item = renderMessage(message);
    old.replaceWith(item);
    state.messageElements.set(message.id, item);
  }

  function removeMessage(messageId) {
    const item = state.messageElements.get(messageId);
    if (item) item.remove();
    state.messageElements.delete(messageId);
  }

  function newestMessageId() {
    const last = $('message-list').lastElementChild;
    return last ? last.dataset.id : null;
  }

  async function loadOlder() {
    if (!state.olderCursor || state.loadingOlder) return;
    const roomId = state.currentRoomId;
    const generation = state.roomGeneration;
    state.loadingOlder = true;
    show('load-older', true);
    try {
      const page = await api.listMessages(roomId, { limit: PAGE_SIZE, cursor: state.olderCursor });
      if (generation !== state.roomGeneration) return;
      const box = $('messages');
      const heightBefore = box.scrollHeight;
      state.olderCursor = page.nextCursor;
      prependMessages(page.items.slice().reverse());
      // Keep the message the user was looking at in place.
      box.scrollTop += box.scrollHeight - heightBefore;
    } finally {
      state.loadingOlder = false;
      show('load-older', false);
    }
  }

  /** Without a scrollbar there is no scroll event: load older pages until the list overflows. */
  async function fillViewportWithHistory(generation) {
    const box = $('messages');
    while (state.olderCursor && generation === state.roomGeneration && box.scrollHeight <= box.clientHeight) {
      await loadOlder();
    }
  }

  async function refreshMessage(roomId, messageId) {
    if (roomId !== state.currentRoomId || !state.messageElements.has(messageId)) return;
    try {
      replaceMessage(await api.getMessage(roomId, messageId));
    } catch (error) {
      if (error.status === 404) removeMessage(messageId);
    }
  }

  // ---------- Sending ----------

  async function onSend(event) {
    event.preventDefault();
    const roomId = state.currentRoomId;
    const text = $('message-text').value.trim();
    if (!roomId || (!text && state.pendingFiles.length === 0)) return;
    // One id per draft: a retry after a network failure returns the first message instead of a duplicate.
    state.draftClientId ??= newClientId();
    $('send-button').disabled = true;
    setError('composer-error', null);
    try {
      const mediaIds = await uploadPendingFiles();
      const body = { clientMessageId: state.draftClientId };
      if (text) body.text = text;
      if (mediaIds.length) body.mediaIds = mediaIds;
      const message = await api.sendMessage(roomId, body);
      state.draftClientId = null;
      $('message-text').value = '';
      clearPendingFiles();
      onMessageCreated(message);
      scrollToBottom();
    } catch (error) {
      setError('composer-error', error);
    } finally {
      $('send-button').disabled = false;
      $('message-text').focus();
    }
  }

  /** Uploads each picture once; ids survive a failed send so a retry does not upload again. */
  async function uploadPendingFiles() {
    for (const pending of state.pendingFiles) {
      if (pending.mediaId) continue;
      pending.mediaId = (await api.uploadMedia(pending.file, pending.file.name)).id;
    }
    return state.pendingFiles.map((p) => p.mediaId);
  }

  function onFilesPicked(event) {
    for (const file of event.target.files) {
      state.pendingFiles.push({ file, previewUrl: URL.createObjectURL(file) });
    }
    event.target.value = '';
    renderPendingFiles();
  }

  function renderPendingFiles() {
    $('pending-files').replaceChildren(...state.pendingFiles.map((pending, index) => el('li', {},
      el('img', { src: pending.previewUrl, alt: pending.file.name, title: pending.file.name }),
      el('button', {
        type: 'button', textContent: '×', title: 'Remove',
        onclick: () => {
          URL.revokeObjectURL(pending.previewUrl);
          state.pendingFiles.splice(index, 1);
          renderPendingFiles();
        },
      }))));
  }

  function clearPendingFiles() {
    for (const pending of state.pendingFiles) URL.revokeObjectURL(pending.previewUrl);
    state.pendingFiles = [];
    renderPendingFiles();
  }

  function onComposerInput() {
    const realtime = state.realtime;
    if (!state.currentRoomId || !$('message-text').value || !realtime || realtime.state !== 'connected') return;
    const now = Date.now();
    if (now - state.lastTypingSentAt < TYPING_SEND_INTERVAL_MS) return;
    state.lastTypingSentAt = now;
    realtime.typing(state.currentRoomId).catch(() => { /* typing is best effort */ });
  }

  // ---------- Reactions ----------

  async function toggleReaction(message, value, mine) {
    try {
      if (mine) {
        const reaction = await findMyReaction(message, value);
        if (reaction) await api.deleteReaction(reaction.id);
      } else {
        await api.addReaction(message.roomId, message.id, value);
      }
    } catch (error) {
      setError('composer-error', error);
    }
    // Counts come from the server, so an event arriving before or after this never counts twice.
    await refreshMessage(message.roomId, message.id);
  }

  async function findMyReaction(message, value) {
    const reactions = await fetchAll((page) => api.listMessageReactions(message.roomId, message.id, page));
    return reactions.find((r) => r.userId === state.me.id && r.reaction === value);
  }

  // ---------- Real time ----------

  function setConnectionState(name) {
    const dot = $('connection-state');
    dot.className = `connection ${name}`;
    dot.title = `Real time: ${name}`;
  }

  function connectHub() {
    const realtime = new DfChatRealtime(api, {
      reconnectDelay: (attempt) => Math.min(30_000, 1000 * 2 ** attempt),
      logLevel: LogLevel.Warning,
    });
    const handlers = {
      messageCreated: onMessageCreated,
      messageUpdated: onMessageUpdated,
      messageDeleted: ({ roomId, messageId }) => { if (roomId === state.currentRoomId) removeMessage(messageId); refetchRoom(roomId); },
      reactionAdded: ({ roomId, messageId }) => refreshMessage(roomId, messageId),
      reactionRemoved: ({ roomId, messageId }) => refreshMessage(roomId, messageId),
      memberAdded: onMemberAdded,
      memberUpdated: (member) => { rememberMemberName(member); if (member.userId === state.me.id) refetchRoom(member.roomId); },
      memberRemoved: onMemberRemoved,
      roomUpdated: onRoomUpdated,
      roomDeleted: ({ roomId }) => dropRoom(roomId),
      read: ({ roomId, userId }) => { if (userId === state.me.id) refetchRoom(roomId); },
      typing: onTyping,
    };
    for (const [name, handler] of Object.entries(handlers)) realtime.on(name, handler);

    realtime.on('stateChanged', ({ state: connectionState }) => setConnectionState(connectionState));
    // The client has already delivered every missed event of the rooms it tracks; the room list
    // also learns of rooms joined meanwhile, and the open room is marked read.
    realtime.on('reconnected', () => catchUp());
    realtime.on('resyncNeeded', ({ roomId, reason }) => {
      if (reason === 'room_unavailable') { dropRoom(roomId); return; }
      // Its events are no longer kept: load the room afresh (tracking restarts from its lastSeq).
      refetchRoom(roomId);
      if (roomId === state.currentRoomId) { state.currentRoomId = null; openRoom(roomId); }
    });
    realtime.trackRooms(state.rooms.values());
    state.realtime = realtime;
    realtime.start();
  }

  async function catchUp() {
    await loadRooms();
    if (state.currentRoomId) {
      if (isNearBottom()) scrollToBottom();
      markRead(state.currentRoomId);
    }
  }

  function onMessageCreated(message) {
    // Caught up from the log after the message was deleted: its messageDeleted follows.
    if (message.redacted) return;
    const room = state.rooms.get(message.roomId);
    if (!room) { refetchRoom(message.roomId); return; }
    const isNew = !room.lastMessage || room.lastMessage.id !== message.id;
    if (isNew && message.createdAt >= room.lastActivityAt) {
      room.lastMessage = message;
      room.lastActivityAt = message.createdAt;
    }
    const mine = message.userId === state.me.id;
    if (message.roomId === state.currentRoomId) {
      const follow = mine || isNearBottom();
      appendMessage(message);
      if (follow) scrollToBottom();
      if (!mine) { clearTypingOf(message.userId); markReadSoon(message.roomId, message.id); }
    } else if (!mine && isNew && room.membership) {
      room.membership.unreadCount += 1;
    }
    renderRooms();
  }

  function onMessageUpdated(message) {
    if (message.redacted) return;
    if (message.roomId === state.currentRoomId) replaceMessage(message);
    const room = state.rooms.get(message.roomId);
    if (room && room.lastMessage && room.lastMessage.id === message.id) {
      room.lastMessage = message;
      renderRooms();
    }
  }

  function onMemberAdded(member) {
    rememberMemberName(member);
    if (member.userId === state.me.id && !state.rooms.has(member.roomId)) refetchRoom(member.roomId);
    else if (state.rooms.has(member.roomId)) refetchRoom(member.roomId);
    if (membersDialogRoomId() === member.roomId) loadMembersDialog();
  }

  function onMemberRemoved({ roomId, userId }) {
    if (userId === state.me.id) dropRoom(roomId);
    else refetchRoom(roomId);
    if (membersDialogRoomId() === roomId) loadMembersDialog();
  }

  function onTyping({ roomId, userId }) {
    if (roomId !== state.currentRoomId || userId === state.me.id) return;
    clearTimeout(state.typingUsers.get(userId));
    state.typingUsers.set(userId, setTimeout(() => clearTypingOf(userId), TYPING_SHOW_MS));
    if (!state.names.has(userId)) authorName(roomId, userId);
    renderTyping();
  }

  function clearTypingOf(userId) {
    clearTimeout(state.typingUsers.get(userId));
    state.typingUsers.delete(userId);
    renderTyping();
  }

  function clearTyping() {
    for (const handle of state.typingUsers.values()) clearTimeout(handle);
    state.typingUsers.clear();
    renderTyping();
  }

  function renderTyping() {
    const names = [...state.typingUsers.keys()].map((id) => state.names.get(id) || 'Someone');
    $('typing').textContent = names.length === 0 ? ''
      : names.length === 1 ? `${names[0]} is typing…`
        : names.length === 2 ? `${names[0]} and ${names[1]} are typing…`
          : 'Several people are typing…';
  }

  // ---------- Dialogs ----------

  function openDialog(id) {
    const dialog = $(id);
    dialog.querySelectorAll('.error').forEach((e) => { e.textContent = ''; });
    dialog.showModal();
  }

  async function searchUsers(text) {
    const page = await api.searchUsers({ search: text, limit: 20 });
    return page.items.filter((u) => u.id !== state.me.id);
  }

  /** Fills a result list with users, each with one action button. */
  function renderUserResults(listId, users, buttonText, onPick) {
    $(listId).replaceChildren(...users.map((user) => el('li', {},
      el('span', { textContent: user.displayName }),
      el('button', { type: 'button', textContent: buttonText, onclick: () => onPick(user) }))));
    if (users.length === 0) $(listId).append(el('li', { className: 'muted', textContent: 'Nobody found.' }));
  }

  function wireUserSearch(inputId, listId, errorId, buttonText, onPick) {
    const run = debounce(async () => {
      const text = $(inputId).value.trim();
      if (!text) { $(listId).replaceChildren(); return; }
      try {
        renderUserResults(listId, await searchUsers(text), buttonText, onPick);
      } catch (error) { setError(errorId, error); }
    }, 250);
    $(inputId).addEventListener('input', run);
  }

  function resetSearch(inputId, listId) {
    $(inputId).value = '';
    $(listId).replaceChildren();
  }

  // New group

  function openGroupDialog() {
    state.groupSelection.clear();
    $('group-name').value = '';
    $('group-public').checked = false;
    resetSearch('group-search', 'group-results');
    renderGroupSelection();
    openDialog('group-dialog');
    $('group-name').focus();
  }

  function renderGroupSelection() {
    $('group-selected').replaceChildren(...[...state.groupSelection].map(([id, name]) => el('li', {},
      el('span', { textContent: name }),
      el('button', {
        type: 'button', textContent: '×', title: `Remove ${name}`,
        onclick: () => { state.groupSelection.delete(id); renderGroupSelection(); },
      }))));
  }

  async function onCreateGroup(event) {
    event.preventDefault();
    setError('group-error', null);
    try {
      const room = await api.createRoom({
        type: 'group',
        name: $('group-name').value.trim(),
        isPublic: $('group-public').checked,
        userIds: [...state.groupSelection.keys()],
      });
      $('group-dialog').close();
      putRoom(room);
      openRoom(room.id);
    } catch (error) { setError('group-error', error); }
  }

  // Private conversation

  async function startPrivate(user) {
    setError('private-error', null);
    try {
      const room = await api.createRoom({ type: 'private_messages', userIds: [user.id] });
      state.privateTitles.set(room.id, user.displayName);
      $('private-dialog').close();
      putRoom(room);
      openRoom(room.id);
    } catch (error) { setError('private-error', error); }
  }

  // Public rooms

  async function loadPublicRooms() {
    try {
      const page = await api.listPublicRooms({ search: $('public-search').value.trim(), limit: 50 });
      $('public-results').replaceChildren(...page.items.map(renderPublicRoom));
      if (page.items.length === 0) $('public-results').append(el('li', { className: 'muted', textContent: 'No public rooms found.' }));
    } catch (error) { setError('public-error', error); }
  }

  function renderPublicRoom(room) {
    const member = Boolean(room.membership);
    return el('li', {},
      el('span', {},
        el('strong', { textContent: room.name || 'Untitled room' }),
        el('span', { className: 'muted', textContent: ` · ${room.memberCount} member${room.memberCount === 1 ? '' : 's'}` })),
      el('button', { type: 'button', textContent: member ? 'Open' : 'Join', onclick: () => joinRoom(room, member) }));
  }

  async function joinRoom(room, alreadyMember) {
    try {
      const joined = alreadyMember ? room : await api.joinRoom(room.id);
      $('public-dialog').close();
      putRoom(joined);
      openRoom(joined.id);
    } catch (error) { setError('public-error', error); }
  }

  // Members

  function membersDialogRoomId() {
    return $('members-dialog').open ? $('members-dialog').dataset.roomId : null;
  }

  async function openMembersDialog() {
    const room = state.rooms.get(state.currentRoomId);
    if (!room) return;
    $('members-dialog').dataset.roomId = room.id;
    const canAdd = room.type !== 'private_messages' && room.membership && room.membership.permissions.includes('can_add_users');
    show('add-member', canAdd);
    resetSearch('member-search', 'member-results');
    $('member-list').replaceChildren();
    openDialog('members-dialog');
    await loadMembersDialog();
  }

  async function loadMembersDialog() {
    const roomId = $('members-dialog').dataset.roomId;
    try {
      const members = await fetchAll((page) => api.listMembers(roomId, page));
      members.forEach(rememberMemberName);
      $('member-list').replaceChildren(...members.map((m) => el('li', {},
        el('span', { textContent: m.userId === state.me.id ? `${m.displayName} (you)` : m.displayName }),
        m.isOwner ? el('span', { className: 'owner-tag', textContent: 'owner' }) : null)));
    } catch (error) { setError('members-error', error); }
  }

  async function addMember(user) {
    const roomId = $('members-dialog').dataset.roomId;
    setError('members-error', null);
    try {
      await api.addMember(roomId, { userId: user.id });
      resetSearch('member-search', 'member-results');
      await loadMembersDialog();
      refetchRoom(roomId);
    } catch (error) {
      setError('members-error', error.status === 409 ? `${user.displayName} is already a member.` : error);
    }
  }

  // ---------- Wiring ----------

  function wireEvents() {
    $('auth-form').addEventListener('submit', onAuthSubmit);
    $('sign-out').addEventListener('click', signOut);
    $('composer').addEventListener('submit', onSend);
    $('message-text').addEventListener('input', onComposerInput);
    $('file-input').addEventListener('change', onFilesPicked);
    $('messages').addEventListener('scroll', () => { if ($('messages').scrollTop < 60) loadOlder(); });

    $('new-group').addEventListener('click', openGroupDialog);
    $('group-form').addEventListener('submit', onCreateGroup);
    wireUserSearch('group-search', 'group-results', 'group-error', 'Add', (user) => {
      state.groupSelection.set(user.id, user.displayName);
      renderGroupSelection();
    });

    $('new-private').addEventListener('click', () => { resetSearch('private-search', 'private-results'); openDialog('private-dialog'); });
    wireUserSearch('private-search', 'private-results', 'private-error', 'Message', startPrivate);

    $('show-public').addEventListener('click', () => { $('public-search').value = ''; openDialog('public-dialog'); loadPublicRooms(); });
    $('public-search').addEventListener('input', debounce(loadPublicRooms, 250));

    $('show-members').addEventListener('click', openMembersDialog);
    wireUserSearch('member-search', 'member-results', 'members-error', 'Add', addMember);

    for (const button of document.querySelectorAll('[data-close]')) {
      button.addEventListener('click', () => button.closest('dialog').close());
    }
    // Enter in a search box would submit its dialog's form.
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && e.target.matches('input[type=search]')) e.preventDefault();
    });
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && state.currentRoomId) markRead(state.currentRoomId);
    });
  }

  async function boot() {
    wireEvents();
    const saved = sessionStorage.getItem(AUTH_KEY);
    if (saved) {
      try {
        state.auth = JSON.parse(saved);
        await startSession();
        return;
      } catch { signOut(); }
    }
    show('auth-view', true);
  }

  boot();
})();
