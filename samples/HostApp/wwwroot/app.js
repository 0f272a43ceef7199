// DfChat sample page: plain DOM, no build step of its own. It talks to the API through the TypeScript
// client (clients/typescript), bundled with SignalR into lib/dfchat/dfchat-client.js: typed REST calls,
// and real time that delivers each room's events once, in order, catching up after a lost connection.
// User text only ever reaches the page through textContent and attributes, never innerHTML.
// Actions a member may not take are not offered: the room's `membership.permissions` decide (API.md §3).
import { DfChatClient, DfChatError, DfChatRealtime, LogLevel } from './lib/dfchat/dfchat-client.js';

(() => {
  const API = '/api/chat';
  const PAGE_SIZE = 30;
  const TYPING_SEND_INTERVAL_MS = 2000;
  const TYPING_SHOW_MS = 3500;
  const REACTION_LABELS = { like: '👍', dislike: '👎' };
  const AUTH_KEY = 'dfchat.auth';
  const PERMISSIONS = [
    ['can_create_messages', 'Post messages'],
    ['can_add_users', 'Add members'],
    ['can_remove_users', 'Remove and ban members'],
    ['can_edit_room', 'Edit the room, pin, moderate'],
    ['can_delete_room', 'Delete the room'],
    ['can_edit_own_messages', 'Edit own messages'],
    ['can_delete_own_messages', 'Delete own messages'],
    ['can_edit_messages', 'Edit anyone\'s messages'],
    ['can_delete_messages', 'Delete anyone\'s messages'],
  ];
  const EDITOR_PERMISSIONS = ['can_create_messages', 'can_add_users'];

  const $ = (id) => document.getElementById(id);

  const state = {
    auth: null,             // { accessToken, refreshToken, expiresAt }
    me: null,               // { id, displayName }
    settings: { reactions: { allowed: ['like', 'dislike'], allowAnyEmoji: false, allowCustomText: false, maxCustomTextLength: 32 }, maxMessageLength: 4000 },
    rooms: new Map(),       // roomId -> Room
    names: new Map(),       // userId -> displayName
    privateTitles: new Map(), // roomId -> the other member's name
    currentRoomId: null,
    roomGeneration: 0,      // bumped on every room switch, to drop answers meant for the previous room
    roomMembers: [],        // members of the open room (for @ completion)
    messages: new Map(),    // messageId -> Message of the open room (and its thread)
    messageElements: new Map(), // messageId -> <li> of the open room
    olderCursor: null,
    loadingOlder: false,
    firstUnread: null,      // { seenAt } while the open room had unread messages when opened
    pendingFiles: [],       // { file, previewUrl, mediaId? }
    draftClientId: null,
    replyTo: null,          // Message the composer replies to
    editing: null,          // Message the composer edits
    mentions: new Map(),    // "@name" -> userId, picked in the composer
    thread: null,           // { root, elements: Map, generation }
    lastTypingSentAt: 0,
    typingUsers: new Map(), // userId -> timeout handle
    realtime: null,         // DfChatRealtime while signed in
    mediaUrls: new Map(),   // media id or URL -> Promise<object URL>
    groupSelection: new Map(), // userId -> displayName
    dialogMessage: null,    // Message the message dialog acts on
    blocked: new Set(),     // ids of the users the caller blocked (read when the members dialog opens)
  };

  // ---------- DOM helpers ----------

  /** Creates an element; `props` sets properties (textContent, className, dataset, on*, aria*). */
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null) continue;
      if (key === 'dataset') Object.assign(node.dataset, value);
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else if (key.startsWith('aria') || key === 'role') node.setAttribute(key === 'role' ? key : `aria-${key.slice(4).toLowerCase()}`, value);
      else node[key] = value;
    }
    node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
    return node;
  }

  function show(id, visible) { $(id).hidden = !visible; }
  function setError(id, error) { $(id).textContent = error ? describeError(error) : ''; }

  /** Invalid input lists its fields' messages; any other error its own message. */
  function describeError(error) {
    if (error instanceof DfChatError && Object.keys(error.errors).length) return Object.values(error.errors).flat().join('\n');
    if (error instanceof DfChatError && error.problem && error.problem.detail) return error.problem.detail;
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

  const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

  /** Initials of a name ("Ada Lovelace" → "AL", "bob@example.test" → "B"). */
  function initials(name) {
    const words = (name || '?').replace(/@.*/, '').split(/[\s._-]+/).filter(Boolean);
    const letters = words.length > 1 ? [words[0], words[words.length - 1]] : [words[0] || '?'];
    return letters.map((w) => [...w][0].toUpperCase()).join('');
  }

  /** A dark colour per id, so that white initials keep a 4.5:1 contrast. */
  function avatarColour(id) {
    let hash = 0;
    for (const c of String(id)) hash = (hash * 31 + c.codePointAt(0)) >>> 0;
    return `hsl(${hash % 360} 50% 27%)`;
  }

  function fillAvatar(node, name, id, pictureUrl) {
    node.replaceChildren(initials(name));
    node.style.background = avatarColour(id || name);
    if (pictureUrl) {
      authorizedObjectUrl(pictureUrl).then((url) => node.replaceChildren(el('img', { src: url, alt: '' })), () => {});
    }
    return node;
  }

  const avatar = (name, id, pictureUrl, extra = '') => fillAvatar(el('span', { className: `avatar ${extra}`, ariaHidden: 'true' }), name, id, pictureUrl);

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

  /** Permission checks as the server makes them: the owner holds every permission. */
  function can(room, permission) {
    const m = room && room.membership;
    return Boolean(m && (m.isOwner || m.permissions.includes(permission)));
  }

  const currentRoom = () => state.rooms.get(state.currentRoomId);

  // ---------- Authentication ----------

  /** The host's own routes (Identity's, the sample's), outside the chat's mount. */
  async function hostRequest(method, path, body, token) {
    const headers = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    // Read every body to its end (an unread one shows as a cancelled request in the browser's tools).
    const text = await response.text();
    const json = text && (response.headers.get('Content-Type') || '').includes('json') ? JSON.parse(text) : null;
    if (!response.ok) throw new DfChatError({ status: response.status, problem: json, request: { method, url: path } });
    return json;
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
    refreshing ??= hostRequest('POST', '/auth/refresh', { refreshToken: state.auth.refreshToken })
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
    const name = $('auth-name').value.trim();
    setError('auth-error', null);
    if (action === 'register' && !name) {
      $('auth-error').textContent = 'Choose a display name: it is how others see you.';
      $('auth-name').focus();
      return;
    }
    for (const button of ['login-button', 'register-button']) $(button).disabled = true;
    try {
      if (action === 'register') await hostRequest('POST', '/auth/register', { email, password });
      saveTokens(await hostRequest('POST', '/auth/login', { email, password }));
      // Identity's register takes no name: the sample's PATCH /auth/me sets it.
      if (action === 'register') await hostRequest('PATCH', '/auth/me', { displayName: name }, state.auth.accessToken);
      $('auth-password').value = '';
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
      auth: null, me: null, currentRoomId: null, olderCursor: null, draftClientId: null, thread: null,
    });
    for (const map of [state.rooms, state.names, state.privateTitles, state.messageElements, state.mediaUrls, state.messages]) map.clear();
    clearPendingFiles();
    $('room-list').replaceChildren();
    $('message-list').replaceChildren();
    for (const dialog of document.querySelectorAll('dialog[open]')) dialog.close();
    show('chat-view', false);
    show('auth-view', true);
    document.title = 'DfChat';
    setHash(null);
  }

  async function loadSettings() {
    try {
      state.settings = await hostRequest('GET', '/page/settings');
    } catch { /* keep the chat's defaults */ }
    $('message-text').maxLength = state.settings.maxMessageLength;
    $('thread-text').maxLength = state.settings.maxMessageLength;
  }

  async function startSession() {
    state.me = await api.getMe();
    state.names.set(state.me.id, state.me.displayName);
    $('me-name').textContent = state.me.displayName;
    fillAvatar($('me-avatar'), state.me.displayName, state.me.id);
    show('auth-view', false);
    show('chat-view', true);
    closeRoom(true);
    await loadRooms();
    connectHub();
    await followHash();
  }

  // ---------- Location: #room=<id> restores the open room after a reload; #invite=<token> joins ----------

  function setHash(roomId) {
    const hash = roomId ? `#room=${encodeURIComponent(roomId)}` : '';
    if (location.hash !== hash) history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
  }

  function hashValue(key) {
    const params = new URLSearchParams(location.hash.slice(1));
    return params.get(key);
  }

  async function followHash() {
    const invite = hashValue('invite');
    if (invite) { await acceptInvite(invite); return; }
    const roomId = hashValue('room');
    if (!roomId) return;
    if (!state.rooms.has(roomId)) {
      // A public room followed without joining still opens.
      try { showRoom(await api.getRoom(roomId)); } catch { setHash(null); return; }
      if (state.realtime) state.realtime.watch(roomId).catch(() => { /* read without live updates */ });
    }
    await openRoom(roomId);
  }

  // ---------- Rooms ----------

  async function loadRooms() {
    const rooms = await fetchAll((page) => api.listRooms(page));
    const open = state.currentRoomId && state.rooms.get(state.currentRoomId);
    state.rooms = new Map(rooms.map((room) => [room.id, room]));
    if (open && !open.membership && !state.rooms.has(open.id)) state.rooms.set(open.id, open);
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
    const author = room.type === 'private_messages' ? '' : (message.user ? message.user.displayName : state.names.get(message.userId));
    return author ? `${author}: ${body}` : body;
  }

  function renderRooms() {
    const rooms = [...state.rooms.values()]
      .filter((room) => room.membership)
      .sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt));
    // A re-render (every event may cause one) keeps the keyboard's place in the list.
    const focused = document.activeElement && document.activeElement.closest('#room-list .room-item');
    $('room-list').replaceChildren(...rooms.map(renderRoomItem));
    if (focused) $('room-list').querySelector(`.room-item[data-room-id="${CSS.escape(focused.dataset.roomId)}"] button`)?.focus();
    if (rooms.length === 0) $('room-list').append(el('li', { className: 'muted placeholder-item', textContent: 'No rooms yet: start one above.' }));
    // Unread messages of rooms not muted, in the tab's title.
    const unread = rooms.filter((r) => !r.membership.muted).reduce((sum, r) => sum + r.membership.unreadCount, 0);
    document.title = unread ? `(${unread}) DfChat` : 'DfChat';
  }

  function renderRoomItem(room) {
    const unread = room.membership ? room.membership.unreadCount : 0;
    const mentions = room.membership ? room.membership.mentionCount || 0 : 0;
    const title = roomTitle(room);
    const badge = unread > 0
      ? el('span', {
        className: `badge${mentions > 0 ? ' mention' : room.membership.muted ? ' muted-room' : ''}`,
        textContent: mentions > 0 ? `@${unread}` : String(unread),
        title: `${plural(unread, 'unread message')}${mentions ? `, ${plural(mentions, 'mention')}` : ''}`,
      })
      : el('span', { className: 'badge-empty' });
    const button = el('button', {
      type: 'button', className: 'room-button', ariaCurrent: room.id === state.currentRoomId ? 'true' : undefined,
      onclick: () => openRoom(room.id),
    },
    avatar(title, room.id, room.avatarUrl),
    el('span', { className: 'room-name', textContent: title }),
    el('span', { className: 'room-time', textContent: formatTime(room.lastActivityAt) }),
    el('span', { className: 'room-last', textContent: messagePreview(room) }),
    badge);
    return el('li', { className: `room-item${room.id === state.currentRoomId ? ' active' : ''}`, dataset: { roomId: room.id } }, button);
  }

  /** A room as the routes return it: shown, and its events tracked from the lastSeq it carries. */
  function putRoom(room) {
    if (state.realtime && room.membership) state.realtime.trackRoom(room);
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
    cancelRefetch(roomId);
    state.rooms.delete(roomId);
    renderRooms();
    if (roomId === state.currentRoomId) closeRoom();
  }

  const refetchTimers = new Map();
  /** Forgets a re-read still waiting for its room: the room is gone, or about to be deleted from this page. */
  function cancelRefetch(roomId) {
    clearTimeout(refetchTimers.get(roomId));
    refetchTimers.delete(roomId);
  }

  /** Re-reads a room after events that change counts we cannot compute locally; coalesces bursts. */
  function refetchRoom(roomId) {
    clearTimeout(refetchTimers.get(roomId));
    refetchTimers.set(roomId, setTimeout(async () => {
      refetchTimers.delete(roomId);
      try {
        const room = await api.getRoom(roomId);
        if (room.membership || (roomId === state.currentRoomId && room.isPublic)) putRoom(room); else dropRoom(roomId);
      } catch (error) {
        if (error.status === 404) dropRoom(roomId);
      }
    }, 150));
  }

  async function markRead(roomId, messageId) {
    const room = state.rooms.get(roomId);
    if (document.visibilityState !== 'visible' || !room || !room.membership) return;
    try {
      const membership = await api.markRead(roomId, messageId);
      if (room) { room.membership = membership; renderRooms(); }
    } catch (error) {
      // The message was deleted meanwhile: mark the room read up to now instead.
      if (messageId && error.status === 400) markRead(roomId, null);
    }
  }

  // A burst of incoming messages in the open room needs one read mark. It names no message: "read up to
  // now" cannot fail, whereas naming the newest message is a 400 when it is deleted before the mark lands.
  let readSoon = null;
  function markReadSoon(roomId) {
    clearTimeout(readSoon);
    readSoon = setTimeout(() => { readSoon = null; markRead(roomId); }, 300);
  }

  /** Before leaving or deleting a room, or switching away: no read mark may follow it. */
  function cancelReadSoon() {
    clearTimeout(readSoon);
    readSoon = null;
  }

  // ---------- The open room ----------

  /** A public room read without joining stops being followed once the page leaves it. */
  function endPreview() {
    const room = state.rooms.get(state.currentRoomId);
    if (!room || room.membership) return;
    state.rooms.delete(room.id);
    if (state.realtime) state.realtime.unwatch(room.id).catch(() => { /* best effort */ });
  }

  /** Back to the list (the only screen at 390 px); `keepHash` while a reload restores the room. */
  function closeRoom(keepHash = false) {
    cancelReadSoon();
    endPreview();
    state.currentRoomId = null;
    state.roomGeneration++;
    closeThread();
    show('no-room', true);
    show('room-open', false);
    $('chat-view').classList.remove('room-shown');
    if (keepHash !== true) setHash(null);
    renderRooms();
  }

  async function openRoom(roomId, options = {}) {
    if (roomId === state.currentRoomId && !options.reload) { showRoomPane(); return; }
    if (roomId !== state.currentRoomId) endPreview();
    const generation = ++state.roomGeneration;
    const room = state.rooms.get(roomId);
    cancelReadSoon();
    state.currentRoomId = roomId;
    state.olderCursor = null;
    state.messageElements.clear();
    state.messages.clear();
    state.roomMembers = [];
    state.firstUnread = room && room.membership && room.membership.unreadCount > 0 ? { seenAt: room.membership.lastSeenAt } : null;
    clearTyping();
    clearPendingFiles();
    closeThread();
    resetComposer();
    $('message-list').replaceChildren();
    setError('composer-error', null);
    show('no-room', false);
    show('room-open', true);
    show('jump-unread', false);
    showRoomPane();
    setHash(roomId);
    renderRoomHeader();
    renderRooms();

    await loadMembers(roomId);
    const page = await api.listMessages(roomId, { limit: PAGE_SIZE });
    if (generation !== state.roomGeneration) return;
    state.olderCursor = page.nextCursor;
    page.items.slice().reverse().forEach(appendMessage);
    show('load-older', Boolean(state.olderCursor));
    placeUnreadDivider();
    scrollToBottom();
    await fillViewportWithHistory(generation);
    if (generation !== state.roomGeneration) return;
    // Offered when the first unread message is not already in view.
    const divider = document.querySelector('.unread-divider');
    show('jump-unread', Boolean(state.firstUnread) && !(divider && divider.getBoundingClientRect().top >= $('messages').getBoundingClientRect().top));
    markRead(roomId);
    if (!options.keepFocus && window.matchMedia('(min-width: 701px)').matches) $('message-text').focus();
  }

  function showRoomPane() {
    $('chat-view').classList.add('room-shown');
  }

  function renderRoomHeader() {
    const room = currentRoom();
    if (!room) return;
    const title = roomTitle(room);
    $('room-title').textContent = title;
    fillAvatar($('room-avatar'), title, room.id, room.avatarUrl);
    const kind = { private_messages: 'Private', group: 'Group', channel: 'Channel' }[room.type] || room.type;
    const extras = [kind, room.isPublic ? 'public' : null, plural(room.memberCount, 'member')];
    if (room.slowModeSeconds) extras.push(`slow mode ${room.slowModeSeconds} s`);
    if (room.frozen) extras.push('frozen');
    $('room-subtitle').textContent = extras.filter(Boolean).join(' · ');

    const member = Boolean(room.membership);
    const moderator = can(room, 'can_edit_room');
    const canPost = can(room, 'can_create_messages') && (!room.frozen || moderator);
    show('composer', canPost);
    let notice = null;
    if (!member && room.isPublic) notice = 'You are reading a public room. Join it to take part.';
    else if (room.frozen && !moderator) notice = 'This room is frozen: only its moderators write for now.';
    else if (!canPost) notice = 'You can read this room and react, but not post in it.';
    else if (room.slowModeSeconds && !moderator) notice = `Slow mode: one message every ${room.slowModeSeconds} seconds.`;
    $('room-notice').replaceChildren(notice || '');
    if (!member && room.isPublic) $('room-notice').append(' ', el('button', { type: 'button', className: 'small', textContent: 'Join', onclick: () => joinRoom(room, false) }));
    show('room-notice', Boolean(notice));
    show('show-members', true);
    show('show-pins', true);
  }

  function rememberMemberName(member) {
    state.names.set(member.userId, member.displayName);
  }

  async function loadMembers(roomId) {
    try {
      const page = await api.listMembers(roomId, { limit: 100 });
      page.items.forEach(rememberMemberName);
      if (roomId === state.currentRoomId) state.roomMembers = page.items;
    } catch { /* names fall back to a lookup per author */ }
  }

  /** Authors not among the first members loaded (large rooms, former members) are looked up once. */
  const nameLookups = new Set();
  function authorName(roomId, userId) {
    if (!userId) return 'Deleted user';
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

  function nameOf(message) {
    if (message.userId === state.me.id) return state.me.displayName;
    return message.user ? message.user.displayName : authorName(message.roomId, message.userId);
  }

  /** Text with the names of mentioned members marked. */
  function renderText(message) {
    const node = el('div', { className: 'message-text' });
    const names = (message.mentions || []).map((id) => state.names.get(id)).filter(Boolean).map((n) => `@${n}`);
    if (names.length === 0) { node.textContent = message.text; return node; }
    const pattern = new RegExp(`(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`);
    for (const part of message.text.split(pattern)) {
      node.append(names.includes(part) ? el('span', { className: 'mention-chip', textContent: part }) : part);
    }
    return node;
  }

  function renderMessage(message, { inThread = false } = {}) {
    // A message names its author (v1.1): no look-up needed for it.
    if (message.user) state.names.set(message.userId, message.user.displayName);
    state.messages.set(message.id, message);
    const mine = message.userId === state.me.id;
    const name = nameOf(message);
    const meta = el('div', { className: 'message-meta' },
      el('span', { className: 'message-author', dataset: { userId: message.userId || '' }, textContent: mine ? 'You' : name, title: name }),
      el('time', { dateTime: message.createdAt, textContent: formatTime(message.createdAt), title: new Date(message.createdAt).toLocaleString() }),
      message.editedAt ? el('span', { textContent: '(edited)' }) : null,
      message.pinnedAt ? el('span', { className: 'pinned-tag', textContent: '📌 pinned' }) : null);

    const tools = el('div', { className: 'message-tools' }, ...renderReactions(message));
    if (!inThread && !message.threadId && message.threadReplyCount) {
      tools.append(el('button', {
        type: 'button', className: 'secondary small thread-summary', textContent: plural(message.threadReplyCount, 'reply'),
        onclick: () => openThread(message),
      }));
    }
    const menu = el('button', {
      type: 'button', className: 'icon small message-menu', textContent: '⋯', ariaLabel: `Actions on the message of ${name}`, title: 'Message actions',
      onclick: () => openMessageDialog(message),
    });

    return el('li', { className: `message${mine ? ' mine' : ''}`, dataset: { id: message.id } },
      avatar(name, message.userId || message.id),
      el('div', { className: 'bubble' },
        meta,
        message.replyToId ? renderQuote(message) : null,
        message.media.length ? renderMedia(message.media) : null,
        message.text ? renderText(message) : null,
        tools.childElementCount ? tools : null),
      menu);
  }

  /** A reply shows the message it answers: from the open room when loaded, else read once. */
  function renderQuote(message) {
    const quote = el('button', {
      type: 'button', className: 'quote', textContent: '↪ …',
      onclick: () => revealMessage(message.replyToId),
    });
    const fill = (original) => {
      const text = original.text || (original.media.length ? '📷 Picture' : '');
      quote.textContent = `↪ ${nameOf(original)}: ${text}`;
      quote.ariaLabel = `In reply to ${nameOf(original)}: ${text}`;
    };
    const known = state.messages.get(message.replyToId);
    if (known) fill(known);
    else {
      api.getMessage(message.roomId, message.replyToId)
        .then((original) => { state.messages.set(original.id, original); fill(original); })
        .catch(() => { quote.textContent = '↪ A deleted message'; });
    }
    return quote;
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
      type: 'button', className: 'secondary small', textContent: `📄 ${media.fileName || 'file'}`,
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

  /** A room's avatarUrl, read with the caller's token. */
  function authorizedObjectUrl(url) {
    if (!state.mediaUrls.has(url)) {
      const objectUrl = currentToken()
        .then((token) => fetch(url, { headers: { Authorization: `Bearer ${token}` } }))
        .then((response) => { if (!response.ok) throw new Error(String(response.status)); return response.blob(); })
        .then((blob) => URL.createObjectURL(blob));
      objectUrl.catch(() => state.mediaUrls.delete(url));
      state.mediaUrls.set(url, objectUrl);
    }
    return state.mediaUrls.get(url);
  }

  const reactionLabel = (value) => REACTION_LABELS[value] || value;

  /** The reactions given so far; a click on one gives or takes back the caller's. */
  function renderReactions(message) {
    return message.reactions.filter((r) => r.count > 0).map((summary) => el('button', {
      type: 'button',
      className: `reaction${summary.me ? ' me' : ''}`,
      title: summary.reaction,
      ariaLabel: `${summary.reaction}: ${summary.count}${summary.me ? ', yours' : ''}`,
      ariaPressed: String(summary.me),
      dataset: { reaction: summary.reaction },
      textContent: `${reactionLabel(summary.reaction)} ${summary.count}`,
      onclick: () => toggleReaction(message, summary.reaction, summary.me),
    }));
  }

  function appendMessage(message) {
    if (message.threadId) return;
    if (state.messageElements.has(message.id)) { replaceMessage(message); return; }
    const item = renderMessage(message);
    state.messageElements.set(message.id, item);
    $('message-list').append(item);
  }

  function prependMessages(messagesOldestFirst) {
    const fresh = messagesOldestFirst.filter((m) => !state.messageElements.has(m.id) && !m.threadId);
    const items = fresh.map((m) => { const item = renderMessage(m); state.messageElements.set(m.id, item); return item; });
    $('message-list').prepend(...items);
  }

  function replaceMessage(message) {
    if (state.thread && state.thread.elements.has(message.id)) {
      const old = state.thread.elements.get(message.id);
      const item = renderMessage(message, { inThread: true });
      old.replaceWith(item);
      state.thread.elements.set(message.id, item);
      if (state.thread.root.id === message.id) state.thread.root = message;
    }
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
    state.messages.delete(messageId);
    if (state.thread) {
      if (state.thread.root.id === messageId) closeThread();
      else if (state.thread.elements.has(messageId)) { state.thread.elements.get(messageId).remove(); state.thread.elements.delete(messageId); }
    }
  }

  /** "New messages" above the first message that arrived since the caller last read the room. */
  function placeUnreadDivider() {
    document.querySelectorAll('.unread-divider').forEach((d) => d.remove());
    if (!state.firstUnread) return null;
    const first = [...state.messageElements.entries()]
      .map(([id, item]) => [state.messages.get(id), item])
      .filter(([m]) => m && m.userId !== state.me.id && m.createdAt > state.firstUnread.seenAt)
      .sort(([a], [b]) => a.createdAt.localeCompare(b.createdAt))[0];
    if (!first) return null;
    const divider = el('li', { className: 'unread-divider', textContent: 'New messages', role: 'separator' });
    first[1].before(divider);
    return divider;
  }

  async function jumpToFirstUnread() {
    const generation = state.roomGeneration;
    // Older pages until the last read message is loaded (or the room's start).
    const oldestLoaded = () => { const m = state.messages.get($('message-list').querySelector('.message')?.dataset.id); return m && m.createdAt; };
    while (state.firstUnread && state.olderCursor && generation === state.roomGeneration && (oldestLoaded() || '') > state.firstUnread.seenAt) {
      await loadOlder();
    }
    const divider = placeUnreadDivider();
    if (divider) divider.scrollIntoView({ block: 'start' });
    show('jump-unread', false);
  }

  async function loadOlder() {
    if (!state.olderCursor || state.loadingOlder) return;
    const roomId = state.currentRoomId;
    const generation = state.roomGeneration;
    state.loadingOlder = true;
    $('load-older').disabled = true;
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
      $('load-older').disabled = false;
      show('load-older', Boolean(state.olderCursor));
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
    if (roomId !== state.currentRoomId) return;
    if (!state.messageElements.has(messageId) && !(state.thread && state.thread.elements.has(messageId))) return;
    try {
      replaceMessage(await api.getMessage(roomId, messageId));
    } catch (error) {
      if (error.status === 404) removeMessage(messageId);
    }
  }

  /** Scrolls to a message of the open room, loading older pages when needed, and highlights it. */
  async function revealMessage(messageId) {
    const generation = state.roomGeneration;
    let guard = 20;
    while (!state.messageElements.has(messageId) && state.olderCursor && guard-- > 0 && generation === state.roomGeneration) await loadOlder();
    const item = state.messageElements.get(messageId);
    if (!item) return false;
    item.scrollIntoView({ block: 'center' });
    item.classList.add('highlight');
    setTimeout(() => item.classList.remove('highlight'), 2000);
    return true;
  }

  // ---------- Sending, replying, editing ----------

  function resetComposer() {
    state.replyTo = null;
    state.editing = null;
    state.draftClientId = null;
    state.mentions.clear();
    $('message-text').value = '';
    hideMentions();
    renderComposerContext();
  }

  function renderComposerContext() {
    const target = state.editing || state.replyTo;
    show('composer-context', Boolean(target));
    if (!target) return;
    const text = target.text || '📷 Picture';
    $('composer-context-text').textContent = state.editing ? `Editing: ${text}` : `Replying to ${nameOf(target)}: ${text}`;
    $('send-button').textContent = state.editing ? 'Save' : 'Send';
  }

  function startReply(message) {
    state.editing = null;
    state.replyTo = message;
    renderComposerContext();
    $('message-text').focus();
  }

  function startEdit(message) {
    state.replyTo = null;
    state.editing = message;
    state.mentions.clear();
    for (const id of message.mentions || []) if (state.names.has(id)) state.mentions.set(`@${state.names.get(id)}`, id);
    $('message-text').value = message.text || '';
    renderComposerContext();
    $('message-text').focus();
  }

  function cancelComposerContext() {
    const wasEditing = Boolean(state.editing);
    state.replyTo = null;
    state.editing = null;
    if (wasEditing) $('message-text').value = '';
    $('send-button').textContent = 'Send';
    renderComposerContext();
  }

  /** The members picked with @ whose name is still in the text. */
  function mentionedIds(text) {
    return [...new Set([...state.mentions].filter(([name]) => text.includes(name)).map(([, id]) => id))];
  }

  async function onSend(event) {
    event.preventDefault();
    const roomId = state.currentRoomId;
    const text = $('message-text').value.trim();
    if (!roomId) return;
    if (state.editing) { await saveEdit(roomId, text); return; }
    if (!text && state.pendingFiles.length === 0) return;
    // One id per draft: a retry after a network failure returns the first message instead of a duplicate.
    state.draftClientId ??= newClientId();
    $('send-button').disabled = true;
    setError('composer-error', null);
    try {
      const mediaIds = await uploadPendingFiles();
      const body = { clientMessageId: state.draftClientId };
      if (text) body.text = text;
      if (mediaIds.length) body.mediaIds = mediaIds;
      if (state.replyTo) body.replyToId = state.replyTo.id;
      const mentions = mentionedIds(text);
      if (mentions.length) body.mentions = mentions;
      const message = await api.sendMessage(roomId, body);
      resetComposer();
      clearPendingFiles();
      onMessageCreated(message);
      scrollToBottom();
    } catch (error) {
      setError('composer-error', error.status === 429 ? `Slow down: try again in ${error.retryAfter || 'a few'} seconds.` : error);
    } finally {
      $('send-button').disabled = false;
      $('message-text').focus();
    }
  }

  async function saveEdit(roomId, text) {
    const message = state.editing;
    if (!text) { setError('composer-error', new Error('A message needs text; delete it instead.')); return; }
    $('send-button').disabled = true;
    try {
      const body = { text };
      const mentions = mentionedIds(text);
      if (mentions.length || (message.mentions || []).length) body.mentions = mentions;
      replaceMessage(await api.editMessage(roomId, message.id, body));
      resetComposer();
      $('send-button').textContent = 'Send';
    } catch (error) {
      setError('composer-error', error);
    } finally {
      $('send-button').disabled = false;
    }
  }

  /** Uploads each file once; ids survive a failed send so a retry does not upload again. */
  async function uploadPendingFiles() {
    for (const pending of state.pendingFiles) {
      if (pending.mediaId) continue;
      pending.mediaId = (await api.uploadMedia(pending.file, pending.file.name)).id;
    }
    return state.pendingFiles.map((p) => p.mediaId);
  }

  function onFilesPicked(event) {
    for (const file of event.target.files) {
      state.pendingFiles.push({ file, previewUrl: file.type.startsWith('image/') ? URL.createObjectURL(file) : null });
    }
    event.target.value = '';
    renderPendingFiles();
    $('message-text').focus();
  }

  function renderPendingFiles() {
    $('pending-files').replaceChildren(...state.pendingFiles.map((pending, index) => el('li', {},
      pending.previewUrl
        ? el('img', { src: pending.previewUrl, alt: pending.file.name, title: pending.file.name })
        : el('span', { className: 'file-name', textContent: `📄 ${pending.file.name}` }),
      el('button', {
        type: 'button', textContent: '×', title: `Remove ${pending.file.name}`, ariaLabel: `Remove ${pending.file.name}`,
        onclick: () => {
          if (pending.previewUrl) URL.revokeObjectURL(pending.previewUrl);
          state.pendingFiles.splice(index, 1);
          renderPendingFiles();
        },
      }))));
  }

  function clearPendingFiles() {
    for (const pending of state.pendingFiles) if (pending.previewUrl) URL.revokeObjectURL(pending.previewUrl);
    state.pendingFiles = [];
    renderPendingFiles();
  }

  function onComposerInput() {
    updateMentions();
    const realtime = state.realtime;
    const room = currentRoom();
    if (!room || !room.membership || !$('message-text').value || !realtime || realtime.state !== 'connected') return;
    const now = Date.now();
    if (now - state.lastTypingSentAt < TYPING_SEND_INTERVAL_MS) return;
    state.lastTypingSentAt = now;
    realtime.typing(state.currentRoomId).catch(() => { /* typing is best effort */ });
  }

  // ---------- @ mentions ----------

  let mentionChoices = [];
  let mentionIndex = 0;

  /** The "@word" being typed right before the caret, if any. */
  function mentionQuery() {
    const input = $('message-text');
    const before = input.value.slice(0, input.selectionStart);
    const match = /(^|\s)@([^\s@]*)$/.exec(before);
    return match ? { query: match[2], start: before.length - match[2].length - 1 } : null;
  }

  function updateMentions() {
    const q = mentionQuery();
    if (!q) { hideMentions(); return; }
    const wanted = q.query.toLowerCase();
    mentionChoices = state.roomMembers
      .filter((m) => m.userId !== state.me.id && m.displayName.toLowerCase().includes(wanted))
      .slice(0, 8);
    if (mentionChoices.length === 0) { hideMentions(); return; }
    mentionIndex = Math.min(mentionIndex, mentionChoices.length - 1);
    renderMentions();
  }

  function renderMentions() {
    $('mention-list').replaceChildren(...mentionChoices.map((m, i) => el('li', {
      id: `mention-${i}`, role: 'option', ariaSelected: String(i === mentionIndex),
      onmousedown: (e) => { e.preventDefault(); pickMention(m); },
    }, avatar(m.displayName, m.userId), el('span', { textContent: m.displayName }))));
    show('mention-list', true);
    $('message-text').setAttribute('aria-expanded', 'true');
    $('message-text').setAttribute('aria-activedescendant', `mention-${mentionIndex}`);
  }

  function hideMentions() {
    mentionChoices = [];
    mentionIndex = 0;
    show('mention-list', false);
    $('message-text').setAttribute('aria-expanded', 'false');
    $('message-text').removeAttribute('aria-activedescendant');
  }

  function pickMention(member) {
    const q = mentionQuery();
    if (!q) return;
    const input = $('message-text');
    const name = `@${member.displayName}`;
    const after = input.value.slice(input.selectionStart);
    input.value = `${input.value.slice(0, q.start)}${name} ${after}`;
    const caret = q.start + name.length + 1;
    input.setSelectionRange(caret, caret);
    state.mentions.set(name, member.userId);
    hideMentions();
    input.focus();
  }

  function onComposerKeyDown(event) {
    if (mentionChoices.length) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        mentionIndex = (mentionIndex + (event.key === 'ArrowDown' ? 1 : -1) + mentionChoices.length) % mentionChoices.length;
        renderMentions();
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') { event.preventDefault(); pickMention(mentionChoices[mentionIndex]); return; }
      if (event.key === 'Escape') { event.preventDefault(); hideMentions(); return; }
    }
    if (event.key === 'Escape' && (state.replyTo || state.editing)) { event.preventDefault(); cancelComposerContext(); }
  }

  // ---------- Threads ----------

  async function openThread(root) {
    const generation = state.roomGeneration;
    state.thread = { root, elements: new Map() };
    const rootItem = renderMessage(root, { inThread: true });
    state.thread.elements.set(root.id, rootItem);
    $('thread-root').replaceChildren(rootItem);
    $('thread-list').replaceChildren();
    setError('thread-error', null);
    show('thread-composer', can(currentRoom(), 'can_create_messages'));
    show('thread-panel', true);
    try {
      const replies = await fetchAll((page) => api.listThread(root.roomId, root.id, page));
      if (generation !== state.roomGeneration || !state.thread || state.thread.root.id !== root.id) return;
      replies.forEach(appendThreadReply);
    } catch (error) { setError('thread-error', error); }
    $('thread-text').focus();
  }

  function appendThreadReply(message) {
    if (!state.thread || message.threadId !== state.thread.root.id || state.thread.elements.has(message.id)) return;
    const item = renderMessage(message, { inThread: true });
    state.thread.elements.set(message.id, item);
    $('thread-list').append(item);
    const box = $('thread-messages');
    box.scrollTop = box.scrollHeight;
  }

  function closeThread() {
    state.thread = null;
    show('thread-panel', false);
    $('thread-list').replaceChildren();
    $('thread-root').replaceChildren();
  }

  async function onThreadSend(event) {
    event.preventDefault();
    const text = $('thread-text').value.trim();
    if (!text || !state.thread) return;
    const root = state.thread.root;
    $('thread-send').disabled = true;
    setError('thread-error', null);
    try {
      const message = await api.sendMessage(root.roomId, { text, threadId: root.id, clientMessageId: newClientId() });
      $('thread-text').value = '';
      appendThreadReply(message);
    } catch (error) { setError('thread-error', error); } finally {
      $('thread-send').disabled = false;
      $('thread-text').focus();
    }
  }

  // ---------- A message's actions ----------

  function openMessageDialog(message) {
    const room = currentRoom();
    state.dialogMessage = message;
    const mine = message.userId === state.me.id;
    const member = Boolean(room && room.membership);
    const moderator = can(room, 'can_edit_room');
    const writable = !room.frozen || moderator;
    const canPost = can(room, 'can_create_messages') && writable;
    const canEdit = writable && message.text !== null && message.text !== undefined && (mine ? can(room, 'can_edit_own_messages') : can(room, 'can_edit_messages'));
    const canDelete = mine ? can(room, 'can_delete_own_messages') : can(room, 'can_delete_messages');
    const canPin = member && (room.type === 'private_messages' || moderator) && !message.threadId;
    $('message-dialog-text').textContent = `${nameOf(message)}: ${message.text || '📷 Picture'}`;
    const action = (name, label, run, className = 'secondary') => el('button', {
      type: 'button', className, textContent: label, dataset: { action: name },
      onclick: async () => {
        setError('message-dialog-error', null);
        try { await run(); } catch (error) { setError('message-dialog-error', error); }
      },
    });
    const close = () => $('message-dialog').close();
    $('message-actions').replaceChildren(...[
      canPost && !message.threadId ? action('reply', 'Reply', () => { close(); startReply(message); }) : null,
      member && !message.threadId && (canPost || message.threadReplyCount) ? action('thread', message.threadReplyCount ? 'Open thread' : 'Reply in thread', () => { close(); openThread(message); }) : null,
      canEdit ? action('edit', 'Edit', () => { close(); startEdit(message); }) : null,
      canPin ? action('pin', message.pinnedAt ? 'Unpin' : 'Pin', async () => {
        const updated = message.pinnedAt ? await api.unpinMessage(message.roomId, message.id) : await api.pinMessage(message.roomId, message.id);
        replaceMessage(updated);
        close();
      }) : null,
      message.editedAt ? action('history', 'Earlier versions', async () => {
        const versions = await fetchAll((page) => api.listMessageHistory(message.roomId, message.id, page));
        $('message-dialog-text').textContent = versions.map((v) => `${formatTime(v.editedAt)}: ${v.text}`).join('\n') || 'No earlier version.';
      }) : null,
      mine && member ? action('readers', 'Seen by', async () => {
        const readers = await fetchAll((page) => api.listMessageReaders(message.roomId, message.id, page));
        $('message-dialog-text').textContent = readers.length ? `Seen by ${readers.map((r) => r.displayName).join(', ')}` : 'Nobody has seen it yet.';
      }) : null,
      !mine ? action('report', 'Report', () => { close(); openReportDialog(message); }) : null,
      canDelete ? action('delete', 'Delete', async () => {
        await api.deleteMessage(message.roomId, message.id);
        removeMessage(message.id);
        refetchRoom(message.roomId);
        close();
      }, 'danger') : null,
    ].filter(Boolean));
    renderReactionPicker(message, member && writable);
    openDialog('message-dialog');
  }

  function renderReactionPicker(message, allowed) {
    const policy = state.settings.reactions;
    const given = new Map(message.reactions.map((r) => [r.reaction, r]));
    show('reaction-picker', allowed && policy.allowed.length > 0);
    show('reaction-custom', allowed && (policy.allowAnyEmoji || policy.allowCustomText));
    $('reaction-picker').replaceChildren(...policy.allowed.map((value) => {
      const mine = Boolean(given.get(value) && given.get(value).me);
      return el('button', {
        type: 'button', textContent: reactionLabel(value), title: value, ariaLabel: `React ${value}`, ariaPressed: String(mine),
        dataset: { reaction: value },
        onclick: async () => { $('message-dialog').close(); await toggleReaction(message, value, mine); },
      });
    }));
    $('reaction-custom-text').value = '';
    $('reaction-custom-text').maxLength = policy.allowCustomText ? policy.maxCustomTextLength : 16;
    $('reaction-custom-text').placeholder = policy.allowCustomText ? 'An emoji or a word' : 'One emoji';
  }

  async function sendCustomReaction() {
    const value = $('reaction-custom-text').value.trim();
    const message = state.dialogMessage;
    if (!value || !message) return;
    try {
      await api.addReaction(message.roomId, message.id, value);
      $('message-dialog').close();
      await refreshMessage(message.roomId, message.id);
    } catch (error) { setError('message-dialog-error', error); }
  }

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

  function openReportDialog(message) {
    state.dialogMessage = message;
    $('report-reason').value = '';
    openDialog('report-dialog');
    $('report-reason').focus();
  }

  async function onReport(event) {
    event.preventDefault();
    const message = state.dialogMessage;
    try {
      await api.reportMessage(message.roomId, message.id, $('report-reason').value.trim());
      $('report-dialog').close();
      flashNotice('Thank you: the report went to the host.');
    } catch (error) { setError('report-error', error); }
  }

  function flashNotice(text) {
    $('typing').textContent = text;
    setTimeout(() => { if ($('typing').textContent === text) $('typing').textContent = ''; }, 4000);
  }

  // ---------- Real time ----------

  function setConnectionState(name) {
    const dot = $('connection-state');
    dot.className = `connection ${name}`;
    dot.title = `Real time: ${name}`;
    dot.setAttribute('aria-label', `Real time: ${name}`);
  }

  function connectHub() {
    const realtime = new DfChatRealtime(api, {
      // Short, jittered waits: back within seconds of the network's return, without every client at once.
      reconnectDelay: (attempt) => Math.min(5000, 500 * 2 ** attempt) + Math.random() * 500,
      logLevel: LogLevel.Warning,
    });
    const handlers = {
      messageCreated: onMessageCreated,
      messageUpdated: onMessageUpdated,
      messageDeleted: ({ roomId, messageId }) => { if (roomId === state.currentRoomId) removeMessage(messageId); refetchRoom(roomId); },
      reactionAdded: ({ roomId, messageId }) => refreshMessage(roomId, messageId),
      reactionRemoved: ({ roomId, messageId }) => refreshMessage(roomId, messageId),
      memberAdded: onMemberAdded,
      memberUpdated: onMemberUpdated,
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
      if (roomId === state.currentRoomId) openRoom(roomId, { reload: true });
    });
    realtime.trackRooms([...state.rooms.values()].filter((room) => room.membership));
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
    if (message.threadId) {
      if (message.roomId === state.currentRoomId) appendThreadReply(message);
      return;
    }
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
      if (!mine) { clearTypingOf(message.userId); markReadSoon(message.roomId); }
    } else if (!mine && isNew && room.membership && !state.messageElements.has(message.id)) {
      room.membership.unreadCount += 1;
      if ((message.mentions || []).includes(state.me.id)) room.membership.mentionCount = (room.membership.mentionCount || 0) + 1;
      // The badge counts at once; the server's count follows the burst, since a room read while
      // messages were arriving (a read mark's answer, a refetch) may have replaced a count in between.
      refetchRoom(message.roomId);
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
    if (state.rooms.has(member.roomId) || member.userId === state.me.id) refetchRoom(member.roomId);
    if (member.roomId === state.currentRoomId) loadMembers(member.roomId);
    if (membersDialogRoomId() === member.roomId) loadMembersDialog();
  }

  function onMemberUpdated(member) {
    rememberMemberName(member);
    if (member.userId === state.me.id) refetchRoom(member.roomId);
    if (membersDialogRoomId() === member.roomId) loadMembersDialog();
  }

  function onMemberRemoved({ roomId, userId }) {
    if (userId === state.me.id) {
      const room = state.rooms.get(roomId);
      // Still readable when public: keep it open, without membership.
      if (room && room.isPublic && roomId === state.currentRoomId) { room.membership = null; refetchRoom(roomId); renderRoomHeader(); } else dropRoom(roomId);
    } else refetchRoom(roomId);
    if (roomId === state.currentRoomId) loadMembers(roomId);
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
    if (!state.typingUsers.has(userId)) return;
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
    if (!dialog.open) dialog.showModal();
  }

  async function searchUsers(text) {
    const page = await api.searchUsers({ search: text, limit: 20 });
    return page.items.filter((u) => u.id !== state.me.id);
  }

  /** Fills a result list with users, each with one action button. */
  function renderUserResults(listId, users, buttonText, onPick) {
    $(listId).replaceChildren(...users.map((user) => el('li', {},
      el('span', { className: 'who' }, avatar(user.displayName, user.id), el('span', { textContent: user.displayName })),
      el('button', { type: 'button', textContent: buttonText, ariaLabel: `${buttonText} ${user.displayName}`, onclick: () => onPick(user) }))));
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

  // New room

  function openGroupDialog() {
    state.groupSelection.clear();
    $('group-name').value = '';
    $('group-description').value = '';
    $('group-public').checked = false;
    $('group-type-group').checked = true;
    resetSearch('group-search', 'group-results');
    renderGroupSelection();
    openDialog('group-dialog');
    $('group-name').focus();
  }

  function renderGroupSelection() {
    $('group-selected').replaceChildren(...[...state.groupSelection].map(([id, name]) => el('li', {},
      el('span', { textContent: name }),
      el('button', {
        type: 'button', textContent: '×', title: `Remove ${name}`, ariaLabel: `Remove ${name}`,
        onclick: () => { state.groupSelection.delete(id); renderGroupSelection(); },
      }))));
  }

  async function onCreateGroup(event) {
    event.preventDefault();
    setError('group-error', null);
    try {
      const description = $('group-description').value.trim();
      const room = await api.createRoom({
        type: $('group-type-channel').checked ? 'channel' : 'group',
        name: $('group-name').value.trim(),
        description: description || undefined,
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

  // Public rooms and invitations

  async function loadPublicRooms() {
    try {
      const page = await api.listPublicRooms({ search: $('public-search').value.trim(), limit: 50 });
      $('public-results').replaceChildren(...page.items.map(renderPublicRoom));
      if (page.items.length === 0) $('public-results').append(el('li', { className: 'muted', textContent: 'No public rooms found.' }));
    } catch (error) { setError('public-error', error); }
  }

  function renderPublicRoom(room) {
    const member = Boolean(room.membership);
    const name = room.name || 'Untitled room';
    return el('li', {},
      el('span', { className: 'who' },
        avatar(name, room.id),
        el('span', {}, el('strong', { textContent: name }), el('span', { className: 'muted', textContent: ` · ${plural(room.memberCount, 'member')}` }))),
      el('span', { className: 'tools' },
        member ? null : el('button', { type: 'button', className: 'secondary', textContent: 'Look', ariaLabel: `Look into ${name}`, onclick: () => previewRoom(room) }),
        el('button', { type: 'button', textContent: member ? 'Open' : 'Join', ariaLabel: `${member ? 'Open' : 'Join'} ${name}`, onclick: () => joinRoom(room, member) })));
  }

  /** Reads a public room without joining (API.md §3), following it live with Watch. */
  function previewRoom(room) {
    $('public-dialog').close();
    state.rooms.set(room.id, room);
    if (state.realtime) state.realtime.watch(room.id).catch(() => { /* read without live updates */ });
    openRoom(room.id);
  }

  async function joinRoom(room, alreadyMember) {
    try {
      const joined = alreadyMember ? room : await api.joinRoom(room.id);
      if ($('public-dialog').open) $('public-dialog').close();
      putRoom(joined);
      openRoom(joined.id, { reload: true });
    } catch (error) { setError('public-error', error); }
  }

  /** An invitation link is the page's address with #invite=<token>; the bare token works too. */
  function inviteToken(text) {
    const match = /invite=([^&\s]+)/.exec(text);
    return decodeURIComponent(match ? match[1] : text.trim());
  }

  async function acceptInvite(text) {
    const token = inviteToken(text);
    setHash(null);
    try {
      const room = await api.acceptInvite(token);
      if ($('public-dialog').open) $('public-dialog').close();
      putRoom(room);
      await openRoom(room.id);
    } catch (error) {
      if (!$('public-dialog').open) { $('public-search').value = ''; openDialog('public-dialog'); loadPublicRooms(); }
      setError('public-error', error.status === 404 ? 'This invitation is unknown, used up, revoked or expired.' : error);
    }
  }

  // Members

  function membersDialogRoomId() {
    return $('members-dialog').open ? $('members-dialog').dataset.roomId : null;
  }

  async function openMembersDialog() {
    const room = currentRoom();
    if (!room) return;
    $('members-dialog').dataset.roomId = room.id;
    const canAdd = room.type !== 'private_messages' && can(room, 'can_add_users');
    show('add-member', canAdd);
    // A channel's owner chooses its editors as it adds them.
    show('member-editor-choice', room.type === 'channel' && room.membership && room.membership.isOwner);
    $('member-as-editor').checked = false;
    resetSearch('member-search', 'member-results');
    $('member-list').replaceChildren();
    openDialog('members-dialog');
    try {
      state.blocked = new Set((await fetchAll((page) => api.listBlocks(page))).map((b) => b.userId));
    } catch { state.blocked = new Set(); }
    await loadMembersDialog();
  }

  async function loadMembersDialog() {
    const roomId = $('members-dialog').dataset.roomId;
    const room = state.rooms.get(roomId);
    try {
      const members = await fetchAll((page) => api.listMembers(roomId, page));
      members.forEach(rememberMemberName);
      $('member-list').replaceChildren(...members.map((m) => renderMember(room, m)));
    } catch (error) { setError('members-error', error); }
  }

  function renderMember(room, member) {
    const me = member.userId === state.me.id;
    const isPrivate = room.type === 'private_messages';
    const owner = room.membership && room.membership.isOwner;
    const editor = room.type === 'channel' && !member.isOwner && member.permissions.includes('can_create_messages');
    const act = (label, run, className = 'secondary') => el('button', {
      type: 'button', className, textContent: label, ariaLabel: `${label} ${member.displayName}`,
      onclick: async () => {
        setError('members-error', null);
        try { await run(); await loadMembersDialog(); refetchRoom(room.id); } catch (error) { setError('members-error', error); }
      },
    });
    const tools = [];
    if (!me && !member.isOwner && !isPrivate) {
      if (owner) tools.push(act('Permissions', async () => openPermissionsDialog(room, member)));
      if (owner && room.type === 'channel') {
        tools.push(editor
          ? act('Make reader', () => api.updateMember(room.id, member.userId, { permissions: member.permissions.filter((p) => p !== 'can_create_messages') }))
          : act('Make editor', () => api.updateMember(room.id, member.userId, { permissions: [...new Set([...member.permissions, ...EDITOR_PERMISSIONS])] })));
      }
      if (can(room, 'can_remove_users')) {
        tools.push(act('Remove', () => api.removeMember(room.id, member.userId), 'danger'));
        tools.push(act('Ban', () => api.banUser(room.id, { userId: member.userId }), 'danger'));
      }
      if (owner) tools.push(act('Make owner', () => api.transferOwnership(room.id, member.userId)));
    }
    // Blocking is each user's own (API.md §9): the blocked user can no longer reach the blocker privately.
    if (!me) {
      tools.push(state.blocked.has(member.userId)
        ? act('Unblock', async () => { await api.unblockUser(member.userId); state.blocked.delete(member.userId); })
        : act('Block', async () => { await api.blockUser(member.userId); state.blocked.add(member.userId); }));
    }
    const tags = [member.isOwner ? 'owner' : null, editor ? 'editor' : null, member.muted && me ? 'muted' : null].filter(Boolean).join(', ');
    return el('li', { dataset: { userId: member.userId } },
      el('span', { className: 'who' },
        avatar(member.displayName, member.userId),
        el('span', { textContent: me ? `${member.displayName} (you)` : member.displayName }),
        tags ? el('span', { className: 'owner-tag', textContent: tags }) : null),
      tools.length ? el('span', { className: 'tools' }, ...tools) : null);
  }

  async function addMember(user) {
    const roomId = $('members-dialog').dataset.roomId;
    setError('members-error', null);
    try {
      const body = { userId: user.id };
      if ($('member-as-editor').checked && !$('member-editor-choice').hidden) body.permissions = EDITOR_PERMISSIONS;
      await api.addMember(roomId, body);
      resetSearch('member-search', 'member-results');
      await loadMembersDialog();
      refetchRoom(roomId);
    } catch (error) {
      setError('members-error', error.status === 409 ? `${user.displayName} could not be added (already a member, or banned).` : error);
    }
  }

  function openPermissionsDialog(room, member) {
    $('permissions-dialog').dataset.userId = member.userId;
    $('permissions-member').textContent = `What ${member.displayName} may do`;
    const granted = new Set(member.permissions);
    $('permissions-choices').replaceChildren($('permissions-member'), ...PERMISSIONS.map(([value, label]) => el('label', { className: 'inline' },
      el('input', { type: 'checkbox', value, checked: granted.has(value), name: 'permission' }), label)));
    openDialog('permissions-dialog');
  }

  async function onSavePermissions(event) {
    event.preventDefault();
    const room = currentRoom();
    const userId = $('permissions-dialog').dataset.userId;
    const permissions = [...$('permissions-choices').querySelectorAll('input:checked')].map((input) => input.value);
    try {
      await api.updateMember(room.id, userId, { permissions });
      $('permissions-dialog').close();
      if (membersDialogRoomId()) await loadMembersDialog();
    } catch (error) { setError('permissions-error', error); }
  }

  // Room settings

  async function openSettingsDialog() {
    const room = currentRoom();
    if (!room) return;
    const editable = can(room, 'can_edit_room');
    const member = Boolean(room.membership);
    const isPrivate = room.type === 'private_messages';
    show('settings-form', editable);
    $('settings-name').value = room.name || '';
    $('settings-description').value = room.description || '';
    $('settings-public').checked = room.isPublic;
    $('settings-public').disabled = isPrivate;
    $('settings-slow').value = room.slowModeSeconds || 0;
    $('settings-frozen').checked = Boolean(room.frozen);
    $('settings-avatar').value = '';
    $('settings-description-view').textContent = editable ? '' : (room.description || '');
    $('settings-muted').checked = Boolean(member && room.membership.muted);
    $('settings-muted').closest('label').hidden = !member;
    show('leave-room', member && !room.membership.isOwner && !isPrivate);
    show('delete-room', can(room, 'can_delete_room'));
    show('invites-section', !isPrivate && can(room, 'can_add_users'));
    show('bans-section', !isPrivate && can(room, 'can_remove_users'));
    $('invite-list').replaceChildren();
    $('ban-list').replaceChildren();
    show('invite-new', false);
    openDialog('settings-dialog');
    if (!isPrivate && can(room, 'can_add_users')) loadInvites(room);
    if (!isPrivate && can(room, 'can_remove_users')) loadBans(room);
  }

  async function onSaveSettings(event) {
    event.preventDefault();
    const room = currentRoom();
    setError('settings-error', null);
    try {
      const body = {};
      const name = $('settings-name').value.trim();
      const description = $('settings-description').value.trim();
      if (room.type !== 'private_messages' && name && name !== room.name) body.name = name;
      if (description !== (room.description || '')) body.description = description;
      if (room.type !== 'private_messages' && $('settings-public').checked !== room.isPublic) body.isPublic = $('settings-public').checked;
      const slow = Number($('settings-slow').value || 0);
      if (slow !== (room.slowModeSeconds || 0)) body.slowModeSeconds = slow;
      if ($('settings-frozen').checked !== Boolean(room.frozen)) body.frozen = $('settings-frozen').checked;
      const picture = $('settings-avatar').files[0];
      if (picture) body.avatarMediaId = (await api.uploadMedia(picture, picture.name)).id;
      if (Object.keys(body).length === 0) { $('settings-dialog').close(); return; }
      const updated = await api.updateRoom(room.id, body);
      putRoom({ ...updated, membership: updated.membership || room.membership });
      $('settings-dialog').close();
    } catch (error) { setError('settings-error', error); }
  }

  async function onToggleMute() {
    const room = currentRoom();
    try {
      await api.updateMember(room.id, state.me.id, { muted: $('settings-muted').checked });
      refetchRoom(room.id);
    } catch (error) { setError('settings-error', error); }
  }

  async function onLeave() {
    const room = currentRoom();
    cancelReadSoon();
    try {
      await api.leaveRoom(room.id);
      $('settings-dialog').close();
      dropRoom(room.id);
    } catch (error) { setError('settings-error', error); }
  }

  async function onDeleteRoom() {
    const room = currentRoom();
    const button = $('delete-room');
    // Two steps: the first click asks, the second deletes.
    if (button.dataset.confirm !== 'yes') { button.dataset.confirm = 'yes'; button.textContent = 'Delete for everyone?'; return; }
    cancelReadSoon();
    cancelRefetch(room.id);
    try {
      await api.deleteRoom(room.id);
      $('settings-dialog').close();
      dropRoom(room.id);
    } catch (error) { setError('settings-error', error); }
  }

  const inviteLink = (token) => `${location.origin}${location.pathname}#invite=${encodeURIComponent(token)}`;

  async function loadInvites(room) {
    try {
      const invites = await fetchAll((page) => api.listInvites(room.id, page));
      // The list carries no tokens (only the creator sees a link, once): invitations are told apart by date.
      $('invite-list').replaceChildren(...invites.map((invite) => el('li', {},
        el('span', { textContent: `Created ${formatTime(invite.createdAt)} · ${plural(invite.uses, 'use')}${invite.maxUses ? ` of ${invite.maxUses}` : ''}` }),
        el('button', {
          type: 'button', className: 'danger', textContent: 'Revoke', ariaLabel: `Revoke the invitation created ${formatTime(invite.createdAt)}`,
          onclick: async () => { try { await api.revokeInvite(room.id, invite.id); loadInvites(room); } catch (error) { setError('settings-error', error); } },
        }))));
    } catch (error) { setError('settings-error', error); }
  }

  async function onCreateInvite() {
    const room = currentRoom();
    try {
      const invite = await api.createInvite(room.id, {});
      $('invite-new-link').value = inviteLink(invite.token);
      show('invite-new', true);
      $('invite-new-link').select();
      await loadInvites(room);
    } catch (error) { setError('settings-error', error); }
  }

  async function loadBans(room) {
    try {
      const bans = await fetchAll((page) => api.listBans(room.id, page));
      $('ban-list').replaceChildren(...bans.map((ban) => el('li', {},
        el('span', { textContent: state.names.get(ban.userId) || 'A former member' }),
        el('button', {
          type: 'button', className: 'secondary', textContent: 'Unban', ariaLabel: `Unban ${state.names.get(ban.userId) || 'this user'}`,
          onclick: async () => { try { await api.unbanUser(room.id, ban.userId); loadBans(room); } catch (error) { setError('settings-error', error); } },
        }))));
      if (bans.length === 0) $('ban-list').append(el('li', { className: 'muted', textContent: 'Nobody is banned.' }));
    } catch (error) { setError('settings-error', error); }
  }

  // Pins and search

  function renderResult(message, onOpen) {
    const room = state.rooms.get(message.roomId);
    const where = room && message.roomId !== state.currentRoomId ? `${roomTitle(room)} · ` : '';
    return el('li', {},
      el('button', {
        type: 'button', className: 'secondary small result-text', textContent: `${where}${nameOf(message)}: ${message.text || '📷 Picture'}`,
        onclick: onOpen,
      }));
  }

  async function openPins() {
    const room = currentRoom();
    $('pin-list').replaceChildren();
    openDialog('pins-dialog');
    try {
      const pins = await fetchAll((page) => api.listPins(room.id, page));
      $('pin-list').replaceChildren(...pins.map((m) => renderResult(m, async () => { $('pins-dialog').close(); await revealMessage(m.id); })));
      if (pins.length === 0) $('pin-list').append(el('li', { className: 'muted', textContent: 'Nothing is pinned.' }));
    } catch (error) { setError('pins-error', error); }
  }

  function openSearch(inRoom) {
    $('search-results').replaceChildren();
    $('search-this-room').checked = inRoom && Boolean(state.currentRoomId);
    show('search-room-choice', Boolean(state.currentRoomId));
    openDialog('search-dialog');
    $('search-text').focus();
  }

  async function onSearch(event) {
    event.preventDefault();
    const q = $('search-text').value.trim();
    if (!q) return;
    setError('search-error', null);
    try {
      const options = { q, limit: 30 };
      if ($('search-this-room').checked && state.currentRoomId) options.roomId = state.currentRoomId;
      const page = await api.searchMessages(options);
      $('search-results').replaceChildren(...page.items.map((m) => renderResult(m, async () => {
        $('search-dialog').close();
        if (m.roomId !== state.currentRoomId) await openRoom(m.roomId);
        if (m.threadId) { const root = await api.getMessage(m.roomId, m.threadId); await openThread(root); } else await revealMessage(m.id);
      })));
      if (page.items.length === 0) $('search-results').append(el('li', { className: 'muted', textContent: 'No message found.' }));
    } catch (error) { setError('search-error', error); }
  }

  // ---------- Wiring ----------

  function wireEvents() {
    $('auth-form').addEventListener('submit', onAuthSubmit);
    $('sign-out').addEventListener('click', signOut);
    $('composer').addEventListener('submit', onSend);
    $('message-text').addEventListener('input', onComposerInput);
    $('message-text').addEventListener('keydown', onComposerKeyDown);
    $('message-text').addEventListener('blur', () => setTimeout(hideMentions, 150));
    $('composer-context-cancel').addEventListener('click', cancelComposerContext);
    $('attach-button').addEventListener('click', () => $('file-input').click());
    $('file-input').addEventListener('change', onFilesPicked);
    $('messages').addEventListener('scroll', () => { if ($('messages').scrollTop < 60) loadOlder(); });
    $('load-older').addEventListener('click', loadOlder);
    $('jump-unread').addEventListener('click', jumpToFirstUnread);
    $('back-to-list').addEventListener('click', () => { closeRoom(); $('room-list').querySelector('button')?.focus(); });
    $('thread-close').addEventListener('click', closeThread);
    $('thread-composer').addEventListener('submit', onThreadSend);

    $('new-group').addEventListener('click', openGroupDialog);
    $('group-form').addEventListener('submit', onCreateGroup);
    wireUserSearch('group-search', 'group-results', 'group-error', 'Add', (user) => {
      state.groupSelection.set(user.id, user.displayName);
      renderGroupSelection();
    });

    $('new-private').addEventListener('click', () => { resetSearch('private-search', 'private-results'); openDialog('private-dialog'); });
    wireUserSearch('private-search', 'private-results', 'private-error', 'Message', startPrivate);

    $('show-public').addEventListener('click', () => { $('public-search').value = ''; $('invite-input').value = ''; openDialog('public-dialog'); loadPublicRooms(); });
    $('public-search').addEventListener('input', debounce(loadPublicRooms, 250));
    $('invite-accept').addEventListener('click', () => { if ($('invite-input').value.trim()) acceptInvite($('invite-input').value); });

    $('show-members').addEventListener('click', openMembersDialog);
    wireUserSearch('member-search', 'member-results', 'members-error', 'Add', addMember);
    $('permissions-form').addEventListener('submit', onSavePermissions);

    $('show-settings').addEventListener('click', openSettingsDialog);
    $('settings-form').addEventListener('submit', onSaveSettings);
    $('settings-muted').addEventListener('change', onToggleMute);
    $('leave-room').addEventListener('click', onLeave);
    $('delete-room').addEventListener('click', onDeleteRoom);
    $('invite-create').addEventListener('click', onCreateInvite);
    $('settings-dialog').addEventListener('close', () => { $('delete-room').dataset.confirm = ''; $('delete-room').textContent = 'Delete room'; });

    $('reaction-custom-send').addEventListener('click', sendCustomReaction);
    $('report-form').addEventListener('submit', onReport);
    $('show-pins').addEventListener('click', openPins);
    $('show-search').addEventListener('click', () => openSearch(false));
    $('show-room-search').addEventListener('click', () => openSearch(true));
    $('search-form').addEventListener('submit', onSearch);

    for (const button of document.querySelectorAll('[data-close]')) {
      button.addEventListener('click', () => button.closest('dialog').close());
    }
    // Enter in a search box would submit its dialog's form (the search dialog's own form excepted).
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && e.target.matches('input[type=search]') && e.target.id !== 'search-text') e.preventDefault();
      if (e.key === 'Escape' && state.thread && !document.querySelector('dialog[open]') && e.target.id !== 'message-text') closeThread();
    });
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && state.currentRoomId) markRead(state.currentRoomId);
    });
    window.addEventListener('hashchange', () => { if (state.me) followHash(); });
  }

  async function boot() {
    wireEvents();
    await loadSettings();
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
