"""api/core/pdf.py: the text is there, the PDF is tagged with its language and title, fonts are
DejaVu, and nothing is fetched from outside the document."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jinja2 import FileSystemLoader, PrefixLoader
from pypdf import PdfReader

from api.core import pdf

TEMPLATES = Path(__file__).parent / "pdf_templates"
# A 1 x 1 PNG
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001 0d0a2db40000000049454e44ae426082".replace(" ", "")
)


@pytest.fixture
def sample_templates() -> Iterator[None]:
    """The tests' own template under the prefix `testing/`, next to the real ones."""
    environment = pdf._environment()
    original = environment.loader
    environment.loader = PrefixLoader(
        {**pdf._template_packages(), "testing": FileSystemLoader(TEMPLATES)}, delimiter="/"
    )
    environment.cache = {} if environment.cache is not None else None
    try:
        yield
    finally:
        environment.loader = original


def text_of(document: bytes) -> str:
    reader = PdfReader(io.BytesIO(document))
    return "\n".join(page.extract_text() for page in reader.pages)


def catalog(document: bytes) -> Any:
    """The document catalog (typed Any: pypdf's objects are untyped dictionaries)."""
    root: Any = PdfReader(io.BytesIO(document)).trailer["/Root"]
    return root


def first_page(document: bytes) -> Any:
    page: Any = PdfReader(io.BytesIO(document)).pages[0]
    return page


def test_text_language_title_and_tags(sample_templates: None) -> None:
    document = pdf.render_pdf(
        "testing/sample.html",
        {"title": "Mein Ergebnis", "body": "Grüße aus Bramsche: äöüß.", "image": None},
        "de",
    )
    assert document.startswith(b"%PDF-")
    text = text_of(document)
    assert "Mein Ergebnis" in text
    assert "Grüße aus Bramsche: äöüß." in text
    assert "Seite 1 / 1" in text
    root = catalog(document)
    assert root["/Lang"] == "de"
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    reader = PdfReader(io.BytesIO(document))
    assert reader.metadata is not None and reader.metadata.title == "Mein Ergebnis"
    # PDF/UA-1 identification in the XMP metadata
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()


def test_english_strings_and_language(sample_templates: None) -> None:
    document = pdf.render_pdf(
        "testing/sample.html", {"title": "My result", "body": "Hello", "image": None}, "en"
    )
    assert catalog(document)["/Lang"] == "en"
    assert "Page 1 / 1" in text_of(document)


def test_fonts_are_dejavu(sample_templates: None) -> None:
    document = pdf.render_pdf("testing/sample.html", {"title": "T", "body": "x", "image": None}, "de")
    page = first_page(document)
    fonts = [str(font.get_object()["/BaseFont"]) for font in page["/Resources"]["/Font"].values()]
    assert fonts and all("DejaVu-Sans" in name or "DejaVuSans" in name for name in fonts), fonts


def test_embedded_image_gets_its_alt_text(sample_templates: None) -> None:
    document = pdf.render_pdf(
        "testing/sample.html",
        {"title": "T", "body": "x", "image": pdf.data_url(PIXEL, "image/png"), "alt": "Balken: Praktisch 80"},
        "de",
    )
    assert b"Balken: Praktisch 80" in document or "Balken: Praktisch 80" in _struct_alts(document)


def _struct_alts(document: bytes) -> str:
    found: list[str] = []

    def walk(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, dict):
            if "/Alt" in node:
                found.append(str(node["/Alt"]))
            kids = node.get("/K")
            if kids is not None:
                walk(kids)
        elif isinstance(node, list):
            for kid in node:
                walk(kid)

    walk(catalog(document)["/StructTreeRoot"])
    return "\n".join(found)


@pytest.mark.parametrize(
    "url", ["https://example.org/logo.png", "http://127.0.0.1:9/x.png", "file:///etc/hostname"]
)
def test_nothing_outside_the_document_is_fetched(sample_templates: None, url: str) -> None:
    with pytest.raises(pdf.PdfResourceRefused):
        pdf.render_pdf("testing/sample.html", {"title": "T", "body": "x", "image": url, "alt": "a"}, "de")


def test_unknown_language_is_refused(sample_templates: None) -> None:
    with pytest.raises(ValueError, match="language"):
        pdf.render_pdf("testing/sample.html", {"title": "T", "body": "x", "image": None}, "fr")


def test_relative_references_resolve_to_nothing(sample_templates: None) -> None:
    """Without a base URL a relative reference names no file: the image is left out, nothing read."""
    document = pdf.render_pdf(
        "testing/sample.html", {"title": "T", "body": "x", "image": "/etc/hostname", "alt": "a"}, "de"
    )
    page = first_page(document)
    assert "/XObject" not in page["/Resources"] or not page["/Resources"]["/XObject"]
