"""Where pupils meet Berufslotse: the Telegram bridge (`telegram/`) and the web widget (`web/`).

Both talk to Rasa's REST channel and hold no conversation state of their own.
"""
