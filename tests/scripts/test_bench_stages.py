"""scripts/bench_stages.py on written lines, without a stack: reading the timing files phase by
phase, the per-stage table, a turn's breakdown and the growth over a long conversation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scripts.bench_stages import StageLog, growth, stage_table, summarise, turn_breakdown


def write(path: Path, lines: list[dict[str, Any]], tail: str = "") -> None:
    with open(path, "a", encoding="utf-8") as file:
        file.write("".join(json.dumps(line) + "\n" for line in lines) + tail)


def a_turn(events: int, load: float, policies: float, remote: float = 0.0) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = [
        {"stage": "tracker_load", "ms": load, "events": events},
        {"stage": "nlu", "ms": 10.0},
        {"stage": "node:run_TEDPolicy2", "ms": policies / 2},
        {"stage": "node:run_RulePolicy1", "ms": policies / 4},
        {"stage": "policies", "ms": policies, "events": events + 2},
    ]
    if remote:
        lines += [
            {"stage": "remote_body:action_x", "ms": 1.0, "events": events + 2},
            {"stage": "action_server_http", "ms": remote - 2},
            {"stage": "remote:action_x", "ms": remote},
            {"stage": "action:action_x", "ms": remote + 1},
        ]
    lines += [
        {"stage": "action:action_listen", "ms": 0.5},
        {"stage": "tracker_save", "ms": 4.0, "events": events + 6},
        # 2 ms of the turn in none of the named stages
        {"stage": "turn", "ms": load + 10 + policies + (remote + 1 if remote else 0) + 0.5 + 4 + 2},
    ]
    return lines


def test_the_log_hands_out_each_line_once_and_waits_for_unfinished_lines(tmp_path: Path) -> None:
    log = StageLog(tmp_path)
    write(tmp_path / "rasa-11.jsonl", a_turn(0, 5, 20))
    write(tmp_path / "actions-12.jsonl", [{"stage": "action:action_x", "ms": 3, "api_ms": 2, "api_calls": 1}])
    write(tmp_path / "api-13.jsonl", [{"stage": "api:GET /x", "ms": 1}], tail='{"stage": "api:GE')
    first = log.new_lines()
    assert len(first["rasa"]) == 8 and len(first["actions"]) == 1 and len(first["api"]) == 1
    write(tmp_path / "api-13.jsonl", [], tail='T /y", "ms": 2}\n')
    second = log.new_lines()
    assert second == {"api": [{"stage": "api:GET /y", "ms": 2}]}
    assert log.new_lines() == {}


def test_the_table_and_the_breakdown_add_up() -> None:
    lines = a_turn(0, 5, 20, remote=30) + a_turn(10, 7, 24)
    table = stage_table(lines, turns=2)
    assert table["policies"]["calls_per_turn"] == 1.0
    assert table["policies"]["mean_ms"] == 22.0 and table["policies"]["ms_per_turn"] == 22.0
    assert table["tracker_load"]["mean_events"] == 5.0
    breakdown = turn_breakdown(table, client_ms_per_turn=100.0)
    assert breakdown["tracker_load"] == 6.0
    assert breakdown["custom_actions (remote)"] == 15.0
    # what each policy costs per message: TED half the policies, rules a quarter, no memoization
    assert breakdown["  of which TED"] == 11.0
    assert breakdown["  of which rules"] == 5.5
    assert breakdown["  of which memoization"] == 0.0
    assert breakdown["other actions (utterances, defaults)"] == 16.0 - 15.0  # action_x + listen - remote
    assert breakdown["rest of the turn in Rasa"] == 2.0
    assert breakdown["outside the turn (HTTP, REST channel, lock)"] == 100.0 - breakdown["rasa_turn"]


def test_growth_compares_the_first_and_the_last_turns() -> None:
    lines = [line for n in range(12) for line in a_turn(events=10 * n, load=5 + n, policies=20 + 2 * n)]
    figures = growth(lines, latencies=[100.0 + n for n in range(12)])
    assert figures["turns"] == 12
    assert figures["first_turns"]["events_loaded"] == 20.0  # turns 0..4
    assert figures["last_turns"]["events_loaded"] == 90.0  # turns 7..11
    assert figures["last_turns"]["load_ms"] > figures["first_turns"]["load_ms"]
    assert figures["per_turn"][3]["client_ms"] == 103.0
    assert figures["per_turn"][3]["  ted_ms"] == 13.0 and figures["per_turn"][3]["  rules_ms"] == 6.5
    assert figures["per_turn"][3]["  memoization_ms"] == 0.0


def test_summarise_reads_all_three_processes() -> None:
    lines = {
        "rasa": a_turn(0, 5, 20, remote=30),
        "actions": [{"stage": "action:action_x", "ms": 3.0, "api_ms": 2.0, "api_calls": 1}],
        "api": [{"stage": "api:GET /api/v1/x", "ms": 1.5}],
    }
    summary = summarise(lines, [80.0])
    assert summary["actions"]["action:action_x"]["mean_api_calls"] == 1.0
    assert summary["api"]["api:GET /api/v1/x"]["calls"] == 1
    assert summary["client_p95_ms"] == 80.0
