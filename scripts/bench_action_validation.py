"""Benchmark: Rasa's check of an action server response, as shipped and with bot/rasa_patches.py.

Runs in the Rasa engine's environment (`.venv-rasa/bin/python -m scripts.bench_action_validation`).
Times `RemoteAction._validate_action_result` on two responses shaped like our action server's
(a short answer, and a step of the interest check with several slots and buttons), first as Rasa
ships it, then patched. Prints the figures and writes them to artifacts/bench/action_validation.json.
Nothing here asserts a time.

Usage: python -m scripts.bench_action_validation [--calls N]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import statistics
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "artifacts" / "bench" / "action_validation.json"


def slot(name: str, value: object) -> dict[str, Any]:
    return {"event": "slot", "timestamp": None, "name": name, "value": value}


RESPONSES: dict[str, dict[str, Any]] = {
    "short answer (1 event, 1 response)": {
        "events": [slot("language", "de")],
        "responses": [{"text": "Tischler bauen Möbel und Fenster aus Holz.", "buttons": []}],
    },
    "check step (12 events, 3 responses with buttons)": {
        "events": [
            *(slot(f"check_answer_{n}", n % 3) for n in range(10)),
            slot("check_position", 10),
            {"event": "followup", "timestamp": None, "name": "action_listen"},
        ],
        "responses": [
            {"text": "Frage 11 von 30.", "buttons": []},
            {
                "text": "Magst du mit Tieren arbeiten?",
                "buttons": [
                    {"title": title, "payload": f'/check_answer{{"value": {n}}}'}
                    for n, title in enumerate(("ja", "vielleicht", "nein"))
                ],
            },
            {"custom": {"berufslotse": {"progress": [11, 30]}}},
        ],
    },
}


def time_calls(action: Any, response: dict[str, Any], calls: int) -> dict[str, float]:
    durations_ms = []
    for _ in range(calls):
        started = time.perf_counter()
        action._validate_action_result(response)
        durations_ms.append((time.perf_counter() - started) * 1000)
    return {
        "calls": calls,
        "mean_ms": round(statistics.fmean(durations_ms), 3),
        "p50_ms": round(statistics.median(durations_ms), 3),
        "max_ms": round(max(durations_ms), 3),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args(argv)

    import rasa
    from rasa.core.actions.action import RemoteAction

    from bot import rasa_patches

    action = RemoteAction("action_check_next_question", None)
    assert not rasa_patches.is_applied(), "measure Rasa as shipped first"
    before = {name: time_calls(action, response, args.calls) for name, response in RESPONSES.items()}
    started = time.perf_counter()
    if not rasa_patches.apply():
        raise SystemExit("bot/rasa_patches.py did not apply to this Rasa; see the error above")
    build_ms = round((time.perf_counter() - started) * 1000, 3)
    after = {name: time_calls(action, response, args.calls) for name, response in RESPONSES.items()}

    figures: dict[str, Any] = {
        "rasa": rasa.__version__,
        "jsonschema": importlib.metadata.version("jsonschema"),
        "apply_and_build_validator_ms": build_ms,
        "responses": {
            name: {
                "rasa_as_shipped": before[name],
                "patched": after[name],
                "speedup_mean": round(before[name]["mean_ms"] / after[name]["mean_ms"], 1),
            }
            for name in RESPONSES
        },
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")

    print(f"Action server response validation (Rasa {figures['rasa']}, {args.calls} calls each):")
    for name, row in figures["responses"].items():
        print(
            f"  {name}: as shipped {row['rasa_as_shipped']['mean_ms']:.2f} ms, "
            f"patched {row['patched']['mean_ms']:.3f} ms per call ({row['speedup_mean']}x)"
        )
    print(f"  patch applied and validator built once in {build_ms:.1f} ms; figures in {OUT}")
    return figures


if __name__ == "__main__":
    main()
