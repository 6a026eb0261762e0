// Rasa's REST channel: POST {rasa-url}/webhooks/rest/webhook with {sender, message, metadata}; the
// answer is a list of bot messages ({text, buttons}, {image}, {custom}). Rasa runs on another
// origin and allows ours through its --cors list.

import { randomId } from './store.js';
import { safeImageUrl } from './text.js';

const TIMEOUT_MS = 60000;

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

function buttonsOf(list) {
  if (!Array.isArray(list)) return [];
  return list
    .filter((button) => button && typeof button.title === 'string' && typeof button.payload === 'string')
    .map((button) => ({ title: button.title, payload: button.payload }));
}

/**
 * Reads Rasa's replies: the widget's messages, text (with buttons) and images (an image can carry
 * its alternative text when an action sends it as custom JSON: {"image": url, "alt": text}), and
 * the assistant's signals (custom {"berufslotse": ...}, bot/erasure.py and bot/web_signals.py):
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
  for (const reply of replies) {
    if (!reply || typeof reply !== 'object') continue;
    if (typeof reply.text === 'string' && reply.text.trim() !== '') {
      const buttons = buttonsOf(reply.buttons ?? reply.quick_replies);
      messages.push({ id: randomId('m'), from: 'bot', text: reply.text, buttons, chosen: null, answered: false });
    }
    const custom = reply.custom && typeof reply.custom === 'object' ? reply.custom : {};
    const image = safeImageUrl(reply.image ?? custom.image, rasaUrl);
    if (image) {
      const alt = typeof custom.alt === 'string' ? custom.alt : null;
      messages.push({ id: randomId('m'), from: 'bot', image, alt });
    }
  }
  return messages;
}
