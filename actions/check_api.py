"""Typed async client for the career-choice check's endpoints (items, scoring, matches, chart text,
saved results, municipalities).

It extends `BerufslotseApi` and shares its conventions (docs/contracts.md): every failure the pupil
should not see as a crash becomes `ApiUnavailableError`. The saved-result endpoints need the action
server's service token, sent as `Authorization: Bearer`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar
from urllib.parse import quote, urlencode

import httpx

from actions.api_client import DEFAULT_SERVICE_TOKEN as DEFAULT_SERVICE_TOKEN
from actions.api_client import PUBLIC_API_URL_ENV as PUBLIC_API_URL_ENV
from actions.api_client import SERVICE_TOKEN_ENV as SERVICE_TOKEN_ENV
from actions.api_client import (
    ApiSettings,
    ApiUnavailableError,
    BerufslotseApi,
    LocalizedText,
    shared_http_client,
)

RIASEC: tuple[str, ...] = ("R", "I", "A", "S", "E", "C")
Variant = Literal["quick", "full"]
# Scores 0..100 per type; None for a type without any answered item.
Scores = Mapping[str, float | None]


@dataclass(frozen=True)
class CheckItem:
    id: str
    type: str
    position: int
    text: LocalizedText


@dataclass(frozen=True)
class AnswerOption:
    value: int
    button: LocalizedText


@dataclass(frozen=True)
class CheckItems:
    """The items of one variant in the order they are asked, and the five answers."""

    variant: str
    items: tuple[CheckItem, ...]
    scale: tuple[AnswerOption, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)


@dataclass(frozen=True)
class InterestType:
    code: str
    score: float
    emoji: str
    name: LocalizedText
    explanation: LocalizedText


@dataclass(frozen=True)
class CheckScore:
    """Scores of a check and its (at most three) strongest types, strongest first."""

    scores: Mapping[str, float | None]
    top_types: tuple[InterestType, ...]


@dataclass(frozen=True)
class SavedResult(CheckScore):
    variant: str = "quick"
    certificate: str | None = None
    municipality: str | None = None
    answers: Mapping[str, int | None] | None = None
    radius_km: int | None = None
    looking_for: str | None = None


@dataclass(frozen=True)
class ChartBar:
    """One bar of the result chart as the API draws it (strongest first)."""

    label: str
    score: float | None
    highlighted: bool


@dataclass(frozen=True)
class ChartDescription:
    """The chart's text alternative and its bars, for channels that draw the chart themselves."""

    alt: str
    bars: tuple[ChartBar, ...] = ()


def parse_chart_description(raw: Any) -> ChartDescription:
    bars = tuple(
        ChartBar(
            label=str(bar["label"]),
            score=None if bar["score"] is None else float(bar["score"]),
            highlighted=bool(bar["highlighted"]),
        )
        for bar in raw.get("bars") or ()
    )
    return ChartDescription(alt=str(raw["alt"]), bars=bars)


@dataclass(frozen=True)
class MatchQuery:
    """What the check knows about the pupil for matching: the answers (evidence and reasons),
    the certificate, and where and what the pupil looks for (offers nearby)."""

    answers: Mapping[str, int | None]
    certificate: str | None = None
    municipality: str | None = None  # a municipality slug
    radius_km: int | None = None
    looking_for: str | None = None
    # Only for an older saved result without answers.
    scores: Mapping[str, float | None] | None = None

    def body(self, limit: int, offset: int) -> dict[str, Any]:
        return {
            "answers": dict(self.answers) if self.answers or self.scores is None else None,
            "scores": {code: self.scores.get(code) for code in RIASEC} if self.scores is not None else None,
            "certificate": self.certificate,
            "municipality": self.municipality,
            "radius_km": self.radius_km,
            "looking_for": self.looking_for,
            "limit": limit,
            "offset": offset,
        }


@dataclass(frozen=True)
class Match:
    slug: str
    name: str
    name_en: str
    fit: float
    reason: LocalizedText | None
    needs_higher_certificate: bool
    places_nearby: int | None = None

    def display_name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


@dataclass(frozen=True)
class Nearby:
    radius_km: int
    looking_for: str | None


@dataclass(frozen=True)
class MatchPage:
    items: tuple[Match, ...]
    total: int
    higher_certificate_paths: tuple[Match, ...] = ()
    nearby: Nearby | None = None


@dataclass(frozen=True)
class Municipality:
    slug: str
    name: str
    kind: str
    samtgemeinde: str | None
    postcodes: tuple[str, ...]


