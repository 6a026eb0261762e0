"""Typed async client for the parts of the Berufslotse API that the actions use.

The contract lives in docs/contracts.md. Every failure the pupil should not see as a crash (network
errors, timeouts, server errors, payloads that do not match the contract) becomes
`ApiUnavailableError`; an unknown slug becomes `ProfessionNotFoundError`.

This is the actions' one API client: one settings object (`ApiSettings`), one transport (the
`httpx.AsyncClient` of `shared_http_client`), and one request method (`BerufslotseApi._send`) with
one retry rule and one error rule. The check (actions/check_api.py) and the exchange
(actions/offers_api.py) add their calls on top of `BerufslotseApi` and send through `_send`.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal, cast

import httpx

Language = Literal["de", "en"]
LANGUAGES: tuple[Language, ...] = ("de", "en")

API_URL_ENV = "BERUFSLOTSE_API_URL"
DEFAULT_API_URL = "http://127.0.0.1:8000"
# The internal service token for the check's results and the contact requests, shared with the API
# through the environment; the API's development default (api/core/config.py) otherwise.
SERVICE_TOKEN_ENV = "BERUFSLOTSE_SERVICE_TOKEN"
DEFAULT_SERVICE_TOKEN = "change-me-service"
# The conversation a lookup or search is made for, so that the district's monitoring can count
# distinct pupils (the API keeps only a keyed hash of it; sent with the service token only).
PUPIL_HEADER = "X-Berufslotse-Pupil"
# Where the pupil's device fetches the chart; the channels reach the API under this address.
PUBLIC_API_URL_ENV = "BERUFSLOTSE_PUBLIC_API_URL"
# A kept-alive connection the server has closed fails at once; these requests are safe to send again.
IDEMPOTENT_METHODS = frozenset({"GET", "DELETE"})
# The pupil is waiting in a chat: fail fast and answer "try again later" rather than hang.
DEFAULT_TIMEOUT = httpx.Timeout(5.0, connect=2.0)

# The benchmark's stage timings (actions/server.py): durations of the API calls of the running
# action, in ms; None (the default) when nobody measures.
_api_call_ms: ContextVar[list[float] | None] = ContextVar("berufslotse_api_call_ms", default=None)


@contextmanager
def api_call_timer() -> Iterator[list[float]]:
    """Collects the duration of every API request sent inside the block (in this task)."""
    durations: list[float] = []
    token = _api_call_ms.set(durations)
    try:
        yield durations
    finally:
        _api_call_ms.reset(token)


_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class ApiError(Exception):
    """Base class of everything the client raises."""


class ApiUnavailableError(ApiError):
    """The API could not be reached or answered with something we cannot use."""


class ProfessionNotFoundError(ApiError):
    """No occupation with this slug exists."""

    def __init__(self, slug: str) -> None:
        super().__init__(f"unknown profession slug {slug!r}")
        self.slug = slug


def is_valid_slug(value: object) -> bool:
    """Slugs reach us from buttons the pupil could edit; only well-formed ones go into a URL path."""
    return isinstance(value, str) and len(value) <= 120 and _SLUG.fullmatch(value) is not None


@dataclass(frozen=True)
class LocalizedText:
    de: str
    en: str

    def in_language(self, language: Language) -> str:
        text = self.en if language == "en" else self.de
        return text or self.de


@dataclass(frozen=True)
class ProfessionSummary:
    slug: str
    name: str
    name_en: str
    training_type: str
    duration_months: int
    score: float | None = None
    riasec: str = ""  # Holland interest code, strongest type first ("RCA")

    def display_name(self, language: Language) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


@dataclass(frozen=True)
class ProfessionText:
    description: str
    tasks: tuple[str, ...]
    workplaces: tuple[str, ...]


@dataclass(frozen=True)
class Certificate:
    code: str
    label: LocalizedText


@dataclass(frozen=True)
class MinimumPay:
    training_year: int
    eur: int


@dataclass(frozen=True)
class AgreedPay:
    year: int
    eur_per_month: int
    scope: str
    source_url: str = ""


@dataclass(frozen=True)
class Pay:
    legal_minimum: bool
    start_year: int | None
    minimum: tuple[MinimumPay, ...]
    agreed: tuple[AgreedPay, ...]
    note: LocalizedText | None


@dataclass(frozen=True)
class RelatedProfession:
    slug: str
    name: str
    name_en: str

    def display_name(self, language: Language) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


@dataclass(frozen=True)
class ProfessionDetail:
    summary: ProfessionSummary
    text: Mapping[Language, ProfessionText]
    subjects: tuple[LocalizedText, ...]
    certificate_typical: Certificate
    certificate_required: Certificate
    training_type_label: LocalizedText
    pay: Pay
    related: tuple[RelatedProfession, ...]

    @property
    def slug(self) -> str:
        return self.summary.slug

    def display_name(self, language: Language) -> str:
        return self.summary.display_name(language)

    def text_in(self, language: Language) -> ProfessionText:
        return self.text.get(language) or self.text["de"]


@dataclass(frozen=True)
class PayRank:
    """What an occupation pays as far as we know (the API's `pay` with `sort=pay`)."""

    basis: str  # agreed | minimum | unknown
    eur_per_month: int | None
    year: int | None
    source_url: str | None = None


@dataclass(frozen=True)
class ExploreFilters:
    """The filters of GET /api/v1/professions that exploring uses; None = not filtered."""

    topic: str | None = None
    reachable_with: str | None = None
    duration_max: int | None = None
    training_type: str | None = None
    sort: str | None = None

    def params(self) -> dict[str, str | int]:
        values = {
            "topic": self.topic,
            "reachable_with": self.reachable_with,
            "duration_max": self.duration_max,
            "training_type": self.training_type,
            "sort": self.sort,
        }
        return {key: value for key, value in values.items() if value is not None}


@dataclass(frozen=True)
class ExploreItem:
    summary: ProfessionSummary
    pay: PayRank | None = None


@dataclass(frozen=True)
class ExplorePage:
    items: tuple[ExploreItem, ...]
    total: int


@dataclass(frozen=True)
class TopicName:
    key: str
    name: LocalizedText


def _localized(raw: Any) -> LocalizedText:
    return LocalizedText(de=str(raw["de"]), en=str(raw.get("en") or ""))


def _strings(raw: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in cast(Sequence[Any], raw or ()))


def parse_summary(raw: Mapping[str, Any]) -> ProfessionSummary:
    score = raw.get("score")
    return ProfessionSummary(
        slug=str(raw["slug"]),
        name=str(raw["name"]),
        name_en=str(raw.get("name_en") or ""),
        training_type=str(raw["training_type"]),
        duration_months=int(raw["duration_months"]),
        score=float(score) if score is not None else None,
        riasec=str(raw.get("riasec") or ""),
    )


def parse_detail(raw: Mapping[str, Any]) -> ProfessionDetail:
    texts: dict[Language, ProfessionText] = {}
    for language in LANGUAGES:
        block = raw["text"].get(language)
        if block:
            texts[language] = ProfessionText(
                description=str(block["description"]),
                tasks=_strings(block.get("tasks")),
                workplaces=_strings(block.get("workplaces")),
            )
    if "de" not in texts:
        raise KeyError("text.de")
    pay = raw["pay"]
    note = pay.get("note")
    return ProfessionDetail(
        summary=parse_summary(raw),
        text=texts,
        subjects=tuple(_localized(subject) for subject in raw.get("subjects") or ()),
        certificate_typical=Certificate(
            code=str(raw["certificate"]["typical"]["code"]), label=_localized(raw["certificate"]["typical"])
        ),
        certificate_required=Certificate(
            code=str(raw["certificate"]["required"]["code"]), label=_localized(raw["certificate"]["required"])
        ),
        training_type_label=_localized(raw["training_type_label"]),
        pay=Pay(
            legal_minimum=bool(pay["legal_minimum"]),
            start_year=int(pay["start_year"]) if pay.get("start_year") is not None else None,
            minimum=tuple(
                MinimumPay(training_year=int(item["training_year"]), eur=int(item["eur"]))
                for item in pay.get("minimum") or ()
            ),
            agreed=tuple(
                AgreedPay(
                    year=int(item["year"]),
                    eur_per_month=int(item["eur_per_month"]),
                    scope=str(item["scope"]),
                    source_url=str(item.get("source_url") or ""),
                )
                for item in pay.get("agreed") or ()
            ),
            note=_localized(note) if note else None,
        ),
        related=tuple(
            RelatedProfession(
                slug=str(item["slug"]), name=str(item["name"]), name_en=str(item.get("name_en") or "")
            )
            for item in raw.get("related") or ()
        ),
    )


def parse_explore_item(raw: Mapping[str, Any]) -> ExploreItem:
    pay = raw.get("pay")
    return ExploreItem(
        summary=parse_summary(raw),
        pay=(
            PayRank(
                basis=str(pay["basis"]),
                eur_per_month=int(pay["eur_per_month"]) if pay.get("eur_per_month") is not None else None,
                year=int(pay["year"]) if pay.get("year") is not None else None,
                source_url=str(pay["source_url"]) if pay.get("source_url") else None,
            )
            if isinstance(pay, Mapping)
            else None
        ),
    )


@dataclass(frozen=True)
class KnowledgeHit:
    """A document found by the knowledge search: kind profession, topic or rule, and its key."""

    kind: str
    key: str
    title: LocalizedText
    snippet: str


def parse_knowledge_hit(raw: Mapping[str, Any]) -> KnowledgeHit:
    return KnowledgeHit(
        kind=str(raw["kind"]),
        key=str(raw["key"]),
        title=_localized(raw["title"]),
        snippet=str(raw["snippet"]),
    )


@dataclass(frozen=True)
class ApiSettings:
    """Where the actions reach the API and how they identify themselves (from the environment)."""

    base_url: str
    public_url: str
    service_token: str

    @classmethod
    def from_env(cls) -> ApiSettings:
        base_url = os.environ.get(API_URL_ENV) or DEFAULT_API_URL
        return cls(
            base_url=base_url,
            public_url=os.environ.get(PUBLIC_API_URL_ENV) or base_url,
            service_token=os.environ.get(SERVICE_TOKEN_ENV) or DEFAULT_SERVICE_TOKEN,
        )


class BerufslotseApi:
    """The calls the actions make. Wraps one `httpx.AsyncClient`, which it does not own."""

    def __init__(self, client: httpx.AsyncClient, service_token: str | None = None) -> None:
        self._client = client
        self._service_token = service_token or ApiSettings.from_env().service_token
        self._topics: dict[str, TopicName] | None = None

    async def explore_professions(
        self, filters: ExploreFilters, limit: int, offset: int, pupil_ref: str | None = None
    ) -> ExplorePage:
        """One page of occupations by topic, certificate, duration, training type, optionally by pay."""
        params: dict[str, str | int] = {**filters.params(), "limit": limit, "offset": offset}
        payload = await self._get_json("/api/v1/professions", params=params, pupil_ref=pupil_ref)
        try:
            return ExplorePage(
                items=tuple(parse_explore_item(item) for item in payload["items"]),
                total=int(payload["total"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ApiUnavailableError(f"unexpected professions payload: {error!r}") from error

    async def topic_names(self) -> dict[str, TopicName]:
        """The topics' names (they change only with a knowledge update: kept after the first call)."""
        if self._topics is None:
            payload = await self._get_json("/api/v1/topics")
            try:
                self._topics = {
                    str(item["key"]): TopicName(key=str(item["key"]), name=_localized(item))
                    for item in payload
                }
            except (KeyError, TypeError, ValueError) as error:
                raise ApiUnavailableError(f"unexpected topics payload: {error!r}") from error
        return self._topics

    async def search_professions(self, query: str, limit: int = 6) -> list[ProfessionSummary]:
        """Occupations matching free text, best first (each with a `score` between 0 and 1)."""
        payload = await self._get_json("/api/v1/professions", params={"q": query, "limit": limit})
        try:
            return [parse_summary(item) for item in payload["items"]]
        except (KeyError, TypeError, ValueError) as error:
            raise ApiUnavailableError(f"unexpected search payload: {error!r}") from error

    async def search_knowledge(self, text: str, language: Language, limit: int = 3) -> list[KnowledgeHit]:
        """Profiles (later topics and rules) whose text fits the content words of `text`, best first;
        empty when the text has no content words."""
        payload = await self._get_json(
            "/api/v1/search", params={"q": text[:300], "lang": language, "limit": limit}
        )
        try:
            return [parse_knowledge_hit(item) for item in payload["hits"]]
        except (KeyError, TypeError, ValueError) as error:
            raise ApiUnavailableError(f"unexpected knowledge search payload: {error!r}") from error

    async def get_profession(self, slug: str, pupil_ref: str | None = None) -> ProfessionDetail:
        if not is_valid_slug(slug):
            raise ProfessionNotFoundError(slug)
        try:
            payload = await self._get_json(f"/api/v1/professions/{slug}", pupil_ref=pupil_ref)
        except _NotFound as error:
            raise ProfessionNotFoundError(slug) from error
        try:
            return parse_detail(payload)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ApiUnavailableError(f"unexpected profile payload for {slug!r}: {error!r}") from error

    async def _get_json(
        self, path: str, params: Mapping[str, str | int] | None = None, pupil_ref: str | None = None
    ) -> Any:
        response = await self._send("GET", path, params=params, pupil_ref=pupil_ref)
        if response.status_code == httpx.codes.NOT_FOUND:
            raise _NotFound(path)
        return self._json(response)

    # --- the one transport -------------------------------------------------------------------

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int | float] | tuple[tuple[str, str], ...] | None = None,
        json: Any = None,
        service: bool = False,
        shown_as: str | None = None,
        pupil_ref: str | None = None,
    ) -> httpx.Response:
        """Every request of the actions goes through here. A closed keep-alive connection is retried
        once for GET and DELETE (never for POST: a company would get two emails); a network error,
        a wrong service token (401) or a server error (5xx) is `ApiUnavailableError`. Errors name
        `shown_as` (the route) instead of the path, and do not chain the transport error, so that a
        pupil's pseudonym in a path stays out of the logs. Other answers go back to the caller."""
        headers = {"Authorization": f"Bearer {self._service_token}"} if service or pupil_ref else None
        if pupil_ref and headers is not None:
            headers[PUPIL_HEADER] = pupil_ref
        route = shown_as or path
        attempts = 2 if method in IDEMPOTENT_METHODS else 1
        durations = _api_call_ms.get()
        for attempt in range(attempts):
            started = time.perf_counter()
            try:
                response = await self._client.request(method, path, params=params, json=json, headers=headers)
                break
            except httpx.RemoteProtocolError as error:
                if attempt + 1 < attempts:
                    continue
                raise ApiUnavailableError(f"{method} {route} failed: {type(error).__name__}") from None
            except httpx.HTTPError as error:
                raise ApiUnavailableError(f"{method} {route} failed: {type(error).__name__}") from None
            finally:
                if durations is not None:
                    durations.append((time.perf_counter() - started) * 1000)
        if response.status_code == httpx.codes.UNAUTHORIZED or response.status_code >= 500:
            # A wrong service token is a set-up fault: to the pupil it looks like "try again later".
            raise ApiUnavailableError(f"{method} {route} answered {response.status_code}")
        return response

    @staticmethod
    def _json(response: httpx.Response, shown_as: str | None = None) -> Any:
        """The body of a successful answer; any other answer, or one without JSON, is unavailable."""
        route = f"{response.request.method} {shown_as or response.request.url.path}"
        if response.is_error:
            raise ApiUnavailableError(f"{route} answered {response.status_code}")
        try:
            return response.json()
        except ValueError as error:
            raise ApiUnavailableError(f"{route} did not return JSON") from error


class _NotFound(ApiError):
    pass


def api_base_url() -> str:
    return ApiSettings.from_env().base_url


def create_http_client(
    base_url: str | None = None, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url or api_base_url(),
        timeout=DEFAULT_TIMEOUT,
        headers={"Accept": "application/json"},
        transport=transport,
    )


_shared_client: httpx.AsyncClient | None = None


def shared_http_client() -> httpx.AsyncClient:
    """The action server's one connection pool to the API, created on first use (not at import);
    the profession, check and exchange clients all send through it."""
    global _shared_client
    if _shared_client is None:
        _shared_client = create_http_client()
    return _shared_client


_shared_api: BerufslotseApi | None = None


def get_api() -> BerufslotseApi:
    """The action server's profession client, on the shared connection pool."""
    global _shared_api
    if _shared_api is None:
        _shared_api = BerufslotseApi(shared_http_client())
    return _shared_api
