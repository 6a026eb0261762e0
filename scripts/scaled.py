"""The scaled profile: several Rasa servers behind HAProxy, on PostgreSQL and Redis.

`python -m scripts.scaled run` (`make run-scaled`) starts, all on 127.0.0.1:

- PostgreSQL (scripts/services/postgres.sh) with two databases of this profile: the API's and
  Rasa's SQL tracker store, which every Rasa server shares;
- Redis (scripts/services/redis.sh, supervised here, files in var/scaled/redis): Rasa's lock store,
  so two servers never handle messages of the same conversation at once;
- the API with several uvicorn workers, the action server with several Sanic workers;
- N Rasa servers (BERUFSLOTSE_RASA_SERVERS, default 2) on their own ports;
- HAProxy in front of them: the one address the channels (web demo, Telegram) and pupils use. It
  checks each server every second, and sends a message that cannot reach a server to another one.

Any Rasa server can answer any message: a conversation lives in PostgreSQL, not in a server. The
embedded `make run` (scripts/stack.py) stays the default; this profile uses other ports:

    balancer 5105, Rasa servers 5106.., API 8100, actions 5155, web demo 8180, Redis 56379

The e2e drills (tests/e2e/test_scaled_drills.py) and `make bench` start the same stack on free ports.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from scripts.stack import (
    ROOT,
    Service,
    ServiceFailed,
    Stack,
    StackConfig,
    prepare_database,
    wait_until_healthy,
    write_rasa_endpoints,
)

POSTGRES_SH = ROOT / "scripts" / "services" / "postgres.sh"
REDIS_SH = ROOT / "scripts" / "services" / "redis.sh"
HAPROXY = "haproxy"  # Debian's package (scripts/system_packages.sh)

# this profile's databases on the project's PostgreSQL server
API_DATABASE = "berufslotse_scaled_api"
TRACKER_DATABASE = "berufslotse_scaled_tracker"


@dataclass(frozen=True)
class ScaledConfig:
    """The stack's settings (its rasa_port is the balancer's) plus the Rasa servers, Redis and workers."""

    stack: StackConfig
    rasa_ports: tuple[int, ...]
    redis_port: int = 56379
    api_workers: int = 2
    action_workers: int = 2

    @property
    def balancer_url(self) -> str:
        return self.stack.rasa_url

    def rasa_url(self, index: int) -> str:
        return f"http://{self.stack.host}:{self.rasa_ports[index]}"

    @property
    def redis_dir(self) -> Path:
        return self.stack.var_dir / "redis"

    @classmethod
    def from_env(cls, environ: os._Environ[str] | dict[str, str] = os.environ) -> ScaledConfig:
        def get(name: str, default: str) -> str:
            return environ.get(f"BERUFSLOTSE_SCALED_{name}") or default

        servers = int(environ.get("BERUFSLOTSE_RASA_SERVERS") or 2)
        if servers < 1:
            raise ValueError("BERUFSLOTSE_RASA_SERVERS must be at least 1")
        balancer = int(get("BALANCER_PORT", "5105"))
        first_rasa = int(get("RASA_PORT", str(balancer + 1)))
        return cls(
            stack=StackConfig(
                api_port=int(get("API_PORT", "8100")),
                actions_port=int(get("ACTIONS_PORT", "5155")),
                rasa_port=balancer,
                web_port=None if get("WEB_PORT", "8180") == "off" else int(get("WEB_PORT", "8180")),
                var_dir=Path(get("VAR_DIR", str(ROOT / "var" / "scaled"))),
            ),
            rasa_ports=tuple(range(first_rasa, first_rasa + servers)),
            redis_port=int(get("REDIS_PORT", "56379")),
            api_workers=int(get("API_WORKERS", "2")),
            action_workers=int(get("ACTION_WORKERS", "2")),
        )


def redis_url(config: ScaledConfig) -> str:
    """Writes Redis's config (and password, once) into the profile's folder; returns its URL."""
    done = subprocess.run(
        ["bash", str(REDIS_SH), "config"],
        env=redis_env(config),
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def redis_env(config: ScaledConfig) -> dict[str, str]:
    return dict(
        os.environ,
        BERUFSLOTSE_REDIS_DIR=str(config.redis_dir),
        BERUFSLOTSE_REDIS_PORT=str(config.redis_port),
    )


def haproxy_config(config: ScaledConfig) -> str:
    """Each message goes to the Rasa server with the fewest messages in hand (`leastconn`; round
    robin among equals). A message's work varies several times over (a greeting, a question that
    reads a job profile), and a server that got a few long ones in a row would keep getting its
    half under round robin while the other idles in between: at 30 conversations on two servers
    round robin served 52.7-58.6 msg/s with p95 1002-1061 ms, leastconn 60.9-62.9 msg/s with p95
    779-934 ms (three alternating pairs, 2026-12-08, docs/bench.md). The other side of it: a
    server that answers every message at once because something behind it is broken (its REST
    channel says "back in a moment" with status 200 when its tracker store fails) always has the
    fewest in hand and gets most messages, where round robin gave it half; the health check below
    does not see it (both servers share the same PostgreSQL and Redis, so usually both fail). A
    message that cannot reach a server (refused, reset before it was sent) goes to another one; a
    message a server already received is never sent twice.

    Health checks: a server that is gone refuses the check's connection (connect timeout: the
    1 s interval) and is taken out after two checks. A server that is busy answers late: Rasa
    answers the check on the event loop that runs the messages, so under a class's load it can take
    seconds. It gets `timeout check` (10 s) to answer; with the interval as its only timeout, both
    servers of the bench were taken out at 30 conversations at once and a third of the messages
    got the balancer's 503 (2026-12-07)."""
    host = config.stack.host
    servers = "\n".join(
        f"    server rasa-{index + 1} {host}:{port} check" for index, port in enumerate(config.rasa_ports)
    )
    return f"""# written by scripts/scaled.py; the balancer in front of the Rasa servers
global
    maxconn 2000

defaults
    mode http
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    timeout queue 30s
    timeout check 10s
    retries 3
    option redispatch 1
    retry-on conn-failure

frontend rasa
    bind {host}:{config.stack.rasa_port}
    default_backend rasa_servers

backend rasa_servers
    balance leastconn
    option httpchk GET /
    http-check expect status 200
    default-server inter 1s fastinter 500ms fall 2 rise 2
{servers}
"""


