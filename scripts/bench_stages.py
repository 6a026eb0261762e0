"""Where the time of a message goes, and how much memory each process holds (part of `make bench`).

Starts the embedded stack (one Rasa server on SQLite, the action server, the API, the web page's
server and, with a local fake Telegram Bot API, the Telegram bridge) with
BERUFSLOTSE_STAGE_TIMINGS set: Rasa (bot/rasa_patches.py), the action server (actions/server.py)
and the API (api/core/timing.py) then write one line per stage to a folder of the bench
(bot/stage_timing.py). Without that variable none of them measures anything.

Two runs, one message at a time so that a stage's time is its own and not a queue's:
- short: the bench's 6-message conversation, a few times (NLU, policies, actions, tracker store);
- long: one pupil doing the full check without pauses; how the tracker store's load and save
  and the request body sent to the action server grow with the conversation.
Then the memory (resident set now and at its peak) of every process.

Figures go to the caller (scripts/bench.py writes them to artifacts/bench/assistant.json under
"stages"); nothing here asserts a time.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bot.stage_timing import ENV as STAGE_ENV
from scripts.bench import CHECK_ANSWER, button_payloads, percentile
from scripts.stack import StackConfig, load_or_create_secrets, running_stack

# the full check (the variant with every item), answered without pauses by one pupil
FULL_CHECK_START: tuple[tuple[str, str], ...] = (
    ("say", "ich weiß nicht was ich werden will"),
    ("tap", '"full"}'),
    ("tap", '"realschule"}'),
    ("say", "bramsche"),
    ("tap", '"25"}'),
    ("tap", '"apprenticeship"}'),
)
LONG_TAIL = 5  # turns compared at the start and at the end of the long conversation
# the policies of bot/config.yml by graph node (run_TEDPolicy2 -> TEDPolicy)
POLICY_NODES = {
    "TEDPolicy": "  ted_ms",
    "MemoizationPolicy": "  memoization_ms",
    "RulePolicy": "  rules_ms",
}

# how the breakdown names them: what each policy costs per message, its share of `policies`
POLICY_LABELS = {"TEDPolicy": "TED", "MemoizationPolicy": "memoization", "RulePolicy": "rules"}


def policy_of(stage: str) -> str | None:
    """The policy a graph node's stage times (node:run_TEDPolicy2 -> TEDPolicy), else None."""
    if not stage.startswith("node:run_") or "Policy" not in stage:
        return None
    return stage.removeprefix("node:run_").rstrip("0123456789")


