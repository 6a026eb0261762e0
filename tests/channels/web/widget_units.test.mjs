// Unit tests of the widget's pure functions, run with Node's test runner by test_web_build.py:
//   node --test tests/channels/web/widget_units.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { readReplies } from '../../../bot/channels/web/src/rasa.js';
import { ChatStore } from '../../../bot/channels/web/src/store.js';
import { STRINGS, stringsFor } from '../../../bot/channels/web/src/strings.js';
import { safeImageUrl, splitBold, splitContacts, splitLinks } from '../../../bot/channels/web/src/text.js';

const RASA = 'http://127.0.0.1:5005';

test('web addresses become links, the sentence around them stays text', () => {
  assert.deepEqual(splitLinks('Siehe https://example.org/a?b=1. Danach (https://example.org/x) fertig!'), [
    { text: 'Siehe ' },
    { text: 'https://example.org/a?b=1', href: 'https://example.org/a?b=1' },
    { text: '. Danach (' },
    { text: 'https://example.org/x', href: 'https://example.org/x' },
    { text: ') fertig!' },
  ]);
});

test('a bracket that belongs to the address is kept', () => {
  const [, link] = splitLinks('Lies https://de.wikipedia.org/wiki/Mechatroniker_(Beruf).');
  assert.equal(link.href, 'https://de.wikipedia.org/wiki/Mechatroniker_(Beruf)');
});

test('only http(s) becomes a link', () => {
  for (const text of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'ftp://example.org/', 'www.example.org']) {
    assert.deepEqual(splitLinks(text), [{ text }], text);
  }
  assert.deepEqual(splitLinks('<a href="https://evil.example/">x</a>')[1].href, 'https://evil.example/');
});

test('image sources: http(s) and raster data URLs only', () => {
  assert.equal(safeImageUrl('/charts/1.png', RASA), 'http://127.0.0.1:5005/charts/1.png');
  assert.equal(safeImageUrl('data:image/png;base64,iVBORw0KGgo=', RASA), 'data:image/png;base64,iVBORw0KGgo=');
  assert.equal(safeImageUrl('data:image/svg+xml;base64,PHN2Zz4=', RASA), null);
  assert.equal(safeImageUrl('javascript:alert(1)', RASA), null);
  assert.equal(safeImageUrl('', RASA), null);
  assert.equal(safeImageUrl(42, RASA), null);
});

test("Rasa's replies become text, buttons and images; anything else is dropped", () => {
  const messages = readReplies(
    [
      { recipient_id: 'x', text: 'Was willst du wissen?', buttons: [{ title: 'Aufgaben', payload: '/ask_tasks' }, { title: 'kaputt' }] },
      { recipient_id: 'x', image: 'https://example.org/chart.png' },
      { recipient_id: 'x', custom: { image: '/chart.png', alt: 'Balkendiagramm' } },
      { recipient_id: 'x', custom: { something: 'else' } },
      { recipient_id: 'x', text: '   ' },
      null,
      'text',
    ],
    RASA,
  ).messages;
  assert.deepEqual(
    messages.map(({ id, ...rest }) => rest),
    [
      { from: 'bot', text: 'Was willst du wissen?', buttons: [{ title: 'Aufgaben', payload: '/ask_tasks' }], chosen: null, answered: false },
      { from: 'bot', image: 'https://example.org/chart.png', alt: null },
      { from: 'bot', image: 'http://127.0.0.1:5005/chart.png', alt: 'Balkendiagramm' },
    ],
  );
  assert.equal(new Set(messages.map((message) => message.id)).size, 3);
});

test('both languages have the same strings; unknown languages fall back to German', () => {
  assert.deepEqual(Object.keys(STRINGS.de).sort(), Object.keys(STRINGS.en).sort());
  assert.equal(STRINGS.de.privacy.length, STRINGS.en.privacy.length);
  assert.equal(stringsFor('en-GB').lang, 'en');
  assert.equal(stringsFor('fr').lang, 'de');
  assert.equal(stringsFor(null).send, 'Senden');
});

test('the deletion marker is noticed, other custom payloads are not', () => {
  const marker = { recipient_id: 'web-1', custom: { berufslotse: 'conversation_deleted' } };
  const done = readReplies([{ recipient_id: 'web-1', text: 'Erledigt.' }, marker], RASA);
  assert.equal(done.deleted, true);
  assert.deepEqual(done.messages.map((message) => message.text), ['Erledigt.']);
  for (const custom of [{ berufslotse: 'something else' }, { conversation_deleted: true }, 'conversation_deleted', null]) {
    assert.equal(readReplies([{ recipient_id: 'web-1', custom }], RASA).deleted, false, JSON.stringify(custom));
  }
});