class ScaledStack(Stack):
    """Redis, the API, the action server, N Rasa servers, HAProxy and the channels, in that order."""

    def __init__(self, scaled: ScaledConfig, model_path: Path) -> None:
        super().__init__(scaled.stack, model_path)
        self.scaled = scaled

    def base_env(self) -> dict[str, str]:
        env = super().base_env()
        # each Rasa server keeps a few connections to the shared server (Rasa's default pool is 50 + 100)
        env.setdefault("SQL_POOL_SIZE", "5")
        env.setdefault("SQL_MAX_OVERFLOW", "5")
        return env

    @property
    def rasa_names(self) -> list[str]:
        return [f"rasa-{index + 1}" for index in range(len(self.scaled.rasa_ports))]

    def planned_services(self) -> list[Service]:
        scaled = self.scaled
        endpoints = write_rasa_endpoints(self.config)
        haproxy_cfg = self.config.var_dir / "haproxy.cfg"
        haproxy_cfg.write_text(haproxy_config(scaled))
        redis = Service(
            name="redis",
            command=["bash", str(REDIS_SH), "run"],
            health_url=None,
            env={
                "BERUFSLOTSE_REDIS_DIR": str(scaled.redis_dir),
                "BERUFSLOTSE_REDIS_PORT": str(scaled.redis_port),
            },
        )
        balancer = Service(
            name="balancer",
            command=[HAPROXY, "-db", "-f", str(haproxy_cfg)],
            health_url=f"{scaled.balancer_url}/webhooks/rest/",
        )
        return [
            redis,
            self.api_service(workers=scaled.api_workers),
            self.actions_service(workers=scaled.action_workers),
            *(
                self.rasa_service(name, port, endpoints)
                for name, port in zip(self.rasa_names, scaled.rasa_ports, strict=True)
            ),
            balancer,
            *self.channel_services(),
        ]

    def start(self, timeout: float = 600.0) -> None:
        """Like Stack.start, but the Rasa servers load their models at the same time (on a busy
        machine that takes minutes)."""
        log_dir = self.config.var_dir / "log"
        log_dir.mkdir(parents=True, exist_ok=True)
        try:
            waiting: list[Service] = []
            for service in self.planned_services():
                service.log_path = log_dir / f"{service.name}.log"
                self._spawn(service)
                self.services.append(service)
                waiting.append(service)
                if service.name.startswith("rasa-") and service.name != self.rasa_names[-1]:
                    continue  # start the next Rasa server before waiting for this one
                for started in waiting:
                    wait_until_healthy(started, timeout)
                    print(f"[scaled] {started.name} is up ({started.health_url})", file=sys.stderr)
                waiting.clear()
        except BaseException:
            self.stop()
            raise


