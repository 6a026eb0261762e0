"""Benchmarks: latency, throughput, memory and training time of the assistant.

Runs our stack and, in the same run, Rasa's own starter assistant (`rasa init --no-prompt` into a
temporary folder, never committed) the same way, and prints our figures beside the starter's as
ratios. Figures go to artifacts/bench/assistant.json. Nothing here asserts a time.

Usage: python -m scripts.bench [--messages-per-conversation N] [--skip-training]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from scripts.stack import RASA_BIN, ROOT, Service, StackConfig, running_stack, wait_until_healthy
from scripts.train import train

OUR_CONVERSATION = (
    "hallo",
    "was macht ein tischler",
    "und was verdient man da",
    "wie lange dauert das",
    "was macht eine arzthelferin",
    "danke",
)
STARTER_CONVERSATION = ("hello", "I am sad", "yes", "great", "are you a bot?", "bye")
CONCURRENCY_LEVELS = (1, 10, 30)


@dataclass
class LoadFigures:
    conversations: int
    messages: int
    p50_ms: float
    p95_ms: float
    throughput_msg_per_s: float
    errors: int


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


async def run_conversation(
    client: httpx.AsyncClient, rasa_url: str, sender: str, script: Sequence[str], latencies: list[float]
) -> int:
    errors = 0
    for text in script:
        started = time.perf_counter()
        try:
            response = await client.post(
                f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
            )
            response.raise_for_status()
        except httpx.HTTPError:
            errors += 1
            continue
        latencies.append((time.perf_counter() - started) * 1000)
    return errors


async def measure_load(rasa_url: str, script: Sequence[str], conversations: int, tag: str) -> LoadFigures:
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=conversations + 5)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        # One warm-up message so that lazy loading inside Rasa is not counted.
        await run_conversation(client, rasa_url, f"{tag}-warmup", script[:1], [])
        started = time.perf_counter()
        errors = await asyncio.gather(
            *(
                run_conversation(client, rasa_url, f"{tag}-{conversations}-{n}", script, latencies)
                for n in range(conversations)
            )
        )
        elapsed = time.perf_counter() - started
    return LoadFigures(
        conversations=conversations,
        messages=len(latencies),
        p50_ms=round(statistics.median(latencies), 1) if latencies else float("nan"),
        p95_ms=round(percentile(latencies, 0.95), 1),
        throughput_msg_per_s=round(len(latencies) / elapsed, 2),
        errors=sum(errors),
    )


def process_tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    total_kb = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        pending.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return round(total_kb / 1024, 1)


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    return round(time.perf_counter() - started, 1)


def bench_ours(script: Sequence[str], skip_training: bool) -> dict[str, object]:
    """Trains our model from scratch (timed) unless skipped, then measures the running stack."""
    training_s: float | None = None
    started = time.perf_counter()
    model = train(force=not skip_training)
    if not skip_training:
        training_s = round(time.perf_counter() - started, 1)
    with tempfile.TemporaryDirectory() as var_dir:
        config = StackConfig(
            api_port=18100, actions_port=18155, rasa_port=18105, web_port=None, var_dir=Path(var_dir)
        )
        with running_stack(config, model) as stack:
            load = [
                asdict(asyncio.run(measure_load(config.rasa_url, script, n, "ours")))
                for n in CONCURRENCY_LEVELS
            ]
            memory = {s.name: process_tree_rss_mb(s.process.pid) for s in stack.services if s.process}
    return {"training_s": training_s, "load": load, "rss_mb": memory}


def bench_starter(script: Sequence[str]) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder) / "starter"
        project.mkdir()
        # `rasa init` trains the starter model as part of creating the project.
        training_s = timed(
            [str(RASA_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(project)], Path(folder)
        )
        port = 18205
        service = Service(
            name="starter-rasa",
            command=[
                str(RASA_BIN / "rasa"),
                "run",
                "--model",
                "models",
                "--interface",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            health_url=f"http://127.0.0.1:{port}/webhooks/rest/",
        )
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
        with open(Path(folder) / "starter.log", "wb") as log:
            service.process = subprocess.Popen(
                service.command,
                cwd=project,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_until_healthy(service, timeout=180)
            url = f"http://127.0.0.1:{port}"
            load = [asdict(asyncio.run(measure_load(url, script, n, "starter"))) for n in CONCURRENCY_LEVELS]
            memory = {"rasa": process_tree_rss_mb(service.process.pid)}
        finally:
            service.process.terminate()
            service.process.wait(timeout=30)
    return {"training_s": training_s, "load": load, "rss_mb": memory}


def ratio(ours: float | None, theirs: float | None) -> str:
    if not ours or not theirs:
        return "-"
    return f"{ours / theirs:.2f}x"


def print_report(ours: dict[str, Any], starter: dict[str, Any]) -> None:
    print("\nBerufslotse vs. Rasa starter assistant (ratio = ours / starter)")
    print(f"{'figure':<34}{'ours':>12}{'starter':>12}{'ratio':>10}")
    print(
        f"{'training time (s)':<34}{ours['training_s'] or '-':>12}{starter['training_s']:>12}"
        f"{ratio(ours['training_s'], starter['training_s']):>10}"
    )
    for mine, theirs in zip(ours["load"], starter["load"], strict=True):
        n = mine["conversations"]
        for key, label in (
            ("p50_ms", "p50 latency (ms)"),
            ("p95_ms", "p95 latency (ms)"),
            ("throughput_msg_per_s", "throughput (msg/s)"),
        ):
            figure = f"{label} @{n} conv"
            print(f"{figure:<34}{mine[key]:>12}{theirs[key]:>12}{ratio(mine[key], theirs[key]):>10}")
        if mine["errors"] or theirs["errors"]:
            print(f"{'errors' + f' @{n} conv':<34}{mine['errors']:>12}{theirs['errors']:>12}")
    for name, mb in ours["rss_mb"].items():
        print(f"{'RSS ' + name + ' (MB)':<34}{mb:>12}")
    print(
        f"{'RSS rasa (MB)':<34}{ours['rss_mb'].get('rasa', '-'):>12}{starter['rss_mb']['rasa']:>12}"
        f"{ratio(ours['rss_mb'].get('rasa'), starter['rss_mb']['rasa']):>10}"
    )
    total = sum(ours["rss_mb"].values())
    print(
        f"{'RSS whole stack (MB)':<34}{total:>12.1f}{starter['rss_mb']['rasa']:>12}"
        f"{ratio(total, starter['rss_mb']['rasa']):>10}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--skip-training", action="store_true", help="do not time a forced training of our model"
    )
    args = parser.parse_args()
    ours = bench_ours(OUR_CONVERSATION, args.skip_training)
    starter = bench_starter(STARTER_CONVERSATION)
    out = ROOT / "artifacts" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "assistant.json").write_text(json.dumps({"ours": ours, "starter": starter}, indent=2))
    print_report(ours, starter)
    print(f"\nfigures written to {out / 'assistant.json'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
