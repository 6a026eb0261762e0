// Rasa's REST channel: POST {rasa-url}/webhooks/rest/webhook with {sender, message, metadata}; the
// answer is a list of bot messages ({text, buttons}, {image}, {custom}). Rasa runs on another
// origin and allows ours through its --cors list. The structure the widget understands beyond
// plain text and buttons is documented in docs/widget_messages.md.

import { randomId } from './store.js';
import { safeImageUrl } from './text.js';

const TIMEOUT_MS = 60000;
const BUTTON_STYLES = new Set(['primary', 'link', 'scale']);
const CARDS = new Set(['check_item', 'answer']);
const MAX_BARS = 12;

export class RasaError extends Error {}

export async function postToRasa(rasaUrl, body, { timeoutMs = TIMEOUT_MS } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(`${rasaUrl.replace(/\/+$/, '')}/webhooks/rest/webhook`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal: controller.signal,
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
    if (!response.ok) throw new RasaError(`Rasa answered ${response.status}`);
    const replies = await response.json();
    if (!Array.isArray(replies)) throw new RasaError('Rasa answered something other than a list');
    return replies;
  } catch (error) {
    throw error instanceof RasaError ? error : new RasaError(String(error));
  } finally {
    clearTimeout(timer);
  }
}

const text = (value) => (typeof value === 'string' && value.trim() !== '' ? value : null);

/** Buttons with a title and a payload; the optional keys of docs/widget_messages.md are kept. */
export function buttonsOf(list) {
  if (!Array.isArray(list)) return [];
  return list
    .filter((button) => button && typeof button.title === 'string' && typeof button.payload === 'string')
    .map((button) => {
      const read = { title: button.title, payload: button.payload };
      if (text(button.echo)) read.echo = button.echo;
      if (button.keep === true) read.keep = true;
      if (BUTTON_STYLES.has(button.style)) read.style = button.style;
      return read;
    });
}

/** A bar chart drawn by the widget: {title, bars: [{label, value 0..100}], alt}, bars sorted. */
export function chartOf(custom) {
  if (!Array.isArray(custom.bars)) return null;
  const bars = custom.bars
    .filter((bar) => bar && text(bar.label) && Number.isFinite(bar.value))
    .slice(0, MAX_BARS)
    .map((bar) => ({ label: bar.label, value: Math.max(0, Math.min(100, Math.round(bar.value))) }))
    .sort((a, b) => b.value - a.value);
  return bars.length ? { title: text(custom.title) || '', bars } : null;
}

function cardOf(custom) {
  if (!CARDS.has(custom.card)) return null;
  const card = { card: custom.card };
  for (const key of ['position', 'total', 'fold']) {
    if (Number.isInteger(custom[key]) && custom[key] >= 0) card[key] = custom[key];
  }
  return card;
}

/**
 * Reads Rasa's replies: the widget's messages, text (with buttons), images (an image can carry
 * its alternative text when an action sends it as custom JSON: {"image": url, "alt": text}),
 * charts and cards (docs/widget_messages.md), and the assistant's signals (custom
 * {"berufslotse": ...}, bot/erasure.py and bot/web_signals.py):
 * `deleted`, it deleted this conversation at the pupil's request (the widget then forgets it too);
 * `searchSaved`, it saved a search (the widget offers to remember the pupil on this device).
 */
export function readReplies(replies, rasaUrl) {
  const messages = toMessages(replies, rasaUrl);
  const signalled = (name) => replies.some((reply) => reply?.custom?.berufslotse === name);
  return { messages, deleted: signalled('conversation_deleted'), searchSaved: signalled('search_saved') };
}

function toMessages(replies, rasaUrl) {
  const messages = [];
  let lastText = null;
  let skipImage = false;
  for (const reply of replies) {
    if (!reply || typeof reply !== 'object') continue;
    const skip = skipImage;
    skipImage = false;
    if (text(reply.text)) {
      const buttons = buttonsOf(reply.buttons ?? reply.quick_replies);
      lastText = { id: randomId('m'), from: 'bot', text: reply.text, buttons, chosen: null, answered: false };
      messages.push(lastText);
    }
    const custom = reply.custom && typeof reply.custom === 'object' ? reply.custom : {};
    if (custom.berufslotse === 'card') {
      // A card annotates the text message right before it (Rasa sends a response's text first,
      // then its custom part).
      const card = cardOf(custom);
      if (card && lastText && !lastText.card) lastText.card = card;
      continue;
    }
    if (custom.berufslotse === 'chart') {
      const chart = chartOf(custom);
      if (!chart) continue;
      // "replaces": the chart stands for its response's text (the points) and picture (the PNG,
      // which Rasa sends right after it).
      if (custom.replaces === true && lastText && messages[messages.length - 1] === lastText && !lastText.buttons.length) {
        messages.pop();
        skipImage = true;
      }
      messages.push({ id: randomId('m'), from: 'bot', chart, alt: text(custom.alt) });
      continue;
    }
    const image = safeImageUrl(reply.image ?? custom.image, rasaUrl);
    if (image && !(skip && reply.image && !reply.text)) {
      const alt = typeof custom.alt === 'string' ? custom.alt : null;
      messages.push({ id: randomId('m'), from: 'bot', image, alt });
    }
  }
  return messages;
}
