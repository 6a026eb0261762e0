"""The templates and strings of the dashboard pages (on top of the shared layout)."""

from __future__ import annotations

from pathlib import Path

from api.core.pages import Pages

pages = Pages(Path(__file__).parent)
