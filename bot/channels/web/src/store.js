// What the browser keeps. By default all in sessionStorage (this tab only, gone when it is closed,
// so that the next pupil at a shared school computer does not see the conversation): the
// pseudonymous sender id (so a reload continues the conversation in Rasa), the messages shown (so a
// reload shows them again) and whether the panel was open. "New conversation" forgets the first two.
//
// Only when the pupil asks for it ("Auf diesem Gerät merken", offered when they save a search), the
// sender id - and nothing else - is also kept in localStorage, so that a later visit (a new tab, the
// next day) continues under the same id and sees the new offers of the saved searches. "Vergessen",
// "Neues Gespräch" and the deletion of the conversation remove it again.

const PREFIX = 'berufslotse-chat:';
const SENDER = `${PREFIX}sender`;
const MAX_MESSAGES = 200;
const KINDS = new Set(['pupil', 'bot', 'notice', 'device']);
const VALID_SENDER = /^[\w-]{8,64}$/;

/** Web storage when the browser allows it (it may throw in private modes), else memory. */
export function storageOr(getStorage) {
  try {
    const storage = getStorage();
    const probe = `${PREFIX}probe`;
    storage.setItem(probe, '1');
    storage.removeItem(probe);
    return storage;
  } catch {
    const memory = new Map();
    return {
      getItem: (key) => (memory.has(key) ? memory.get(key) : null),
      setItem: (key, value) => memory.set(key, String(value)),
      removeItem: (key) => memory.delete(key),
    };
  }
}

/** 128 random bits; crypto.getRandomValues also works outside secure contexts. */
export function randomId(prefix = '') {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return prefix + Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function validSender(value) {
  return typeof value === 'string' && VALID_SENDER.test(value) ? value : null;
}

export class ChatStore {
  /** `session` and `device` default to the browser's sessionStorage and localStorage (tests pass their own). */
  constructor({ session, device } = {}) {
    this.session = session ?? storageOr(() => window.sessionStorage);
    this.device = device ?? storageOr(() => window.localStorage);
    // A tab that starts without a conversation of its own but with a remembered id is a pupil
    // coming back: the widget then asks the assistant once for news (see `returning`).
    const tabSender = validSender(this.session.getItem(SENDER));
    const remembered = validSender(this.device.getItem(SENDER));
    this.returning = !tabSender && remembered !== null;
    if (this.returning) this.session.setItem(SENDER, remembered);
  }

  /** The sender id Rasa knows this conversation by; created on first use. */
  get sender() {
    let sender = validSender(this.session.getItem(SENDER));
    if (!sender) {
      sender = randomId('web-');
      this.session.setItem(SENDER, sender);
    }
    return sender;
  }

  /** Whether this browser keeps the conversation's id beyond the tab (the pupil's opt-in). */
  get remembered() {
    const sender = validSender(this.session.getItem(SENDER)); // reading never creates an id
    return sender !== null && this.device.getItem(SENDER) === sender;
  }

  /** Opt-in: keep the sender id (only it) in localStorage, for the next visit. */
  remember() {
    try {
      this.device.setItem(SENDER, this.sender);
    } catch {
      // Storage forbidden: nothing is remembered, and `remembered` says so.
    }
  }

  /** Undo the opt-in: the id stays for this tab only. */
  forgetDevice() {
    this.device.removeItem(SENDER);
  }

  /** The messages of the current conversation (those of an older sender id are ignored). */
  loadMessages() {
    try {
      const saved = JSON.parse(this.session.getItem(`${PREFIX}history`) || 'null');
      if (!saved || saved.sender !== this.sender || !Array.isArray(saved.messages)) return [];
      return saved.messages.filter((message) => message && KINDS.has(message.from) && typeof message.id === 'string');
    } catch {
      return [];
    }
  }

  saveMessages(messages) {
    const kept = messages.slice(-MAX_MESSAGES);
    try {
      this.session.setItem(`${PREFIX}history`, JSON.stringify({ sender: this.sender, messages: kept }));
    } catch {
      // Storage full or forbidden: the conversation goes on, it just won't survive a reload.
    }
  }

  /** Forgets the conversation in this browser (the tab and, if remembered, the device) and returns the new sender id. */
  startOver() {
    this.forgetDevice();
    this.session.removeItem(`${PREFIX}history`);
    this.session.removeItem(SENDER);
    this.returning = false;
    return this.sender;
  }

  /** "<sender>:<code>" once this conversation was sent the class code of the page's link. */
  get joinedClass() {
    return this.session.getItem(`${PREFIX}class`);
  }

  set joinedClass(value) {
    this.session.setItem(`${PREFIX}class`, value);
  }

  /** The pupil's easy-German switch in this tab: true, false, or null (not chosen). */
  get easyLanguage() {
    const value = this.session.getItem(`${PREFIX}easy`);
    return value === null ? null : value === '1';
  }

  set easyLanguage(on) {
    this.session.setItem(`${PREFIX}easy`, on ? '1' : '0');
  }

  get wasOpen() {
    return this.session.getItem(`${PREFIX}open`) === '1';
  }

  set wasOpen(open) {
    if (open) this.session.setItem(`${PREFIX}open`, '1');
    else this.session.removeItem(`${PREFIX}open`);
  }
}