class StageLog:
    """The lines the processes wrote to the timings folder, read phase by phase."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._offsets: dict[Path, int] = {}

    def new_lines(self) -> dict[str, list[dict[str, Any]]]:
        """Lines written since the last call, by process ("rasa", "actions", "api")."""
        lines: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for path in sorted(self.folder.glob("*.jsonl")):
            process = path.stem.rsplit("-", 1)[0]
            with open(path, encoding="utf-8") as file:
                file.seek(self._offsets.get(path, 0))
                text = file.read()
            complete = text[: text.rfind("\n") + 1]  # a line being written stays for the next call
            self._offsets[path] = self._offsets.get(path, 0) + len(complete.encode())
            if complete:
                lines[process].extend(json.loads(line) for line in complete.splitlines() if line)
        return dict(lines)


async def send(client: httpx.AsyncClient, url: str, sender: str, message: str) -> tuple[float, list[Any]]:
    started = time.perf_counter()
    response = await client.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message})
    response.raise_for_status()
    return (time.perf_counter() - started) * 1000, response.json()


async def short_conversations(url: str, script: Sequence[str], times: int) -> list[float]:
    latencies: list[float] = []
    async with httpx.AsyncClient(timeout=60) as client:
        for n in range(times):
            for text in script:
                ms, _ = await send(client, url, f"stages-short-{n}", text)
                latencies.append(ms)
    return latencies


async def full_check(url: str, sender: str) -> list[float]:
    """One pupil, the full check without pauses; the latency of each message."""
    latencies: list[float] = []
    replies: list[Any] = []
    async with httpx.AsyncClient(timeout=60) as client:
        for kind, value in FULL_CHECK_START:
            message = value
            if kind == "tap":
                matching = [p for p in button_payloads(replies) if p.endswith(value)]
                if not matching:
                    raise RuntimeError(f"no button ending in {value} in the assistant's answer")
                message = matching[0]
            ms, replies = await send(client, url, sender, message)
            latencies.append(ms)
        for index in range(100):
            answers = [p for p in button_payloads(replies) if CHECK_ANSWER.match(p)]
            if not answers:
                break
            ms, replies = await send(client, url, sender, answers[index % len(answers)])
            latencies.append(ms)
    return latencies


def rounded(value: float) -> float:
    return round(value, 2)


def stage_table(lines: list[dict[str, Any]], turns: int) -> dict[str, dict[str, float]]:
    """Per stage: calls, calls per turn, mean and p95 ms per call, ms per turn (all calls summed)."""
    by_stage: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        by_stage[line["stage"]].append(line)
    table: dict[str, dict[str, float]] = {}
    for stage, rows in sorted(by_stage.items()):
        values = [row["ms"] for row in rows]
        entry = {
            "calls": len(values),
            "calls_per_turn": rounded(len(values) / turns) if turns else 0.0,
            "mean_ms": rounded(statistics.fmean(values)),
            "p95_ms": rounded(percentile(values, 0.95)),
            "ms_per_turn": rounded(sum(values) / turns) if turns else 0.0,
        }
        for extra in ("api_ms", "api_calls", "events"):
            numbers = [row[extra] for row in rows if extra in row]
            if numbers:
                entry[f"mean_{extra}"] = rounded(statistics.fmean(numbers))
        table[stage] = entry
    return table


def turn_breakdown(rasa: dict[str, dict[str, float]], client_ms_per_turn: float) -> dict[str, float]:
    """A Rasa turn split into its stages, ms per turn; `other` is the turn minus the named stages."""

    def per_turn(prefix: str) -> float:
        return sum(row["ms_per_turn"] for stage, row in rasa.items() if stage.startswith(prefix))

    def per_policy(name: str) -> float:
        return sum(row["ms_per_turn"] for stage, row in rasa.items() if policy_of(stage) == name)

    turn = per_turn("turn")
    remote = per_turn("remote:")
    actions = per_turn("action:")
    parts = {
        "client_latency": client_ms_per_turn,
        "rasa_turn": turn,
        "tracker_load": per_turn("tracker_load"),
        "nlu": per_turn("nlu"),
        "policies": per_turn("policies"),
        **{f"  of which {label}": per_policy(name) for name, label in POLICY_LABELS.items()},
        "custom_actions (remote)": remote,
        "  of which request body": per_turn("remote_body:"),
        "  of which HTTP to action server": per_turn("action_server_http"),
        "other actions (utterances, defaults)": actions - remote,
        "tracker_save": per_turn("tracker_save"),
    }
    named = parts["tracker_load"] + parts["nlu"] + parts["policies"] + actions + parts["tracker_save"]
    parts["rest of the turn in Rasa"] = turn - named
    parts["outside the turn (HTTP, REST channel, lock)"] = client_ms_per_turn - turn
    return {key: rounded(value) for key, value in parts.items()}


def growth(lines: list[dict[str, Any]], latencies: list[float]) -> dict[str, Any]:
    """Per turn of the long conversation: events, tracker load/save, request body, Rasa turn, client."""
    turns: list[dict[str, float]] = []
    current: dict[str, float] = defaultdict(float)
    for line in lines:  # one message at a time: a turn's lines come before its "turn" line
        stage = line["stage"]
        if stage == "tracker_load":
            current["events_loaded"] = line.get("events", 0)
            current["load_ms"] += line["ms"]
        elif stage == "tracker_save":
            current["save_ms"] += line["ms"]
            current["events_saved"] = line.get("events", 0)
        elif stage.startswith("remote_body:"):
            current["body_ms"] += line["ms"]
        elif stage == "policies":
            current["policies_ms"] += line["ms"]
        elif (policy := policy_of(stage)) is not None:
            current[POLICY_NODES.get(policy, "other_policy_ms")] += line["ms"]
        elif stage == "turn":
            current["rasa_turn_ms"] = line["ms"]
            turns.append(dict(current))
            current = defaultdict(float)
    for turn, latency in zip(turns, latencies, strict=False):
        turn["client_ms"] = latency
    keys = (
        "events_loaded",
        "load_ms",
        "save_ms",
        "body_ms",
        "policies_ms",
        *POLICY_NODES.values(),
        "rasa_turn_ms",
        "client_ms",
    )

    def mean_of(rows: list[dict[str, float]]) -> dict[str, float]:
        return {key: rounded(statistics.fmean(row.get(key, 0.0) for row in rows)) for key in keys}

    first, last = mean_of(turns[:LONG_TAIL]), mean_of(turns[-LONG_TAIL:])
    return {
        "turns": len(turns),
        "first_turns": first,
        "last_turns": last,
        "per_turn": [{key: rounded(turn.get(key, 0.0)) for key in keys} for turn in turns],
    }


def process_memory_mb(pid: int) -> dict[str, float]:
    """Resident memory now and at its peak (VmRSS, VmHWM) of a process and its descendants."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            children[int(stat.rsplit(")", 1)[1].split()[1])].append(int(entry.name))
    totals = {"VmRSS": 0, "VmHWM": 0}
    pending = [pid]
    while pending:
        current = pending.pop()
        pending.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                key = line.split(":", 1)[0]
                if key in totals:
                    totals[key] += int(line.split()[1])
        except OSError:
            continue
    return {"rss_mb": round(totals["VmRSS"] / 1024, 1), "peak_rss_mb": round(totals["VmHWM"] / 1024, 1)}


