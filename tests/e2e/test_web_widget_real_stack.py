"""The chat widget's browser tests (tests/channels/web) once more, against the real stack.

They run in their own pytest process because their fixtures choose the assistant at session
start; tests that need the fake Rasa's script are skipped there, every other one must pass
(including the chart image, at the end of the check taken through the widget).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from scripts.stack import ROOT, Stack

pytestmark = pytest.mark.e2e


def test_the_widget_works_with_the_real_assistant(stack: Stack) -> None:
    # The stack lets this origin talk to Rasa (CORS); the widget tests serve their demo page there.
    widget_port = stack.config.extra_cors_origins[0].rsplit(":", 1)[1]
    env = dict(
        os.environ,
        BERUFSLOTSE_WEB_TEST_RASA_URL=stack.config.rasa_url,
        BERUFSLOTSE_WEB_TEST_DEMO_PORT=widget_port,
        BERUFSLOTSE_WEB_TEST_IMAGE_ORIGIN=stack.config.api_url,
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            "tests/channels/web/test_web_widget.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
    # only the tests that need the fake's script or record may be skipped
    skipped = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert all("needs the fake Rasa" in line for line in skipped), skipped
