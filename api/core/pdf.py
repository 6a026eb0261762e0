"""PDFs from Jinja templates: tagged (PDF/UA-1), with their language and title, offline.

`render_pdf("share/result.html", context, "de")` renders `api/share/templates/result.html` (the
part before the first slash names the api package, the rest is the file in its `templates/`
folder) and gives the PDF's bytes. A template extends "core/pdf_layout.html", which sets
`<html lang>`, the `<title>` (block `title`), the fonts and the page; WeasyPrint writes them as the
PDF's /Lang and its title (shown instead of the file name, as PDF/UA asks), and builds the
structure tree (headings, lists, tables, figures with their alt text) from the HTML.

Every template gets `lang` and `t`: the strings of the language (`api/core/strings/<lang>.yaml`,
overlaid by the package's own `strings/<lang>.yaml`, like the web pages), then the `context`.

Offline by construction: the URL fetcher accepts only `data:` URLs (embed an image as
`data:image/png;base64,...`, see `data_url`), anything else stops the rendering with
`PdfResourceRefused`; there is no base URL, the stylesheet is inside the layout, and the fonts
are Debian's DejaVu (fonts-dejavu-core), found by fontconfig. WeasyPrint is imported on first
use, so importing this module costs nothing. Rendering is CPU work of 50-500 ms: call it from a
sync endpoint (FastAPI runs those in a thread) or through `run_in_threadpool`.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, PrefixLoader, StrictUndefined, select_autoescape

from api.core.pages import LANGUAGES, read_strings

API_DIR = Path(__file__).resolve().parents[1]
CORE_STRINGS = API_DIR / "core" / "strings"
PDF_VARIANT = "pdf/ua-1"


class PdfResourceRefused(ValueError):
    """A template referred to something outside the document (a web address, a file)."""

    def __init__(self, url: str) -> None:
        shown = url if len(url) < 80 else url[:77] + "..."
        super().__init__(f"PDFs embed everything; refused to fetch {shown}")
        self.url = url


def data_url(content: bytes, media_type: str) -> str:
    """`content` as a data: URL, the only kind of URL a PDF template may use (images)."""
    return f"data:{media_type};base64,{base64.b64encode(content).decode('ascii')}"


def _template_packages() -> dict[str, FileSystemLoader]:
    return {
        folder.parent.name: FileSystemLoader(folder)
        for folder in sorted(API_DIR.glob("*/templates"))
        if folder.is_dir()
    }


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PrefixLoader(_template_packages(), delimiter="/"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def pdf_strings(package: str, language: str) -> dict[str, str]:
    """The strings a PDF template of `package` sees as `t`."""
    return {**read_strings(CORE_STRINGS, language), **read_strings(API_DIR / package / "strings", language)}


def render_html(template: str, context: Mapping[str, Any], lang: str) -> str:
    """The HTML the PDF is made from (for tests and for looking at a template in a browser)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; one of {', '.join(LANGUAGES)}")
    package = template.split("/", 1)[0]
    values = {"lang": lang, "t": pdf_strings(package, lang), **context}
    return _environment().get_template(template).render(values)


def _offline_fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    class OfflineFetcher(URLFetcher):
        """Fetches data: URLs only; anything else is refused before a socket or file is opened."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.lower().startswith("data:"):
                raise PdfResourceRefused(url)
            return super().fetch(url, headers)

    return OfflineFetcher(allowed_protocols={"data"}, allow_redirects=False, fail_on_errors=True)


def render_pdf(template: str, context: Mapping[str, Any], lang: str) -> bytes:
    """The tagged PDF (PDF/UA-1) of `template` with `context` in language `lang` ("de" or "en")."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    html = render_html(template, context, lang)
    try:
        document = HTML(string=html, url_fetcher=_offline_fetcher(), media_type="print")
        pdf = document.write_pdf(pdf_variant=PDF_VARIANT, uncompressed_pdf=False)
    except FatalURLFetchingError as error:
        cause = error.__cause__
        if isinstance(cause, PdfResourceRefused):
            raise cause from None
        raise PdfResourceRefused(str(error)) from None
    if pdf is None:  # pragma: no cover - write_pdf without a target always returns bytes
        raise RuntimeError("WeasyPrint returned no PDF")
    return bytes(pdf)
