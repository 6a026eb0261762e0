"""Settings: defaults, parsing, and refusing default secrets outside development."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from api.core.config import DEFAULT_ADMIN_TOKEN, REPO_ROOT, Environment, Settings


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_development_accepts_the_default_token() -> None:
    assert settings(environment="development").api_admin_token.get_secret_value() == DEFAULT_ADMIN_TOKEN


@pytest.mark.parametrize("environment", [Environment.TEST, Environment.PRODUCTION])
def test_other_environments_refuse_the_default_token(environment: Environment) -> None:
    with pytest.raises(ValidationError, match="API_ADMIN_TOKEN"):
        settings(environment=environment, api_admin_token=SecretStr(DEFAULT_ADMIN_TOKEN))
    secrets = {
        "service_token": SecretStr("s3rvice"),
        "api_key_pepper": SecretStr("pepp3r"),
        "account_secret": SecretStr("acc0unts"),
        "signal_secret": SecretStr("s1gnals"),
    }
    accepted = settings(environment=environment, api_admin_token=SecretStr("s3cret"), **secrets)
    assert accepted.environment is environment


def test_cors_origins_accept_a_comma_separated_string_or_json() -> None:
    assert settings(cors_origins="http://a.test, http://b.test").cors_origins == [
        "http://a.test",
        "http://b.test",
    ]
    assert settings(cors_origins='["http://a.test"]').cors_origins == ["http://a.test"]


def test_the_token_never_shows_in_the_representation() -> None:
    assert "s3cret" not in repr(settings(api_admin_token=SecretStr("s3cret")))


def test_defaults() -> None:
    values = settings(database_url="sqlite://", port=8000)
    assert values.host == "127.0.0.1" and values.port == 8000
    assert Settings.model_fields["database_url"].default_factory is not None
    default_url = Settings.model_fields["database_url"].default_factory()  # type: ignore[call-arg]
    assert default_url == f"sqlite:///{REPO_ROOT / 'var' / 'berufslotse.db'}"


def test_importing_the_app_module_reads_no_settings_and_builds_no_engine() -> None:
    code = (
        "import api.main, api.core.config as config, api.core.db as db\n"
        "assert config.get_settings.cache_info().currsize == 0\n"
        "assert db.engine_for.cache_info().currsize == 0\n"
        "from fastapi import FastAPI\n"
        "assert isinstance(api.main.app, FastAPI) and api.main.app is api.main.app\n"
    )
    # A clean environment for the child, so that a developer's BERUFSLOTSE_* settings cannot interfere.
    env = {name: value for name, value in os.environ.items() if not name.startswith("BERUFSLOTSE_")}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
