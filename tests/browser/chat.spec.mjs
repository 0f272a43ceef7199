// End-to-end tests of the sample's chat page (samples/HostApp/wwwroot) in headless Chromium, driven by
// playwright-core: API.md §7's use cases and flows with two and three users at 390 px and 1280 px, the
// conversation and moderation features, catch-up after ten seconds offline, and an axe-core scan.
// Run by tests/browser/run.sh (which starts a sample host); see tests/browser/README.md.
// Prints TAP-like lines: 'ok N - name' / 'not ok N - name', then '# pass N' and '# fail N'.
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const BASE_URL = process.env.BASE_URL || 'http://127.0.0.1:5081';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.SCREENSHOT_DIR || join(import.meta.dirname, 'screenshots');
const PASSWORD = 'Passw0rd!';
const run = Date.now().toString(36);
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const timeout = 20_000;

let browser;
let current = '';
let users = 0;
const problems = [];   // unexpected console errors, failed requests and 4xx/5xx answers, per test

// ---------- Users and pages ----------

/** A signed-up user in a browser context of its own, at the given size. */
async function user(name, viewport) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, hasTouch: viewport.width < 700 });
  const page = await context.newPage();
  const who = `${name}@${viewport.width}`;
  page.on('pageerror', (e) => problems.push(`${current} · ${who}: page error ${e}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/WebSocket|Failed to load resource|negotiat|connection|Failed to complete/i.test(m.text())) problems.push(`${current} · ${who}: console ${m.text()}`);
  });
  page.on('requestfailed', (r) => {
    // Leaving a page cancels what it still had in flight: not a failure of the page.
    if (page.navigating && r.failure()?.errorText === 'net::ERR_ABORTED') return;
    if (!page.expectOffline) problems.push(`${current} · ${who}: ${r.failure()?.errorText} ${r.method()} ${r.url()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !page.expectedStatuses?.includes(r.status())) problems.push(`${current} · ${who}: ${r.status()} ${r.request().method()} ${r.url()}`);
  });
  // Unique per user of the run (the spec may run again against the same host), never a prefix of another.
  const n = String(++users).padStart(2, '0');
  const display = `${name[0].toUpperCase()}${name.slice(1)} ${run.slice(-3)}${n}`;
  const email = `${name}-${run}-${n}@example.test`;
  await page.goto(BASE_URL);
  await page.fill('#auth-email', email);
  await page.fill('#auth-password', PASSWORD);
  await page.fill('#auth-name', display);
  await page.click('#register-button');
  await page.waitForSelector('#chat-view:not([hidden])', { timeout });
  assert.equal(await page.textContent('#me-name'), display, 'the display name chosen at sign-up');
  await page.waitForSelector('#connection-state.connected', { state: 'attached', timeout });
  return { name, display, email, page, context, width: viewport.width };
}

/** A reload or a new address, during which requests cut short by the navigation are expected. */
async function navigate(u, go) {
  u.page.navigating = true;
  try { await go(u.page); } finally { u.page.navigating = false; }
}

const shot = (u, step) => u.page.screenshot({ path: join(SHOTS, `${current.replace(/[^a-z0-9]+/gi, '-')}-${step}-${u.name}-${u.width}.png`) });
const roomItem = (u, name) => u.page.locator('.room-item', { has: u.page.locator('.room-name', { hasText: name }) });
const message = (u, text) => u.page.locator('#message-list .message', { has: u.page.locator('.message-text', { hasText: text }) });
const isPhone = (u) => u.width < 700;

/** Opens a room from the list; at 390 px the list is a screen of its own, reached with the back control. */
async function openRoom(u, name) {
  if (isPhone(u) && await u.page.locator('#back-to-list').isVisible()) await u.page.click('#back-to-list');
  await roomItem(u, name).click();
  await u.page.locator('#room-title', { hasText: name }).waitFor({ timeout });
}

async function send(u, text) {
  await u.page.fill('#message-text', text);
  await u.page.press('#message-text', 'Enter');
  await message(u, text).waitFor({ timeout });
}

async function messageAction(u, text, action) {
  await message(u, text).locator('.message-menu').click();
  await u.page.locator(`#message-dialog [data-action=${action}]`).click();
}

async function pickUser(u, inputId, resultsId, other) {
  await u.page.fill(inputId, other.display);
  await u.page.locator(`${resultsId} li`, { hasText: other.display }).getByRole('button').click();
}