# --- parsing ----------------------------------------------------------------------------------


def _localized(raw: Any) -> LocalizedText:
    return LocalizedText(de=str(raw["de"]), en=str(raw.get("en") or ""))


def _scores(raw: Any) -> dict[str, float | None]:
    return {code: None if raw.get(code) is None else float(raw[code]) for code in RIASEC}


def _top_types(raw: Any) -> tuple[InterestType, ...]:
    return tuple(
        InterestType(
            code=str(entry["code"]),
            score=float(entry["score"]),
            emoji=str(entry.get("emoji") or ""),
            name=_localized(entry["name"]),
            explanation=_localized(entry["explanation"]),
        )
        for entry in raw
    )


def parse_check_items(raw: Mapping[str, Any]) -> CheckItems:
    return CheckItems(
        variant=str(raw["variant"]),
        items=tuple(
            CheckItem(
                id=str(item["id"]),
                type=str(item["type"]),
                position=int(item["position"]),
                text=_localized(item["text"]),
            )
            for item in sorted(raw["items"], key=lambda item: int(item["position"]))
        ),
        scale=tuple(
            AnswerOption(value=int(option["value"]), button=_localized(option["button"]))
            for option in raw["scale"]
        ),
    )


def parse_score(raw: Mapping[str, Any]) -> CheckScore:
    return CheckScore(scores=_scores(raw["scores"]), top_types=_top_types(raw["top_types"]))


def parse_saved_result(raw: Mapping[str, Any]) -> SavedResult:
    return SavedResult(
        scores=_scores(raw["scores"]),
        top_types=_top_types(raw["top_types"]),
        variant=str(raw["variant"]),
        certificate=raw.get("certificate"),
        municipality=raw.get("municipality"),
        answers=_answers(raw.get("answers")),
        radius_km=None if raw.get("radius_km") is None else int(raw["radius_km"]),
        looking_for=raw.get("looking_for"),
    )


def _answers(raw: Any) -> dict[str, int | None] | None:
    if raw is None:
        return None
    return {str(item): None if value is None else int(value) for item, value in raw.items()}


def _match(item: Mapping[str, Any]) -> Match:
    places = item.get("places_nearby")
    return Match(
        slug=str(item["slug"]),
        name=str(item["name"]),
        name_en=str(item.get("name_en") or ""),
        fit=float(item["fit"]),
        reason=_localized(item["reason"]) if item.get("reason") else None,
        needs_higher_certificate=bool(item["needs_higher_certificate"]),
        places_nearby=None if places is None else int(places),
    )


def parse_match_page(raw: Mapping[str, Any]) -> MatchPage:
    nearby = raw.get("nearby")
    return MatchPage(
        items=tuple(_match(item) for item in raw["items"]),
        total=int(raw["total"]),
        higher_certificate_paths=tuple(_match(item) for item in raw.get("higher_certificate_paths") or ()),
        nearby=(
            Nearby(radius_km=int(nearby["radius_km"]), looking_for=nearby.get("looking_for"))
            if nearby
            else None
        ),
    )


def parse_municipality(raw: Mapping[str, Any]) -> Municipality:
    return Municipality(
        slug=str(raw["slug"]),
        name=str(raw["name"]),
        kind=str(raw["kind"]),
        samtgemeinde=raw.get("samtgemeinde"),
        postcodes=tuple(str(code) for code in raw.get("postcodes") or ()),
    )


def score_params(scores: Scores) -> list[tuple[str, str]]:
    """The scores as query parameters R=..&I=.. (a type without a score is left out)."""
    return [(code, f"{scores[code]:g}") for code in RIASEC if scores.get(code) is not None]


def chart_url(scores: Scores, language: str, base_url: str | None = None) -> str:
    """Public address of the PNG chart of these scores, in the pupil's language."""
    base = (base_url or public_api_url()).rstrip("/")
    query = urlencode([*score_params(scores), ("lang", language)])
    return f"{base}/api/v1/charts/riasec.png?{query}"


_PAYLOAD_ERRORS = (KeyError, TypeError, ValueError, AttributeError)
_T = TypeVar("_T")


