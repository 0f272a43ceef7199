// End-to-end check of the sample's browser chat page (samples/HostApp/wwwroot), driven by Playwright.
// Not part of `dotnet test`: see tests/browser/README.md for how to run it against a running sample.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const BASE_URL = process.env.BASE_URL || 'http://127.0.0.1:5081';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.SCREENSHOT_DIR || join(tmpdir(), 'dfchat-screenshots');
const PASSWORD = 'Passw0rd!';
const run = Date.now().toString(36);
const emailOf = (name) => `${name}-${run}@example.test`;

const timeout = 15_000;
let step = '';
const log = (text) => { step = text; console.log(`• ${text}`); };

async function register(page, name, screenshot) {
  await page.goto(BASE_URL);
  await page.fill('#auth-email', emailOf(name));
  await page.fill('#auth-password', PASSWORD);
  if (screenshot) await page.screenshot({ path: join(SHOTS, screenshot) });
  await page.click('#register-button');
  await page.waitForSelector('#chat-view:not([hidden])', { timeout });
  assert.equal(await page.textContent('#me-name'), emailOf(name));
  await page.waitForSelector('#connection-state.connected', { timeout });
}

/** Calls the API from inside the page, with the token the page keeps. */
function apiFromPage(page, path, options = {}) {
  return page.evaluate(async ({ path, options }) => {
    const { accessToken } = JSON.parse(sessionStorage.getItem('dfchat.auth'));
    const response = await fetch(`/api/chat/${path}`, {
      method: options.method || 'GET',
      headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' },
      body: options.body ? JSON.stringify(options.body) : undefined,
    });
    return { status: response.status, body: response.status === 204 ? null : await response.json() };
  }, { path, options });
}

const roomItem = (page, name) => page.locator('.room-item', { has: page.locator('.room-name', { hasText: name }) });
const message = (page, text) => page.locator('.message', { has: page.locator('.message-text', { hasText: text }) });

async function pickUser(page, searchId, resultsId, name) {
  await page.fill(searchId, emailOf(name));
  await page.locator(`${resultsId} li`, { hasText: emailOf(name) }).getByRole('button').click();
}

