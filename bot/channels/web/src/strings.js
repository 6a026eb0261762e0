// Every text the widget shows itself, one table per language. What the assistant says comes from
// Rasa (bot/domain); these are only the widget's own labels, hints and the privacy note.
// Both tables have the same keys (tests/channels/web checks that).

export const STRINGS = {
  de: {
    launcher: 'Frag den Berufslotsen',
    unread: 'neue Nachricht',
    title: 'Berufslotse',
    subtitle: 'Dein Chat zur Berufswahl',
    newConversation: 'Neues Gespräch',
    close: 'Chat schließen',
    history: 'Gesprächsverlauf',
    you: 'Du:',
    bot: 'Berufslotse:',
    inputLabel: 'Deine Nachricht',
    placeholder: 'Schreib deine Frage …',
    send: 'Senden',
    choices: 'Antwortmöglichkeiten',
    chosen: '(gewählt)',
    typing: 'Berufslotse schreibt …',
    image: 'Grafik vom Berufslotsen',
    newTab: '(öffnet in neuem Tab)',
    failed: 'Nicht gesendet.',
    retry: 'Nochmal senden',
    error: 'Ich bin gleich wieder da! Deine Nachricht ist gerade nicht angekommen. Versuch es bitte gleich noch einmal.',
    welcomeTitle: 'Hallo, ich bin der Berufslotse!',
    welcome: 'Frag mich alles zu Ausbildungsberufen, zum Beispiel: „Was macht eine Mechatronikerin?“',
    privacyTitle: 'Kurz zum Datenschutz',
    privacy: [
      'Gespeichert wird dieser Chat unter einer zufälligen Nummer statt unter deinem Namen, dazu dein Testergebnis, wenn du den Test machst. Schreib bitte keinen Namen, keine Adresse und keine Telefonnummer hinein, außer du bittest eine Firma, dich zu kontaktieren.',
      'Dieser Browser merkt sich den Verlauf nur in diesem Tab: bis du ihn schließt oder auf „Neues Gespräch“ drückst.',
      'Löschen lassen kannst du alles jederzeit: mit dem Knopf hier oder wenn du „lösch meine Daten“ schreibst.',
    ],
    deleteMyData: 'Meine Daten löschen',
    remember: 'Auf diesem Gerät merken',
    rememberOffer:
      'Soll ich dir neue Angebote auch zeigen, wenn du später in einem neuen Tab wiederkommst? Dafür speichert dieser Browser nur deine zufällige Chat-Nummer, sonst nichts.',
    remembered:
      'Dieser Browser merkt sich deine zufällige Chat-Nummer, sonst nichts. So siehst du neue Angebote auch beim nächsten Besuch. „Vergessen“ oder „Neues Gespräch“ löscht sie hier.',
    forgetDevice: 'Vergessen',
    forgotten: 'Vergessen. Dieser Browser merkt sich deine Chat-Nummer nur noch in diesem Tab.',
    classCode: 'Klassencode:',
  },
  en: {
    launcher: 'Ask Berufslotse',
    unread: 'new message',
    title: 'Berufslotse',
    subtitle: 'Your chat about careers',
    newConversation: 'New conversation',
    close: 'Close chat',
    history: 'Conversation',
    you: 'You:',
    bot: 'Berufslotse:',
    inputLabel: 'Your message',
    placeholder: 'Type your question …',
    send: 'Send',
    choices: 'Possible answers',
    chosen: '(chosen)',
    typing: 'Berufslotse is typing …',
    image: 'Graphic from Berufslotse',
    newTab: '(opens in a new tab)',
    failed: 'Not sent.',
    retry: 'Send again',
    error: "I'll be right back! Your message didn't get through just now. Please try again in a moment.",
    welcomeTitle: "Hi, I'm Berufslotse!",
    welcome: 'Ask me anything about apprenticeships, for example: "What does a mechatronics technician do?"',
    privacyTitle: 'A quick word on privacy',
    privacy: [
      "This chat is stored under a random number instead of your name, and your test result if you take the test. Please don't type your name, address or phone number, unless you ask a company to contact you.",
      'This browser keeps the conversation in this tab only: until you close it or press "New conversation".',
      'You can have all of it deleted at any time: with the button here or by writing "delete my data".',
    ],
    deleteMyData: 'Delete my data',
    remember: 'Remember me on this device',
    rememberOffer:
      'Do you want to see new offers when you come back later in a new tab? For that, this browser stores only your random chat number, nothing else.',
    remembered:
      'This browser remembers your random chat number, nothing else. So you see new offers on your next visit too. "Forget" or "New conversation" removes it here.',
    forgetDevice: 'Forget',
    forgotten: 'Forgotten. This browser keeps your chat number for this tab only.',
    classCode: 'Class code:',
  },
};

export const DEFAULT_LANGUAGE = 'de';

/** The table for a `lang` attribute value ("en", "en-GB", "de-DE", ...); German when unknown. */
export function stringsFor(attribute) {
  const primary = String(attribute || '').toLowerCase().split('-')[0];
  const lang = Object.prototype.hasOwnProperty.call(STRINGS, primary) ? primary : DEFAULT_LANGUAGE;
  return { lang, ...STRINGS[lang] };
}