/** New room dialog: type, name, people; the room opens. */
async function createRoom(u, { type = 'group', name, people = [], isPublic = false }) {
  await u.page.click('#new-group');
  await u.page.check(type === 'channel' ? '#group-type-channel' : '#group-type-group');
  await u.page.fill('#group-name', name);
  if (isPublic) await u.page.check('#group-public');
  for (const other of people) {
    await pickUser(u, '#group-search', '#group-results', other);
    await u.page.locator('#group-selected li', { hasText: other.display }).waitFor({ timeout });
  }
  await u.page.click('#group-create');
  await u.page.locator('#room-title', { hasText: name }).waitFor({ timeout });
}

async function addMember(u, other, { editor = false } = {}) {
  await u.page.click('#show-members');
  if (editor) await u.page.check('#member-as-editor');
  await pickUser(u, '#member-search', '#member-results', other);
  await u.page.locator('#member-list li', { hasText: other.display }).waitFor({ timeout });
  await u.page.click('#members-dialog [data-close]');
}

/** Calls the API from inside the page, with the token the page keeps. */
function apiFromPage(u, path, options = {}) {
  return u.page.evaluate(async ({ path, options }) => {
    const { accessToken } = JSON.parse(sessionStorage.getItem('dfchat.auth'));
    const response = await fetch(`/api/chat/${path}`, {
      method: options.method || 'GET',
      headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' },
      body: options.body ? JSON.stringify(options.body) : undefined,
    });
    return { status: response.status, body: response.status === 204 ? null : await response.json() };
  }, { path, options });
}

async function roomId(u, name) {
  return roomItem(u, name).getAttribute('data-room-id');
}

/** Every control at least 24 × 24 px (WCAG 2.2 target size), among those visible. */
async function assertTouchTargets(u) {
  const small = await u.page.evaluate(() => [...document.querySelectorAll('button, input, [role=button], a')]
    .filter((e) => e.offsetParent !== null && !e.closest('[hidden]') && e.type !== 'hidden')
    .map((e) => ({ e, r: e.getBoundingClientRect() }))
    .filter(({ e, r }) => r.width > 0 && (r.width < 24 || r.height < 24) && !(e.tagName === 'A' && e.closest('p')))
    .map(({ e, r }) => `${e.tagName}#${e.id}.${e.className} ${Math.round(r.width)}×${Math.round(r.height)}`));
  assert.deepEqual(small, [], 'touch targets of 24 px or more');
}

/** Every button has an accessible name. */
async function assertButtonsNamed(u) {
  const unnamed = await u.page.evaluate(() => [...document.querySelectorAll('button')]
    .filter((b) => !(b.getAttribute('aria-label') || b.textContent.trim()))
    .map((b) => b.outerHTML.slice(0, 80)));
  assert.deepEqual(unnamed, [], 'every button labelled');
}

async function assertNoSeriousAxeViolations(u, label) {
  const result = await new AxeBuilder({ page: u.page }).analyze();
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious.map((v) => `${label}: ${v.id} (${v.impact}) ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`), [], 'axe-core: no serious or critical violation');
}

// ---------- The tests ----------

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