def postgres(command: str) -> str:
    done = subprocess.run(["bash", str(POSTGRES_SH), command], check=True, capture_output=True, text=True)
    return done.stdout.strip()


def ensure_databases(server_url: str, names: tuple[str, ...]) -> dict[str, str]:
    """Creates the databases that are missing on the server; returns name -> URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            existing = set(connection.execute(text("SELECT datname FROM pg_database")).scalars())
            for name in names:
                if name not in existing:
                    connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    base = make_url(server_url)
    return {name: base.set(database=name).render_as_string(hide_password=False) for name in names}


def with_databases(scaled: ScaledConfig, api_url: str, tracker_url: str) -> ScaledConfig:
    """The config with the API's and the tracker store's databases and the profile's Redis."""
    stack = replace(
        scaled.stack,
        database_url=api_url,
        tracker_store_url=tracker_url,
        lock_store_url=redis_url(scaled),
    )
    return replace(scaled, stack=stack)


@contextmanager
def running_scaled_stack(
    scaled: ScaledConfig, model_path: Path, prepare: bool = True, demo_data: bool = False
) -> Iterator[ScaledStack]:
    """The databases must be in scaled.stack already (with_databases); Redis is started here."""
    scaled.stack.var_dir.mkdir(parents=True, exist_ok=True)
    if prepare:
        prepare_database(scaled.stack, demo_data=demo_data)
    stack = ScaledStack(scaled, model_path)
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


def run_forever(scaled: ScaledConfig) -> int:
    from scripts.train import train

    model_path = train()
    stop_requested = False

    def request_stop(signum: int, _frame: object) -> None:
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    server_url = postgres("start")
    urls = ensure_databases(server_url, (API_DATABASE, TRACKER_DATABASE))
    scaled = with_databases(scaled, urls[API_DATABASE], urls[TRACKER_DATABASE])
    demo_data = os.environ.get("BERUFSLOTSE_DEMO_DATA", "1") not in ("0", "false", "no")
    config = scaled.stack
    try:
        with running_scaled_stack(scaled, model_path, demo_data=demo_data) as stack:
            servers = ", ".join(scaled.rasa_url(index) for index in range(len(scaled.rasa_ports)))
            print(
                "\nBerufslotse (scaled profile) is running.\n"
                f"  REST channel (HAProxy): POST {config.rasa_url}/webhooks/rest/webhook "
                '{"sender": "me", "message": "hallo"}\n'
                f"  Rasa servers:           {servers}\n"
                f"  API and its docs:       {config.api_url}/docs ({scaled.api_workers} workers)\n"
                f"  Action server:          {config.actions_url} ({scaled.action_workers} workers)\n"
                + (f"  Website with the chat:  {config.web_url}/\n" if config.web_port is not None else "")
                + f"  Databases:              {API_DATABASE}, {TRACKER_DATABASE} (PostgreSQL)\n"
                f"  Lock store:             Redis on 127.0.0.1:{scaled.redis_port}\n"
                f"  Logs:                   {config.var_dir / 'log'}\n"
                "A Rasa server may stop: the others carry on. Press Ctrl-C to stop everything.\n",
                file=sys.stderr,
            )
            while not stop_requested:
                dead = stack.first_dead_service()
                if dead is not None and not dead.name.startswith("rasa-"):
                    print(f"[scaled] {dead.name} stopped unexpectedly; see {dead.log_path}", file=sys.stderr)
                    return 1
                if all(
                    service.process is not None and service.process.poll() is not None
                    for service in stack.services
                    if service.name.startswith("rasa-")
                ):
                    print("[scaled] every Rasa server stopped; see their logs", file=sys.stderr)
                    return 1
                time.sleep(0.5)
            print("[scaled] stopping ...", file=sys.stderr)
    except ServiceFailed as error:
        print(f"[scaled] {error}", file=sys.stderr)
        return 1
    print("[scaled] stopped (PostgreSQL keeps running: scripts/services/postgres.sh stop).", file=sys.stderr)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["run", "haproxy-config"])
    args = parser.parse_args()
    scaled = ScaledConfig.from_env()
    if args.command == "haproxy-config":
        print(haproxy_config(scaled), end="")
        return 0
    return run_forever(scaled)


if __name__ == "__main__":
    raise SystemExit(main())
