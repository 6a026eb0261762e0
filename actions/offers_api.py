"""Typed async client for the exchange: offers, municipalities and the pupil's contact requests.

Builds on `actions.api_client`: the same `httpx.AsyncClient` set-up, the same "unavailable" error
for everything a pupil should not see as a crash. The contact-request endpoints are the action
server's alone; they need the internal service token (`BERUFSLOTSE_SERVICE_TOKEN`, shared with the
API through the environment) as `Authorization: Bearer ...`.

Problems the pupil can act on become named errors (an offer that is gone, a company that cannot be
contacted here, a request already made, a field the API refused).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, cast

import httpx

from actions.api_client import DEFAULT_SERVICE_TOKEN as DEFAULT_SERVICE_TOKEN
from actions.api_client import SERVICE_TOKEN_ENV as SERVICE_TOKEN_ENV
from actions.api_client import ApiError, ApiUnavailableError, BerufslotseApi, shared_http_client
from actions.api_client import create_http_client as create_http_client

# Ids are 32-bit integers in the API; anything else never reaches a URL.
MAX_ID = 2**31 - 1


class OfferNotFoundError(ApiError):
    """No open offer with this id (never existed, expired, filled or withdrawn)."""

    def __init__(self, offer_id: int) -> None:
        super().__init__(f"offer {offer_id} not found")
        self.offer_id = offer_id


class UnknownPlaceError(ApiError):
    """`near` names no municipality of the region."""


class UnknownProfessionFilterError(ApiError):
    """`profession` is no known occupation slug."""


class OfferClosedError(ApiError):
    """The offer is no longer open for contact requests."""


class CompanyNotContactableError(ApiError):
    """The company behind the offer cannot be reached through Berufslotse."""


class DuplicateContactRequestError(ApiError):
    """This conversation already asked this company about this offer."""

    def __init__(self, request_id: int | None) -> None:
        super().__init__(f"already requested (request {request_id})")
        self.request_id = request_id


class ContactRejectedError(ApiError):
    """The API refused what the pupil shared; `fields` names the fields it complained about."""

    def __init__(self, fields: Sequence[str]) -> None:
        super().__init__(f"contact request rejected: {', '.join(fields) or 'unknown field'}")
        self.fields = tuple(fields)


class ContactRequestNotFoundError(ApiError):
    """No request with this id belongs to this conversation."""


def is_valid_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def parse_id(value: object) -> int | None:
    """An id from an entity or a slot ("17", 17, 17.0); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and is_valid_id(value) else None


@dataclass(frozen=True)
class OfferQuery:
    """The filters of `GET /api/v1/offers` (None: not filtered)."""

    profession: str | None = None
    q: str | None = None
    kind: str | None = None
    near: str | None = None
    radius_km: float | None = None
    start_from: date | None = None
    certificate: str | None = None
    include_related: bool = False
    limit: int = 20
    offset: int = 0

    def params(self) -> dict[str, str | int | float]:
        params: dict[str, str | int | float] = {}
        for name in ("profession", "q", "kind", "near", "certificate"):
            value = getattr(self, name)
            if value:
                params[name] = value
        if self.near and self.radius_km is not None:
            params["radius_km"] = self.radius_km
        if self.start_from is not None:
            params["start_from"] = self.start_from.isoformat()
        if self.include_related and self.profession:
            params["include_related"] = "true"
        params["limit"] = self.limit
        params["offset"] = self.offset
        return params


@dataclass(frozen=True)
class OfferCard:
    """One search result: what a short card in the chat shows."""

    id: int
    kind: str
    title: str
    profession: str
    profession_name: str
    profession_name_en: str
    company_name: str
    place: str
    start_date: date | None
    distance_km: float | None
    related: bool
    contactable: bool
    is_demo: bool

    def profession_display_name(self, language: str) -> str:
        return (
            self.profession_name_en if language == "en" and self.profession_name_en else self.profession_name
        )


@dataclass(frozen=True)
class OfferResults:
    items: tuple[OfferCard, ...]
    total: int


@dataclass(frozen=True)
class OfferDetail:
    card: OfferCard
    description: str
    apply_url: str | None
    apply_contact: str | None
    company_website: str | None

    @property
    def id(self) -> int:
        return self.card.id


@dataclass(frozen=True)
class Place:
    """A municipality of the region (GET /api/v1/municipalities)."""

    slug: str
    name: str
    kind: str
    samtgemeinde: str | None
    postcodes: tuple[str, ...]
    lat: float | None
    lon: float | None