async function main() {
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    // launch() always starts from a new, empty profile of its own.
  });
  const consoleErrors = [];
  const newUser = async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) consoleErrors.push(m.text()); });
    page.on('response', (r) => { if (r.status() >= 400) consoleErrors.push(`${r.status()} ${r.request().method()} ${r.url()}`); });
    return page;
  };

  try {
    const alice = await newUser();
    const bob = await newUser();

    log('both users register and sign in');
    await register(alice, 'alice', '0-sign-in.png');
    await register(bob, 'bob');

    log('Alice creates a group with Bob; it appears in Bob\'s list live');
    await alice.click('#new-group');
    await alice.fill('#group-name', 'Team <b>chat</b>');
    await pickUser(alice, '#group-search', '#group-results', 'bob');
    await alice.waitForSelector('#group-selected li', { timeout });
    await alice.screenshot({ path: join(SHOTS, '0-new-group.png') });
    await alice.click('#group-create');
    await alice.waitForSelector('#room-open:not([hidden])', { timeout });
    assert.equal(await alice.textContent('#room-title'), 'Team <b>chat</b>', 'names are text, not markup');
    await roomItem(bob, 'Team <b>chat</b>').waitFor({ timeout });

    log('Alice sends a message; Bob sees the unread count, then the message, without reloading');
    await alice.fill('#message-text', 'Hello Bob <img src=x onerror=alert(1)>');
    await alice.press('#message-text', 'Enter');
    await message(alice, 'Hello Bob').waitFor({ timeout });
    await bob.locator('.room-item .badge', { hasText: '1' }).waitFor({ timeout });
    await roomItem(bob, 'Team').locator('.room-last', { hasText: 'Hello Bob' }).waitFor({ timeout });
    await bob.screenshot({ path: join(SHOTS, '1-bob-unread.png') });
    await roomItem(bob, 'Team').click();
    await message(bob, 'Hello Bob').waitFor({ timeout });
    assert.equal(await bob.locator('.message-media img[src="x"]').count(), 0, 'message text is never parsed as HTML');
    await bob.waitForFunction(() => !document.querySelector('.room-item .badge:not(:empty)'), null, { timeout });

    log('Bob types; Alice sees "is typing"; Bob\'s reply arrives live');
    await bob.type('#message-text', 'Hi Alice', { delay: 30 });
    await alice.locator('#typing', { hasText: `${emailOf('bob')} is typing` }).waitFor({ timeout });
    await bob.press('#message-text', 'Enter');
    await message(alice, 'Hi Alice').waitFor({ timeout });

    log('Alice attaches a picture; Bob sees it inline through an object URL');
    const picture = await alice.screenshot({ clip: { x: 0, y: 0, width: 120, height: 80 } });
    await alice.setInputFiles('#file-input', { name: 'shot.png', mimeType: 'image/png', buffer: picture });
    await alice.waitForSelector('#pending-files img', { timeout });
    await alice.fill('#message-text', 'A picture');
    await alice.click('#send-button');
    const bobPicture = message(bob, 'A picture').locator('.message-media img');
    await bobPicture.waitFor({ timeout });
    await bob.waitForFunction(() => {
      const img = document.querySelector('.message-media img');
      return img && img.src.startsWith('blob:') && img.complete && img.naturalWidth === 120;
    }, null, { timeout });

    log('Bob likes Alice\'s message; Alice sees the count live; Bob un-likes it');
    const bobLike = message(bob, 'Hello Bob').locator('.reaction[data-reaction=like]');
    await bobLike.click();
    await message(alice, 'Hello Bob').locator('.reaction[data-reaction=like]', { hasText: '1' }).waitFor({ timeout });
    await message(bob, 'Hello Bob').locator('.reaction.me[data-reaction=like]').waitFor({ timeout });
    await message(bob, 'Hello Bob').locator('.reaction[data-reaction=like]').click();
    await alice.waitForFunction(() => [...document.querySelectorAll('.message')]
      .some((m) => m.textContent.includes('Hello Bob') && m.querySelector('[data-reaction=like]').textContent === '👍'), null, { timeout });
    await message(alice, 'Hello Bob').locator('.reaction[data-reaction=dislike]').click();
    await message(bob, 'Hello Bob').locator('.reaction[data-reaction=dislike]', { hasText: '1' }).waitFor({ timeout });

    await bob.screenshot({ path: join(SHOTS, '2-bob-room.png') });
    await alice.screenshot({ path: join(SHOTS, '3-alice-room.png') });

    log('Alice adds Carol from the member list');
    const carol = await newUser();
    await register(carol, 'carol');
    await alice.click('#show-members');
    await alice.locator('#member-list li').nth(1).waitFor({ timeout });
    await pickUser(alice, '#member-search', '#member-results', 'carol');
    await alice.locator('#member-list li', { hasText: emailOf('carol') }).waitFor({ timeout });
    await alice.screenshot({ path: join(SHOTS, '4-alice-members.png') });
    await alice.click('#members-dialog [data-close]');
    await roomItem(carol, 'Team').waitFor({ timeout });
    await bob.locator('#room-subtitle', { hasText: '3 members' }).waitFor({ timeout });

    log('Scrolling up loads older messages');
    const teamId = await roomItem(alice, 'Team').getAttribute('data-room-id');
    for (let i = 1; i <= 45; i++) {
      const r = await apiFromPage(carol, `rooms/${teamId}/messages`, { method: 'POST', body: { text: `history ${i}` } });
      assert.equal(r.status, 201);
    }
    await roomItem(carol, 'Team').click();
    await message(carol, 'history 45').waitFor({ timeout });
    const before = await carol.locator('.message').count();
    assert.ok(before <= 31, `first page only (${before})`);
    await carol.locator('#messages').evaluate((box) => { box.scrollTop = 0; });
    await message(carol, 'Hello Bob').waitFor({ timeout });
    const after = await carol.locator('.message').count();
    assert.equal(after, 48, `every message once after scrolling up (${after})`);

    log('After a lost connection, Bob catches up on what he missed');
    let offline = false;
    let hubSockets = [];
    await bob.routeWebSocket(/\/api\/chat\/hub/, (ws) => {
      if (offline) { ws.close(); return; }
      hubSockets.push(ws);
      ws.connectToServer();
    });
    await bob.route(/\/api\/chat\/hub\/negotiate/, (route) => (offline ? route.abort() : route.continue()));
    // Force a fresh connection so it goes through the route above.
    await bob.reload();
    await bob.waitForSelector('#connection-state.connected', { timeout });
    await roomItem(bob, 'Team').click();
    await message(bob, 'history 45').waitFor({ timeout });
    offline = true;
    for (const ws of hubSockets) await ws.close();
    await bob.waitForSelector('#connection-state:not(.connected)', { timeout });
    await alice.fill('#message-text', 'Sent while Bob was away');
    await alice.press('#message-text', 'Enter');
    await message(alice, 'Sent while Bob was away').waitFor({ timeout });
    await bob.waitForTimeout(1500);
    assert.equal(await message(bob, 'Sent while Bob was away').count(), 0);
    offline = false;
    await bob.waitForSelector('#connection-state.connected', { timeout: 40_000 });
    await message(bob, 'Sent while Bob was away').waitFor({ timeout });

    log('Public rooms: Alice creates one, Bob finds and joins it');
    await alice.click('#new-group');
    await alice.fill('#group-name', `Lobby ${run}`);
    await alice.check('#group-public');
    await alice.click('#group-create');
    await alice.waitForSelector('#room-title >> text=Lobby', { timeout });
    await bob.click('#show-public');
    await bob.fill('#public-search', `Lobby ${run}`);
    await bob.locator('#public-results li', { hasText: `Lobby ${run}` }).getByRole('button', { name: 'Join' }).click();
    await bob.locator('#room-title', { hasText: `Lobby ${run}` }).waitFor({ timeout });
    await alice.locator('#room-subtitle', { hasText: '2 members' }).waitFor({ timeout });

    log('Bob messages Alice privately; the room is named after the other person');
    await bob.click('#new-private');
    await pickUser(bob, '#private-search', '#private-results', 'alice');
    await bob.locator('#room-title', { hasText: emailOf('alice') }).waitFor({ timeout });
    await bob.fill('#message-text', 'Just between us');
    await bob.press('#message-text', 'Enter');
    await roomItem(alice, emailOf('bob')).locator('.room-last', { hasText: 'Just between us' }).waitFor({ timeout });
    await alice.screenshot({ path: join(SHOTS, '5-alice-private.png') });

    log('a reload keeps the session (sessionStorage)');
    await alice.reload();
    await alice.waitForSelector('#chat-view:not([hidden])', { timeout });

    const unexpected = consoleErrors.filter((e) => !/WebSocket|negotiat|Failed to start|connection|net::ERR/i.test(e));
    assert.deepEqual(unexpected, [], 'no script errors');
    console.log(`OK — screenshots in ${SHOTS}`);
    console.log('# pass 1\n# fail 0');
  } catch (error) {
    console.error(`FAILED at: ${step}\n`, error);
    for (const [i, context] of browser.contexts().entries()) {
      for (const page of context.pages()) await page.screenshot({ path: join(SHOTS, `failure-${i}.png`) }).catch(() => {});
    }
    if (consoleErrors.length) console.error('console errors:', consoleErrors);
    process.exitCode = 1;
    console.log('# pass 0\n# fail 1');
  } finally {
    await browser.close();
  }
}

await main();
