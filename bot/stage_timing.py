"""Per-stage timings for the benchmark (`make bench`), off unless the bench switches them on.

When the environment variable BERUFSLOTSE_STAGE_TIMINGS names a folder, a process that calls
`recorder_for("rasa")` (or "actions") gets a `StageRecorder` that appends one JSON line per
measured stage to `<folder>/<process>-<pid>.jsonl`: `{"stage": "nlu", "ms": 12.3}` plus a few
numbers (the tracker's event count, the size of a request). Without the variable,
`recorder_for` returns None and nothing is measured or written: the product behaves as before.

Lines carry stage names, durations and counts only: no message text, no sender id, no slot value.
The bench (scripts/bench_stages.py) reads the files and prints the figures; nothing asserts a time.

Standard library only: the Rasa engine (Python 3.10) and the action server (3.12) both import it.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ENV = "BERUFSLOTSE_STAGE_TIMINGS"


class StageRecorder:
    """Appends `{"stage", "ms", ...}` lines to one file per process; safe from several threads."""

    def __init__(self, folder: Path, process: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{process}-{os.getpid()}.jsonl"
        self._lock = threading.Lock()
        # line-buffered: a line is on disk when the stage ends, so the bench can read it mid-run
        self._file = open(self.path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - lives with the process

    def record(self, stage: str, ms: float, **numbers: Any) -> None:
        line = json.dumps({"stage": stage, "ms": round(ms, 3), **numbers}, separators=(",", ":"))
        with self._lock:
            self._file.write(line + "\n")

    @contextmanager
    def timing(self, stage: str, **numbers: Any) -> Iterator[dict[str, Any]]:
        """Times the block; the block may add numbers to the yielded dict (e.g. an event count)."""
        extra: dict[str, Any] = dict(numbers)
        started = time.perf_counter()
        try:
            yield extra
        finally:
            self.record(stage, (time.perf_counter() - started) * 1000, **extra)


_recorders: dict[str, StageRecorder] = {}


def recorder_for(process: str, environ: Any = os.environ) -> StageRecorder | None:
    """This process's recorder when BERUFSLOTSE_STAGE_TIMINGS is set, else None (the default)."""
    folder = environ.get(ENV)
    if not folder:
        return None
    recorder = _recorders.get(process)
    if recorder is None or recorder.path.parent != Path(folder):
        recorder = StageRecorder(Path(folder), process)
        _recorders[process] = recorder
    return recorder
