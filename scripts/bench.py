"""Benchmarks: latency, throughput, memory and training time of the assistant.

Runs our stack and, in the same run, Rasa's own starter assistant (`rasa init --no-prompt` into a
temporary folder, never committed) the same way, and prints our figures beside the starter's as
ratios. Then the scaled profile (scripts/scaled.py: two Rasa servers behind HAProxy on PostgreSQL
and Redis) at 30 conversations, as a ratio to the starter; and a class: 30 pupils doing the quick
check at once, each thinking 3-8 s before every answer (per message p50, p95 and the longest wait),
against the embedded stack and the scaled one. Last, where a message's time goes and the memory
of each process (scripts/bench_stages.py: NLU, policies, actions, tracker store, API; one message
at a time, and a full check in one conversation). Figures go to artifacts/bench/assistant.json.
Nothing here asserts a time.

Usage: python -m scripts.bench [--skip-training] [--only ours,starter,scaled,stages] [--levels 1,10,30]
       [--class-pupils 30] [--think 3 8] [--stage-runs 3] [--no-long-check] [--model PATH]
       [--rounds 5] [--synchronized-rounds]
A short smoke run: --skip-training --only scaled --levels 3 --class-pupils 3 --think 0.2 0.5
Only the per-stage figures: --skip-training --only stages
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from scripts.scaled import ScaledConfig, postgres, running_scaled_stack, with_databases
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
CLOSED_LOOP_ROUNDS = 5  # each level: 5 conversations one after another per place (900 messages at 30)
SYNCHRONIZED_ENV = "BENCH_SYNCHRONIZED_ROUNDS"
SCALED_CONVERSATIONS = 30  # the scaled profile at the level a school needs
SCALED_RASA_SERVERS = 2


@dataclass
class LoadFigures:
    conversations: int
    rounds: int
    messages: int
    p50_ms: float
    p95_ms: float
    throughput_msg_per_s: float
    errors: int
    # CPU time each process (with its children) used per message during the run: the work a
    # message costs, which a busy machine changes less than it changes the times above
    cpu_ms_per_msg: dict[str, float] = field(default_factory=dict)
    synchronized: bool = False  # rounds started together (see measure_load)


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


async def measure_load(
    rasa_url: str,
    script: Sequence[str],
    conversations: int,
    tag: str,
    processes: dict[str, int] | None = None,
    rounds: int = 1,
    synchronized: bool | None = None,
) -> LoadFigures:
    """Closed loop: `conversations` at once, each sending its next message when the last is
    answered, and starting a new conversation when its last has ended, `rounds` conversations each;
    all messages counted together (30 conversations of six messages are 180 messages in a few
    seconds, too short to say much on a shared machine). `processes` (name -> pid) are measured for
    their CPU time per message.

    `synchronized` (the method until session 13; `BENCH_SYNCHRONIZED_ROUNDS=1` or
    `--synchronized-rounds`): the conversations of a round start together and the next round starts
    when the round's slowest conversation has ended. All 30 first messages then arrive in the same
    moment, and towards a round's end fewer than 30 conversations are open while the last ones
    finish."""
    if synchronized is None:
        synchronized = os.environ.get(SYNCHRONIZED_ENV, "0") == "1"
    latencies: list[float] = []
    errors: list[int] = []

    def conversation(client: httpx.AsyncClient, round_number: int, n: int) -> Any:
        sender = f"{tag}-{conversations}-r{round_number}-{n}"
        return run_conversation(client, rasa_url, sender, script, latencies)

    async def loop(client: httpx.AsyncClient, n: int) -> int:
        return sum([await conversation(client, round_number, n) for round_number in range(rounds)])

    limits = httpx.Limits(max_connections=conversations + 5)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        # One warm-up message so that lazy loading inside Rasa is not counted.
        await run_conversation(client, rasa_url, f"{tag}-warmup", script[:1], [])
        cpu_before = {name: process_tree_cpu_s(pid) for name, pid in (processes or {}).items()}
        started = time.perf_counter()
        if synchronized:
            for round_number in range(rounds):
                errors += await asyncio.gather(
                    *(conversation(client, round_number, n) for n in range(conversations))
                )
        else:
            errors += await asyncio.gather(*(loop(client, n) for n in range(conversations)))
        elapsed = time.perf_counter() - started
    cpu_ms = {
        name: round((process_tree_cpu_s(pid) - cpu_before[name]) * 1000 / max(len(latencies), 1), 1)
        for name, pid in (processes or {}).items()
    }
    return LoadFigures(
        conversations=conversations,
        rounds=rounds,
        messages=len(latencies),
        p50_ms=round(statistics.median(latencies), 1) if latencies else float("nan"),
        p95_ms=round(percentile(latencies, 0.95), 1),
        throughput_msg_per_s=round(len(latencies) / elapsed, 2),
        errors=sum(errors),
        cpu_ms_per_msg=cpu_ms,
        synchronized=synchronized,
    )


@dataclass
class ClassFigures:
    """A class doing the quick check: pupils arrive within ARRIVAL_S and think before every answer."""

    pupils: int
    think_s: tuple[float, float]
    messages: int
    completed_checks: int
    p50_ms: float
    p95_ms: float
    longest_wait_ms: float
    errors: int


ARRIVAL_S = 5.0  # the teacher says "go": pupils open the chat within a few seconds
# the quick check's start as in the e2e drills: a text, then buttons (suffix of the payload), a place
CHECK_START: tuple[tuple[str, str], ...] = (
    ("say", "ich weiß nicht was ich werden will"),
    ("tap", '"quick"}'),
    ("tap", '"realschule"}'),
    ("say", "bramsche"),
    ("tap", '"25"}'),
    ("tap", '"apprenticeship"}'),
)
CHECK_ANSWER = re.compile(r'^/check_answer\{"check_choice":"[^"]+:(\d)"\}$')


def button_payloads(replies: list[dict[str, Any]]) -> list[str]:
    return [str(button["payload"]) for reply in replies for button in reply.get("buttons", [])]


async def pupil_does_the_check(
    client: httpx.AsyncClient,
    rasa_url: str,
    sender: str,
    think_s: tuple[float, float],
    latencies: list[float],
    rng: random.Random,
) -> tuple[bool, int]:
    """One pupil: arrives, starts the quick check, answers every item after thinking. (done, errors)"""
    await asyncio.sleep(rng.uniform(0, ARRIVAL_S))
    replies: list[dict[str, Any]] = []

    async def send(message: str) -> bool:
        nonlocal replies
        started = time.perf_counter()
        try:
            response = await client.post(
                f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}
            )
            response.raise_for_status()
        except httpx.HTTPError:
            return False
        latencies.append((time.perf_counter() - started) * 1000)
        replies = response.json()
        return True

    for kind, value in CHECK_START:
        message = value
        if kind == "tap":
            matching = [payload for payload in button_payloads(replies) if payload.endswith(value)]
            if not matching:
                return False, 1
            message = matching[0]
        if not await send(message):
            return False, 1
        await asyncio.sleep(rng.uniform(*think_s))
    for _ in range(100):  # the full check has 48 items
        answers = [payload for payload in button_payloads(replies) if CHECK_ANSWER.match(payload)]
        if not answers:
            return True, 0  # the result: no more items
        await asyncio.sleep(rng.uniform(*think_s))
        if not await send(rng.choice(answers)):
            return False, 1
    return False, 1


async def measure_class(rasa_url: str, pupils: int, think_s: tuple[float, float], tag: str) -> ClassFigures:
    latencies: list[float] = []
    rng = random.Random(7)
    limits = httpx.Limits(max_connections=pupils + 5)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        outcomes = await asyncio.gather(
            *(
                pupil_does_the_check(client, rasa_url, f"{tag}-class-{n}", think_s, latencies, rng)
                for n in range(pupils)
            )
        )
    return ClassFigures(
        pupils=pupils,
        think_s=think_s,
        messages=len(latencies),
        completed_checks=sum(done for done, _ in outcomes),
        p50_ms=round(statistics.median(latencies), 1) if latencies else float("nan"),
        p95_ms=round(percentile(latencies, 0.95), 1),
        longest_wait_ms=round(max(latencies), 1) if latencies else float("nan"),
        errors=sum(errors for _, errors in outcomes),
    )


def bench_scaled(
    script: Sequence[str],
    model: Path,
    levels: Sequence[int],
    pupils: int,
    think_s: tuple[float, float],
    rounds: int = 1,
) -> dict[str, object]:
    """The scaled profile on two throw-away databases of the project's PostgreSQL (dropped after)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server_url = os.environ.get("BERUFSLOTSE_TEST_POSTGRES_URL") or postgres("start")
    suffix = f"{os.getpid()}_{int(time.time())}"
    names = (f"bench_scaled_api_{suffix}", f"bench_scaled_tracker_{suffix}")
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    urls = [make_url(server_url).set(database=name).render_as_string(hide_password=False) for name in names]
    try:
        with tempfile.TemporaryDirectory() as var_dir:
            scaled = ScaledConfig(
                stack=StackConfig(
                    api_port=18300, actions_port=18355, rasa_port=18305, web_port=None, var_dir=Path(var_dir)
                ),
                rasa_ports=tuple(18306 + index for index in range(SCALED_RASA_SERVERS)),
                redis_port=18379,
            )
            scaled = with_databases(scaled, urls[0], urls[1])
            with running_scaled_stack(scaled, model) as stack:
                url = scaled.balancer_url
                pids = {s.name: s.process.pid for s in stack.services if s.process}
                server = postgres_server_pid(server_url)
                if server is not None:  # the whole server: nothing else should use it meanwhile
                    pids["postgres"] = server
                else:
                    print("[scaled] PostgreSQL's CPU is not counted (not on this machine)", file=sys.stderr)
                load = [
                    asdict(asyncio.run(measure_load(url, script, n, "scaled", pids, rounds))) for n in levels
                ]
                school = asdict(asyncio.run(measure_class(url, pupils, think_s, "scaled")))
                memory = {s.name: process_tree_rss_mb(s.process.pid) for s in stack.services if s.process}
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return {"rasa_servers": SCALED_RASA_SERVERS, "load": load, "class": school, "rss_mb": memory}


