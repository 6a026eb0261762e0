"""Factories for tiny profile sets, and the real knowledge base loaded once per session."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.loader import load_municipalities, load_professions
from knowledge.matching import MunicipalityMatcher, OccupationMatcher
from knowledge.schema import Municipality, Profession


@pytest.fixture
def write_profiles(tmp_path: Path) -> Callable[..., Path]:
    """Write profiles as `<slug>.yaml` into a fresh directory and return it."""

    def write(profiles: Iterable[dict[str, Any]], directory: Path | None = None) -> Path:
        target = directory or tmp_path / "professions"
        target.mkdir(parents=True, exist_ok=True)
        for data in profiles:
            text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
            (target / f"{data['slug']}.yaml").write_text(text, encoding="utf-8")
        return target

    return write


@pytest.fixture(scope="session")
def real_professions() -> list[Profession]:
    return load_professions(allow_todo=True)


@pytest.fixture(scope="session")
def real_matcher(real_professions: list[Profession]) -> OccupationMatcher:
    return OccupationMatcher.from_professions(real_professions)


@pytest.fixture(scope="session")
def municipalities() -> list[Municipality]:
    return load_municipalities()


@pytest.fixture(scope="session")
def place_matcher(municipalities: list[Municipality]) -> MunicipalityMatcher:
    return MunicipalityMatcher.from_municipalities(municipalities)
