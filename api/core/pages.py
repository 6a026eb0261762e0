"""Server-rendered pages: the language of a request, the shared layout, and the headers every page
gets.

Each domain that has pages builds one `Pages` over its own `templates/` and `strings/` folders; the
layout (`core/templates/layout.html`) and its strings (`core/strings/`) sit underneath, so a
domain's template extends "layout.html" and a domain's string wins over a shared one of the same
key. Strings live in one YAML table per language (`de.yaml`, `en.yaml`); German is the default,
English comes with `?lang=en` or a browser that prefers it.

The API's own security policy (api/core/headers.py) forbids forms and stylesheets; a page sets its
own, which allows exactly its forms (to this origin) and the stylesheet under /assets.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"
CORE_DIR = Path(__file__).parent
STATIC_DIR = CORE_DIR / "static"
ASSETS_PATH = "/assets"

PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
# Pages show who is signed in and carry CSRF tokens: no cache may keep them.
PAGE_HEADERS = {
    "Content-Security-Policy": PAGE_POLICY,
    "Cache-Control": "no-store",
    "Vary": "Accept-Language, Cookie",
}


def _accepted_languages(header: str) -> list[str]:
    """Primary language tags of an Accept-Language header, best first (stable for equal weights)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, parameters = part.strip().partition(";")
        weight = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip() == "q":
            try:
                weight = float(value)
            except ValueError:
                weight = 0.0
        if tag and weight > 0:
            ranked.append((-weight, position, tag.split("-")[0].strip().lower()))
    return [tag for _, _, tag in sorted(ranked)]


def pick_language(request: Request) -> str:
    """`?lang=` when it names a language we have, else the browser's preference, else German."""
    asked = request.query_params.get("lang", "")
    if asked in LANGUAGES:
        return asked
    for tag in _accepted_languages(request.headers.get("accept-language", "")):
        if tag in LANGUAGES:
            return tag
    return DEFAULT_LANGUAGE


def wants_html(request: Request) -> bool:
    """A browser (which asks for text/html) gets a page; other clients get problem+json."""
    return "text/html" in request.headers.get("accept", "")


def local_path(request: Request, **query: str) -> str:
    """The current path and query, with `query` replacing parameters (for the language switch)."""
    url = request.url.include_query_params(**query)
    return f"{url.path}?{url.query}" if url.query else url.path


@lru_cache
def read_strings(folder: Path, language: str) -> dict[str, str]:
    path = folder / f"{language}.yaml"
    if not path.exists():
        return {}
    table = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(key): str(value) for key, value in table.items()}


class Pages:
    """The templates and strings of one domain package, on top of the shared layout."""

    def __init__(self, package_dir: Path) -> None:
        self.strings_dir = package_dir / "strings"
        environment = Environment(
            loader=ChoiceLoader(
                [FileSystemLoader(package_dir / "templates"), FileSystemLoader(CORE_DIR / "templates")]
            ),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates = Jinja2Templates(env=environment)

    def strings(self, language: str) -> dict[str, str]:
        return {**read_strings(CORE_DIR / "strings", language), **read_strings(self.strings_dir, language)}

    def render(
        self,
        request: Request,
        template: str,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        **context: Any,
    ) -> HTMLResponse:
        language = pick_language(request)
        other = "en" if language == "de" else "de"
        values: dict[str, Any] = {
            "lang": language,
            "t": self.strings(language),
            "other_language": other,
            "other_language_url": local_path(request, lang=other),
            "assets": ASSETS_PATH,
            "signed_in": None,
            "errors": {},
            "form_error": None,
            **context,
        }
        response = self.templates.TemplateResponse(
            request, template, values, status_code=status, headers={**PAGE_HEADERS, **(headers or {})}
        )
        return response