def postgres_server_pid(server_url: str) -> int | None:
    """The process id of the PostgreSQL server behind `server_url` when it runs on this machine (the
    parent of the backend that answers a connection), else None."""
    from sqlalchemy import create_engine, text

    engine = create_engine(server_url)
    try:
        with engine.connect() as connection:
            backend = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
            # read while the connection is open: its backend exits when it closes
            return parent_named(backend, "postgres")
    except Exception:  # the bench goes on without it
        return None
    finally:
        engine.dispose()


def parent_named(pid: int, name: str) -> int | None:
    """The parent of process `pid` if it is called `name`; None for another machine's process."""
    try:
        parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        return parent if Path(f"/proc/{parent}/comm").read_text().strip() == name else None
    except (OSError, ValueError, IndexError):  # not on this machine, or already gone
        return None


def process_tree(pid: int) -> list[int]:
    """A process and all its descendants, from /proc."""
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
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(children.get(current, []))
    return found


def process_tree_cpu_s(pid: int) -> float:
    """CPU time (user + system) a process and its descendants have used so far, from /proc, with
    the children that have ended (a PostgreSQL backend of a closed connection, a worker that was
    replaced): their time is their parent's once it has waited for them."""
    ticks = 0
    for current in process_tree(pid):
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def process_tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, from /proc."""
    total_kb = 0
    for current in process_tree(pid):
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


def bench_ours(
    script: Sequence[str],
    model: Path,
    training_s: float | None,
    levels: Sequence[int],
    pupils: int,
    think_s: tuple[float, float],
    rounds: int = 1,
) -> dict[str, object]:
    """Measures the embedded stack (one Rasa server on SQLite)."""
    with tempfile.TemporaryDirectory() as var_dir:
        config = StackConfig(
            api_port=18100, actions_port=18155, rasa_port=18105, web_port=None, var_dir=Path(var_dir)
        )
        with running_stack(config, model) as stack:
            pids = {s.name: s.process.pid for s in stack.services if s.process}
            url = config.rasa_url
            load = [asdict(asyncio.run(measure_load(url, script, n, "ours", pids, rounds))) for n in levels]
            school = asdict(asyncio.run(measure_class(config.rasa_url, pupils, think_s, "ours")))
            memory = {s.name: process_tree_rss_mb(s.process.pid) for s in stack.services if s.process}
    return {"training_s": training_s, "load": load, "class": school, "rss_mb": memory}


def bench_starter(script: Sequence[str], levels: Sequence[int], rounds: int = 1) -> dict[str, object]:
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
            pids = {"rasa": service.process.pid}
            load = [
                asdict(asyncio.run(measure_load(url, script, n, "starter", pids, rounds))) for n in levels
            ]
            memory = {"rasa": process_tree_rss_mb(service.process.pid)}
        finally:
            service.process.terminate()
            service.process.wait(timeout=30)
    return {"training_s": training_s, "load": load, "rss_mb": memory}


def ratio(ours: float | None, theirs: float | None) -> str:
    if not ours or not theirs:
        return "-"
    return f"{ours / theirs:.2f}x"


def print_report(results: dict[str, Any]) -> None:
    ours, starter, scaled = results.get("ours"), results.get("starter"), results.get("scaled")
    if ours and starter:
        print_ours_vs_starter(ours, starter)
    if scaled:
        print_scaled(scaled, starter)
    for name, figures in (("embedded stack", ours), ("scaled profile", scaled)):
        if figures and "class" in figures:
            school = figures["class"]
            print(
                f"\nA class on the {name}: {school['pupils']} pupils doing the quick check, "
                f"{school['think_s'][0]}-{school['think_s'][1]} s think time"
            )
            print(f"  messages {school['messages']}, completed checks {school['completed_checks']}, ", end="")
            print(f"errors {school['errors']}")
            print(f"  per message p50 {school['p50_ms']} ms, p95 {school['p95_ms']} ms (aim <= 300 ms)")
            print(f"  longest wait {school['longest_wait_ms']} ms")
    if results.get("stages"):
        from scripts.bench_stages import print_stages

        print_stages(results["stages"])


def load_at(figures: dict[str, Any] | None, conversations: int) -> dict[str, Any] | None:
    if not figures:
        return None
    return next((row for row in figures["load"] if row["conversations"] == conversations), None)


def print_cpu(mine: dict[str, Any], theirs: dict[str, Any]) -> None:
    """CPU ms per message: each of our processes (Rasa servers together), the whole stack, and
    the starter's one Rasa process beside our Rasa and our whole stack."""
    cpu: dict[str, float] = mine.get("cpu_ms_per_msg") or {}
    if not cpu:
        return
    n = mine["conversations"]
    starter = (theirs.get("cpu_ms_per_msg") or {}).get("rasa")
    rasa = round(sum(ms for name, ms in cpu.items() if name.startswith("rasa")), 1)
    whole = round(sum(cpu.values()), 1)
    for label, value in (("CPU ms/msg rasa", rasa), ("CPU ms/msg whole stack", whole)):
        figure = f"{label} @{n} conv"
        theirs_text = "-" if starter is None else str(starter)
        print(f"{figure:<34}{value:>12}{theirs_text:>12}{ratio(value, starter):>10}")
    others = ", ".join(f"{name} {ms}" for name, ms in cpu.items() if not name.startswith("rasa"))
    if others:
        print(f"{'  of which':<34}{others}")


