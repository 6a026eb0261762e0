"""Tests are split by runtime: tests/nlu and tests/bot need the Rasa engine (Python 3.10,
.venv-rasa); everything else runs on the services' Python. tests/knowledge runs on both."""

from __future__ import annotations

import sys

RASA_ENGINE_ONLY = ["nlu", "bot"]
SERVICES_ONLY = ["api", "actions", "e2e", "contract", "channels", "scripts"]

collect_ignore = SERVICES_ONLY if sys.version_info < (3, 11) else RASA_ENGINE_ONLY
