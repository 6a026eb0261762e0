"""What a pupil typed in answer to a check item, read with the answer scale of
knowledge/check/answers.yaml (the default scale is read once)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from knowledge.check.bank import AnswerScale, load_answer_scale
from nlu.readers.answer_text import Command


@lru_cache(maxsize=1)
def _default_answer_scale() -> AnswerScale:
    return load_answer_scale()


def parse_free_text_answer(
    text: str, scale: AnswerScale | None = None
) -> int | Literal["skip", "back"] | None:
    """What a pupil typed in answer to an item: a value 1..5, "skip", "back", or None when it is
    not clearly one of these (a question, "hä", pause/stop/restart, yes and no at once).

    "ja voll" -> 5, "eher nicht" -> 2, "weiß nicht" -> 3, "👍" -> 4, "4" -> 4, "8/10" -> 4,
    "jaaaa" -> 4, "überspringen" -> "skip", "zurück" -> "back", "was macht ein Mechatroniker" -> None.
    """
    reading = (scale or _default_answer_scale()).interpret(text)
    if isinstance(reading, int) or reading in ("skip", "back"):
        return reading
    return None


def parse_check_command(text: str, scale: AnswerScale | None = None) -> Command | None:
    """The command a typed message gives during the check (skip, back, pause, stop, restart), or None."""
    reading = (scale or _default_answer_scale()).interpret(text)
    return reading if isinstance(reading, str) else None