def print_scaled(scaled: dict[str, Any], starter: dict[str, Any] | None) -> None:
    print(
        f"\nScaled profile: {scaled['rasa_servers']} Rasa servers behind HAProxy (ratio = scaled / starter)"
    )
    print(f"{'figure':<34}{'scaled':>12}{'starter':>12}{'ratio':>10}")
    for mine in scaled["load"]:
        n = mine["conversations"]
        theirs = load_at(starter, n) or {}
        for key, label in (
            ("p50_ms", "p50 latency (ms)"),
            ("p95_ms", "p95 latency (ms)"),
            ("throughput_msg_per_s", "throughput (msg/s)"),
        ):
            figure = f"{label} @{n} conv"
            print(
                f"{figure:<34}{mine[key]:>12}{theirs.get(key, '-'):>12}"
                f"{ratio(mine[key], theirs.get(key)):>10}"
            )
        if mine["errors"]:
            print(f"{'errors' + f' @{n} conv':<34}{mine['errors']:>12}")
        print_cpu(mine, theirs)
    for name, mb in scaled["rss_mb"].items():
        print(f"{'RSS ' + name + ' (MB)':<34}{mb:>12}")


def print_ours_vs_starter(ours: dict[str, Any], starter: dict[str, Any]) -> None:
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
        print_cpu(mine, theirs)
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
    parser.add_argument("--only", default="ours,starter,scaled,stages", help="which parts to measure")
    parser.add_argument(
        "--levels", default=",".join(map(str, CONCURRENCY_LEVELS)), help="conversations at once"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=CLOSED_LOOP_ROUNDS,
        help="closed loop: conversations one after another per place, counted together",
    )
    parser.add_argument(
        "--synchronized-rounds",
        action="store_true",
        help="closed loop as before session 13: each round's conversations start together",
    )
    parser.add_argument("--class-pupils", type=int, default=30, help="pupils in the class scenario")
    parser.add_argument("--think", type=float, nargs=2, default=(3.0, 8.0), metavar=("MIN", "MAX"))
    parser.add_argument("--stage-runs", type=int, default=3, help="short conversations timed per stage")
    parser.add_argument(
        "--model", type=Path, help="use this model as it is (no training; e.g. one copied from elsewhere)"
    )
    parser.add_argument(
        "--no-long-check", action="store_true", help="skip the full check in one conversation (stages)"
    )
    args = parser.parse_args()
    if args.synchronized_rounds:
        os.environ[SYNCHRONIZED_ENV] = "1"
    only = {name.strip() for name in args.only.split(",")}
    levels = [int(level) for level in args.levels.split(",")]
    think_s = (args.think[0], args.think[1])
    training_s: float | None = None
    started = time.perf_counter()
    model = args.model or train(force=not args.skip_training)
    if args.model is None and not args.skip_training:
        training_s = round(time.perf_counter() - started, 1)
    results: dict[str, Any] = {}
    if "ours" in only:
        results["ours"] = bench_ours(
            OUR_CONVERSATION, model, training_s, levels, args.class_pupils, think_s, args.rounds
        )
    if "starter" in only:
        results["starter"] = bench_starter(STARTER_CONVERSATION, levels, args.rounds)
    if "scaled" in only:
        scaled_levels = [level for level in levels if level > 1] or levels  # 30 is the one to compare
        results["scaled"] = bench_scaled(
            OUR_CONVERSATION, model, scaled_levels, args.class_pupils, think_s, args.rounds
        )
    if "stages" in only:
        from scripts.bench_stages import bench_stages  # imports this module's helpers

        results["stages"] = bench_stages(
            model, OUR_CONVERSATION, short_times=args.stage_runs, long_check=not args.no_long_check
        )
    out = ROOT / "artifacts" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "assistant.json").write_text(json.dumps(results, indent=2))
    print_report(results)
    print(f"\nfigures written to {out / 'assistant.json'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
