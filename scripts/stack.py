"""Start and stop the whole Berufslotse stack on one machine.

`python -m scripts.stack run` prepares the database and the model, starts the API, the action
server and Rasa (and the channels that are configured), waits until each answers, prints where
to talk to the bot, and stops everything cleanly on Ctrl-C or when one service dies.

The same `Stack` class starts the real stack for the end-to-end tests and the benchmarks, with
their own ports and data folder.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
RASA_BIN = ROOT / ".venv-rasa" / "bin"


@dataclass(frozen=True)
class StackConfig:
    """Where the stack listens and keeps its data. Defaults are the embedded single-machine setup."""

    host: str = "127.0.0.1"
    api_port: int = 8000
    actions_port: int = 5055
    rasa_port: int = 5005
    web_port: int | None = 8080  # the demo page with the chat widget; None: not started
    var_dir: Path = ROOT / "var"
    database_url: str | None = None  # default: SQLite in var_dir
    tracker_store_url: str | None = None  # default: SQLite in var_dir; postgresql://... to share
    lock_store_url: str | None = None  # default: in-memory; redis://host:port/db for several Rasa servers
    extra_env: dict[str, str] = field(default_factory=dict)
    extra_cors_origins: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, environ: os._Environ[str] | dict[str, str] = os.environ) -> StackConfig:
        def get(name: str) -> str | None:
            return environ.get(f"BERUFSLOTSE_{name}") or None

        return cls(
            host=get("HOST") or cls.host,
            api_port=int(get("API_PORT") or cls.api_port),
            actions_port=int(get("ACTIONS_PORT") or cls.actions_port),
            rasa_port=int(get("RASA_PORT") or cls.rasa_port),
            web_port=int(get("WEB_PORT") or 8080) if get("WEB_PORT") != "off" else None,
            var_dir=Path(get("VAR_DIR") or cls.var_dir),
            database_url=get("DATABASE_URL"),
            tracker_store_url=get("TRACKER_STORE_URL"),
            lock_store_url=get("LOCK_STORE_URL"),
        )

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.api_port}"

    @property
    def actions_url(self) -> str:
        return f"http://{self.host}:{self.actions_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def web_url(self) -> str:
        return f"http://{self.host}:{self.web_port}"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.var_dir / 'berufslotse.db'}"


# Rasa's SQL tracker store that also deletes a conversation at the pupil's request (bot/tracker_store.py).
TRACKER_STORE_TYPE = "bot.tracker_store.ErasableSQLTrackerStore"


def tracker_store_config(url: str | None, var_dir: Path) -> dict[str, object]:
    """Rasa's SQL tracker store: SQLite in var_dir by default, or the database the URL names."""
    if not url:
        return {"type": TRACKER_STORE_TYPE, "dialect": "sqlite", "db": str(var_dir / "rasa-tracker.db")}
    parts = urlsplit(url)
    dialect = parts.scheme.split("+")[0]
    if dialect == "sqlite":
        return {"type": TRACKER_STORE_TYPE, "dialect": "sqlite", "db": parts.path.removeprefix("/")}
    config: dict[str, object] = {
        "type": TRACKER_STORE_TYPE,
        "dialect": dialect,
        "url": parts.hostname or "127.0.0.1",
        "db": parts.path.removeprefix("/"),
        "username": parts.username,
        "password": parts.password,
    }
    if parts.port:
        config["port"] = parts.port
    return config


def lock_store_config(url: str | None) -> dict[str, object]:
    """In-memory locks for one Rasa server; Redis when several servers share the conversations."""
    if not url:
        return {"type": "in_memory"}
    parts = urlsplit(url)
    config: dict[str, object] = {
        # Rasa's Redis lock store with tickets handed out one at a time (bot/lock_store.py)
        "type": "bot.lock_store.SerialRedisLockStore",
        "url": parts.hostname or "127.0.0.1",
        "port": parts.port or 6379,
        "db": int(parts.path.removeprefix("/") or 0),
        "key_prefix": "berufslotse",
    }
    if parts.password:
        config["password"] = parts.password
    return config


# Rasa sends the action server's shared secret with every call (actions/server.py checks it). The
# file names the variable, not the value: Rasa expands it from its environment when it starts.
ACTION_SERVER_TOKEN = "BERUFSLOTSE_ACTION_SERVER_TOKEN"


