"""The action server: rasa_sdk's Sanic app that answers only Rasa.

The actions hold the API's service token: with it they read, create and delete a pupil's contact
requests and check results. So a caller must prove it is our Rasa: every call except `/health`
carries `Authorization: Bearer <BERUFSLOTSE_ACTION_SERVER_TOKEN>`, which Rasa sends from the
`headers` of its action endpoint (endpoints.yml, written by scripts/stack.py). A call without it
gets 401 and never reaches an action. The server refuses to start without a token.

Start it like `python -m rasa_sdk`, with the same arguments:
`python -m actions.server --actions actions --port 5055` (scripts/stack.py does).
Errors are logged by type and stack frames, never with the request body (it holds the tracker:
the pupil's messages, sender id and metadata).

For the benchmark only (BERUFSLOTSE_STAGE_TIMINGS set, bot/stage_timing.py): each action's time in
this server and the time of the API calls it made are written per call; off by default.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import sys
import traceback
from functools import partial
from typing import Any

from rasa_sdk import utils
from rasa_sdk.constants import (
    APPLICATION_ROOT_LOGGER_NAME,
    DEFAULT_ENDPOINTS_PATH,
    DEFAULT_KEEP_ALIVE_TIMEOUT,
)
from rasa_sdk.endpoint import create_app_for_serve, create_argument_parser
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.worker.loader import AppLoader

from actions.api_client import api_call_timer
from actions.classes import record_class_activity
from bot.stage_timing import recorder_for

logger = logging.getLogger(__name__)

TOKEN_VARIABLE = "BERUFSLOTSE_ACTION_SERVER_TOKEN"
MIN_TOKEN_CHARS = 16
# Health checks (scripts/stack.py, a load balancer) need no secret and learn nothing.
OPEN_PATHS = frozenset({"/health"})
# rasa_sdk's answer to a call without the domain whose digest it does not know (before any action runs)
MISSING_DOMAIN_STATUS = 449


class MissingTokenError(RuntimeError):
    pass


class ClassAwareExecutor(ActionExecutor):
    """rasa_sdk's executor that, after an action ran for a pupil in a class, counts its topic for
    the class overview (actions/classes.py). The count runs beside the answer, never before it."""

    def __init__(self) -> None:
        super().__init__()
        self._counting: set[asyncio.Task[None]] = set()

    async def run(self, action_call: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        name = action_call.get("next_action")
        recorder = recorder_for("actions")  # None unless the bench measures stages
        lacks_domain = action_call.get("domain") is None and not self.is_domain_digest_valid(
            action_call.get("domain_digest")
        )
        if recorder is None or lacks_domain:  # (answered 449 before any action runs: not timed)
            result = await super().run(action_call, *args, **kwargs)
        else:
            with api_call_timer() as api_calls, recorder.timing(f"action:{name}") as numbers:
                result = await super().run(action_call, *args, **kwargs)
                numbers["api_ms"] = round(sum(api_calls), 3)
                numbers["api_calls"] = len(api_calls)
        tracker = action_call.get("tracker")
        if (
            isinstance(tracker, dict)
            and isinstance(name, str)
            and (tracker.get("slots") or {}).get("class_code")
        ):
            task = asyncio.create_task(record_class_activity(name, tracker))
            self._counting.add(task)
            task.add_done_callback(self._counting.discard)
        return result


def token_from_environment(environ: dict[str, str] | os._Environ[str] = os.environ) -> str:
    token = environ.get(TOKEN_VARIABLE, "")
    if len(token) < MIN_TOKEN_CHARS:
        raise MissingTokenError(
            f"{TOKEN_VARIABLE} is not set (or shorter than {MIN_TOKEN_CHARS} characters); "
            "`make run` generates it into var/secrets.env and gives Rasa the same value"
        )
    return token


def install_guard(app: Sanic, token: str) -> None:
    """Refuse every call without the shared secret; log errors without the request's content."""
    expected = f"Bearer {token}".encode()

    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        given = request.headers.get("authorization", "").encode()
        if hmac.compare_digest(given, expected):
            return None
        logger.warning(
            "Refused a call to %s %s without the action server's token", request.method, request.path
        )
        return response.json({"error": "unauthorized"}, status=401, headers={"WWW-Authenticate": "Bearer"})

    async def answer_error(request: Request, error: Exception) -> HTTPResponse:
        frames = "".join(traceback.format_tb(error.__traceback__))
        logger.error(
            "Handling %s %s failed: %s\n%s", request.method, request.path, type(error).__name__, frames
        )
        status = getattr(error, "status_code", 500)
        # 449 is rasa_sdk's "send the domain", which Rasa answers by calling again (bot/rasa_patches.py):
        # never for an action that has run and failed
        usable = 400 <= status < 600 and status != MISSING_DOMAIN_STATUS
        return response.json({"error": type(error).__name__}, status=status if usable else 500)

    app.register_middleware(require_token, "request")
    # replaces rasa_sdk's handler, which answers with the request body (Sanic refuses a second `add`)
    app.error_handler.cached_handlers[(Exception, None)] = answer_error


def create_guarded_app(
    action_executor: ActionExecutor,
    token: str,
    auto_reload: bool = False,
    endpoints: str = DEFAULT_ENDPOINTS_PATH,
    keep_alive_timeout: int = DEFAULT_KEEP_ALIVE_TIMEOUT,
) -> Sanic:
    """rasa_sdk's app (module level, so Sanic's worker processes can build it again) with the guard.
    No CORS: no browser has any business calling the action server."""
    app = create_app_for_serve(
        action_executor,
        cors_origins=None,
        auto_reload=auto_reload,
        endpoints=endpoints,
        keep_alive_timeout=keep_alive_timeout,
    )
    install_guard(app, token)
    return app


def serve(args: Any, token: str) -> None:
    """rasa_sdk.endpoint.run, with the guarded app."""
    executor = ClassAwareExecutor()
    executor.register_package(args.actions_module or args.actions)
    loader = AppLoader(
        factory=partial(
            create_guarded_app,
            executor,
            token,
            auto_reload=args.auto_reload,
            endpoints=args.endpoints,
        )
    )
    app = loader.load()
    ssl = {"cert": args.ssl_certificate, "key": args.ssl_keyfile} if args.ssl_certificate else None
    host = os.environ.get("SANIC_HOST", "127.0.0.1")
    logger.info("Action server listening on %s:%s (calls need the shared token)", host, args.port)
    app.prepare(host=host, port=args.port, ssl=ssl, workers=utils.number_of_sanic_workers())
    Sanic.serve(primary=app, app_loader=loader)


def main(argv: list[str] | None = None) -> int:
    args = create_argument_parser().parse_args(argv)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME),
        args.log_file,
        args.loglevel,
        args.logging_config_file,
    )
    utils.update_sanic_log_level()
    try:
        token = token_from_environment()
    except MissingTokenError as error:
        print(f"actions.server: {error}", file=sys.stderr)
        return 2
    serve(args, token)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