@dataclass(frozen=True)
class ContactDraft:
    """What the pupil agreed to send, exactly as shown in the chat."""

    offer_id: int
    pupil_ref: str
    name: str | None
    email: str | None
    phone: str | None
    message: str | None
    consent_text: str

    def body(self) -> dict[str, Any]:
        return {
            "offer_id": self.offer_id,
            "pupil_ref": self.pupil_ref,
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "message": self.message,
            "consent_text": self.consent_text,
        }


@dataclass(frozen=True)
class ContactRequestInfo:
    """A request as the pupil sees it in "meine Anfragen"."""

    id: int
    offer_id: int
    offer_title: str
    company_name: str
    place: str
    is_demo: bool
    status: str
    created_at: datetime


def _optional_date(value: Any) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def parse_card(raw: Mapping[str, Any]) -> OfferCard:
    profession = raw["profession"]
    distance = raw.get("distance_km")
    return OfferCard(
        id=int(raw["id"]),
        kind=str(raw["kind"]),
        title=str(raw["title"]),
        profession=str(profession["slug"]),
        profession_name=str(profession["name"]),
        profession_name_en=str(profession.get("name_en") or ""),
        company_name=str(raw["company_name"]),
        place=str(raw["place"]["name"]),
        start_date=_optional_date(raw.get("start_date")),
        distance_km=float(distance) if distance is not None else None,
        related=bool(raw.get("related", False)),
        contactable=bool(raw.get("contactable", False)),
        is_demo=bool(raw.get("is_demo", False)),
    )


def parse_detail(raw: Mapping[str, Any]) -> OfferDetail:
    how = raw.get("how_to_apply") or {}
    company = raw.get("company") or {}
    return OfferDetail(
        card=parse_card(raw),
        description=str(raw.get("description") or ""),
        apply_url=str(how["url"]) if how.get("url") else None,
        apply_contact=str(how["contact"]) if how.get("contact") else None,
        company_website=str(company["website"]) if company.get("website") else None,
    )


def parse_place(raw: Mapping[str, Any]) -> Place:
    return Place(
        slug=str(raw["slug"]),
        name=str(raw["name"]),
        kind=str(raw.get("kind") or ""),
        samtgemeinde=str(raw["samtgemeinde"]) if raw.get("samtgemeinde") else None,
        postcodes=tuple(str(code) for code in raw.get("postcodes") or ()),
        lat=float(raw["lat"]) if raw.get("lat") is not None else None,
        lon=float(raw["lon"]) if raw.get("lon") is not None else None,
    )


def parse_request(raw: Mapping[str, Any]) -> ContactRequestInfo:
    offer = raw["offer"]
    return ContactRequestInfo(
        id=int(raw["id"]),
        offer_id=int(offer["id"]),
        offer_title=str(offer["title"]),
        company_name=str(offer["company_name"]),
        place=str(offer["place"]["name"]),
        is_demo=bool(offer.get("is_demo", False)),
        status=str(raw["status"]),
        created_at=datetime.fromisoformat(str(raw["created_at"])),
    )


def problem_name(response: httpx.Response) -> str:
    """The problem's name from an application/problem+json body (`/problems/<name>`), or ""."""
    try:
        body = response.json()
    except ValueError:
        return ""
    kind = body.get("type") if isinstance(body, dict) else None
    return str(kind).rsplit("/", 1)[-1] if kind else ""


def _problem_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


_PARSE_ERRORS = (KeyError, TypeError, ValueError, AttributeError)