def write_rasa_endpoints(config: StackConfig) -> Path:
    """Rasa reads its endpoints from a file; it is generated from the stack's settings."""
    endpoints = {
        "action_endpoint": {
            "url": f"{config.actions_url}/webhook",
            "headers": {"Authorization": f"Bearer ${{{ACTION_SERVER_TOKEN}}}"},
        },
        "tracker_store": tracker_store_config(config.tracker_store_url, config.var_dir),
        "lock_store": lock_store_config(config.lock_store_url),
    }
    path = config.var_dir / "endpoints.yml"
    path.write_text(yaml.safe_dump(endpoints, sort_keys=False))
    return path


# Secrets a single-machine install needs; generated once into var/secrets.env (mode 600) and kept,
# so company API keys and pseudonymous sender ids stay valid across restarts. Values already set
# in the environment (or .env) win.
GENERATED_SECRETS = (
    "BERUFSLOTSE_SERVICE_TOKEN",
    "BERUFSLOTSE_API_ADMIN_TOKEN",
    "BERUFSLOTSE_API_KEY_PEPPER",
    "BERUFSLOTSE_ACCOUNT_SECRET",  # signs the CSRF tokens of the web pages
    "BERUFSLOTSE_SIGNAL_SECRET",  # keys the monitoring's contributor hashes
    "BERUFSLOTSE_TELEGRAM_SENDER_ID_SECRET",
    ACTION_SERVER_TOKEN,
    "BERUFSLOTSE_PRIVACY_TOKEN",  # the Telegram bridge's: deleting a conversation, nothing else
    "BERUFSLOTSE_ALERT_TOKEN",  # the Telegram bridge's: claiming alerts of saved searches, nothing else
)


def load_or_create_secrets(var_dir: Path) -> dict[str, str]:
    path = var_dir / "secrets.env"
    secrets_found: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            name, _, value = line.partition("=")
            if name and value:
                secrets_found[name.strip()] = value.strip()
    missing = [name for name in GENERATED_SECRETS if name not in secrets_found]
    if missing:
        for name in missing:
            secrets_found[name] = secrets.token_urlsafe(32)
        path.touch(mode=0o600, exist_ok=True)
        path.write_text("".join(f"{name}={value}\n" for name, value in sorted(secrets_found.items())))
        path.chmod(0o600)
    return secrets_found


@dataclass
class Service:
    name: str
    command: list[str]
    health_url: str | None  # None: up once the process has run for a moment
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None


class ServiceFailed(RuntimeError):
    pass


def wait_until_healthy(service: Service, timeout: float) -> None:
    if service.health_url is None:
        time.sleep(2)
        assert service.process is not None
        if service.process.poll() is not None:
            raise ServiceFailed(
                f"{service.name} exited with code {service.process.returncode}; see {service.log_path}"
            )
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert service.process is not None
        if service.process.poll() is not None:
            raise ServiceFailed(
                f"{service.name} exited with code {service.process.returncode}; see {service.log_path}"
            )
        try:
            with urllib.request.urlopen(service.health_url, timeout=2) as response:
                if response.status < 500:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise ServiceFailed(f"{service.name} did not answer at {service.health_url} within {timeout:.0f} s")