@contextmanager
def fake_telegram_bridge(var_dir: Path) -> Iterator[Any]:
    """A local fake Telegram Bot API (the tests' own) and the environment that makes the stack
    start the Telegram bridge against it."""
    from tests.channels.fake_telegram import FakeTelegram

    with FakeTelegram() as fake:
        settings = {
            "BERUFSLOTSE_TELEGRAM_TOKEN": fake.token,
            "BERUFSLOTSE_TELEGRAM_BASE_URL": fake.url,
            "BERUFSLOTSE_TELEGRAM_MODE": "polling",
            "BERUFSLOTSE_TELEGRAM_POLLING_TIMEOUT_SECONDS": "1",
            "BERUFSLOTSE_TELEGRAM_BUTTON_STORE_PATH": str(var_dir / "telegram-buttons.sqlite3"),
        }
        saved = {name: os.environ.get(name) for name in settings}
        os.environ.update(settings)
        try:
            yield fake
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


async def talk_through_telegram(fake: Any, script: Sequence[str]) -> int:
    """A pupil's short conversation through the bridge, so its memory is measured after work."""
    chat = 777_000_4242
    answered = 0
    for text in script:
        before = len(fake.messages(chat))
        fake.send_text(chat, text)
        await fake.wait_for_messages(chat, before + 1, timeout=60)
        answered += 1
    return answered


