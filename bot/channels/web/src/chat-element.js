// <berufslotse-chat rasa-url="https://bot.example.org" lang="de"></berufslotse-chat>
//
// A launcher button that opens a chat panel. Everything is built from DOM nodes (text only ever
// as Text nodes), inside an open shadow root so the host page's CSS cannot break it and ours
// cannot leak out. Accessibility by construction: native buttons, a form with a labelled input
// (Enter sends), a polite live region that reads out what the assistant says, focus moved
// deliberately (into the input on open, back to the launcher on close).

import STYLES from './styles.css';
import { postToRasa, readReplies } from './rasa.js';
import { ChatStore, randomId } from './store.js';
import { stringsFor } from './strings.js';
import { appendRichText } from './text.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const ICONS = {
  chat: 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z',
  close: 'M6 6l12 12M18 6L6 18',
  send: 'M4 12l16-8-6 16-2.5-6.5z',
  restart: 'M4 12a8 8 0 1 0 2.4-5.7M4 4v4h4',
  menu: 'M12 5h.01M12 12h.01M12 19h.01',
};

/** Creates an element: attributes from `attrs` (`text` sets textContent, `on*` adds a listener). */
function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'text') element.textContent = value;
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...children.filter((child) => child !== null && child !== undefined));
  return element;
}

function icon(name) {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', ICONS[name]);
  svg.append(path);
  return svg;
}

function prefersReducedMotion() {
  return window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
}

let sharedSheet = null;
function adoptStyles(root) {
  // A constructed stylesheet is shared by all instances and allowed under a strict CSP
  // (style-src without 'unsafe-inline'); older browsers get a <style> element.
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet.prototype.replaceSync === 'function') {
    if (!sharedSheet) {
      sharedSheet = new CSSStyleSheet();
      sharedSheet.replaceSync(STYLES);
    }
    root.adoptedStyleSheets = [sharedSheet];
  } else {
    root.append(h('style', { text: STYLES }));
  }
}

// A class code as the advisor pages make it (api/classes/codes.py): six of these characters, at
// least two digits and two letters. Only such a code ever goes into the payload.
const CLASS_CODE = /^(?=(?:[^0-9]*[0-9]){2})(?=(?:[^A-Z]*[A-Z]){2})[A-HJKMNP-Z2-9]{6}$/;