test('bold runs are split like the Telegram bridge does; unpaired stars stay', () => {
  assert.deepEqual(splitBold('**Probezeit** – so geht es'), [
    { text: 'Probezeit', bold: true },
    { text: ' – so geht es' },
  ]);
  assert.deepEqual(splitBold('2 * 3 ** nicht fett'), [{ text: '2 * 3 ** nicht fett' }]);
  assert.deepEqual(splitBold('** lose **'), [{ text: '** lose **' }]);
  assert.deepEqual(splitBold('<b>**x**</b>'), [{ text: '<b>' }, { text: 'x', bold: true }, { text: '</b>' }]);
});

test('buttons keep the optional keys of docs/widget_messages.md, and only those', () => {
  const { messages } = readReplies(
    [
      {
        text: 'Liste',
        buttons: [
          { title: 'Angebote dazu', payload: '/x', echo: 'Angebote: Tischler/-in', keep: true, style: 'primary', onclick: 'x' },
          { title: 'weiter', payload: '/y', keep: 'yes', style: 'huge', echo: '' },
        ],
      },
    ],
    RASA,
  );
  assert.deepEqual(messages[0].buttons, [
    { title: 'Angebote dazu', payload: '/x', echo: 'Angebote: Tischler/-in', keep: true, style: 'primary' },
    { title: 'weiter', payload: '/y' },
  ]);
});

test('a card annotates the text before it; a chart is sorted and clamped', () => {
  const { messages } = readReplies(
    [
      { text: '7/30 · Frage' },
      { custom: { berufslotse: 'card', card: 'check_item', position: 7, total: 30 } },
      { custom: { berufslotse: 'card', card: 'unknown' } },
      { custom: { berufslotse: 'chart', title: 'T', bars: [{ label: 'a', value: 20 }, { label: 'b', value: 140 }, { label: '', value: 5 }, { label: 'c', value: 'x' }] } },
    ],
    RASA,
  );
  assert.equal(messages.length, 2);
  assert.deepEqual(messages[0].card, { card: 'check_item', position: 7, total: 30 });
  assert.deepEqual(messages[1].chart, { title: 'T', bars: [{ label: 'b', value: 100 }, { label: 'a', value: 20 }] });
});

test('a chart that replaces its response drops the points line and the picture after it', () => {
  const { messages } = readReplies(
    [
      { text: 'Geschafft!' },
      { text: 'Deine Punkte: A 90' },
      { custom: { berufslotse: 'chart', bars: [{ label: 'A', value: 90 }], alt: 'A: 90', replaces: true } },
      { image: 'https://example.org/chart.png' },
      { image: 'https://example.org/other.png' },
    ],
    RASA,
  );
  assert.deepEqual(
    messages.map((m) => m.text ?? (m.chart ? 'chart' : m.image)),
    ['Geschafft!', 'chart', 'https://example.org/other.png'],
  );
});

test('e-mail addresses and phone numbers become mailto: and tel: links; dates, years and postcodes do not', () => {
  assert.deepEqual(splitContacts('Schreib an ausbildung@tischlerei-muster.de oder ruf an: 05401 123456.'), [
    { text: 'Schreib an ' },
    { text: 'ausbildung@tischlerei-muster.de', href: 'mailto:ausbildung@tischlerei-muster.de' },
    { text: ' oder ruf an: ' },
    { text: '05401 123456', href: 'tel:05401123456' },
    { text: '.' },
  ]);
  assert.deepEqual(splitContacts('+49 541 123-4567'), [{ text: '+49 541 123-4567', href: 'tel:+495411234567' }]);
  for (const text of ['Start: 01.08.2026', '49565 Bramsche', 'im Jahr 2026', 'Punkte von 0 bis 100', '0 bis 100 von 2025']) {
    assert.deepEqual(splitContacts(text), [{ text }], text);
  }
});

test('the saved-search signal is noticed, and only that one', () => {
  const saved = readReplies([{ recipient_id: 'web-1', text: 'Mach ich!' }, { recipient_id: 'web-1', custom: { berufslotse: 'search_saved' } }], RASA);
  assert.equal(saved.searchSaved, true);
  assert.equal(saved.deleted, false);
  assert.deepEqual(saved.messages.map((message) => message.text), ['Mach ich!']);
  for (const custom of [{ berufslotse: 'conversation_deleted' }, { search_saved: true }, 'search_saved', null]) {
    assert.equal(readReplies([{ recipient_id: 'web-1', custom }], RASA).searchSaved, false, JSON.stringify(custom));
  }
});

