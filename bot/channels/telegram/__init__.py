"""The Telegram bridge: Telegram updates -> Rasa's REST channel -> Telegram messages.

Run it with `python -m bot.channels.telegram` (settings: `bot.channels.telegram.settings`). The
bridge keeps no conversation state: Rasa does. It only knows a keyed hash of the chat id, never
passes the chat id on, and shows pupils only texts from `strings.yml`.
"""
