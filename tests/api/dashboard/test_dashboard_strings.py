"""The dashboard's string tables: the same keys in German and English, and every key a template
uses exists (a missing one would stop the page with StrictUndefined)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from api.dashboard import pages as dashboard_pages

FOLDER = Path(dashboard_pages.__file__).parent


def table(language: str) -> dict[str, str]:
    return yaml.safe_load((FOLDER / "strings" / f"{language}.yaml").read_text(encoding="utf-8"))


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    german, english = table("de"), table("en")
    assert set(german) == set(english)
    for key in german:
        assert set(re.findall(r"{(\w+)}", german[key])) == set(re.findall(r"{(\w+)}", english[key])), key


def test_every_key_the_templates_name_exists() -> None:
    known = set(table("de")) | set(
        yaml.safe_load((FOLDER.parent / "core" / "strings" / "de.yaml").read_text())
    )
    used: set[str] = set()
    for template in (FOLDER / "templates").glob("*.html"):
        used |= set(re.findall(r"\bt\.(\w+)", template.read_text(encoding="utf-8")))
    missing = {key for key in used if key not in known and key != "get"}
    assert missing == set()
