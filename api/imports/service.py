"""Import offers from a Bundesagentur für Arbeit job search result (JSON with `stellenangebote`).

Idempotent by the BA reference number (`refnr`, stored as `external_ref`): a second run updates
what changed and creates nothing twice. Occupations are mapped to the knowledge base with the
occupation matcher on `beruf`, then `titel`; offers outside the region, of an unknown occupation
or of another kind are skipped and reported. Companies are found by name and place, or created.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.companies.models import Company
from api.core.models import utc_now
from api.imports.schemas import BaJobOffer, BaSearchResult
from api.offers.models import Offer, OfferKind, OfferSource, OfferStatus
from api.offers.places import Place, Region, haversine_km
from api.offers.service import COORDINATE_TOLERANCE_KM
from api.professions.search import profession_search

LOCAL_ZONE = ZoneInfo("Europe/Berlin")
BA_JOB_URL = "https://www.arbeitsagentur.de/jobsuche/jobdetail/{refnr}"
APPRENTICESHIP_OFFER_TYPE = 4  # Ausbildung / Duales Studium
INTERNSHIP_OFFER_TYPE = 34  # Praktikum / Trainee
# BA offers carry no expiry: they stay visible this long after publication, and at least until the start.
VISIBLE_DAYS = 90
DUAL_STUDY_MARKERS = ("duales studium", "dualer studiengang", "studium", "bachelor")


class ImportFileError(Exception):
    """The file is not a BA job search result."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    outside_region: list[str] = field(default_factory=list)  # "refnr (ort)"
    unknown_occupations: Counter[str] = field(default_factory=Counter)  # beruf -> offers
    other_kind: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    # A clerk's upload: offers whose refnr another company already published here (left alone).
    other_company: list[str] = field(default_factory=list)
    companies_created: int = 0

    @property
    def skipped(self) -> int:
        return (
            len(self.outside_region)
            + sum(self.unknown_occupations.values())
            + len(self.other_kind)
            + len(self.invalid)
            + len(self.other_company)
        )


def read_ba_file(path: Path) -> BaSearchResult:
    try:
        content = path.read_bytes()
    except OSError as error:
        raise ImportFileError(f"{path}: cannot read JSON ({error})") from error
    return parse_ba_json(content, str(path))


