"""A stand-in for the check's endpoints behind httpx.MockTransport, with small fixed data in the
shapes of api/check/schemas.py (three items, seven matches, a few municipalities)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

SERVICE_TOKEN = "test-service-token"

SCALE: list[dict[str, Any]] = [
    {
        "value": 1,
        "meaning": {"de": "mag ich gar nicht", "en": "not at all"},
        "button": {"de": "😖 gar nicht", "en": "😖 not at all"},
    },
    {
        "value": 2,
        "meaning": {"de": "eher nicht", "en": "not really"},
        "button": {"de": "🙁 eher nicht", "en": "🙁 not really"},
    },
    {
        "value": 3,
        "meaning": {"de": "weiß nicht", "en": "not sure"},
        "button": {"de": "😐 weiß nicht", "en": "😐 not sure"},
    },
    {
        "value": 4,
        "meaning": {"de": "mag ich eher", "en": "quite like"},
        "button": {"de": "🙂 eher ja", "en": "🙂 quite like"},
    },
    {
        "value": 5,
        "meaning": {"de": "mag ich sehr", "en": "love it"},
        "button": {"de": "😍 sehr gern", "en": "😍 love it"},
    },
]

ITEMS: list[dict[str, Any]] = [
    {
        "id": "r01",
        "type": "R",
        "position": 1,
        "text": {"de": "Einen Traktor reparieren", "en": "Repair a tractor"},
        "example_occupation": "land-und-baumaschinenmechatroniker",
    },
    {
        "id": "i01",
        "type": "I",
        "position": 2,
        "text": {"de": "Milchproben untersuchen", "en": "Test milk samples"},
        "example_occupation": "milchwirtschaftlicher-laborant",
    },
    {
        "id": "a01",
        "type": "A",
        "position": 3,
        "text": {"de": "Ein Plakat gestalten", "en": "Design a poster"},
        "example_occupation": "mediengestalter-digital-und-print",
    },
]

TOP_TYPES: list[dict[str, Any]] = [
    {
        "code": "R",
        "score": 100.0,
        "emoji": "🔧",
        "name": {"de": "Praktisch-technisch", "en": "Hands-on"},
        "explanation": {"de": "Du packst gern mit an.", "en": "You like to get stuck in."},
    },
    {
        "code": "I",
        "score": 75.0,
        "emoji": "🔬",
        "name": {"de": "Forschend", "en": "Curious"},
        "explanation": {
            "de": "Du willst wissen, wie Dinge funktionieren.",
            "en": "You want to know how things work.",
        },
    },
]

SCORES: dict[str, float | None] = {"R": 100.0, "I": 75.0, "A": 0.0, "S": None, "E": None, "C": None}


def _match(
    slug: str, name: str, name_en: str, fit: float, higher: bool = False, reason: bool = True
) -> dict[str, Any]:
    return {
        "slug": slug,
        "name": name,
        "name_en": name_en,
        "fit": fit,
        "riasec": "RI",
        "reasons": ["R"] if reason else [],
        "reason": {
            "de": "Passt zu dir, denn du arbeitest gern mit Werkzeug.",
            "en": "A good fit, because you like tools.",
        }
        if reason
        else None,
        "needs_higher_certificate": higher,
        "training_type": "dual",
    }


MATCHES: list[dict[str, Any]] = [
    _match("mechatroniker", "Mechatroniker/-in", "Mechatronics technician", 98.5),
    _match("elektroniker", "Elektroniker/-in", "Electronics technician", 97.0),
    _match("tischler", "Tischler/-in", "Joiner", 95.0),
    _match("physiotherapeut", "Physiotherapeut/-in", "Physiotherapist", 94.0, higher=True),
    _match("koch", "Koch/Köchin", "Cook", 90.0),
    _match("florist", "Florist/-in", "Florist", 80.0, reason=False),
    _match("hebamme", "Hebamme", "Midwife", 70.0, higher=True, reason=False),
]

MUNICIPALITIES: list[dict[str, Any]] = [
    {"slug": "bramsche", "name": "Bramsche", "kind": "stadt", "samtgemeinde": None, "postcodes": ["49565"]},
    {
        "slug": "melle",
        "name": "Melle",
        "kind": "stadt",
        "samtgemeinde": None,
        "postcodes": ["49324", "49326"],
    },
    {
        "slug": "ankum",
        "name": "Ankum",
        "kind": "gemeinde",
        "samtgemeinde": "Samtgemeinde Bersenbrück",
        "postcodes": ["49577"],
    },
    {
        "slug": "kettenkamp",
        "name": "Kettenkamp",
        "kind": "gemeinde",
        "samtgemeinde": "Samtgemeinde Bersenbrück",
        "postcodes": ["49577"],
    },
    {
        "slug": "samtgemeinde-bersenbrueck",
        "name": "Samtgemeinde Bersenbrück",
        "kind": "samtgemeinde",
        "samtgemeinde": None,
        "postcodes": ["49577"],
    },
]

CHART_BARS = {
    language: [
        {"code": "R", "label": labels[0], "score": 100.0, "highlighted": True},
        {"code": "I", "label": labels[1], "score": 75.0, "highlighted": True},
        {"code": "A", "label": labels[2], "score": 0.0, "highlighted": True},
        {"code": "S", "label": labels[3], "score": None, "highlighted": False},
    ]
    for language, labels in (
        ("de", ("Praktisch", "Forschend", "Kreativ", "Sozial")),
        ("en", ("Hands-on", "Curious", "Creative", "Social")),
    )
}
CHART_ALT = {
    "de": "Praktisch: 100; Forschend: 75; Kreativ: 0",
    "en": "Hands-on: 100; Curious: 75; Creative: 0",
}


@dataclass
class FakeCheckApi:
    """Answers like api/check's router and records every request; saved results live in `saved`."""

    down: bool = False
    failing_paths: set[str] = field(default_factory=set)
    saved: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if self.down or path in self.failing_paths:
            raise httpx.ConnectError("connection refused", request=request)
        params = request.url.params
        if path == "/api/v1/check/items":
            return httpx.Response(
                200,
                json={"variant": params.get("variant"), "count": len(ITEMS), "items": ITEMS, "scale": SCALE},
            )
        if path == "/api/v1/check/score" and request.method == "POST":
            answers = json.loads(request.content)["answers"]
            return httpx.Response(
                200,
                json={
                    "scores": SCORES,
                    "top_types": TOP_TYPES,
                    "holland_code": "RI",
                    "unscored_types": ["S", "E", "C"],
                    "answered": sum(value is not None for value in answers.values()),
                    "skipped": sum(value is None for value in answers.values()),
                },
            )
        if path == "/api/v1/check/matches" and request.method == "POST":
            return httpx.Response(200, json=self._matches(json.loads(request.content)))
        if path == "/api/v1/charts/riasec.json":
            language = params.get("lang", "de")
            return httpx.Response(
                200,
                json={
                    "alt": CHART_ALT[language],
                    "lang": language,
                    "width": 600,
                    "height": 400,
                    "bars": CHART_BARS[language],
                },
            )
        if path == "/api/v1/municipalities":
            return httpx.Response(200, json=MUNICIPALITIES)
        if path == "/api/v1/check/results":
            return self._results(request)
        return _problem(404)

    @staticmethod
    def _matches(body: Mapping[str, Any]) -> dict[str, Any]:
        """Reachable first; with a place, the places nearby (3 for the first occupation, else 0)."""
        offset, limit = int(body.get("offset", 0)), int(body.get("limit", 5))
        place = body.get("municipality")
        ordered = sorted(MATCHES, key=lambda match: match["needs_higher_certificate"])
        items = [
            {**match, "places_nearby": (3 if index == 0 else 0) if place else None}
            for index, match in enumerate(ordered)
        ]
        return {
            "items": items[offset : offset + limit],
            "total": len(items),
            "higher_certificate_paths": [],
            "nearby": (
                {
                    "municipality": place,
                    "radius_km": body.get("radius_km") or 25,
                    "looking_for": body.get("looking_for"),
                }
                if place
                else None
            ),
        }

    def _results(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization") != f"Bearer {SERVICE_TOKEN}":
            return _problem(401)
        if request.method == "POST":
            body = json.loads(request.content)
            created = body["pupil_ref"] not in self.saved
            self.saved[body["pupil_ref"]] = body
            return httpx.Response(201 if created else 200, json=self._public(body))
        pupil_ref = request.url.params.get("pupil_ref", "")
        if request.method == "DELETE":
            deleted = int(self.saved.pop(pupil_ref, None) is not None)
            return httpx.Response(200, json={"pupil_ref": pupil_ref, "deleted": deleted})
        if pupil_ref not in self.saved:
            return _problem(404)
        return httpx.Response(200, json=self._public(self.saved[pupil_ref]))

    @staticmethod
    def _public(body: Mapping[str, Any]) -> dict[str, Any]:
        return {**body, "top_types": TOP_TYPES, "holland_code": "RI", "completed_on": "2026-11-22"}

    def calls(self, path: str) -> list[httpx.Request]:
        return [request for request in self.requests if request.url.path == path]

    @property
    def paths(self) -> list[str]:
        return [request.url.raw_path.decode("ascii") for request in self.requests]


def _problem(status: int) -> httpx.Response:
    return httpx.Response(
        status,
        json={"type": "about:blank", "title": "Problem", "status": status},
        headers={"content-type": "application/problem+json"},
    )
