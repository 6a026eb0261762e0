"""Soak run: many short, realistic conversations over minutes against the real stack.

Every conversation greets, asks about an occupation, starts the quick career-choice check, taps
through its setup and answers a few items, the way a pupil taps the buttons. Conversations start
at an even pace over the run, so several are in flight at once. Counted as an error: an HTTP error
or timeout, a silent answer (no text), the REST channel's "back in a moment" (Rasa failed behind
it), or an answer without the button or the progress the next step needs. Memory: the resident
memory of each service's process tree, sampled over time; "flat" means the mean of the last fifth
of the run is within 10 % of the mean of the second fifth (for five minutes: the last minute
against the second). Nothing asserts a time.

`make bench` runs it against a stack of its own (loopback only, free ports, a temporary data
folder) and writes artifacts/bench/soak.json; the e2e smoke test runs a short one against the
test stack.

Usage: python -m scripts.soak [--conversations 200] [--duration 300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from scripts.bench import percentile, process_tree_rss_mb
from scripts.stack import ROOT, StackConfig, running_stack

OCCUPATION_QUESTIONS = (
    "was macht ein tischler",
    "was verdient man als kfz-mechatroniker",
    "wie lange dauert die ausbildung zur friseurin",
    "was macht eine medizinische fachangestellte",
    "was macht ein koch",
)
GREETINGS = ("hallo", "hi", "moin", "hey")
ITEM_ANSWERS = 3
# The REST channel's answer when Rasa has none (bot/channels/refusals.yml): a failure behind it.
NO_ANSWER = {
    str(text)
    for table in yaml.safe_load(
        (ROOT / "bot" / "channels" / "refusals.yml").read_text(encoding="utf-8")
    ).values()
    for key, text in table.items()
    if key == "no_answer"
}
FLAT_WITHIN = 0.10


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ConversationError(Exception):
    """One conversation went wrong; `kind` is counted, the message text is never kept."""

    def __init__(self, kind: str, step: str) -> None:
        super().__init__(f"{kind} at {step}")
        self.kind = kind
        self.step = step


@dataclass
class Figures:
    latencies_ms: list[float] = field(default_factory=list)
    step_latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    error_steps: Counter[str] = field(default_factory=Counter)
    completed: int = 0
    messages: int = 0


def payloads(replies: Sequence[Mapping[str, Any]]) -> list[str]:
    return [str(button["payload"]) for reply in replies for button in reply.get("buttons", []) or []]


def texts(replies: Sequence[Mapping[str, Any]]) -> str:
    return "\n".join(str(reply["text"]) for reply in replies if reply.get("text"))


class Pupil:
    """One conversation through the REST channel."""

    def __init__(self, client: httpx.AsyncClient, rasa_url: str, sender: str, figures: Figures) -> None:
        self.client = client
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.sender = sender
        self.figures = figures

    async def say(self, step: str, message: str) -> list[dict[str, Any]]:
        started = time.perf_counter()
        try:
            response = await self.client.post(self.url, json={"sender": self.sender, "message": message})
        except httpx.HTTPError as error:
            raise ConversationError(f"http_{type(error).__name__}", step) from None
        elapsed_ms = (time.perf_counter() - started) * 1000
        self.figures.messages += 1
        if response.status_code != 200:
            raise ConversationError(f"http_{response.status_code}", step)
        self.figures.latencies_ms.append(elapsed_ms)
        self.figures.step_latencies_ms.setdefault(step, []).append(elapsed_ms)
        replies: list[dict[str, Any]] = response.json()
        said = texts(replies)
        if not said:
            raise ConversationError("silent", step)
        if said.strip() in NO_ANSWER:
            raise ConversationError("no_answer", step)
        return replies

    async def tap(self, step: str, replies: Sequence[Mapping[str, Any]], ending: str) -> list[dict[str, Any]]:
        matching = [payload for payload in payloads(replies) if payload.endswith(ending)]
        if not matching:
            raise ConversationError("no_button", step)
        return await self.say(step, matching[0])

    async def converse(self, number: int) -> None:
        await self.say("greet", GREETINGS[number % len(GREETINGS)])
        await self.say("occupation", OCCUPATION_QUESTIONS[number % len(OCCUPATION_QUESTIONS)])
        replies = await self.say("check_start", "ich weiß nicht was ich werden will")
        replies = await self.tap("check_variant", replies, '"quick"}')
        replies = await self.tap("check_certificate", replies, '"realschule"}')
        replies = await self.say("check_place", "bramsche")
        replies = await self.tap("check_radius", replies, '"25"}')
        replies = await self.tap("check_kind", replies, '"apprenticeship"}')
        for answered in range(ITEM_ANSWERS):
            if f"{answered + 1}/" not in texts(replies):
                raise ConversationError("wrong_item", f"check_item_{answered + 1}")
            value = 1 + (number + answered) % 5
            replies = await self.tap(f"check_item_{answered + 1}", replies, f':{value}"}}')
        if f"{ITEM_ANSWERS + 1}/" not in texts(replies):
            raise ConversationError("wrong_item", f"check_item_{ITEM_ANSWERS + 1}")


async def sample_memory(
    pids: Mapping[str, int], interval_s: float, samples: list[dict[str, float]], t0: float
) -> None:
    while True:
        sample = {"t_s": round(time.monotonic() - t0, 1)}
        sample.update({name: process_tree_rss_mb(pid) for name, pid in pids.items()})
        samples.append(sample)
        await asyncio.sleep(interval_s)


def mean_between(samples: Sequence[Mapping[str, float]], name: str, start: float, end: float) -> float | None:
    values = [sample[name] for sample in samples if start <= sample["t_s"] <= end and name in sample]
    return round(statistics.fmean(values), 1) if values else None


def memory_summary(
    samples: Sequence[Mapping[str, float]], names: Sequence[str], duration_s: float
) -> dict[str, Any]:
    """Per service: mean RSS in the second fifth and in the last fifth of the run, and whether flat."""
    fifth = duration_s / 5
    summary: dict[str, Any] = {}
    for name in names:
        early = mean_between(samples, name, fifth, 2 * fifth)
        late = mean_between(samples, name, duration_s - fifth, duration_s)
        change = round(late / early - 1, 3) if early and late else None
        summary[name] = {
            "second_fifth_mean_mb": early,
            "last_fifth_mean_mb": late,
            "change": change,
            "flat": change is not None and abs(change) <= FLAT_WITHIN,
            "max_mb": max((sample.get(name, 0.0) for sample in samples), default=None),
        }
    return summary


async def soak(
    rasa_url: str,
    pids: Mapping[str, int],
    *,
    conversations: int,
    duration_s: float,
    sample_every_s: float = 5.0,
    grace_s: float = 120.0,
    tag: str = "soak",
) -> dict[str, Any]:
    """Starts `conversations` conversations evenly over `duration_s` and waits for them (at most
    `grace_s` longer; unfinished ones count as errors). Returns the figures as a JSON-able dict."""
    figures = Figures()
    samples: list[dict[str, float]] = []
    gap = duration_s / conversations
    limits = httpx.Limits(max_connections=conversations + 5, max_keepalive_connections=20)
    t0 = time.monotonic()
    sampler = asyncio.create_task(sample_memory(pids, sample_every_s, samples, t0))

    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def one(number: int) -> None:
            await asyncio.sleep(max(0.0, t0 + number * gap - time.monotonic()))
            pupil = Pupil(client, rasa_url, f"{tag}-{os.getpid()}-{number}", figures)
            try:
                await pupil.converse(number)
            except ConversationError as error:
                figures.errors[error.kind] += 1
                figures.error_steps[error.step] += 1
                return
            figures.completed += 1

        tasks = [asyncio.create_task(one(number)) for number in range(conversations)]
        _done, pending = await asyncio.wait(tasks, timeout=duration_s + grace_s)
        for task in pending:
            task.cancel()
        if pending:
            figures.errors["unfinished"] += len(pending)
            await asyncio.wait(pending)
        # keep sampling until the planned end, so that the last fifth has samples
        await asyncio.sleep(max(0.0, t0 + duration_s - time.monotonic()))
    elapsed = time.monotonic() - t0
    sampler.cancel()
    latencies = figures.latencies_ms
    return {
        "conversations": conversations,
        "planned_duration_s": duration_s,
        "elapsed_s": round(elapsed, 1),
        "completed": figures.completed,
        "messages": figures.messages,
        "errors": sum(figures.errors.values()),
        "errors_by_kind": dict(figures.errors),
        "errors_by_step": dict(figures.error_steps),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 0.95), 1) if latencies else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
        "throughput_msg_per_s": round(len(latencies) / elapsed, 2),
        "per_step": {
            step: {
                "p50_ms": round(statistics.median(values), 1),
                "p95_ms": round(percentile(values, 0.95), 1),
            }
            for step, values in figures.step_latencies_ms.items()
        },
        "memory": memory_summary(samples, list(pids), duration_s),
        "memory_samples": samples,
    }


def print_report(report: Mapping[str, Any]) -> None:
    print(
        f"\nSoak: {report['conversations']} conversations planned over {report['planned_duration_s']:.0f} s, "
        f"{report['completed']} completed in {report['elapsed_s']} s, {report['messages']} messages"
    )
    print(f"errors: {report['errors']} {report['errors_by_kind'] or ''}")
    print(
        f"latency p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms, max {report['max_ms']} ms; "
        f"{report['throughput_msg_per_s']} msg/s"
    )
    for name, memory in report["memory"].items():
        print(
            f"RSS {name:<8} 2nd fifth {memory['second_fifth_mean_mb']} MB, last fifth "
            f"{memory['last_fifth_mean_mb']} MB, change {memory['change']}, max {memory['max_mb']} MB, "
            f"{'flat' if memory['flat'] else 'NOT flat'}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument(
        "--duration", type=float, default=300.0, help="seconds over which conversations start"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts" / "bench" / "soak.json")
    args = parser.parse_args()
    if args.conversations < 1 or args.duration <= 0:
        parser.error("--conversations and --duration must be positive")

    model = os.environ.get("BERUFSLOTSE_MODEL")
    if model:
        model_path = Path(model)
    else:
        from scripts.train import train

        model_path = train()
    with tempfile.TemporaryDirectory() as var_dir:
        config = StackConfig(
            api_port=free_port(),
            actions_port=free_port(),
            rasa_port=free_port(),
            web_port=None,
            var_dir=Path(var_dir),
        )
        with running_stack(config, model_path) as stack:
            pids = {service.name: service.process.pid for service in stack.services if service.process}
            report = asyncio.run(
                soak(config.rasa_url, pids, conversations=args.conversations, duration_s=args.duration)
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print_report(report)
    print(f"\nfigures written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
