"""The class overview as a PDF for the lesson: aggregates only, never a group under k.

`overview_context` takes a plain mapping, the shape of the class overview (api/classes
`ClassOverview.model_dump()`) plus the session's `name`, `school`, `grade` and `held_on`:

    {"name": "9b Berufsorientierung", "school": "...", "grade": "9", "held_on": "2026-12-06",
     "min_group": 5, "joined": 27, "in_check": 3, "finished": 24,
     "profile": [{"code": "S", "name": "Sozial", "mean_score": 61.5, "top_count": 8}, ...] | None,
     "occupations": [{"key": slug, "name": "...", "count": 9}, ...] | None,
     "fields": [...] | None, "topics": [...] | None}

It applies k once more, whatever the caller did: the profile only with k finished checks, a
"strongest" count only when it is at least k, a listed item only when it was counted k times.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from api.check.chart import score_label

MIN_GROUP = 5
BAR_MM = 60


def _date(value: object, language: str) -> str:
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return day.strftime("%d.%m.%Y") if language == "de" else day.isoformat()


def _counted(rows: Sequence[Mapping[str, Any]] | None, k: int) -> list[dict[str, Any]]:
    return [
        {"name": str(row["name"]), "count": int(row["count"])} for row in rows or () if int(row["count"]) >= k
    ]


def overview_context(overview: Mapping[str, Any], language: str) -> dict[str, Any]:
    k = max(int(overview.get("min_group") or MIN_GROUP), MIN_GROUP)
    finished = int(overview.get("finished") or 0)
    profile: list[dict[str, Any]] | None = None
    if finished >= k and overview.get("profile"):
        profile = []
        for row in overview["profile"]:
            top = row.get("top_count")
            shown_top = int(top) if top is not None and int(top) >= k else None
            mean = row.get("mean_score")
            profile.append(
                {
                    "name": str(row["name"]),
                    "mean": score_label(mean),
                    "bar_mm": round(BAR_MM * float(mean or 0) / 100, 1),
                    "top_count": shown_top,
                }
            )
    return {
        "name": str(overview["name"]),
        "school": str(overview.get("school") or ""),
        "grade": str(overview.get("grade") or ""),
        "date": _date(overview["held_on"], language),
        "k": k,
        "joined": int(overview.get("joined") or 0),
        "in_check": int(overview.get("in_check") or 0),
        "finished": finished,
        "profile": profile,
        "occupations": _counted(overview.get("occupations"), k) if finished >= k else [],
        "fields": _counted(overview.get("fields"), k) if finished >= k else [],
        "questions": _counted(overview.get("topics"), k),
    }