/** A browser profile: one localStorage shared by its tabs, one sessionStorage per tab. */
class FakeStorage {
  constructor() {
    this.items = new Map();
  }
  getItem(key) {
    return this.items.has(key) ? this.items.get(key) : null;
  }
  setItem(key, value) {
    this.items.set(key, String(value));
  }
  removeItem(key) {
    this.items.delete(key);
  }
  entries() {
    return Object.fromEntries(this.items);
  }
}

test('without the opt-in the id stays in the tab: a new tab is a new pupil, the device keeps nothing', () => {
  const device = new FakeStorage();
  const first = new ChatStore({ session: new FakeStorage(), device });
  assert.match(first.sender, /^web-[0-9a-f]{32}$/);
  first.saveMessages([{ id: 'm1', from: 'pupil', text: 'Hallo' }]);
  assert.equal(first.remembered, false);
  assert.deepEqual(device.entries(), {});

  const next = new ChatStore({ session: new FakeStorage(), device });
  assert.equal(next.returning, false);
  assert.notEqual(next.sender, first.sender);
});

test('with the opt-in only the id goes to localStorage, and the next tab is the same pupil coming back', () => {
  const device = new FakeStorage();
  const tab = new FakeStorage();
  const first = new ChatStore({ session: tab, device });
  first.saveMessages([{ id: 'm1', from: 'pupil', text: 'Sag mir Bescheid' }]);
  first.remember();
  assert.equal(first.remembered, true);
  assert.deepEqual(device.entries(), { 'berufslotse-chat:sender': first.sender });

  const next = new ChatStore({ session: new FakeStorage(), device });
  assert.equal(next.returning, true);
  assert.equal(next.sender, first.sender);
  assert.equal(next.remembered, true);
  assert.deepEqual(next.loadMessages(), []); // the messages stayed in the first tab

  // a reload of a tab (its sessionStorage survives) is no new visit
  assert.equal(new ChatStore({ session: tab, device }).returning, false);
});

test('a tab with its own conversation keeps it, even when another tab is remembered', () => {
  const device = new FakeStorage();
  const tab = new FakeStorage();
  const own = new ChatStore({ session: tab, device }).sender;
  const other = new ChatStore({ session: new FakeStorage(), device });
  other.remember();
  const reloaded = new ChatStore({ session: tab, device });
  assert.equal(reloaded.sender, own);
  assert.equal(reloaded.returning, false);
  assert.equal(reloaded.remembered, false);
});

test('"Vergessen" and "Neues Gespräch" (also after the deletion) clear the device', () => {
  const device = new FakeStorage();
  const store = new ChatStore({ session: new FakeStorage(), device });
  const sender = store.sender;
  store.remember();
  store.forgetDevice();
  assert.deepEqual(device.entries(), {});
  assert.equal(store.sender, sender); // this tab goes on
  assert.equal(new ChatStore({ session: new FakeStorage(), device }).returning, false);

  store.remember();
  const fresh = store.startOver();
  assert.deepEqual(device.entries(), {});
  assert.notEqual(fresh, sender);
  assert.equal(store.remembered, false);
});

test('a broken remembered value is ignored', () => {
  const device = new FakeStorage();
  device.setItem('berufslotse-chat:sender', '<script>');
  const store = new ChatStore({ session: new FakeStorage(), device });
  assert.equal(store.returning, false);
  assert.match(store.sender, /^web-/);
});

test('the opt-in texts say what is stored, in both languages', () => {
  assert.match(STRINGS.de.rememberOffer, /nur deine zufällige Chat-Nummer, sonst nichts/);
  assert.match(STRINGS.en.rememberOffer, /only your random chat number, nothing else/);
  assert.equal(STRINGS.de.remember, 'Auf diesem Gerät merken');
  assert.equal(STRINGS.en.remember, 'Remember me on this device');
  assert.equal(STRINGS.de.forgetDevice, 'Vergessen');
});

test('looking whether the device is remembered creates no id', () => {
  const session = new FakeStorage();
  const store = new ChatStore({ session, device: new FakeStorage() });
  assert.equal(store.remembered, false);
  assert.deepEqual(session.entries(), {});
});
