"""The templates and strings of the clerk and admin pages (on top of the shared layout)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from api.core.pages import Pages

LOCAL_ZONE = ZoneInfo("Europe/Berlin")

pages = Pages(Path(__file__).parent)

# The clerk's pages run one small script of ours (the occupation combobox, /assets/combobox.js),
# which asks /api/v1/professions; everything else is as strict as every other page.
CLERK_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
}


def berlin_time(moment: datetime, language: str) -> str:
    """A moment as the clerk's clock shows it (Berlin), in the page's language."""
    local = moment.astimezone(LOCAL_ZONE)
    return local.strftime("%d.%m.%Y, %H:%M Uhr") if language == "de" else local.strftime("%Y-%m-%d %H:%M")


def day(value: date, language: str) -> str:
    return value.strftime("%d.%m.%Y") if language == "de" else value.isoformat()


pages.templates.env.filters["berlin"] = berlin_time
pages.templates.env.filters["day"] = day