def bench_stages(
    model: Path, script: Sequence[str], short_times: int = 3, long_check: bool = True, telegram: bool = True
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as var_dir, tempfile.TemporaryDirectory() as timings:
        config = StackConfig(
            api_port=18400,
            actions_port=18455,
            rasa_port=18405,
            web_port=18480,
            var_dir=Path(var_dir),
            extra_env={STAGE_ENV: timings},
        )
        load_or_create_secrets(config.var_dir)
        bridge = fake_telegram_bridge(config.var_dir) if telegram else _nothing()
        with bridge as fake, running_stack(config, model) as stack:
            log = StageLog(Path(timings))
            # warm-up: lazy loading inside Rasa and the first connections are not counted
            asyncio.run(short_conversations(config.rasa_url, script[:2], 1))
            log.new_lines()
            latencies = asyncio.run(short_conversations(config.rasa_url, script, short_times))
            short_lines = log.new_lines()
            result: dict[str, Any] = {"short": summarise(short_lines, latencies)}
            if long_check:
                check_latencies = asyncio.run(full_check(config.rasa_url, "stages-long-check"))
                long_lines = log.new_lines()
                result["long_check"] = growth(long_lines.get("rasa", []), check_latencies)
                result["long_check"]["stages"] = summarise(long_lines, check_latencies)
            if fake is not None:
                result["telegram_messages"] = asyncio.run(talk_through_telegram(fake, script[:3]))
                log.new_lines()
            result["memory_mb"] = {
                service.name: process_memory_mb(service.process.pid)
                for service in stack.services
                if service.process is not None
            }
    return result


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


def summarise(lines: dict[str, list[dict[str, Any]]], latencies: list[float]) -> dict[str, Any]:
    turns = len(latencies)
    rasa = stage_table(lines.get("rasa", []), turns)
    client = statistics.fmean(latencies) if latencies else 0.0
    return {
        "turns": turns,
        "client_p50_ms": rounded(statistics.median(latencies)) if latencies else None,
        "client_p95_ms": rounded(percentile(latencies, 0.95)),
        "breakdown_ms_per_turn": turn_breakdown(rasa, client),
        "rasa": rasa,
        "actions": stage_table(lines.get("actions", []), turns),
        "api": stage_table(lines.get("api", []), turns),
    }


def print_stages(stages: dict[str, Any]) -> None:
    short = stages["short"]
    print(f"\nWhere a message's time goes (one message at a time, {short['turns']} messages; ms per message)")
    for key, value in short["breakdown_ms_per_turn"].items():
        print(f"  {key:<48}{value:>10}")
    rasa = short["rasa"]
    nodes = sorted(
        ((stage, row) for stage, row in rasa.items() if stage.startswith("node:")),
        key=lambda item: -item[1]["ms_per_turn"],
    )
    print("  graph nodes (NLU components and policies), ms per message, the 12 largest:")
    for stage, row in nodes[:12]:
        print(f"    {stage.removeprefix('node:'):<46}{row['ms_per_turn']:>10}  ({row['calls_per_turn']}x)")
    print("  custom actions: Rasa side (whole call) / action server / its API calls, mean ms per call:")
    actions = short["actions"]
    for stage, row in rasa.items():
        if not stage.startswith("remote:"):
            continue
        name = stage.removeprefix("remote:")
        server = actions.get(f"action:{name}", {})
        print(
            f"    {name:<40}{row['mean_ms']:>8}{server.get('mean_ms', '-'):>8}"
            f"{server.get('mean_api_ms', '-'):>8}  ({server.get('mean_api_calls', 0)} API calls, "
            f"{row['calls']} runs)"
        )
    print("  API routes (time inside the API), mean ms per request:")
    for stage, row in short["api"].items():
        print(f"    {stage.removeprefix('api:'):<46}{row['mean_ms']:>10}  ({row['calls']} requests)")
    long = stages.get("long_check")
    if long:
        print(
            f"\nThe full check in one conversation ({long['turns']} messages): "
            f"first vs last {LONG_TAIL} turns (mean per turn)"
        )
        first, last = long["first_turns"], long["last_turns"]
        for key in first:
            print(f"  {key:<48}{first[key]:>10}{last[key]:>10}")
    print("\nMemory of each process (MB: resident now / peak)")
    for name, memory in stages["memory_mb"].items():
        print(f"  {name:<48}{memory['rss_mb']:>10}{memory['peak_rss_mb']:>10}")