for (const [first, second] of [[PHONE, DESKTOP], [DESKTOP, PHONE]]) test(`group of three (Alice and Carol at ${first.width} px, Bob at ${second.width} px): first message, unread, reply with quote, reactions, edit, delete, thread, mention, pins, search`, async () => {
  const alice = await user('alice', first);
  const bob = await user('bob', second);
  const carol = await user('carol', first);
  const name = `Team ${run}`;

  await createRoom(alice, { name, people: [bob, carol] });
  await send(alice, `${alice.display} created a chat`);
  await shot(alice, '1-created');
  // The two others see the room with one unread message.
  for (const other of [bob, carol]) await roomItem(other, name).locator('.badge', { hasText: '1' }).waitFor({ timeout });
  assert.equal(await bob.page.title(), '(1) DfChat', 'the unread count in the tab\'s title');
  await shot(carol, '2-unread');

  // Everybody writes and adds: Bob may add members.
  await openRoom(bob, name);
  await bob.page.click('#show-members');
  await bob.page.locator('#add-member').waitFor({ timeout });
  await bob.page.locator('#member-list li').nth(2).waitFor({ timeout });
  assert.equal(await bob.page.locator('#member-list li').count(), 3);
  await bob.page.click('#members-dialog [data-close]');

  // Reply with a quote of the original.
  await messageAction(bob, 'created a chat', 'reply');
  await bob.page.locator('#composer-context', { hasText: 'Replying to' }).waitFor({ timeout });
  await send(bob, 'Glad to be here');
  const reply = message(alice, 'Glad to be here');
  await reply.locator('.quote', { hasText: `${alice.display}: ${alice.display} created a chat` }).waitFor({ timeout });
  await shot(alice, '3-reply');

  // A reaction from the picker, seen live.
  await openRoom(carol, name);
  await message(carol, 'Glad to be here').locator('.message-menu').click();
  await carol.page.click('#reaction-picker [data-reaction=like]');
  await message(bob, 'Glad to be here').locator('.reaction[data-reaction=like]', { hasText: '1' }).waitFor({ timeout });
  await message(carol, 'Glad to be here').locator('.reaction.me[data-reaction=like]').click();
  await bob.page.waitForFunction(() => !document.querySelector('.reaction[data-reaction=like]'), null, { timeout });

  // Edit: the author only (Carol is not offered Bob's edit).
  await message(carol, 'Glad to be here').locator('.message-menu').click();
  assert.equal(await carol.page.locator('#message-dialog [data-action=edit]').count(), 0, 'no edit of others\' messages');
  assert.equal(await carol.page.locator('#message-dialog [data-action=delete]').count(), 0, 'no delete of others\' messages');
  await carol.page.click('#message-dialog [data-close]');
  await messageAction(bob, 'Glad to be here', 'edit');
  await bob.page.fill('#message-text', 'Very glad to be here');
  await bob.page.press('#message-text', 'Enter');
  await message(alice, 'Very glad to be here').locator('.message-meta', { hasText: '(edited)' }).waitFor({ timeout });
  await messageAction(alice, 'Very glad to be here', 'history');
  await alice.page.locator('#message-dialog-text', { hasText: 'Glad to be here' }).waitFor({ timeout });
  await alice.page.click('#message-dialog [data-close]');
  await messageAction(bob, 'Very glad to be here', 'readers');
  await bob.page.locator('#message-dialog-text', { hasText: 'Seen by' }).filter({ hasText: alice.display }).waitFor({ timeout });
  await bob.page.click('#message-dialog [data-close]');

  // Delete, seen live; the read mark of the others does not fail on it (no 400 is recorded).
  await send(bob, 'A typo');
  await message(alice, 'A typo').waitFor({ timeout });
  await messageAction(bob, 'A typo', 'delete');
  await message(alice, 'A typo').waitFor({ state: 'detached', timeout });
  await message(carol, 'A typo').waitFor({ state: 'detached', timeout });

  // A thread: Carol replies in a thread; Alice sees the count and reads it in the panel.
  await messageAction(carol, 'created a chat', 'thread');
  await carol.page.locator('#thread-panel').waitFor({ timeout });
  await carol.page.fill('#thread-text', 'A side note');
  await carol.page.press('#thread-text', 'Enter');
  await carol.page.locator('#thread-list .message', { hasText: 'A side note' }).waitFor({ timeout });
  await shot(carol, '4-thread');
  await carol.page.click('#thread-close');
  await message(alice, 'created a chat').locator('.thread-summary', { hasText: '1 reply' }).click();
  await alice.page.locator('#thread-list .message', { hasText: 'A side note' }).waitFor({ timeout });
  assert.equal(await message(alice, 'A side note').count(), 0, 'thread replies stay out of the room');
  await shot(alice, '5-thread');
  await alice.page.click('#thread-close');

  // A mention with @ completion: Carol sees a mention badge (on a phone, back on the list), or the mention.
  if (isPhone(carol)) await carol.page.click('#back-to-list');
  await bob.page.fill('#message-text', '');
  await bob.page.type('#message-text', `Ask @${carol.display.slice(0, 3)}`);
  await bob.page.locator('#mention-list li', { hasText: carol.display }).waitFor({ timeout });
  await shot(bob, '6-mention');
  await bob.page.press('#message-text', 'Enter');
  await bob.page.type('#message-text', 'about it');
  await bob.page.press('#message-text', 'Enter');
  await message(bob, 'about it').locator('.mention-chip', { hasText: `@${carol.display}` }).waitFor({ timeout });
  if (isPhone(carol)) await roomItem(carol, name).locator('.badge.mention').waitFor({ timeout });
  else await message(carol, 'about it').locator('.mention-chip', { hasText: `@${carol.display}` }).waitFor({ timeout });

  // Pins (the owner) and search.
  await messageAction(alice, 'created a chat', 'pin');
  await message(bob, 'created a chat').locator('.pinned-tag').waitFor({ timeout });
  await bob.page.click('#show-pins');
  await bob.page.locator('#pin-list li', { hasText: 'created a chat' }).waitFor({ timeout });
  await bob.page.click('#pins-dialog [data-close]');
  await bob.page.click('#show-room-search');
  await bob.page.fill('#search-text', 'glad');
  await bob.page.press('#search-text', 'Enter');
  await bob.page.locator('#search-results li', { hasText: 'Very glad to be here' }).waitFor({ timeout });
  await shot(bob, '7-search');
  await bob.page.click('#search-dialog [data-close]');

  // Only the owner deletes the room.
  await bob.page.click('#show-settings');
  assert.ok(await bob.page.locator('#delete-room').isHidden(), 'a member may not delete a group');
  assert.ok(await bob.page.locator('#leave-room').isVisible(), 'a member may leave');
  await bob.page.click('#settings-dialog [data-close]');
  await alice.page.click('#show-settings');
  assert.ok(await alice.page.locator('#delete-room').isVisible(), 'the owner may delete it');
  assert.ok(await alice.page.locator('#leave-room').isHidden(), 'the owner cannot leave');
  await shot(alice, '8-settings');
  await alice.page.click('#settings-dialog [data-close]');

  await assertTouchTargets(alice);
  await assertTouchTargets(bob);
  await assertButtonsNamed(bob);
  // Names everywhere, never e-mail addresses.
  assert.equal(await bob.page.locator(`text=${alice.email}`).count(), 0);
  for (const u of [alice, bob, carol]) await u.context.close();
});