def parse_ba_json(content: bytes, name: str) -> BaSearchResult:
    """A BA job search result from the bytes of a file (the CLI's file or a clerk's upload)."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise ImportFileError(f"{name}: cannot read JSON ({error})") from error
    if not isinstance(data, dict) or not isinstance(data.get("stellenangebote"), list):
        raise ImportFileError(f"{name}: no list 'stellenangebote' at the top level")
    try:
        return BaSearchResult.model_validate(data)
    except ValidationError as error:
        raise ImportFileError(f"{name}: {error}") from error


@dataclass(frozen=True)
class MatchRule:
    """How sure a match must be: a minimum score and a lead over the runner-up."""

    min_score: float
    lead: float


# `beruf` is an occupation name: exact names and synonyms score 0.95 and up, a name inside a longer
# one 0.75-0.9. Titles are noisy ("Ausbildung zum ... (m/w/d) 2026"), so they may score lower but
# must point clearly at one occupation.
BERUF_RULE = MatchRule(min_score=0.85, lead=0.0001)
TITLE_RULE = MatchRule(min_score=0.75, lead=0.03)


def map_occupation(session: Session, candidates: list[tuple[str | None, MatchRule]]) -> str | None:
    """The occupation the first candidate text names clearly enough; None when none does."""
    for text, rule in candidates:
        if not text or not text.strip():
            continue
        hits = profession_search.search(session, text)
        if not hits or hits[0].score < rule.min_score:
            continue
        if len(hits) > 1 and hits[0].score - hits[1].score < rule.lead:
            continue  # a tie: "Mechaniker" fits several occupations
        return hits[0].slug
    return None


def occupation_texts(item: BaJobOffer) -> list[tuple[str | None, MatchRule]]:
    """What names the occupation, most reliable first: `beruf`, its part before a specialisation
    ("Kraftfahrzeugmechatroniker/in - PKW-Technik"), then the title."""
    texts: list[tuple[str | None, MatchRule]] = [(item.beruf, BERUF_RULE)]
    if item.beruf and " - " in item.beruf:
        texts.append((item.beruf.split(" - ", 1)[0], BERUF_RULE))
    texts.append((item.titel, TITLE_RULE))
    return texts


def offer_kind(item: BaJobOffer, default: int | None) -> OfferKind | None:
    offer_type = item.angebotsart if item.angebotsart is not None else default
    if offer_type == INTERNSHIP_OFFER_TYPE:
        return OfferKind.INTERNSHIP
    if offer_type == APPRENTICESHIP_OFFER_TYPE:
        words = f"{item.titel or ''} {item.beruf or ''}".lower()
        return (
            OfferKind.DUAL_STUDY
            if any(marker in words for marker in DUAL_STUDY_MARKERS)
            else OfferKind.APPRENTICESHIP
        )
    return None


def _published(item: BaJobOffer, now: datetime) -> datetime:
    if item.aktuelle_veroeffentlichungsdatum is not None:
        return datetime.combine(item.aktuelle_veroeffentlichungsdatum, time(0), tzinfo=LOCAL_ZONE)
    if item.modifikations_timestamp is not None:
        stamp = item.modifikations_timestamp
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=LOCAL_ZONE)
    return now


def _expires(start: date | None, published: datetime) -> datetime:
    until_start = (
        datetime.combine(start + timedelta(days=1), time(0), tzinfo=LOCAL_ZONE)
        if start is not None
        else published
    )
    return max(until_start, published + timedelta(days=VISIBLE_DAYS))


def _coordinates(item: BaJobOffer, place: Place) -> tuple[float, float]:
    point = item.arbeitsort.koordinaten if item.arbeitsort else None
    if (
        point is not None
        and point.lat is not None
        and point.lon is not None
        and haversine_km(point.lat, point.lon, place.lat, place.lon) <= COORDINATE_TOLERANCE_KM
    ):
        return point.lat, point.lon
    return place.lat, place.lon


def find_or_create_company(
    session: Session, name: str, place: Place, item: BaJobOffer, report: ImportReport
) -> Company:
    company = session.scalar(
        select(Company)
        .where(Company.name == name, Company.municipality_slug == place.slug, Company.is_demo.is_(False))
        .order_by(Company.id)
        .limit(1)
    )
    if company is not None:
        return company
    workplace = item.arbeitsort
    company = Company(
        name=name,
        street=workplace.strasse if workplace else None,
        postcode=workplace.plz if workplace else None,
        city=(workplace.ort if workplace and workplace.ort else place.name),
        municipality_slug=place.slug,
        lat=place.lat,
        lon=place.lon,
        # An employer the Bundesagentur publishes, imported by an admin (the CLI): that counts as
        # checked, so its offers are shown. A clerk's upload never creates a company.
        verified=True,
        is_demo=False,
    )
    session.add(company)
    session.flush()
    report.companies_created += 1
    return company


def import_ba(
    session: Session,
    result: BaSearchResult,
    *,
    default_offer_type: int | None = None,
    owner: Company | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Create or update offers from `result` (the caller commits).

    With `owner` (a clerk's upload from the company pages) every offer goes to that company and
    no company is created; an offer whose refnr belongs to another company is skipped and reported,
    so that nobody can take over or change another company's offers by uploading its refnr.
    """
    now = now or utc_now()
    report = ImportReport()
    region = Region.load(session)
    file_offer_type = result.angebotsart if result.angebotsart is not None else default_offer_type
    for raw in result.stellenangebote:
        try:
            item = BaJobOffer.model_validate(raw)
        except ValidationError:
            report.invalid.append(str(raw.get("refnr") or "without refnr"))
            continue
        kind = offer_kind(item, file_offer_type)
        if kind is None:
            report.other_kind.append(item.refnr)
            continue
        workplace = item.arbeitsort
        place = None
        if workplace is not None:
            place = (region.resolve(workplace.plz) if workplace.plz else None) or (
                region.resolve(workplace.ort) if workplace.ort else None
            )
        if place is None:
            where = (workplace.ort or workplace.plz) if workplace else None
            report.outside_region.append(f"{item.refnr} ({where or '?'})")
            continue
        slug = map_occupation(session, occupation_texts(item))
        if slug is None:
            report.unknown_occupations[(item.beruf or item.titel or "?").strip()] += 1
            continue
        if not item.arbeitgeber or not (item.titel or item.beruf):
            report.invalid.append(item.refnr)
            continue
        if owner is not None:
            existing_owner = session.scalar(select(Offer.company_id).where(Offer.external_ref == item.refnr))
            if existing_owner is not None and existing_owner != owner.id:
                report.other_company.append(item.refnr)
                continue
            company = owner
        else:
            company = find_or_create_company(session, item.arbeitgeber.strip()[:200], place, item, report)
        _upsert(session, item, kind, slug, company, place, now, report)
    session.flush()
    return report


def _upsert(
    session: Session,
    item: BaJobOffer,
    kind: OfferKind,
    slug: str,
    company: Company,
    place: Place,
    now: datetime,
    report: ImportReport,
) -> None:
    published = _published(item, now)
    expires = _expires(item.eintrittsdatum, published)
    lat, lon = _coordinates(item, place)
    url = (
        item.externe_url
        if item.externe_url and item.externe_url.startswith(("http://", "https://"))
        else None
    )
    columns: dict[str, Any] = {
        "company_id": company.id,
        "kind": kind.value,
        "profession_slug": slug,
        "title": (item.titel or item.beruf or "").strip()[:200],
        "description": (item.stellenbeschreibung or "").strip(),
        "start_date": item.eintrittsdatum,
        "places": 1,
        "municipality_slug": place.slug,
        "lat": lat,
        "lon": lon,
        "apply_url": (url or BA_JOB_URL.format(refnr=item.refnr))[:500],
        "apply_contact": None,
        "published_at": published,
        "expires_at": expires,
        # Still listed by the BA, so open, unless our visibility window has passed.
        "status": (OfferStatus.ACTIVE if expires > now else OfferStatus.EXPIRED).value,
    }
    offer = session.scalar(select(Offer).where(Offer.external_ref == item.refnr))
    if offer is None:
        session.add(
            Offer(
                **columns,
                certificate_expected=None,
                source=OfferSource.BA.value,
                external_ref=item.refnr,
                is_demo=False,
            )
        )
        report.created += 1
        return
    differing = {name: value for name, value in columns.items() if getattr(offer, name) != value}
    for name, value in differing.items():
        setattr(offer, name, value)
    if differing:
        report.updated += 1
    else:
        report.unchanged += 1