class ExchangeApi(BerufslotseApi):
    """The exchange's calls on top of the profession client (same `httpx.AsyncClient`, not owned)."""

    def __init__(self, client: httpx.AsyncClient, service_token: str | None = None) -> None:
        super().__init__(client, service_token)
        self._places: tuple[Place, ...] | None = None

    # --- offers ------------------------------------------------------------------------------

    async def search_offers(self, query: OfferQuery, pupil_ref: str | None = None) -> OfferResults:
        """One page of offers; `pupil_ref` (the conversation) lets the monitoring count the search."""
        response = await self._send("GET", "/api/v1/offers", params=query.params(), pupil_ref=pupil_ref)
        if response.status_code == httpx.codes.UNPROCESSABLE_ENTITY:
            problem = problem_name(response)
            if problem == "unknown-place":
                raise UnknownPlaceError(str(query.near))
            if problem == "unknown-profession":
                raise UnknownProfessionFilterError(str(query.profession))
        payload = self._json(response)
        try:
            return OfferResults(
                items=tuple(parse_card(item) for item in payload["items"]), total=int(payload["total"])
            )
        except _PARSE_ERRORS as error:
            raise ApiUnavailableError(f"unexpected offer page: {error!r}") from error

    async def count_offers(self, query: OfferQuery) -> int:
        """How many offers pass the filters (for alternatives when nothing fits)."""
        results = await self.search_offers(replace(query, limit=1, offset=0))
        return results.total

    async def get_offer(self, offer_id: int) -> OfferDetail:
        if not is_valid_id(offer_id):
            raise OfferNotFoundError(offer_id)
        response = await self._send("GET", f"/api/v1/offers/{offer_id}")
        if response.status_code in (httpx.codes.NOT_FOUND, httpx.codes.UNPROCESSABLE_ENTITY):
            raise OfferNotFoundError(offer_id)
        payload = self._json(response)
        try:
            return parse_detail(payload)
        except _PARSE_ERRORS as error:
            raise ApiUnavailableError(f"unexpected offer {offer_id}: {error!r}") from error

    async def municipalities(self) -> tuple[Place, ...]:
        """The region's places; read once per process (they change only with the knowledge base)."""
        if self._places is None:
            payload = self._json(await self._send("GET", "/api/v1/municipalities"))
            try:
                self._places = tuple(parse_place(item) for item in cast(Sequence[Any], payload))
            except _PARSE_ERRORS as error:
                raise ApiUnavailableError(f"unexpected municipalities: {error!r}") from error
        return self._places

    # --- contact requests (service token) ------------------------------------------------------

    async def create_contact_request(self, draft: ContactDraft) -> ContactRequestInfo:
        response = await self._send("POST", "/api/v1/contact-requests", json=draft.body(), service=True)
        problem = problem_name(response) if response.is_error else ""
        if problem == "duplicate-contact-request":
            raw_id = _problem_body(response).get("request_id")
            raise DuplicateContactRequestError(int(raw_id) if isinstance(raw_id, int) else None)
        if problem == "offer-closed":
            raise OfferClosedError(str(draft.offer_id))
        if problem == "company-not-contactable":
            raise CompanyNotContactableError(str(draft.offer_id))
        if problem == "offer-not-found" or response.status_code == httpx.codes.NOT_FOUND:
            raise OfferNotFoundError(draft.offer_id)
        if response.status_code == httpx.codes.UNPROCESSABLE_ENTITY:
            errors = _problem_body(response).get("errors") or []
            fields = [str(item.get("field")) for item in errors if isinstance(item, dict)]
            raise ContactRejectedError(fields)
        payload = self._json(response)
        try:
            return parse_request(payload)
        except _PARSE_ERRORS as error:
            raise ApiUnavailableError(f"unexpected contact request: {error!r}") from error

    async def contact_requests(self, pupil_ref: str) -> list[ContactRequestInfo]:
        response = await self._send(
            "GET", "/api/v1/contact-requests", params={"pupil_ref": pupil_ref}, service=True
        )
        payload = self._json(response)
        try:
            return [parse_request(item) for item in cast(Sequence[Any], payload)]
        except _PARSE_ERRORS as error:
            raise ApiUnavailableError(f"unexpected contact requests: {error!r}") from error

    async def withdraw_contact_request(self, request_id: int, pupil_ref: str) -> None:
        if not is_valid_id(request_id):
            raise ContactRequestNotFoundError(str(request_id))
        response = await self._send(
            "DELETE",
            f"/api/v1/contact-requests/{request_id}",
            params={"pupil_ref": pupil_ref},
            service=True,
        )
        if response.status_code == httpx.codes.NOT_FOUND:
            raise ContactRequestNotFoundError(str(request_id))
        if response.is_error:
            raise ApiUnavailableError(f"DELETE contact request answered {response.status_code}")


_shared_exchange: ExchangeApi | None = None


def get_exchange_api() -> ExchangeApi:
    """The action server's exchange client, on the shared connection pool (created on first use)."""
    global _shared_exchange
    if _shared_exchange is None:
        _shared_exchange = ExchangeApi(shared_http_client())
    return _shared_exchange