test('private messages (1280 px and 390 px): named after the other person, nobody can add, either deletes the room', async () => {
  const alice = await user('alice', DESKTOP);
  const bob = await user('bob', PHONE);

  await bob.page.click('#new-private');
  await pickUser(bob, '#private-search', '#private-results', alice);
  await bob.page.locator('#room-title', { hasText: alice.display }).waitFor({ timeout });
  await send(bob, 'Just between us');
  await roomItem(alice, bob.display).locator('.room-last', { hasText: 'Just between us' }).waitFor({ timeout });
  await shot(bob, '1-sent');
  await openRoom(alice, bob.display);
  // Typing shows live; text is never parsed as markup.
  // (Typing goes out at most once in 2 seconds: Bob keeps typing until Alice sees it.)
  const typing = alice.page.locator('#typing', { hasText: `${bob.display} is typing` });
  for (let i = 0; i < 40 && !await typing.isVisible(); i++) {
    await bob.page.type('#message-text', 'x');
    await bob.page.waitForTimeout(250);
  }
  await typing.waitFor({ timeout });
  await bob.page.fill('#message-text', '<img src=x onerror=alert(1)> <b>bold?</b>');
  await bob.page.press('#message-text', 'Enter');
  await message(alice, '<b>bold?</b>').waitFor({ timeout });
  assert.equal(await alice.page.locator('#message-list img[src="x"], #message-list b').count(), 0, 'message text is never parsed as HTML');
  await alice.page.click('#show-members');
  await alice.page.locator('#member-list li').nth(1).waitFor({ timeout });
  assert.ok(await alice.page.locator('#add-member').isHidden(), 'nobody can add anyone to a private room');
  await alice.page.click('#members-dialog [data-close]');
  // A picture in a private room.
  const picture = await alice.page.screenshot({ clip: { x: 0, y: 0, width: 120, height: 80 } });
  await alice.page.setInputFiles('#file-input', { name: 'shot.png', mimeType: 'image/png', buffer: picture });
  await alice.page.fill('#message-text', 'Here it is');
  await alice.page.click('#send-button');
  await message(bob, 'Here it is').locator('.message-media img[src^="blob:"]').waitFor({ timeout });
  await shot(bob, '2-picture');

  await bob.page.click('#show-settings');
  assert.ok(await bob.page.locator('#leave-room').isHidden(), 'nobody leaves a private room');
  await bob.page.click('#delete-room');
  await bob.page.click('#delete-room');
  await roomItem(alice, bob.display).waitFor({ state: 'detached', timeout });
  for (const u of [alice, bob]) await u.context.close();
});

