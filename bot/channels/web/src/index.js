// The widget's entry point: <script src="berufslotse-chat.js" defer></script> defines the element.
import { BerufslotseChat } from './chat-element.js';

if (!customElements.get('berufslotse-chat')) customElements.define('berufslotse-chat', BerufslotseChat);
