"""The QR code of a class's chat link, as inline SVG that scales to the projector."""

from __future__ import annotations

import segno
from markupsafe import Markup, escape


def qr_svg(url: str, alt: str) -> Markup:
    """An accessible inline SVG (role img, the alternative text as its name and <title>); black on
    white with the quiet zone, so phones read it from a projected wall too."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(omitsize=True, border=4, dark="#000000", light="#ffffff", title=str(escape(alt)))
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(alt)}" focusable="false" ', 1))