test('news channel with pictures (390 px and 1280 px): an editor posts, readers read and react but cannot post', async () => {
  const alice = await user('alice', DESKTOP);
  const bob = await user('bob', PHONE);
  const carol = await user('carol', PHONE);
  const name = `News ${run}`;

  await createRoom(alice, { type: 'channel', name });
  await addMember(alice, bob, { editor: true });
  await addMember(alice, carol);
  await alice.page.click('#show-members');
  await alice.page.locator('#member-list li', { hasText: bob.display }).locator('.owner-tag', { hasText: 'editor' }).waitFor({ timeout });
  await shot(alice, '1-members');
  await alice.page.click('#members-dialog [data-close]');

  // The editor posts news with two pictures, in order.
  await openRoom(bob, name);
  for (const [i, colour] of ['#c00', '#06c'].entries()) {
    await bob.page.evaluate((c) => { document.body.style.background = c; }, colour);
    const bytes = await bob.page.screenshot({ clip: { x: 0, y: 0, width: 60 + i * 20, height: 40 } });
    await bob.page.setInputFiles('#file-input', { name: `news-${i}.png`, mimeType: 'image/png', buffer: bytes });
  }
  await bob.page.evaluate(() => { document.body.style.background = ''; });
  await bob.page.locator('#pending-files img').nth(1).waitFor({ timeout });
  await bob.page.fill('#message-text', 'Breaking news');
  await bob.page.click('#send-button');

  // A reader: sees the pictures in order, cannot post, reacts.
  await openRoom(carol, name);
  const pictures = message(carol, 'Breaking news').locator('.message-media img');
  await carol.page.waitForFunction(() => [...document.querySelectorAll('.message-media img')].filter((i) => i.complete && i.naturalWidth).length === 2, null, { timeout });
  assert.deepEqual(await pictures.evaluateAll((imgs) => imgs.map((i) => i.alt)), ['news-0.png', 'news-1.png']);
  assert.ok(await carol.page.locator('#composer').isHidden(), 'readers get no composer');
  await carol.page.locator('#room-notice', { hasText: 'not post' }).waitFor({ timeout });
  await message(carol, 'Breaking news').locator('.message-menu').click();
  assert.equal(await carol.page.locator('#message-dialog [data-action=reply]').count(), 0, 'no reply without can_create_messages');
  await carol.page.click('#reaction-picker [data-reaction=like]');
  await message(alice, 'Breaking news').locator('.reaction[data-reaction=like]', { hasText: '1' }).waitFor({ timeout });
  await shot(carol, '2-reader');
  await shot(alice, '3-owner');
  // Everybody in it can add other users.
  await carol.page.click('#show-members');
  await carol.page.locator('#add-member').waitFor({ timeout });
  assert.equal(await carol.page.locator('#member-list button', { hasText: 'Remove' }).count(), 0, 'no removal without can_remove_users');
  await carol.page.click('#members-dialog [data-close]');

  // The owner makes the reader an editor through the permissions dialog: she may post at once.
  await alice.page.click('#show-members');
  await alice.page.locator('#member-list li', { hasText: carol.display }).getByRole('button', { name: /^Permissions/ }).click();
  await alice.page.check('#permissions-choices input[value=can_create_messages]');
  await shot(alice, '4-permissions');
  await alice.page.click('#permissions-save');
  await alice.page.click('#members-dialog [data-close]');
  await carol.page.locator('#composer').waitFor({ timeout });
  await send(carol, 'Thanks for the news');
  await message(alice, 'Thanks for the news').waitFor({ timeout });
  for (const u of [alice, bob, carol]) await u.context.close();
});

