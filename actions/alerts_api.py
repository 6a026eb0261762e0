"""The saved-search and alert calls of the API (service token), on top of `actions.api_client`.

Problems the pupil can act on become named errors: the same search saved already, too many
searches, a place or occupation the API does not know, a search that is gone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

import httpx

from actions.api_client import ApiError, ApiUnavailableError, shared_http_client
from actions.offers_api import ExchangeApi, is_valid_id, problem_name


class SavedSearchExistsError(ApiError):
    """This conversation has saved this very search already."""


class SavedSearchLimitError(ApiError):
    """This conversation has the most saved searches allowed."""

    def __init__(self, limit: int | None) -> None:
        super().__init__(f"at most {limit} saved searches")
        self.limit = limit


class SavedSearchRejectedError(ApiError):
    """The API refused the search (no occupation or topic, unknown place, occupation or topic)."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


class SavedSearchNotFoundError(ApiError):
    """No saved search with this id belongs to this conversation."""


@dataclass(frozen=True)
class SearchRequest:
    """What to watch: an occupation or a topic, optionally a place, radius and kind."""

    profession: str | None = None
    topic: str | None = None
    place: str | None = None
    radius_km: float | None = None
    kind: str | None = None

    def body(self, pupil_ref: str, language: str, delivery_token: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {"pupil_ref": pupil_ref, "language": language}
        for name in ("profession", "topic", "place", "kind"):
            value = getattr(self, name)
            if value:
                body[name] = value
        if self.place and self.radius_km:
            body["radius_km"] = self.radius_km
        if delivery_token:
            body["delivery_token"] = delivery_token
        return body


@dataclass(frozen=True)
class SavedSearchInfo:
    id: int
    profession_name: str | None
    profession_name_en: str | None
    topic_name: str | None
    topic_name_en: str | None
    place: str | None
    radius_km: float | None
    kind: str | None
    ends_on: date | None = None

    def subject(self, language: str) -> str:
        if self.profession_name:
            return (self.profession_name_en if language == "en" and self.profession_name_en else None) or (
                self.profession_name
            )
        return (self.topic_name_en if language == "en" else self.topic_name) or self.topic_name or ""


@dataclass(frozen=True)
class AlertOfferInfo:
    id: int
    title: str
    company_name: str
    place: str
    profession_name_en: str = ""  # English pupils read the job's English name, not the German title

    def display_title(self, language: str) -> str:
        return self.profession_name_en if language == "en" and self.profession_name_en else self.title


@dataclass(frozen=True)
class AlertInfo:
    search: SavedSearchInfo
    offers: tuple[AlertOfferInfo, ...]
    total: int


def parse_search(raw: Mapping[str, Any]) -> SavedSearchInfo:
    profession = raw.get("profession") or {}
    topic = raw.get("topic") or {}
    place = raw.get("place") or {}
    radius = raw.get("radius_km")
    return SavedSearchInfo(
        id=int(raw["id"]),
        profession_name=str(profession["name"]) if profession else None,
        profession_name_en=str(profession.get("name_en") or "") or None if profession else None,
        topic_name=str(topic["name_de"]) if topic else None,
        topic_name_en=str(topic["name_en"]) if topic else None,
        place=str(place["name"]) if place else None,
        radius_km=float(radius) if radius is not None else None,
        kind=str(raw["kind"]) if raw.get("kind") else None,
        ends_on=datetime.fromisoformat(str(raw["ends_at"])).date() if raw.get("ends_at") else None,
    )


def parse_alert(raw: Mapping[str, Any]) -> AlertInfo:
    return AlertInfo(
        search=parse_search(raw["saved_search"]),
        offers=tuple(
            AlertOfferInfo(
                id=int(offer["id"]),
                title=str(offer["title"]),
                company_name=str(offer["company_name"]),
                place=str(offer["place"]["name"]),
                profession_name_en=str((offer.get("profession") or {}).get("name_en") or ""),
            )
            for offer in raw["offers"]
        ),
        total=int(raw["total"]),
    )


_PARSE_ERRORS = (KeyError, TypeError, ValueError, AttributeError)


class AlertsApi(ExchangeApi):
    """Saved searches and alerts (same `httpx.AsyncClient` as the other clients, not owned)."""

    async def save_search(
        self, pupil_ref: str, search: SearchRequest, language: str, delivery_token: str | None
    ) -> SavedSearchInfo:
        body = search.body(pupil_ref, language, delivery_token)
        response = await self._send("POST", "/api/v1/saved-searches", json=body, service=True)
        if response.is_error:
            problem = problem_name(response)
            if problem == "saved-search-exists":
                raise SavedSearchExistsError(problem)
            if problem == "saved-search-limit":
                limit = _problem_member(response, "limit")
                raise SavedSearchLimitError(limit if isinstance(limit, int) else None)
            if response.status_code == httpx.codes.UNPROCESSABLE_ENTITY:
                raise SavedSearchRejectedError(problem)
        payload = self._json(response, shown_as="/api/v1/saved-searches")
        try:
            return parse_search(payload)
        except _PARSE_ERRORS as error:
            raise ApiUnavailableError(f"unexpected saved search: {error!r}") from error

    async def saved_searches(self, pupil_ref: str) -> list[SavedSearchInfo]:
        response = await self._send(
            "GET", "/api/v1/saved-searches", params={"pupil_ref": pupil_ref}, service=True
        )
        payload = self._json(response, shown_as="/api/v1/saved-searches")
        try:
            return [parse_search(item) for item in cast(Sequence[Any], payload)]
        except _PARSE_ERRORS as error:
            raise ApiUnavailableError(f"unexpected saved searches: {error!r}") from error

    async def stop_search(self, search_id: int, pupil_ref: str) -> None:
        if not is_valid_id(search_id):
            raise SavedSearchNotFoundError(str(search_id))
        response = await self._send(
            "DELETE",
            f"/api/v1/saved-searches/{search_id}",
            params={"pupil_ref": pupil_ref},
            service=True,
            shown_as="/api/v1/saved-searches/{id}",
        )
        if response.status_code in (httpx.codes.NOT_FOUND, httpx.codes.UNPROCESSABLE_ENTITY):
            raise SavedSearchNotFoundError(str(search_id))
        if response.is_error:
            raise ApiUnavailableError(f"DELETE saved search answered {response.status_code}")

    async def claim_alerts(self, pupil_ref: str) -> list[AlertInfo]:
        """The conversation's due alerts; the API counts them as delivered once it answered."""
        response = await self._send(
            "POST", "/api/v1/alerts/claim", json={"pupil_ref": pupil_ref}, service=True
        )
        payload = self._json(response, shown_as="/api/v1/alerts/claim")
        try:
            return [parse_alert(item) for item in cast(Sequence[Any], payload)]
        except _PARSE_ERRORS as error:
            raise ApiUnavailableError(f"unexpected alerts: {error!r}") from error


def _problem_member(response: httpx.Response, name: str) -> object:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get(name) if isinstance(body, dict) else None


_shared_alerts: AlertsApi | None = None


def get_alerts_api() -> AlertsApi:
    """The action server's alerts client, on the shared connection pool (created on first use)."""
    global _shared_alerts
    if _shared_alerts is None:
        _shared_alerts = AlertsApi(shared_http_client())
    return _shared_alerts
