"""Serves the widget's demo page (a page of the district's portal with the widget embedded).

    python -m bot.channels.web.serve [--host 127.0.0.1] [--port 8080] [--rasa-url URL] [--no-build]

Standard library only. The page is served with a strict Content-Security-Policy: scripts and
styles from this server only, requests only to Rasa, so a request to any other origin would be
blocked and show up in the browser console. Rasa must allow this server's origin (`--cors`,
BERUFSLOTSE_CORS_ORIGINS).
"""

from __future__ import annotations

import argparse
import html
import os
import string
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from bot.channels.web.bundle import DIST_DIR, ensure_built

LANGUAGES = {"de": "Chat auf Deutsch", "en": "Chat in English"}


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) URL: {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True)
class DemoConfig:
    rasa_url: str
    directory: Path = DIST_DIR
    # Origins images may come from besides Rasa (e.g. the API that draws the result chart).
    image_origins: tuple[str, ...] = field(default_factory=tuple)

    def content_security_policy(self) -> str:
        rasa = origin_of(self.rasa_url)
        images = " ".join(dict.fromkeys([rasa, *self.image_origins]))
        return "; ".join(
            [
                "default-src 'none'",
                "script-src 'self'",
                "style-src 'self'",
                f"img-src 'self' data: {images}",
                f"connect-src {rasa}",
                "base-uri 'none'",
                "form-action 'none'",
                "frame-ancestors 'none'",
            ]
        )


class DemoHandler(SimpleHTTPRequestHandler):
    """Static files from the build directory; the page itself filled in per request."""

    config: DemoConfig  # set on the subclass that make_server() creates

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, directory=str(self.config.directory), **kwargs)  # type: ignore[arg-type]

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path in ("/", "/index.html"):
            self.send_page(parse_qs(url.query).get("lang", ["de"])[0])
        else:
            super().do_GET()

    def do_HEAD(self) -> None:
        url = urlsplit(self.path)
        if url.path in ("/", "/index.html"):
            self.send_page(parse_qs(url.query).get("lang", ["de"])[0], body=False)
        else:
            super().do_HEAD()

    def send_page(self, lang: str, *, body: bool = True) -> None:
        lang = lang if lang in LANGUAGES else "de"
        other = "en" if lang == "de" else "de"
        template = string.Template((self.config.directory / "index.html").read_text(encoding="utf-8"))
        page = template.substitute(
            rasa_url=html.escape(self.config.rasa_url),
            lang=lang,
            other_lang=other,
            other_lang_label=LANGUAGES[other],
        ).encode("utf-8")
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        if body:
            self.wfile.write(page)

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", self.config.content_security_policy())
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        if os.environ.get("BERUFSLOTSE_WEB_LOG"):
            super().log_message(format, *args)


def make_server(host: str, port: int, config: DemoConfig) -> ThreadingHTTPServer:
    """A server bound to host:port (port 0: a free one) that serves the demo with `config`."""
    handler = type("ConfiguredDemoHandler", (DemoHandler,), {"config": config})
    return ThreadingHTTPServer((host, port), handler)


def serve_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, name="berufslotse-web-demo", daemon=True)
    thread.start()
    return thread


def main(argv: list[str] | None = None) -> None:
    host = os.environ.get("BERUFSLOTSE_HOST", "127.0.0.1")
    rasa_port = os.environ.get("BERUFSLOTSE_RASA_PORT", "5005")
    api_port = os.environ.get("BERUFSLOTSE_API_PORT", "8000")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=host)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument(
        "--rasa-url", default=f"http://{host}:{rasa_port}", help="where Rasa's REST channel is"
    )
    parser.add_argument(
        "--image-origin",
        action="append",
        default=[f"http://{host}:{api_port}"],
        help="an origin images may come from besides Rasa (repeatable; default: the API)",
    )
    parser.add_argument("--no-build", action="store_true", help="serve dist/ as it is")
    args = parser.parse_args(argv)

    directory = DIST_DIR if args.no_build else ensure_built()
    config = DemoConfig(rasa_url=args.rasa_url, directory=directory, image_origins=tuple(args.image_origin))
    server = make_server(args.host, args.port, config)
    print(f"demo page: http://{args.host}:{server.server_port}/  (Rasa: {args.rasa_url})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