test('rooms managed from the page (1280 px and 390 px): rename, picture, block, invitation link, freeze, slow mode, ban, report, mute, leave, public rooms', async () => {
  const alice = await user('alice', DESKTOP);
  const bob = await user('bob', PHONE);
  const name = `Club ${run}`;
  await createRoom(alice, { name, isPublic: true });

  // Public rooms: Bob finds it, looks into it without joining (live), then joins.
  await send(alice, 'Welcome, passers-by');
  await bob.page.click('#show-public');
  await bob.page.fill('#public-search', name);
  await bob.page.locator('#public-results li', { hasText: name }).getByRole('button', { name: `Look into ${name}` }).click();
  await message(bob, 'Welcome, passers-by').waitFor({ timeout });
  await bob.page.locator('#room-notice', { hasText: 'Join it to take part' }).waitFor({ timeout });
  await send(alice, 'Anyone there?');
  await message(bob, 'Anyone there?').waitFor({ timeout });
  await shot(bob, '0-looking');
  await bob.page.locator('#room-notice').getByRole('button', { name: 'Join' }).click();
  await bob.page.locator('#composer').waitFor({ timeout });
  await bob.page.locator('#room-title', { hasText: name }).waitFor({ timeout });
  await alice.page.locator('#room-subtitle', { hasText: '2 members' }).waitFor({ timeout });

  // Rename and describe; Bob sees it live.
  await alice.page.click('#show-settings');
  await alice.page.fill('#settings-name', `${name} renamed`);
  await alice.page.fill('#settings-description', 'Where we meet');
  await alice.page.click('#settings-save');
  await bob.page.locator('#room-title', { hasText: `${name} renamed` }).waitFor({ timeout });

  // A room picture, seen live in the other's header.
  await alice.page.click('#show-settings');
  const picture = await alice.page.screenshot({ clip: { x: 0, y: 0, width: 64, height: 64 } });
  await alice.page.setInputFiles('#settings-avatar', { name: 'club.png', mimeType: 'image/png', buffer: picture });
  await alice.page.click('#settings-save');
  await bob.page.locator('#room-avatar img[src^="blob:"]').waitFor({ timeout });

  // Bob blocks Alice from the member list, and unblocks her.
  await bob.page.click('#show-members');
  await bob.page.locator('#member-list li', { hasText: alice.display }).getByRole('button', { name: /^Block/ }).click();
  await bob.page.locator('#member-list li', { hasText: alice.display }).getByRole('button', { name: /^Unblock/ }).click();
  await bob.page.locator('#member-list li', { hasText: alice.display }).getByRole('button', { name: /^Block/ }).waitFor({ timeout });
  await bob.page.click('#members-dialog [data-close]');

  // Freeze: Bob can no longer write; then slow mode.
  await alice.page.click('#show-settings');
  await alice.page.check('#settings-frozen');
  await alice.page.click('#settings-save');
  await bob.page.locator('#room-notice', { hasText: 'frozen' }).waitFor({ timeout });
  assert.ok(await bob.page.locator('#composer').isHidden());
  await shot(bob, '1-frozen');
  await alice.page.click('#show-settings');
  await alice.page.uncheck('#settings-frozen');
  await alice.page.fill('#settings-slow', '30');
  await alice.page.click('#settings-save');
  await bob.page.locator('#room-notice', { hasText: 'Slow mode' }).waitFor({ timeout });
  await send(bob, 'One message a while');

  // Bob reports Alice's message and mutes the room.
  await send(alice, 'Rules: be kind');
  await messageAction(bob, 'Rules: be kind', 'report');
  await bob.page.fill('#report-reason', 'Testing reports');
  await bob.page.click('#report-send');
  await bob.page.locator('#typing', { hasText: 'report' }).waitFor({ timeout });
  await bob.page.click('#show-settings');
  await bob.page.check('#settings-muted');
  await bob.page.click('#settings-dialog [data-close]');

  // Ban: Bob's room goes away; the owner lifts it and sends an invitation link, which Bob opens.
  await alice.page.click('#show-members');
  await alice.page.locator('#member-list li', { hasText: bob.display }).getByRole('button', { name: /^Ban/ }).click();
  await alice.page.locator('#member-list li', { hasText: bob.display }).waitFor({ state: 'detached', timeout });
  await alice.page.click('#members-dialog [data-close]');
  await bob.page.locator('#room-title', { hasText: name }).waitFor({ state: 'hidden', timeout }).catch(() => {});
  await roomItem(bob, name).waitFor({ state: 'detached', timeout });
  await alice.page.click('#show-settings');
  await alice.page.locator('#ban-list li', { hasText: bob.display }).getByRole('button', { name: /^Unban/ }).click();
  await alice.page.click('#invite-create');
  await alice.page.locator('#invite-new').waitFor({ timeout });
  const link = await alice.page.locator('#invite-new-link').inputValue();
  assert.match(link, /#invite=./);
  await shot(alice, '2-invitation');
  await alice.page.click('#settings-dialog [data-close]');
  await navigate(bob, (page) => page.goto(link));
  await bob.page.locator('#room-title', { hasText: name }).waitFor({ timeout });
  await alice.page.locator('#room-subtitle', { hasText: '2 members' }).waitFor({ timeout });

  // Bob leaves.
  await bob.page.click('#show-settings');
  await bob.page.click('#leave-room');
  await roomItem(bob, name).waitFor({ state: 'detached', timeout });
  await alice.page.locator('#room-subtitle', { hasText: '1 member' }).waitFor({ timeout });
  for (const u of [alice, bob]) await u.context.close();
});

test('history (1280 px and 390 px): jump to the first unread, older messages, the open room restored after a reload', async () => {
  const alice = await user('alice', DESKTOP);
  const bob = await user('bob', PHONE);
  const name = `History ${run}`;
  await createRoom(alice, { name, people: [bob] });
  await send(alice, 'Before the flood');
  await openRoom(bob, name);
  await message(bob, 'Before the flood').waitFor({ timeout });
  await bob.page.click('#back-to-list');
  const id = await roomId(alice, name);
  for (let i = 1; i <= 70; i++) {
    const r = await apiFromPage(alice, `rooms/${id}/messages`, { method: 'POST', body: { text: `news ${i}` } });
    assert.equal(r.status, 201);
  }
  await roomItem(bob, name).locator('.badge', { hasText: '70' }).waitFor({ timeout });
  await openRoom(bob, name);
  await message(bob, 'news 70').waitFor({ timeout });
  await bob.page.click('#jump-unread');
  await bob.page.locator('.unread-divider + .message', { hasText: 'news 1' }).waitFor({ timeout });
  assert.ok(await bob.page.locator('.unread-divider').isVisible(), 'the first unread message is in view');
  await shot(bob, '1-first-unread');
  assert.equal(await bob.page.locator('#message-list .message').count(), 71, 'every message once');

  // The open room survives a reload (#room=…), at either size.
  await navigate(bob, (page) => page.reload());
  await bob.page.locator('#room-title', { hasText: name }).waitFor({ timeout });
  await message(bob, 'news 70').waitFor({ timeout });
  await navigate(alice, (page) => page.reload());
  await alice.page.locator('#room-title', { hasText: name }).waitFor({ timeout });

  // Search across rooms from the list screen, straight to the message.
  await bob.page.click('#back-to-list');
  await bob.page.click('#show-search');
  await bob.page.fill('#search-text', 'flood');
  await bob.page.press('#search-text', 'Enter');
  await bob.page.locator('#search-results li', { hasText: 'Before the flood' }).getByRole('button').click();
  await bob.page.locator('#message-list .message.highlight', { hasText: 'Before the flood' }).waitFor({ timeout });
  await shot(bob, '2-found');

  for (let i = 0; i < 6 && await message(alice, 'Before the flood').count() === 0; i++) {
    // The click, or the scroll that brings the button into view, loads the next page.
    await alice.page.locator('#load-older').click({ timeout: 3000 }).catch(() => {});
    await alice.page.waitForTimeout(500);
  }
  await message(alice, 'Before the flood').waitFor({ timeout });
  assert.equal(await alice.page.locator('#message-list .message').count(), 71, 'every message once');
  await shot(alice, '2-older');
  for (const u of [alice, bob]) await u.context.close();
});

test('offline catch-up: ten seconds without network, the messages sent meanwhile appear once, in order', async () => {
  const alice = await user('alice', DESKTOP);
  const bob = await user('bob', PHONE);
  const name = `Offline ${run}`;
  await createRoom(alice, { name, people: [bob] });
  await send(alice, 'Still there?');
  await openRoom(bob, name);
  await message(bob, 'Still there?').waitFor({ timeout });

  // Chromium's offline emulation stops new requests but leaves an open WebSocket alone: the hub's socket
  // goes through a route that the test cuts as the network goes.
  let offline = false;
  const sockets = [];
  await bob.page.routeWebSocket(/\/api\/chat\/hub/, (ws) => {
    if (offline) { ws.close(); return; }
    sockets.push({ page: ws, server: ws.connectToServer() });
  });
  await navigate(bob, (page) => page.reload());
  await bob.page.waitForSelector('#connection-state.connected', { state: 'attached', timeout });
  await message(bob, 'Still there?').waitFor({ timeout });

  bob.page.expectOffline = true;
  offline = true;
  await bob.context.setOffline(true);
  for (const ws of sockets.splice(0)) { await ws.server.close(); await ws.page.close(); }
  await bob.page.waitForSelector('#connection-state:not(.connected)', { state: 'attached', timeout });
  const started = Date.now();
  for (let i = 1; i <= 5; i++) await send(alice, `while away ${i}`);
  await bob.page.waitForTimeout(Math.max(0, 10_000 - (Date.now() - started)));
  assert.equal(await message(bob, 'while away').count(), 0);
  await shot(bob, '1-offline');
  offline = false;
  await bob.context.setOffline(false);
  await bob.page.waitForSelector('#connection-state.connected', { state: 'attached', timeout: 30_000 });
  await message(bob, 'while away 5').waitFor({ timeout });
  bob.page.expectOffline = false;
  const texts = await bob.page.locator('#message-list .message .message-text').allTextContents();
  assert.deepEqual(texts.filter((t) => t.startsWith('while away')), [1, 2, 3, 4, 5].map((i) => `while away ${i}`), 'once each, in order');
  await shot(bob, '2-caught-up');
  for (const u of [alice, bob]) await u.context.close();
});

test('accessibility: axe-core finds no serious or critical violation at 390 px and 1280 px; keyboard use', async () => {
  for (const viewport of [PHONE, DESKTOP]) {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await page.goto(BASE_URL);
    await page.waitForSelector('#auth-view:not([hidden])', { timeout });
    await assertNoSeriousAxeViolations({ page }, `sign-in ${viewport.width}`);
    await context.close();

    const alice = await user('alice', viewport);
    const bob = await user('bob', viewport);
    const name = `Axe ${run}`;
    await createRoom(alice, { name, people: [bob] });
    await send(alice, 'Hello, accessible world');
    await openRoom(bob, name);
    await message(bob, 'Hello, accessible world').locator('.message-menu').click();
    await bob.page.click('#reaction-picker [data-reaction=like]');
    await message(alice, 'Hello, accessible world').locator('.reaction', { hasText: '1' }).waitFor({ timeout });
    await assertNoSeriousAxeViolations(alice, `room ${viewport.width}`);
    await assertTouchTargets(alice);
    // The author line stays one line, however long the name.
    const metaHeights = await alice.page.locator('.message-meta').evaluateAll((lines) => lines.map((l) => l.getBoundingClientRect().height));
    assert.ok(metaHeights.length > 0 && metaHeights.every((h) => h < 24), `author lines of one line (${metaHeights})`);
    await assertButtonsNamed(alice);
    if (isPhone(alice)) {
      await alice.page.click('#back-to-list');
      await assertNoSeriousAxeViolations(alice, `room list ${viewport.width}`);
      await assertTouchTargets(alice);
      await roomItem(alice, name).click();
    }
    await message(alice, 'Hello, accessible world').locator('.message-menu').click();
    await assertNoSeriousAxeViolations(alice, `message dialog ${viewport.width}`);
    await alice.page.keyboard.press('Escape');
    await alice.page.click('#show-settings');
    await assertNoSeriousAxeViolations(alice, `settings ${viewport.width}`);
    await alice.page.keyboard.press('Escape');
    await alice.page.click('#show-members');
    await assertNoSeriousAxeViolations(alice, `members ${viewport.width}`);
    await alice.page.keyboard.press('Escape');
    await shot(alice, 'room');

    // Keyboard only: the attach control takes focus, a room opens with Enter, a message goes with Enter.
    await bob.page.focus('#message-text');
    await bob.page.keyboard.press('Shift+Tab');
    assert.equal(await bob.page.evaluate(() => document.activeElement.id), 'attach-button', 'the attach control is focusable');
    await bob.page.keyboard.press('Tab');
    await bob.page.keyboard.type('Typed with the keyboard');
    await bob.page.keyboard.press('Enter');
    await message(alice, 'Typed with the keyboard').waitFor({ timeout });
    for (const u of [alice, bob]) await u.context.close();
  }
});

// ---------- Runner ----------

async function main() {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  let pass = 0;
  let fail = 0;
  const only = process.env.ONLY ? new RegExp(process.env.ONLY, 'i') : null;
  try {
    for (const [index, { name, fn }] of tests.entries()) {
      if (only && !only.test(name)) continue;
      current = `${index + 1}-${name.split(' ')[0]}`;
      const before = problems.length;
      const started = Date.now();
      try {
        await fn();
        const found = problems.slice(before);
        assert.deepEqual(found, [], 'no script errors, failed requests or error answers');
        pass++;
        console.log(`ok ${index + 1} - ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      } catch (error) {
        fail++;
        console.log(`not ok ${index + 1} - ${name}`);
        console.log(String(error.stack || error).split('\n').map((l) => `#   ${l}`).join('\n'));
        for (const [i, context] of browser.contexts().entries()) {
          for (const page of context.pages()) await page.screenshot({ path: join(SHOTS, `failure-${current}-${i}.png`) }).catch(() => {});
        }
      } finally {
        for (const context of browser.contexts()) await context.close().catch(() => {});
      }
    }
  } finally {
    await browser.close();
  }
  console.log(`# pass ${pass}`);
  console.log(`# fail ${fail}`);
  console.log(`# screenshots in ${SHOTS}`);
  if (fail) process.exitCode = 1;
}

await main();