export class BerufslotseChat extends HTMLElement {
  static get observedAttributes() {
    return ['lang', 'easy-language'];
  }

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    adoptStyles(this.shadowRoot);
    this.store = null;
    this.messages = [];
    this.items = new Map(); // message id -> its <li>
    this.queue = Promise.resolve(); // messages go to Rasa one after another, in order
    this.pending = 0;
    this.isOpen = false;
  }

  connectedCallback() {
    if (this.store) return;
    this.store = new ChatStore();
    this.messages = this.store.loadMessages();
    this.render();
    if (this.store.wasOpen) this.open({ focus: false });
    this.joinClassFromLink();
    if (this.store.returning) this.checkForNews();
  }

  attributeChangedCallback() {
    // A new language (or easy-German default): rebuild the UI around the same conversation.
    if (!this.store) return;
    const wasOpen = this.isOpen;
    this.render();
    if (wasOpen) this.open({ focus: false });
  }

  get strings() {
    return stringsFor(this.getAttribute('lang'));
  }

  /** The class code of the element (`class-code`) or of the page's address (`?class=K7M4QX`). */
  get classCode() {
    const given = this.getAttribute('class-code') || new URLSearchParams(window.location.search).get('class') || '';
    const code = given.replace(/[\s-]+/g, '').toUpperCase();
    return CLASS_CODE.test(code) ? code : null;
  }

  /** A class's link opened the page: join the class once per conversation (Rasa confirms it). */
  joinClassFromLink() {
    const code = this.classCode;
    if (!code) return;
    const joined = `${this.store.sender}:${code}`;
    if (this.store.joinedClass === joined) return;
    this.store.joinedClass = joined;
    this.open({ focus: false });
    this.send({
      text: `${this.strings.classCode} ${code.slice(0, 3)} ${code.slice(3)}`,
      payload: `/join_class{"class_code":"${code}"}`,
    });
  }

  get rasaUrl() {
    return (this.getAttribute('rasa-url') || '').trim().replace(/\/+$/, '');
  }

  // ---- building the UI -------------------------------------------------------------------

  render() {
    const t = this.strings;
    const root = this.shadowRoot;
    for (const child of [...root.childNodes]) if (child.nodeName !== 'STYLE') child.remove();
    this.items.clear();

    this.unreadHint = h('span', { class: 'sr-only' });
    this.launcher = h(
      'button',
      { type: 'button', class: 'launcher', 'aria-expanded': 'false', 'aria-controls': 'panel', onclick: () => this.open() },
      icon('chat'),
      h('span', { class: 'launcher-label', text: t.launcher }),
      this.unreadHint,
    );

    this.log = h('ol', { class: 'log' });
    this.typing = h(
      'p',
      { class: 'typing', hidden: true },
      h('span', { class: 'sr-only', text: t.typing }),
      h('span', { class: 'dots', 'aria-hidden': 'true' }, h('span'), h('span'), h('span')),
    );
    // The first screen: a greeting, one line about privacy (the rest behind "mehr") and a few
    // ways to start; the starters go once the conversation has begun.
    this.starters = h('div', { class: 'choices starters', role: 'group', 'aria-label': t.starters });
    for (const button of t.starterButtons) {
      this.starters.append(
        h('button', { type: 'button', class: 'choice', onclick: () => this.send({ text: button.title, payload: button.payload }) }, button.title),
      );
    }
    this.starters.hidden = this.messages.length > 0;
    this.scroller = h(
      'div',
      { class: 'scroller', tabindex: '0', role: 'region', 'aria-label': t.history },
      h(
        'div',
        { class: 'intro' },
        h('h3', { text: t.welcomeTitle }),
        h(
          'details',
          { class: 'privacy', id: 'privacy' },
          h(
            'summary',
            { id: 'privacy-line' },
            h('span', { text: `${t.privacyLine} ` }),
            h('span', { class: 'more' }, t.more, h('span', { class: 'sr-only', text: ` ${t.moreAbout}` })),
          ),
          h('h4', { text: t.privacyTitle }),
          ...t.privacy.map((paragraph) => h('p', { text: paragraph })),
          this.deviceControls(),
          h('button', { type: 'button', class: 'delete-data', onclick: () => this.requestDeletion() }, t.deleteMyData),
        ),
        h('p', { text: t.welcome }),
        this.starters,
      ),
      this.log,
      this.typing,
    );

    this.input = h('input', {
      id: 'message',
      type: 'text',
      autocomplete: 'off',
      maxlength: '1000',
      enterkeyhint: 'send',
      placeholder: t.placeholder,
      'aria-describedby': this.messages.length ? null : 'privacy-line',
    });
    this.form = h(
      'form',
      { class: 'composer', onsubmit: (event) => this.onSubmit(event) },
      h('label', { for: 'message', class: 'sr-only', text: t.inputLabel }),
      this.input,
      h('button', { type: 'submit', class: 'send' }, icon('send'), h('span', { class: 'sr-only', text: t.send })),
    );

    // "Neues Gespräch" forgets the conversation in this window: it sits in a menu and asks first.
    this.menuButton = h(
      'button',
      { type: 'button', class: 'menu-button', 'aria-expanded': 'false', 'aria-controls': 'menu', onclick: () => this.toggleMenu() },
      icon('menu'),
      h('span', { class: 'sr-only', text: t.menu }),
    );
    this.menu = h(
      'div',
      { id: 'menu', class: 'menu', hidden: true },
      h('button', { type: 'button', class: 'restart', onclick: () => this.askStartOver() }, icon('restart'), h('span', { text: t.newConversation })),
      h('button', { type: 'button', class: 'menu-delete', onclick: () => { this.toggleMenu(false); this.requestDeletion(); } }, t.deleteMyData),
    );
    // Easy German is a setting of German conversations: a switch in the menu (aria-pressed).
    if (t.lang === 'de') {
      this.menu.append(
        h('button', { type: 'button', class: 'menu-easy', 'aria-pressed': String(this.easyLanguage), onclick: () => this.toggleEasyLanguage() }, t.easyLanguage),
      );
    }
    this.confirm = h(
      'div',
      { class: 'confirm', role: 'alertdialog', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-text', hidden: true },
      h('h3', { id: 'confirm-title', text: t.confirmNewTitle }),
      h('p', { id: 'confirm-text', text: t.confirmNewText }),
      h(
        'div',
        { class: 'confirm-buttons' },
        h('button', { type: 'button', class: 'primary', onclick: () => this.startOver() }, t.confirmNewYes),
        h('button', { type: 'button', class: 'secondary', onclick: () => this.cancelStartOver() }, t.cancel),
      ),
    );

    this.panel = h(
      'div',
      {
        id: 'panel',
        class: 'panel',
        role: 'dialog',
        'aria-modal': 'false',
        'aria-labelledby': 'title',
        lang: t.lang,
        hidden: true,
        onkeydown: (event) => {
          if (event.key !== 'Escape') return;
          if (!this.confirm.hidden) this.cancelStartOver();
          else if (!this.menu.hidden) this.toggleMenu(false);
          else this.close();
        },
      },
      h(
        'header',
        { class: 'header' },
        h('div', { class: 'heading' }, h('h2', { id: 'title', text: t.title }), h('p', { text: t.subtitle })),
        h(
          'div',
          { class: 'actions' },
          this.menuButton,
          h(
            'button',
            { type: 'button', class: 'close', onclick: () => this.close() },
            icon('close'),
            h('span', { class: 'sr-only', text: t.close }),
          ),
        ),
        this.menu,
      ),
      this.scroller,
      this.confirm,
      this.form,
    );

    // Outside the panel, so an answer that arrives while the panel is closed is still read out.
    this.announcer = h('div', { class: 'sr-only', 'aria-live': 'polite' });

    this.shadowRoot.append(this.launcher, this.panel, this.announcer);
    for (const message of this.messages) this.log.append(this.renderMessage(message));
    this.typing.hidden = this.pending === 0;
  }

  renderMessage(message) {
    const t = this.strings;
    let item;
    if (message.from === 'notice') {
      item = h('li', { class: 'msg msg--notice' }, h('p', { class: 'bubble', text: t.error }));
    } else if (message.from === 'device') {
      item = h('li', { class: 'msg msg--device' }, this.deviceControls());
    } else if (message.from === 'pupil') {
      const failed = message.status === 'failed';
      item = h(
        'li',
        // An answer given on a card shows on the card itself, not as a bubble of its own.
        { class: `msg msg--pupil${failed ? ' is-failed' : ''}`, hidden: message.folded && !failed },
        h('span', { class: 'sr-only', text: `${t.you} ` }),
        h('p', { class: 'bubble', text: message.text }),
      );
      if (failed) {
        item.append(
          h(
            'p',
            { class: 'status' },
            h('span', { text: `${t.failed} ` }),
            h('button', { type: 'button', class: 'retry', onclick: () => this.retry(message) }, t.retry),
          ),
        );
      }
    } else if (message.chart) {
      item = h('li', { class: 'msg msg--bot msg--wide' }, h('span', { class: 'sr-only', text: `${t.bot} ` }), this.renderChart(message));
    } else if (message.image) {
      item = h(
        'li',
        { class: 'msg msg--bot' },
        h('span', { class: 'sr-only', text: `${t.bot} ` }),
        h(
          'figure',
          { class: 'bubble bubble--image' },
          h('img', { src: message.image, alt: message.alt || t.image, referrerpolicy: 'no-referrer', decoding: 'async' }),
        ),
      );
    } else if (message.card?.card === 'check_item') {
      item = h('li', { class: 'msg msg--bot msg--wide' }, h('span', { class: 'sr-only', text: `${t.bot} ` }), this.renderCheckCard(message));
    } else {
      const bubble = h('div', { class: 'bubble' });
      this.appendText(bubble, message.text, message.card?.card === 'answer' ? message.card.fold : null);
      item = h('li', { class: 'msg msg--bot' }, h('span', { class: 'sr-only', text: `${t.bot} ` }), bubble);
      const choices = this.renderChoices(message, message.buttons || []);
      if (choices) item.append(choices);
    }
    item.dataset.id = message.id;
    this.items.set(message.id, item);
    return item;
  }

  /** Text as paragraphs; with `fold`, the lines after the first `fold` wait behind "mehr". */
  appendText(parent, text, fold) {
    const lines = String(text).split('\n');
    const shown = fold ? lines.slice(0, fold) : lines;
    const addLines = (target, list) => {
      const p = h('p');
      appendRichText(p, list.join('\n'), this.strings.newTab);
      target.append(p);
    };
    addLines(parent, shown);
    if (fold && lines.length > fold) {
      const more = h('details', { class: 'more-text' }, h('summary', { text: this.strings.more }));
      addLines(more, lines.slice(fold));
      parent.append(more);
    }
  }

  /** The buttons under a message. Quick replies go once the pupil has answered; buttons marked
   * `keep` (a list's "Details", "Angebote dazu") stay usable. */
  renderChoices(message, buttons, { label = this.strings.choices, cls = '' } = {}) {
    const t = this.strings;
    const shown = buttons.filter((button) => !message.answered || button.keep || message.card);
    if (!shown.length) return null;
    const group = h('div', { class: `choices ${cls}`.trim(), role: 'group', 'aria-label': label });
    for (const button of shown) {
      const index = message.buttons.indexOf(button);
      const chosen = message.chosen === index;
      group.append(
        h(
          'button',
          {
            type: 'button',
            class: `choice${button.style ? ` choice--${button.style}` : ''}${chosen ? ' is-chosen' : ''}`,
            disabled: message.answered && !button.keep,
            onclick: () => this.choose(message, index),
          },
          ...this.buttonLabel(button),
          chosen ? h('span', { class: 'sr-only', text: ` ${t.chosen}` }) : null,
        ),
      );
    }
    return group;
  }

  buttonLabel(button) {
    if (button.style !== 'scale') return [button.title];
    // "😍 sehr gern": the face large on top, the words under it.
    const [face, ...words] = button.title.split(' ');
    return words.length
      ? [h('span', { class: 'face', 'aria-hidden': 'true', text: face }), h('span', { class: 'sr-only', text: `${face} ` }), h('span', { class: 'words', text: words.join(' ') })]
      : [button.title];
  }

  /** One check question as a card: progress, the question, five faces in a row, small links. */
  renderCheckCard(message) {
    const t = this.strings;
    const { position = 0, total = 0 } = message.card;
    const progressText = t.progress.replace('{n}', position).replace('{total}', total);
    const card = h('section', { class: 'card card--check', 'aria-label': t.checkCard });
    if (total) {
      card.append(
        h('p', { class: 'progress-text', id: `p-${message.id}`, text: progressText }),
        h('progress', { max: total, value: Math.max(0, position - 1), 'aria-labelledby': `p-${message.id}` }),
      );
    }
    const question = h('div', { class: 'question' });
    // The card shows its own progress: "7/30 · " at the start of the text is left out.
    this.appendText(question, message.text.replace(/^\s*\d+\s*\/\s*\d+\s*·\s*/, ''));
    card.append(question);
    const buttons = message.buttons || [];
    const scale = buttons.filter((button) => button.style === 'scale');
    const links = buttons.filter((button) => button.style === 'link');
    const others = buttons.filter((button) => button.style !== 'scale' && button.style !== 'link');
    for (const [list, cls, label] of [
      [scale, 'scale', t.choices],
      [others, '', t.choices],
      [links, 'links', t.otherChoices],
    ]) {
      const group = list.length ? this.renderChoices(message, list, { label, cls }) : null;
      if (group) card.append(group);
    }
    return card;
  }

  /** A sorted bar chart drawn in the page (it grows with zoom); the top three stand out. */
  renderChart(message) {
    const t = this.strings;
    const { title, bars } = message.chart;
    const figure = h('figure', { class: 'card chart' });
    if (title) figure.append(h('figcaption', { text: title }));
    const list = h('ol', { class: 'bars' });
    bars.forEach((bar, index) => {
      const fill = h('span', { class: 'fill' });
      fill.style.width = `${bar.value}%`; // CSSOM, allowed under a strict CSP
      list.append(
        h(
          'li',
          { class: index < 3 ? 'is-top' : null },
          h('span', { class: 'label' }, index < 3 ? h('span', { class: 'star', 'aria-hidden': 'true', text: '★ ' }) : null, bar.label, index < 3 ? h('span', { class: 'sr-only', text: ` (${t.top})` }) : null),
          h('span', { class: 'track', 'aria-hidden': 'true' }, fill),
          h('span', { class: 'value', text: `${bar.value} %` }),
        ),
      );
    });
    figure.append(list);
    const toggle = h('button', {
      type: 'button',
      class: 'enlarge',
      'aria-pressed': 'false',
      onclick: () => {
        const large = figure.classList.toggle('is-large');
        toggle.setAttribute('aria-pressed', String(large));
        toggle.textContent = large ? t.shrink : t.enlarge;
      },
      text: t.enlarge,
    });
    figure.append(toggle);
    return figure;
  }

  /**
   * "Auf diesem Gerät merken" / "Vergessen": what remembering stores, and the switch. Shown in the
   * privacy note and after the assistant saved a search; every copy shows the current state.
   */
  deviceControls() {
    const t = this.strings;
    const remembered = this.store.remembered;
    return h(
      'div',
      { class: 'device', role: 'group', 'aria-label': t.remember },
      h('p', { text: remembered ? t.remembered : t.rememberOffer }),
      h(
        'button',
        {
          type: 'button',
          class: remembered ? 'forget-device' : 'remember',
          onclick: (event) => this.setRemembered(!remembered, event.currentTarget),
        },
        remembered ? t.forgetDevice : t.remember,
      ),
    );
  }

  setRemembered(remember, button) {
    if (remember) this.store.remember();
    else this.store.forgetDevice();
    // Redraw every copy; the keyboard stays on the switch that was pressed (now the other one).
    const pressed = button?.closest('.device');
    for (const old of this.shadowRoot.querySelectorAll('.device')) {
      const fresh = this.deviceControls();
      old.replaceWith(fresh);
      if (old === pressed) fresh.querySelector('button').focus();
    }
    this.announce([this.store.remembered ? this.strings.remembered : this.strings.forgotten]);
  }

  // ---- opening and closing ---------------------------------------------------------------

  open({ focus = true } = {}) {
    this.isOpen = true;
    this.store.wasOpen = true;
    this.panel.hidden = false;
    this.launcher.hidden = true;
    this.launcher.setAttribute('aria-expanded', 'true');
    this.launcher.classList.remove('has-unread');
    this.unreadHint.textContent = '';
    this.scrollToEnd();
    if (focus) this.input.focus();
  }

  close() {
    this.isOpen = false;
    this.store.wasOpen = false;
    this.panel.hidden = true;
    this.launcher.hidden = false;
    this.launcher.setAttribute('aria-expanded', 'false');
    this.launcher.focus();
  }

  // ---- talking to Rasa -------------------------------------------------------------------

  onSubmit(event) {
    event.preventDefault();
    const text = this.input.value.trim();
    if (!text) {
      this.input.focus();
      return;
    }
    this.input.value = '';
    this.send({ text });
  }

  choose(message, index) {
    const button = message.buttons[index];
    if (!button || (message.answered && !button.keep)) return;
    if (!button.keep) message.chosen = index;
    // The pupil's bubble says what was chosen, with the context the assistant gave ("echo").
    const folded = message.card?.card === 'check_item';
    this.send({ text: button.echo || button.title, payload: button.payload, folded });
    if (!folded) this.input.focus(); // keep the keyboard where it is useful
  }

  send({ text, payload = null, folded = false }) {
    // Quick replies answer the message they belong to; once the pupil has said something they go.
    for (const message of this.messages) {
      if (message.buttons?.length && !message.answered) {
        message.answered = true;
        this.replaceItem(message);
      }
    }
    this.starters.hidden = true;
    const message = { id: randomId('m'), from: 'pupil', text, payload, status: 'pending', folded };
    this.append([message]);
    this.input.removeAttribute('aria-describedby');
    this.deliver(message);
  }

  retry(message) {
    // Drop the error notice that followed it, then try the same message again.
    const index = this.messages.indexOf(message);
    const next = this.messages[index + 1];
    if (next?.from === 'notice') this.remove(next);
    message.status = 'pending';
    this.replaceItem(message);
    this.input.focus();
    this.deliver(message);
  }

  deliver(message) {
    const sender = this.store.sender;
    const body = {
      sender,
      message: message.payload || message.text,
      metadata: { channel: 'web', language: this.strings.lang, ...(this.easyLanguage ? { easy_language: '1' } : {}) },
    };
    this.queue = this.queue.then(async () => {
      if (this.store.sender !== sender) return; // the pupil started over meanwhile
      this.setTyping(+1);
      try {
        const replies = await postToRasa(this.rasaUrl, body);
        if (this.store.sender !== sender) return;
        message.status = 'sent';
        this.replaceItem(message);
        const { messages: answers, deleted, searchSaved } = readReplies(replies, this.rasaUrl || window.location.href);
        // A saved search can only reach the pupil later if this browser remembers them: offer it.
        if (searchSaved && !this.store.remembered) answers.push({ id: randomId('m'), from: 'device' });
        if (deleted) this.forget(answers);
        else this.append(answers);
        this.announce(answers.map((answer) => this.spoken(answer)));
        // Answered on the check card: the keyboard stays on the card's next question.
        const card = answers.find((answer) => answer.card?.card === 'check_item');
        if (message.folded && card) this.items.get(card.id)?.querySelector('.choice:enabled')?.focus();
      } catch {
        if (this.store.sender !== sender) return;
        message.status = 'failed';
        this.replaceItem(message);
        this.append([{ id: randomId('m'), from: 'notice' }]);
        this.announce([this.strings.error]);
      } finally {
        this.setTyping(-1);
      }
    });
  }

  toggleMenu(open = this.menu.hidden) {
    this.menu.hidden = !open;
    this.menuButton.setAttribute('aria-expanded', String(open));
    if (open) this.menu.querySelector('button').focus();
  }

  askStartOver() {
    this.toggleMenu(false);
    this.confirm.hidden = false;
    this.confirm.querySelector('.secondary').focus();
  }

  cancelStartOver() {
    this.confirm.hidden = true;
    this.menuButton.focus();
  }

  /** What the live region says for a message of the assistant (or of the widget). */
  spoken(answer) {
    if (answer.from === 'device') return this.strings.rememberOffer;
    return `${this.strings.bot} ${answer.text ?? answer.alt ?? answer.chart?.title ?? this.strings.image}`;
  }

  /**
   * A remembered pupil opened a new tab: ask the assistant once, without showing a message of the
   * pupil, for what is new (Rasa's /session_start runs action_session_start, which shows the due
   * alerts of the saved searches; the API gives each only once, at most once a day). Nothing new:
   * nothing is shown. A failure is quiet; the news wait for the next visit.
   */
  checkForNews() {
    this.store.returning = false;
    const sender = this.store.sender;
    const body = { sender, message: '/session_start', metadata: { channel: 'web', language: this.strings.lang } };
    this.queue = this.queue.then(async () => {
      if (this.store.sender !== sender) return;
      try {
        const replies = await postToRasa(this.rasaUrl, body);
        if (this.store.sender !== sender) return;
        const { messages } = readReplies(replies, this.rasaUrl || window.location.href);
        this.append(messages);
        if (messages.length) this.announce(messages.map((answer) => this.spoken(answer)));
      } catch {
        // quiet: nothing was shown, and the assistant keeps what it did not hand out
      }
    });
  }

  /** Forgets this conversation in the browser and starts a new one under a new sender id. */
  startOver() {
    this.store.startOver();
    this.messages = [];
    this.pending = 0;
    this.queue = Promise.resolve();
    this.render();
    this.open();
    this.joinClassFromLink(); // still in the lesson: the new conversation joins the class too
  }

  /**
   * The assistant deleted the conversation: the browser forgets it too (new sender id, no history)
   * and shows only the assistant's confirmation.
   */
  forget(answers) {
    this.store.startOver();
    this.messages = [];
    this.render();
    this.append(answers);
    this.open();
  }

  /** Easy German: the pupil's choice in this tab, else the page's `easy-language` attribute. */
  get easyLanguage() {
    const chosen = this.store?.easyLanguage;
    return chosen ?? (this.hasAttribute('easy-language') && this.getAttribute('easy-language') !== 'false');
  }

  /** The menu's switch: remembered in this tab and told to the assistant, which answers in it. */
  toggleEasyLanguage() {
    const on = !this.easyLanguage;
    this.store.easyLanguage = on;
    this.menu.querySelector('.menu-easy')?.setAttribute('aria-pressed', String(on));
    this.toggleMenu(false);
    this.open();
    const t = this.strings;
    this.send({ text: on ? t.easyOn : t.easyOff, payload: `/switch_language{"easy_language":"${on}"}` });
  }

  /** Asks the assistant to delete everything about this conversation (it asks for a yes first). */
  requestDeletion() {
    this.open();
    this.send({ text: this.strings.deleteMyData, payload: '/delete_my_data' });
  }

  // ---- keeping messages, DOM and storage in step -----------------------------------------

  append(messages) {
    if (!messages.length) return;
    if (messages.some((message) => message.card?.card === 'check_item')) this.removeOldCards();
    this.messages.push(...messages);
    this.store.saveMessages(this.messages);
    const first = this.renderMessage(messages[0]);
    this.log.append(first, ...messages.slice(1).map((message) => this.renderMessage(message)));
    if (messages[0].from === 'pupil') this.scrollToEnd();
    else this.scrollToShow(first);
    if (!this.isOpen && messages.some((message) => message.from !== 'pupil')) {
      this.launcher.classList.add('has-unread');
      this.unreadHint.textContent = ` (${this.strings.unread})`;
    }
  }

  replaceItem(message) {
    this.store.saveMessages(this.messages);
    const old = this.items.get(message.id);
    if (!old) return;
    const hadFocus = old.contains(this.shadowRoot.activeElement);
    const fresh = this.renderMessage(message);
    old.replaceWith(fresh);
    if (hadFocus) this.input.focus();
  }

  /** The check is one card: the previous question and the answers given on it make way. */
  removeOldCards() {
    for (const message of [...this.messages]) {
      const answeredOnCard = message.from === 'pupil' && message.folded && message.status === 'sent';
      if (message.card?.card === 'check_item' || answeredOnCard) this.remove(message);
    }
  }

  remove(message) {
    this.messages.splice(this.messages.indexOf(message), 1);
    this.items.get(message.id)?.remove();
    this.items.delete(message.id);
    this.store.saveMessages(this.messages);
  }

  announce(lines) {
    // Replacing the live region's content makes screen readers read the new lines once.
    this.announcer.replaceChildren(...lines.map((line) => h('p', { text: line })));
  }

  setTyping(change) {
    this.pending = Math.max(0, this.pending + change);
    this.typing.hidden = this.pending === 0;
    if (this.pending) this.scrollToEnd();
  }

  scrollToEnd() {
    this.scroller.scrollTo({ top: this.scroller.scrollHeight, behavior: prefersReducedMotion() ? 'auto' : 'smooth' });
  }

  /** Scrolls so the beginning of a new answer is visible, even when it is longer than the panel. */
  scrollToShow(item) {
    const top = item.offsetTop - 8; // the scroller is the item's offsetParent
    const end = this.scroller.scrollHeight - this.scroller.clientHeight;
    this.scroller.scrollTo({ top: Math.min(top, end), behavior: prefersReducedMotion() ? 'auto' : 'smooth' });
  }
}
