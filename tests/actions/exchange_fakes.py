"""Test support for the exchange actions: a stand-in API behind httpx.MockTransport that searches,
pages and stores contact requests like the real one, trackers with slots, forms and events, and
the domain as the action server receives it."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

SERVICE_TOKEN = "test-service-token"
FIXTURES = Path(__file__).parent / "fixtures"
DOMAIN_DIR = Path(__file__).parents[2] / "bot" / "domain"
TODAY = date(2026, 3, 2)

PLACES: list[dict[str, Any]] = [
    {
        "slug": "bramsche",
        "name": "Bramsche",
        "kind": "stadt",
        "samtgemeinde": None,
        "postcodes": ["49565"],
        "lat": 52.4088,
        "lon": 7.9729,
    },
    {
        "slug": "melle",
        "name": "Melle",
        "kind": "stadt",
        "samtgemeinde": None,
        "postcodes": ["49324", "49326", "49328"],
        "lat": 52.1977,
        "lon": 8.3389,
    },
    {
        "slug": "osnabrueck",
        "name": "Osnabrück",
        "kind": "kreisfreie_stadt",
        "samtgemeinde": None,
        "postcodes": ["49074", "49076", "49084"],
        "lat": 52.2738,
        "lon": 8.0521,
    },
    {
        "slug": "georgsmarienhuette",
        "name": "Georgsmarienhütte",
        "kind": "stadt",
        "samtgemeinde": None,
        "postcodes": ["49124"],
        "lat": 52.203,
        "lon": 8.0448,
    },
    {
        "slug": "wallenhorst",
        "name": "Wallenhorst",
        "kind": "gemeinde",
        "samtgemeinde": None,
        "postcodes": ["49134"],
        "lat": 52.35,
        "lon": 8.0167,
    },
]
PROFESSIONS = {
    "koch": ("Koch/Köchin", "Cook", ("baecker", "konditor")),
    "baecker": ("Bäcker/in", "Baker", ("koch", "konditor")),
    "konditor": ("Konditor/in", "Pastry chef", ("baecker",)),
    "industriemechaniker": ("Industriemechaniker/in", "Industrial mechanic", ("zerspanungsmechaniker",)),
    "zerspanungsmechaniker": ("Zerspanungsmechaniker/in", "Machinist", ("industriemechaniker",)),
    "polizeikommissaranwaerter": ("Polizeikommissaranwärter/in", "Police officer candidate", ()),
}


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin(math.radians(lat2 - lat1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, a)))


@dataclass
class FakeOffer:
    id: int
    kind: str
    profession: str
    title: str
    company: str
    place: str  # slug
    start: date | None
    contactable: bool = True
    is_demo: bool = True
    description: str = "Demo: Wir bilden aus."
    apply_url: str | None = "https://beispiel.example/karriere"
    apply_contact: str | None = None

    @property
    def coordinates(self) -> tuple[float, float]:
        place = next(place for place in PLACES if place["slug"] == self.place)
        return float(place["lat"]), float(place["lon"])

    def summary(self, distance: float | None, related: bool) -> dict[str, Any]:
        name, name_en, _ = PROFESSIONS[self.profession]
        place = next(place for place in PLACES if place["slug"] == self.place)
        lat, lon = self.coordinates
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "profession": {"slug": self.profession, "name": name, "name_en": name_en},
            "company_id": self.id * 10,
            "company_name": self.company,
            "place": {"slug": place["slug"], "name": place["name"]},
            "lat": lat,
            "lon": lon,
            "start_date": self.start.isoformat() if self.start else None,
            "places": 1,
            "certificate_expected": None,
            "expires_at": "2026-09-01T00:00:00+02:00",
            "distance_km": None if distance is None else round(distance, 2),
            "related": related,
            "contactable": self.contactable,
            "is_demo": self.is_demo,
        }

    def public(self) -> dict[str, Any]:
        return {
            **self.summary(None, False),
            "description": self.description,
            "how_to_apply": {"url": self.apply_url, "contact": self.apply_contact},
            "published_at": "2026-01-10T09:00:00+01:00",
            "company": {
                "id": self.id * 10,
                "name": self.company,
                "place": None,
                "city": None,
                "sector": None,
                "website": None,
                "verified": False,
                "is_demo": self.is_demo,
            },
        }


def default_offers() -> list[FakeOffer]:
    return [
        FakeOffer(
            1,
            "apprenticeship",
            "koch",
            "Ausbildung Koch/Köchin",
            "Muster-Gasthaus Demo GmbH",
            "bramsche",
            date(2026, 8, 1),
        ),
        FakeOffer(
            2,
            "apprenticeship",
            "koch",
            "Ausbildung zum Koch",
            "Beispiel-Hotel Demo KG",
            "wallenhorst",
            date(2026, 8, 1),
        ),
        FakeOffer(
            3,
            "internship",
            "koch",
            "Praktikum in der Küche",
            "Probe-Kantine Demo",
            "osnabrueck",
            date(2026, 4, 13),
            contactable=False,
            apply_contact="Frau Beispiel, 0541 123456",
        ),
        FakeOffer(
            4,
            "apprenticeship",
            "koch",
            "Koch/Köchin ab September",
            "Demo-Restaurant am See",
            "melle",
            date(2026, 9, 1),
        ),
        FakeOffer(
            5,
            "apprenticeship",
            "baecker",
            "Ausbildung Bäcker/in",
            "Muster-Backstube Demo",
            "bramsche",
            date(2026, 8, 1),
        ),
        FakeOffer(
            6,
            "internship",
            "industriemechaniker",
            "Praktikum Industriemechanik",
            "Beispiel-Maschinenbau",
            "georgsmarienhuette",
            date(2026, 5, 4),
            is_demo=False,
        ),
    ]


@dataclass
class FakeExchange:
    """Answers like the real API and records every request."""

    offers: list[FakeOffer] = field(default_factory=default_offers)
    profiles: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    search_results: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    contact_requests: list[dict[str, Any]] = field(default_factory=list)
    down: bool = False
    requests: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        path = request.url.path
        params = request.url.params
        if path == "/api/v1/municipalities":
            return httpx.Response(200, json=PLACES)
        if path == "/api/v1/offers":
            return self.search(params)
        if path.startswith("/api/v1/offers/"):
            offer = self.offer(int(path.rsplit("/", 1)[1]))
            if offer is None:
                return problem(404, "offer-not-found")
            return httpx.Response(200, json=offer.public())
        if path == "/api/v1/topics":
            return httpx.Response(200, json=[{"key": "essen", "de": "Essen", "en": "food", "count": 1}])
        if path == "/api/v1/professions":
            query = params.get("q", "").lower()
            return httpx.Response(200, json=self.search_results.get(query, {"items": [], "total": 0}))
        if path.startswith("/api/v1/professions/"):
            slug = path.rsplit("/", 1)[1]
            if slug in self.profiles:
                return httpx.Response(200, json=self.profiles[slug])
            if slug in PROFESSIONS and "koch" in self.profiles:
                # an occupation of the fake region without its own fixture: the cook's profile renamed
                name, name_en, _ = PROFESSIONS[slug]
                return httpx.Response(
                    200, json={**self.profiles["koch"], "slug": slug, "name": name, "name_en": name_en}
                )
            return problem(404, "profession-not-found")
        if path.startswith("/api/v1/contact-requests"):
            if request.headers.get("authorization") != f"Bearer {SERVICE_TOKEN}":
                return problem(401, "unauthorized")
            return self.contact(request)
        return problem(404, "not-found")

    def offer(self, offer_id: int) -> FakeOffer | None:
        return next((offer for offer in self.offers if offer.id == offer_id), None)

    def search(self, params: httpx.QueryParams) -> httpx.Response:
        profession = params.get("profession")
        related_slugs: tuple[str, ...] = ()
        if profession:
            if profession not in PROFESSIONS:
                return problem(422, "unknown-profession")
            if params.get("include_related") == "true":
                related_slugs = PROFESSIONS[profession][2]
        origin = None
        if params.get("near"):
            origin = next(
                (p for p in PLACES if params["near"].lower() in (p["name"].lower(), p["slug"])), None
            )
            if origin is None:
                return problem(422, "unknown-place")
        radius = float(params.get("radius_km", 25))
        start_from = date.fromisoformat(params["start_from"]) if params.get("start_from") else None
        hits: list[tuple[bool, float | None, FakeOffer]] = []
        for offer in self.offers:
            if profession and offer.profession not in (profession, *related_slugs):
                continue
            if params.get("kind") and offer.kind != params["kind"]:
                continue
            if start_from and (offer.start is None or offer.start < start_from):
                continue
            distance = None
            if origin is not None:
                distance = haversine_km(origin["lat"], origin["lon"], *offer.coordinates)
                if distance > radius:
                    continue
            hits.append((bool(profession) and offer.profession != profession, distance, offer))
        hits.sort(key=lambda hit: (hit[0], hit[1] or 0.0, hit[2].start or date.max, hit[2].id))
        limit, offset = int(params.get("limit", 20)), int(params.get("offset", 0))
        page = [
            offer.summary(distance, related) for related, distance, offer in hits[offset : offset + limit]
        ]
        return httpx.Response(200, json={"items": page, "total": len(hits)})

    def contact(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST":
            body = json.loads(request.content)
            offer = self.offer(int(body["offer_id"]))
            if offer is None:
                return problem(404, "offer-not-found")
            if not offer.contactable:
                return problem(409, "company-not-contactable")
            for existing in self.contact_requests:
                if existing["offer_id"] == offer.id and existing["pupil_ref"] == body["pupil_ref"]:
                    return problem(409, "duplicate-contact-request", request_id=existing["id"])
            if body.get("email") is None and body.get("phone") is None:
                return problem(422, "contact-request-rejected", errors=[{"field": "email"}])
            stored = {**body, "id": len(self.contact_requests) + 1, "status": "new"}
            self.contact_requests.append(stored)
            return httpx.Response(201, json=self.describe(stored))
        pupil_ref = request.url.params.get("pupil_ref")
        if request.method == "GET":
            own = [item for item in self.contact_requests if item["pupil_ref"] == pupil_ref]
            return httpx.Response(200, json=[self.describe(item) for item in reversed(own)])
        request_id = int(path.rsplit("/", 1)[1])
        for item in self.contact_requests:
            if item["id"] == request_id and item["pupil_ref"] == pupil_ref:
                self.contact_requests.remove(item)
                return httpx.Response(204)
        return problem(404, "contact-request-not-found")

    def describe(self, stored: Mapping[str, Any]) -> dict[str, Any]:
        offer = self.offer(int(stored["offer_id"]))
        assert offer is not None
        place = next(place for place in PLACES if place["slug"] == offer.place)
        return {
            "id": stored["id"],
            "offer": {
                "id": offer.id,
                "kind": offer.kind,
                "title": offer.title,
                "company_name": offer.company,
                "place": {"slug": place["slug"], "name": place["name"]},
                "is_demo": offer.is_demo,
            },
            "name": stored.get("name"),
            "email": stored.get("email"),
            "phone": stored.get("phone"),
            "message": stored.get("message"),
            "consent_text": stored["consent_text"],
            "consent_at": "2026-03-02T10:00:00+00:00",
            "status": stored.get("status", "new"),
            "notification": "pending",
            "created_at": datetime(2026, 3, 2, 23, 30, tzinfo=UTC).isoformat(),
        }

    @property
    def paths(self) -> list[str]:
        return [request.url.raw_path.decode("ascii") for request in self.requests]


def problem(status: int, name: str, **extra: Any) -> httpx.Response:
    body = {"type": f"/problems/{name}", "title": name, "status": status, **extra}
    return httpx.Response(status, json=body, headers={"content-type": "application/problem+json"})


def load_domain() -> dict[str, Any]:
    """The merged domain, as the action server receives it (responses are what the actions read)."""
    merged: dict[str, Any] = {"responses": {}, "slots": {}, "forms": {}}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key in ("responses", "slots", "forms"):
            merged[key].update(data.get(key) or {})
    return merged


def build_tracker(
    text: str,
    intent: str,
    entities: Sequence[Mapping[str, Any]] = (),
    slots: Mapping[str, Any] | None = None,
    *,
    set_since_message: Mapping[str, Any] | None = None,
    active_loop: str | None = None,
    sender_id: str = "pupil-1",
) -> Tracker:
    """A tracker whose latest message is `text`; `set_since_message` are slots the user message
    filled (what a form validation action gets to validate)."""
    latest_message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.97},
        "intent_ranking": [{"name": intent, "confidence": 0.97}],
        "entities": [dict(entity) for entity in entities],
    }
    changed = dict(set_since_message or {})
    all_slots = {"language": "de", "profession": None, **(slots or {}), **changed}
    events: list[dict[str, Any]] = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": latest_message},
        *({"event": "slot", "name": name, "value": value} for name, value in changed.items()),
    ]
    return Tracker(
        sender_id=sender_id,
        slots=all_slots,
        latest_message=latest_message,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def entity(name: str, value: str) -> dict[str, Any]:
    return {"entity": name, "value": value, "start": 0, "end": len(value)}


Sent = tuple[str, dict[str, Any], list[dict[str, Any]]]


def sent(dispatcher: CollectingDispatcher) -> list[Sent]:
    """(response name, template variables, buttons) of every message, in order."""
    standard = {"text", "buttons", "elements", "custom", "template", "response", "image", "attachment"}
    return [
        (
            message["response"],
            {key: value for key, value in message.items() if key not in standard},
            message["buttons"],
        )
        for message in dispatcher.messages
    ]


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [message["response"] for message in dispatcher.messages]


def slot_events(events: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The slots the events set, last value wins."""
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}
