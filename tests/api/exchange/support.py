"""Helpers of the exchange tests: the places of the test region, clocks, headers, the SMTP sink."""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession

from api.companies.models import Company
from api.offers.models import Offer
from api.offers.service import LOCAL_ZONE
from knowledge import schema

CompanyFactory = Callable[..., Company]
OfferFactory = Callable[..., Offer]

# Real places of the region (points and postcodes as in knowledge/sources).
PLACES: dict[str, dict[str, Any]] = {
    "osnabrueck": {
        "name": "Osnabrück",
        "kind": "kreisfreie_stadt",
        "postcodes": ("49074", "49076", "49078", "49080", "49082", "49084", "49086", "49088", "49090"),
        "lat": 52.2738,
        "lon": 8.0521,
    },
    "georgsmarienhuette": {
        "name": "Georgsmarienhütte",
        "kind": "stadt",
        "postcodes": ("49124",),
        "lat": 52.203,
        "lon": 8.0448,
    },
    "bad-iburg": {
        "name": "Bad Iburg",
        "kind": "stadt",
        "postcodes": ("49186",),
        "lat": 52.1549,
        "lon": 8.0422,
    },
    "bramsche": {"name": "Bramsche", "kind": "stadt", "postcodes": ("49565",), "lat": 52.4088, "lon": 7.9729},
    "melle": {
        "name": "Melle",
        "kind": "stadt",
        "postcodes": ("49324", "49326", "49328"),
        "lat": 52.1977,
        "lon": 8.3389,
    },
    "quakenbrueck": {
        "name": "Quakenbrück",
        "kind": "stadt",
        "samtgemeinde": "Samtgemeinde Artland",
        "postcodes": ("49610",),
        "lat": 52.675,
        "lon": 7.9498,
    },
    "badbergen": {
        "name": "Badbergen",
        "kind": "gemeinde",
        "samtgemeinde": "Samtgemeinde Artland",
        "postcodes": ("49635",),
        "lat": 52.6333,
        "lon": 7.9833,
    },
    "samtgemeinde-artland": {
        "name": "Samtgemeinde Artland",
        "kind": "samtgemeinde",
        "postcodes": ("49610", "49635"),
        "lat": 52.6541,
        "lon": 7.9666,
    },
}


def region_municipalities() -> list[schema.Municipality]:
    return [
        schema.Municipality(
            slug=slug,
            name=values["name"],
            kind=values["kind"],
            samtgemeinde=values.get("samtgemeinde"),
            postcodes=values["postcodes"],
            lat=values["lat"],
            lon=values["lon"],
        )
        for slug, values in PLACES.items()
    ]


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """Today where the offers are (start dates are checked against the local day)."""
    return now().astimezone(LOCAL_ZONE).date()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class SmtpSink:
    host: str
    port: int
    envelopes: list[Envelope] = field(default_factory=list)

    @property
    def messages(self) -> list[EmailMessage]:
        """The messages as they arrived, headers decoded."""
        parsed = [
            message_from_bytes(envelope.original_content or b"", policy=policy.default)
            for envelope in self.envelopes
        ]
        return [message for message in parsed if isinstance(message, EmailMessage)]


class SinkHandler:
    """Keeps every message the SMTP server accepts."""

    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        self.sink.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
