"""The widget's build (size budget, no third-party addresses) and its pure functions."""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.channels.web.bundle import BUNDLE, WEB_DIR

BUDGET = 40 * 1024


def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail("node is missing (Node.js 18 or newer builds the widget)")
    return found


def test_bundle_is_within_the_size_budget(widget_dist: Path) -> None:
    size = len(gzip.compress(BUNDLE.read_bytes(), compresslevel=9))
    print(f"berufslotse-chat.js: {BUNDLE.stat().st_size} bytes, {size} bytes gzipped")
    assert size <= BUDGET


def test_build_fails_above_the_budget(widget_dist: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [node(), "build.mjs", "--outdir", str(tmp_path / "dist"), "--budget", "1000"],
        cwd=WEB_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "OVER BUDGET" in result.stderr


def test_bundle_addresses_no_other_host(widget_dist: Path) -> None:
    # The only address in the code is the SVG namespace, an identifier that is never fetched.
    addresses = set(
        re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[\w/.-]*", BUNDLE.read_text(encoding="utf-8"))
    )
    assert addresses == {"http://www.w3.org/2000/svg"}


def test_widget_units() -> None:
    """The pure functions (links, image sources, Rasa's replies, string tables) under Node's runner."""
    result = subprocess.run(
        [node(), "--test", str(Path(__file__).with_name("widget_units.test.mjs"))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
