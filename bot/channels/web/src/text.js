// Text from Rasa is shown as text: it is only ever put into the page as Text nodes, never parsed
// as HTML. Web addresses in it become links that open in a new tab.

// http(s) addresses up to the next space or character that cannot end an address in prose.
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
// Punctuation that ends a sentence rather than the address ("siehe https://example.org.").
const TRAILING = /[.,;:!?'")\]]+$/;

/** Returns an http(s) URL as an absolute string, or null for anything else (javascript:, data:, ...). */
export function safeHttpUrl(value, base) {
  if (typeof value !== 'string' || value.trim() === '') return null;
  try {
    const url = new URL(value.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

// Raster images inline as data: URLs (an action may send a chart that way); never SVG or HTML.
const DATA_IMAGE = /^data:image\/(?:png|jpeg|gif|webp);base64,[a-z0-9+/=\s]+$/i;

/** An image source: an http(s) URL (relative ones resolved against base) or a raster data: URL. */
export function safeImageUrl(value, base) {
  if (typeof value === 'string' && DATA_IMAGE.test(value.trim())) return value.trim();
  return safeHttpUrl(value, base);
}

// E-mail addresses and phone numbers (German style: "05401 123456", "+49 541 123-456",
// "0541/1234567"; at least 7 digits) become mailto:/tel: links, so a pupil can tap them.
const CONTACT_PATTERN = /[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}|(?:\+49 ?|\b0)\d[\d /-]{4,}\d/gi;

/** Splits plain text into text and contact links (mailto:, tel:). */
export function splitContacts(text) {
  const parts = [];
  let last = 0;
  for (const match of String(text).matchAll(CONTACT_PATTERN)) {
    const found = match[0];
    const isMail = found.includes('@');
    const digits = found.replace(/\D/g, '');
    if (!isMail && digits.length < 7) continue;
    if (match.index > last) parts.push({ text: text.slice(last, match.index) });
    const href = isMail ? `mailto:${found}` : `tel:${found.startsWith('+') ? '+' : ''}${digits}`;
    parts.push({ text: found, href });
    last = match.index + found.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

/** Splits text into plain parts and links: [{text}, {text, href}, ...]. */
export function splitLinks(text) {
  const parts = [];
  let last = 0;
  for (const match of String(text).matchAll(URL_PATTERN)) {
    let candidate = match[0];
    // Keep a closing bracket that belongs to the address, e.g. Wikipedia's "..._(Beruf)".
    const trailing = candidate.match(TRAILING);
    if (trailing) {
      let cut = trailing[0];
      if (cut.startsWith(')') && candidate.slice(0, -cut.length).includes('(')) cut = cut.slice(1);
      candidate = candidate.slice(0, candidate.length - cut.length);
    }
    const href = safeHttpUrl(candidate);
    if (!href) continue;
    if (match.index > last) parts.push({ text: text.slice(last, match.index) });
    parts.push({ text: candidate, href });
    last = match.index + candidate.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

const BOLD = /\*\*(\S(?:[\s\S]*?\S)?)\*\*/g;

/** Splits text into plain and **bold** runs: [{text}, {text, bold: true}, ...] (the same rule as
 * the Telegram bridge: a bold run starts and ends with a non-space; unpaired stars stay as typed). */
export function splitBold(text) {
  const runs = [];
  let last = 0;
  for (const match of String(text).matchAll(BOLD)) {
    if (match.index > last) runs.push({ text: text.slice(last, match.index) });
    runs.push({ text: match[1], bold: true });
    last = match.index + match[0].length;
  }
  if (last < text.length) runs.push({ text: text.slice(last) });
  return runs;
}

/** Appends text with its links to parent; `newTabHint` is read out after each link. */
function appendLinks(parent, text, newTabHint) {
  const doc = parent.ownerDocument;
  for (const part of splitLinks(String(text ?? ''))) {
    if (!part.href) {
      for (const contact of splitContacts(part.text)) {
        if (!contact.href) {
          parent.append(doc.createTextNode(contact.text));
          continue;
        }
        const link = doc.createElement('a');
        link.href = contact.href;
        link.textContent = contact.text;
        parent.append(link);
      }
      continue;
    }
    const link = doc.createElement('a');
    link.href = part.href;
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    link.textContent = part.text;
    const hint = doc.createElement('span');
    hint.className = 'sr-only';
    hint.textContent = ` ${newTabHint}`;
    link.append(hint);
    parent.append(link);
  }
}

/** Appends text with its **bold** runs and links to parent (text nodes only, never HTML). */
export function appendRichText(parent, text, newTabHint) {
  for (const run of splitBold(String(text ?? ''))) {
    if (!run.bold) {
      appendLinks(parent, run.text, newTabHint);
      continue;
    }
    const strong = parent.ownerDocument.createElement('strong');
    appendLinks(strong, run.text, newTabHint);
    parent.append(strong);
  }
}