class CheckApi(BerufslotseApi):
    """The check's calls. Wraps one `httpx.AsyncClient`, which it does not own."""

    async def check_items(self, variant: str) -> CheckItems:
        payload = await self._call("GET", "/api/v1/check/items", params={"variant": variant})
        return self._parsed(parse_check_items, payload, "items")

    async def score(self, answers: Mapping[str, int | None]) -> CheckScore:
        payload = await self._call("POST", "/api/v1/check/score", json={"answers": dict(answers)})
        return self._parsed(parse_score, payload, "score")

    async def matches(self, query: MatchQuery, *, limit: int, offset: int = 0) -> MatchPage:
        """The occupations for the pupil's answers, in the order the chat shows them."""
        payload = await self._call("POST", "/api/v1/check/matches", json=query.body(limit, offset))
        return self._parsed(parse_match_page, payload, "matches")

    async def chart_text(self, scores: Scores, language: str) -> str:
        """The chart's text alternative ("Praktisch: 80; Forschend: 45; ...") in the pupil's language."""
        return (await self.chart_description(scores, language)).alt

    async def chart_description(self, scores: Scores, language: str) -> ChartDescription:
        """The chart's text alternative and its bars, in the pupil's language."""
        params = (*score_params(scores), ("lang", language))
        payload = await self._call("GET", "/api/v1/charts/riasec.json", params=params)
        return self._parsed(parse_chart_description, payload, "chart text")

    async def save_result(
        self,
        pupil_ref: str,
        variant: str,
        scores: Scores,
        certificate: str | None,
        municipality: str | None,
        *,
        answers: Mapping[str, int | None] | None = None,
        radius_km: int | None = None,
        looking_for: str | None = None,
    ) -> SavedResult:
        body = {
            "pupil_ref": pupil_ref,
            "variant": variant,
            "scores": {code: scores.get(code) for code in RIASEC},
            "certificate": certificate,
            "municipality": municipality,
            "answers": dict(answers) if answers is not None else None,
            "radius_km": radius_km,
            "looking_for": looking_for,
        }
        payload = await self._call("POST", "/api/v1/check/results", json=body, service=True)
        return self._parsed(parse_saved_result, payload, "saved result")

    async def saved_result(self, pupil_ref: str) -> SavedResult | None:
        """The pupil's saved result, or None when there is none."""
        payload = await self._call(
            "GET", "/api/v1/check/results", params={"pupil_ref": pupil_ref}, service=True, missing_ok=True
        )
        if payload is None:
            return None
        return self._parsed(parse_saved_result, payload, "saved result")

    async def delete_result(self, pupil_ref: str) -> int:
        """Delete the pupil's saved result; returns how many records went (0 when there was none)."""
        payload = await self._call(
            "DELETE", "/api/v1/check/results", params={"pupil_ref": pupil_ref}, service=True
        )
        return self._parsed(lambda raw: int(raw["deleted"]), payload, "deletion")

    async def delete_conversation(self, pupil_ref: str) -> None:
        """Delete everything the API holds about this conversation (check result, contact requests).
        Lives here because it needs the same service token as the check's results."""
        path = f"/api/v1/privacy/conversations/{quote(pupil_ref, safe='')}"
        # errors name the route, not the path: the pupil's pseudonym stays out of the logs
        await self._call("DELETE", path, service=True, shown_as="/api/v1/privacy/conversations/{pupil_ref}")

    async def municipalities(self) -> list[Municipality]:
        payload = await self._call("GET", "/api/v1/municipalities")
        return self._parsed(lambda raw: [parse_municipality(entry) for entry in raw], payload, "places")

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | tuple[tuple[str, str], ...] | None = None,
        json: Any = None,
        service: bool = False,
        missing_ok: bool = False,
        shown_as: str | None = None,
    ) -> Any:
        response = await self._send(
            method, path, params=params, json=json, service=service, shown_as=shown_as
        )
        if missing_ok and response.status_code == httpx.codes.NOT_FOUND:
            return None
        return self._json(response, shown_as)

    @staticmethod
    def _parsed(parse: Callable[[Any], _T], payload: Any, what: str) -> _T:
        try:
            return parse(payload)
        except _PAYLOAD_ERRORS as error:
            raise ApiUnavailableError(f"unexpected {what} payload: {error!r}") from error


def service_token_from_env() -> str:
    return ApiSettings.from_env().service_token


def public_api_url() -> str:
    """The API as the pupil's device reaches it; on one machine the same as the actions' API URL."""
    return ApiSettings.from_env().public_url


_shared_check_api: CheckApi | None = None


def get_check_api() -> CheckApi:
    """The action server's check client, on the shared connection pool (created on first use)."""
    global _shared_check_api
    if _shared_check_api is None:
        _shared_check_api = CheckApi(shared_http_client())
    return _shared_check_api
