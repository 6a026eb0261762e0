"""Apprentice pay: the legal minimum (§ 17 BBiG) per start year and training year."""
