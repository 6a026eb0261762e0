// What the browser keeps, all in sessionStorage (this tab only, gone when it is closed, so that
// the next pupil at a shared school computer does not see the conversation): the pseudonymous
// sender id (so a reload continues the conversation in Rasa), the messages shown (so a reload
// shows them again) and whether the panel was open. "New conversation" forgets the first two.

const PREFIX = 'berufslotse-chat:';
const MAX_MESSAGES = 200;
const KINDS = new Set(['pupil', 'bot', 'notice']);

/** Web storage when the browser allows it (it may throw in private modes), else memory. */
function storageOr(getStorage) {
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

export class ChatStore {
  constructor() {
    this.session = storageOr(() => window.sessionStorage);
  }

  /** The sender id Rasa knows this conversation by; created on first use. */
  get sender() {
    let sender = this.session.getItem(`${PREFIX}sender`);
    if (!sender || !/^[\w-]{8,64}$/.test(sender)) {
      sender = randomId('web-');
      this.session.setItem(`${PREFIX}sender`, sender);
    }
    return sender;
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

  /** Forgets the conversation in this browser and returns the new sender id. */
  startOver() {
    this.session.removeItem(`${PREFIX}history`);
    this.session.removeItem(`${PREFIX}sender`);
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