class Stack:
    """The running services, started in order and stopped in reverse order."""

    def __init__(self, config: StackConfig, model_path: Path) -> None:
        self.config = config
        self.model_path = model_path
        self.services: list[Service] = []

    def base_env(self) -> dict[str, str]:
        env = load_or_create_secrets(self.config.var_dir) | dict(os.environ)
        env.update(
            {
                "BERUFSLOTSE_DATABASE_URL": self.config.effective_database_url,
                # the API deletes a pupil's conversation from Rasa's tracker store on request
                "BERUFSLOTSE_TRACKER_STORE_URL": self.config.tracker_store_url
                or f"sqlite:///{self.config.var_dir / 'rasa-tracker.db'}",
                "BERUFSLOTSE_API_URL": self.config.api_url,
                "BERUFSLOTSE_HOST": self.config.host,
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.config.extra_env)
        return env

    def planned_services(self) -> list[Service]:
        endpoints = write_rasa_endpoints(self.config)
        return [
            self.api_service(),
            self.actions_service(),
            self.rasa_service("rasa", self.config.rasa_port, endpoints),
            *self.channel_services(),
        ]

    def api_service(self, workers: int = 1) -> Service:
        config = self.config
        return Service(
            name="api",
            command=[
                str(VENV_BIN / "uvicorn"),
                "api.main:create_app",
                "--factory",
                "--host",
                config.host,
                "--port",
                str(config.api_port),
                "--no-access-log",
                *(["--workers", str(workers)] if workers > 1 else []),
            ],
            health_url=f"{config.api_url}/healthz",
        )

    def actions_service(self, workers: int = 1) -> Service:
        config = self.config
        env = {"SANIC_HOST": config.host}
        if workers > 1:
            env["ACTION_SERVER_SANIC_WORKERS"] = str(workers)  # rasa_sdk's setting
        return Service(
            name="actions",
            command=[
                str(VENV_BIN / "python"),
                "-m",
                "actions.server",  # rasa_sdk's server that answers only Rasa
                "--actions",
                "actions",
                "--port",
                str(config.actions_port),
            ],
            health_url=f"{config.actions_url}/health",
            env=env,
        )

    def rasa_service(self, name: str, port: int, endpoints: Path) -> Service:
        config = self.config
        return Service(
            name=name,
            command=[
                str(RASA_BIN / "rasa"),
                "run",
                "--model",
                str(self.model_path),
                "--endpoints",
                str(endpoints),
                "--credentials",
                "bot/credentials.yml",
                "--interface",
                config.host,
                "--port",
                str(port),
                "--cors",
                *self.cors_origins(),
            ],
            health_url=f"http://{config.host}:{port}/webhooks/rest/",
            env={"TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"},
        )

    def channel_services(self) -> list[Service]:
        """The web demo page (unless switched off) and Telegram (when a bot token is configured)."""
        config = self.config
        channels: list[Service] = []
        if config.web_port is not None:
            channels.append(
                Service(
                    name="web",
                    command=[
                        str(VENV_BIN / "python"),
                        "-m",
                        "bot.channels.web.serve",
                        "--host",
                        config.host,
                        "--port",
                        str(config.web_port),
                        "--rasa-url",
                        config.rasa_url,
                        "--image-origin",
                        config.api_url,
                    ],
                    health_url=f"{config.web_url}/",
                )
            )
        if os.environ.get("BERUFSLOTSE_TELEGRAM_TOKEN"):
            channels.append(
                Service(
                    name="telegram",
                    command=[str(VENV_BIN / "python"), "-m", "bot.channels.telegram"],
                    health_url=None,
                    env={
                        "BERUFSLOTSE_TELEGRAM_RASA_URL": config.rasa_url,
                        "BERUFSLOTSE_TELEGRAM_API_URL": config.api_url,
                        # /daten_loeschen calls the API's privacy endpoint with a token that can
                        # only delete; the service token (reads and creates records) stays with the actions
                        "BERUFSLOTSE_TELEGRAM_API_TOKEN": self.base_env()["BERUFSLOTSE_PRIVACY_TOKEN"],
                        "BERUFSLOTSE_TELEGRAM_ALERT_TOKEN": self.base_env()["BERUFSLOTSE_ALERT_TOKEN"],
                    },
                )
            )
        return channels

    def cors_origins(self) -> list[str]:
        """Web origins allowed to talk to Rasa: the settings' list plus the stack's own demo page."""
        configured = os.environ.get("BERUFSLOTSE_CORS_ORIGINS", "http://127.0.0.1:8080,http://localhost:8080")
        origins = [origin.strip() for origin in configured.split(",") if origin.strip()]
        origins.extend(self.config.extra_cors_origins)
        if self.config.web_port is not None:
            origins.append(self.config.web_url)
        return list(dict.fromkeys(origins))

    def start(self, timeout: float = 180.0) -> None:
        log_dir = self.config.var_dir / "log"
        log_dir.mkdir(parents=True, exist_ok=True)
        try:
            for service in self.planned_services():
                service.log_path = log_dir / f"{service.name}.log"
                self._spawn(service)
                self.services.append(service)
                wait_until_healthy(service, timeout)
                print(f"[stack] {service.name} is up ({service.health_url})", file=sys.stderr)
        except BaseException:
            self.stop()
            raise

    def _spawn(self, service: Service) -> None:
        assert service.log_path is not None
        env = self.base_env() | service.env
        with open(service.log_path, "ab") as log:
            service.process = subprocess.Popen(
                service.command,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def restart(self, name: str, timeout: float = 180.0, grace: float = 10.0) -> None:
        """Stop one service and start it again with the same command while the others keep
        running (the e2e tests restart Rasa: conversations must survive in the tracker store)."""
        self.stop_service(name, grace)
        self.start_service(name, timeout)

    def stop_service(self, name: str, grace: float = 10.0) -> None:
        """Stop one service, the others keep running (the e2e tests take Rasa away for a while)."""
        process = self._service(name).process
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def start_service(self, name: str, timeout: float = 180.0) -> None:
        """Start a stopped service again with the same command, and wait until it is healthy."""
        service = self._service(name)
        self._spawn(service)
        wait_until_healthy(service, timeout)
        print(f"[stack] {service.name} is up again ({service.health_url})", file=sys.stderr)

    def _service(self, name: str) -> Service:
        return next(service for service in self.services if service.name == name)

    def stop(self, grace: float = 10.0) -> None:
        for service in reversed(self.services):
            process = service.process
            if process is None or process.poll() is not None:
                continue
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for service in reversed(self.services):
            process = service.process
            if process is None:
                continue
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.services.clear()

    def first_dead_service(self) -> Service | None:
        for service in self.services:
            if service.process is not None and service.process.poll() is not None:
                return service
        return None


def prepare_database(config: StackConfig, demo_data: bool = False) -> None:
    """Migrate, load the knowledge base and, on the first start, the region's demo offers."""
    env = dict(os.environ, BERUFSLOTSE_DATABASE_URL=config.effective_database_url)
    steps = [["migrate"], ["load-knowledge"]]
    if demo_data:
        steps.append(["seed-demo", "--if-empty"])
        steps.append(["seed-demo-signals", "--if-empty"])  # the district dashboard's demo population
    for step in steps:
        subprocess.run([str(VENV_BIN / "python"), "-m", "api.cli", *step], cwd=ROOT, env=env, check=True)


@contextmanager
def running_stack(
    config: StackConfig,
    model_path: Path,
    prepare: bool = True,
    demo_data: bool = False,
    timeout: float = 180.0,
) -> Iterator[Stack]:
    config.var_dir.mkdir(parents=True, exist_ok=True)
    if prepare:
        prepare_database(config, demo_data=demo_data)
    stack = Stack(config, model_path)
    stack.start(timeout=timeout)
    try:
        yield stack
    finally:
        stack.stop()


def run_forever(config: StackConfig) -> int:
    from scripts.train import train

    model_path = train()
    stop_requested = False

    def request_stop(signum: int, _frame: object) -> None:
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    # Demo offers are loaded on the first start unless BERUFSLOTSE_DEMO_DATA=0.
    demo_data = os.environ.get("BERUFSLOTSE_DEMO_DATA", "1") not in ("0", "false", "no")
    with running_stack(config, model_path, demo_data=demo_data) as stack:
        print(
            "\nBerufslotse is running.\n"
            f"  Chat in the terminal:   make shell\n"
            f"  REST channel:           POST {config.rasa_url}/webhooks/rest/webhook "
            '{"sender": "me", "message": "hallo"}\n'
            f"  API and its docs:       {config.api_url}/docs\n"
            + (f"  Website with the chat:  {config.web_url}/\n" if config.web_port is not None else "")
            + ("  Telegram bridge:        running\n" if os.environ.get("BERUFSLOTSE_TELEGRAM_TOKEN") else "")
            + f"  Logs:                   {config.var_dir / 'log'}\n"
            "Press Ctrl-C to stop everything.\n",
            file=sys.stderr,
        )
        while not stop_requested:
            dead = stack.first_dead_service()
            if dead is not None:
                print(f"[stack] {dead.name} stopped unexpectedly; see {dead.log_path}", file=sys.stderr)
                return 1
            time.sleep(0.5)
        print("[stack] stopping ...", file=sys.stderr)
    print("[stack] stopped.", file=sys.stderr)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["run", "endpoints"])
    args = parser.parse_args()
    config = StackConfig.from_env()
    if args.command == "endpoints":
        config.var_dir.mkdir(parents=True, exist_ok=True)
        print(write_rasa_endpoints(config))
        return 0
    return run_forever(config)


if __name__ == "__main__":
    raise SystemExit(main())
