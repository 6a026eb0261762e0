"""A deterministic generator of demo companies and offers, and seeding them into the database.

`generate_demo` is pure: the same seed, inputs and `today` give the same rows, byte for byte.
`seed_demo` replaces the demo rows (is_demo = true) and leaves every real row alone.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from api.companies.models import Company
from api.core.models import utc_now
from api.geo.models import Municipality
from api.offers.models import Offer, OfferKind, OfferSource, OfferStatus
from api.offers.places import KM_PER_DEGREE_LATITUDE
from api.professions.models import Profession

DATA_PATH = Path(__file__).with_name("demo_data.yaml")
LOCAL_ZONE = ZoneInfo("Europe/Berlin")
# Apprenticeships start on 1 August (some on 1 September); from May on, the next year's are offered.
SEASON_TURN_MONTH = 5
# Spread of offer locations around a place's point, in km (standard deviation; capped at 3 sigma).
JITTER_KM = 1.5
BRANCH_SHARE = 0.15  # offers at another place than the company's seat


@dataclass(frozen=True)
class DemoProfession:
    slug: str
    name: str
    name_masc: str
    duration_months: int
    certificate_typical: str


@dataclass(frozen=True)
class DemoPlace:
    slug: str
    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class DemoData:
    companies: list[dict[str, Any]]
    offers: list[dict[str, Any]]  # "company_index" points into `companies`


@lru_cache
def demo_vocabulary() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DATA_PATH.read_text(encoding="utf-8"))
    return data


def _weighted(rng: random.Random, items: Sequence[Any], weights: Sequence[float]) -> Any:
    return rng.choices(items, weights=weights, k=1)[0]


class _Chooser:
    """Weighted choice with the cumulative weights computed once (100,000 draws stay cheap)."""

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cumulative = list(itertools.accumulate(weights))

    def __call__(self, rng: random.Random) -> Any:
        return rng.choices(self.items, cum_weights=self.cumulative, k=1)[0]


def _jitter(rng: random.Random, lat: float, lon: float) -> tuple[float, float]:
    dx = max(-3.0, min(3.0, rng.gauss(0, 1))) * JITTER_KM
    dy = max(-3.0, min(3.0, rng.gauss(0, 1))) * JITTER_KM
    lat_out = lat + dy / KM_PER_DEGREE_LATITUDE
    lon_out = lon + dx / (KM_PER_DEGREE_LATITUDE * math.cos(math.radians(lat)))
    return round(lat_out, 5), round(lon_out, 5)


_UMLAUTS: dict[str, str | int | None] = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}


def _slug(text: str) -> str:
    folded = text.lower().translate(str.maketrans(_UMLAUTS))
    return "-".join("".join(c if c.isalnum() else " " for c in folded).split())


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LOCAL_ZONE)


def _next_weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


class _Sectors:
    """The sectors whose occupations exist in the database, with their weights."""

    def __init__(self, vocabulary: dict[str, Any], professions: dict[str, DemoProfession]) -> None:
        self.keys: list[str] = []
        self.weights: list[float] = []
        self.occupations: dict[str, tuple[list[str], list[float]]] = {}
        for key, sector in vocabulary["sectors"].items():
            pairs = [(slug, float(w)) for slug, w in sector["occupations"].items() if slug in professions]
            if not pairs:
                continue
            self.keys.append(key)
            self.weights.append(float(sector["weight"]))
            self.occupations[key] = ([slug for slug, _ in pairs], [w for _, w in pairs])
        if not self.keys:  # a database with none of the listed occupations: one sector with all
            label = next(iter(vocabulary["sectors"]))
            self.keys, self.weights = [label], [1.0]
            self.occupations[label] = (sorted(professions), [1.0] * len(professions))


def generate_demo(
    seed: int,
    n_companies: int,
    n_offers: int,
    places: Sequence[DemoPlace],
    professions: Sequence[DemoProfession],
    today: date,
) -> DemoData:
    """Companies and offers as column dicts (offers refer to companies by index)."""
    if not places or not professions:
        raise ValueError("demo data needs municipalities and occupations in the database (load-knowledge)")
    vocabulary = demo_vocabulary()
    rng = random.Random(seed)
    by_slug = {p.slug: p for p in sorted(professions, key=lambda p: p.slug)}
    ordered_places = sorted(places, key=lambda p: p.slug)
    choose_place = _Chooser(
        ordered_places,
        [
            float(vocabulary["municipality_weights"].get(p.slug, vocabulary["default_municipality_weight"]))
            for p in ordered_places
        ],
    )
    sectors = _Sectors(vocabulary, by_slug)
    sizes = list(vocabulary["sizes"])
    size_weights = [float(vocabulary["sizes"][s]["weight"]) for s in sizes]

    companies: list[dict[str, Any]] = []
    company_sectors: list[str] = []
    for number in range(1, n_companies + 1):
        place = choose_place(rng)
        sector = _weighted(rng, sectors.keys, sectors.weights)
        size = _weighted(rng, sizes, size_weights)
        family = f"{rng.choice(vocabulary['name_stems'])}{rng.choice(vocabulary['name_endings'])}"
        trade = rng.choice(vocabulary["sectors"][sector]["name_words"])
        legal_form = rng.choice(vocabulary["sectors"][sector].get("legal_forms", vocabulary["legal_forms"]))
        name = f"{family} {trade} {legal_form}"
        domain = (
            f"{_slug(name)}-{number}.example"  # .example is reserved: mail to it never leaves a test setup
        )
        lat, lon = _jitter(rng, place.lat, place.lon)
        contact = f"{rng.choice(vocabulary['contact_first_names'])} {rng.choice(vocabulary['name_stems'])}"
        companies.append(
            {
                "name": name,
                "street": f"{rng.choice(vocabulary['streets'])} {rng.randint(1, 120)}",
                "postcode": None,
                "city": place.name,
                "municipality_slug": place.slug,
                "lat": lat,
                "lon": lon,
                "sector": vocabulary["sectors"][sector]["label"],
                "size": size,
                "contact_person": contact,
                "email": f"ausbildung@{domain}",
                "phone": None,
                "website": f"https://www.{domain}",
                "verified": False,
                "is_demo": True,
            }
        )
        company_sectors.append(sector)

    choose_company = _Chooser(
        range(len(companies)), [float(vocabulary["sizes"][c["size"]]["offers"]) for c in companies]
    )
    choose_occupation = {key: _Chooser(*sectors.occupations[key]) for key in sectors.keys}
    kinds = list(vocabulary["kind_weights"])
    kind_weights = [float(vocabulary["kind_weights"][k]) for k in kinds]
    season = today.year if today.month < SEASON_TURN_MONTH else today.year + 1
    place_by_slug = {p.slug: p for p in ordered_places}
    offers: list[dict[str, Any]] = []
    for _ in range(n_offers):
        index = choose_company(rng)
        company = companies[index]
        profession = by_slug[choose_occupation[company_sectors[index]](rng)]
        kind = OfferKind(_weighted(rng, kinds, kind_weights))
        study = vocabulary["dual_study"].get(profession.slug)
        if kind is OfferKind.APPRENTICESHIP and study and rng.random() < vocabulary["dual_study_share"]:
            kind = OfferKind.DUAL_STUDY
        start, expires = _dates(rng, kind, today, season)
        published = datetime.combine(today - timedelta(days=rng.randint(0, 120)), time(8), tzinfo=LOCAL_ZONE)
        place = place_by_slug[company["municipality_slug"]]
        if rng.random() < BRANCH_SHARE:
            place = choose_place(rng)
        lat, lon = _jitter(rng, place.lat, place.lon)
        values = {
            "name": profession.name,
            "name_masc": profession.name_masc,
            "year": str(start.year),
            "start": start.strftime("%d.%m.%Y"),
            "sector": company["sector"],
            "study": study or "",
            "company": company["name"],
            "place": place.name,
            "months": str(profession.duration_months),
            "size_word": vocabulary["size_words"][company["size"]],
        }
        title = rng.choice(vocabulary["titles"][kind.value]).format(**values)
        apply_url, apply_contact = _how_to_apply(rng, company)
        offers.append(
            {
                "company_index": index,
                "kind": kind.value,
                "profession_slug": profession.slug,
                "title": title[:200],
                "description": _description(rng, vocabulary, kind, values),
                "start_date": start,
                "places": _places(rng, kind, company["size"]),
                "municipality_slug": place.slug,
                "lat": lat,
                "lon": lon,
                "certificate_expected": (
                    profession.certificate_typical
                    if kind is not OfferKind.PRAKTIKUMSWOCHE and rng.random() < 0.6
                    else None
                ),
                "apply_url": apply_url,
                "apply_contact": apply_contact,
                "published_at": published,
                "expires_at": expires,
                "status": OfferStatus.ACTIVE.value,
                "source": OfferSource.DEMO.value,
                "external_ref": None,
                "is_demo": True,
            }
        )
    return DemoData(companies=companies, offers=offers)


def _dates(rng: random.Random, kind: OfferKind, today: date, season: int) -> tuple[date, datetime]:
    if kind in (OfferKind.APPRENTICESHIP, OfferKind.DUAL_STUDY):
        start = date(season, 9 if rng.random() < 0.15 else 8, 1)
    elif kind is OfferKind.INTERNSHIP:
        start = _next_weekday(today + timedelta(days=rng.randint(14, 150)))
    else:  # one day in July, the heart of Lower Saxony's summer holidays
        year = today.year if today < date(today.year, 7, 1) else today.year + 1
        start = _next_weekday(date(year, 7, 1) + timedelta(days=rng.randint(0, 30)))
    return start, _end_of_day(start)


def _places(rng: random.Random, kind: OfferKind, size: str) -> int:
    if kind is OfferKind.PRAKTIKUMSWOCHE:
        return rng.randint(1, 3)
    if size == "large":
        return rng.choice([1, 1, 2, 2, 3])
    if size == "medium":
        return rng.choice([1, 1, 1, 1, 2])
    return 1


def _how_to_apply(rng: random.Random, company: dict[str, Any]) -> tuple[str | None, str | None]:
    url = f"{company['website']}/karriere"
    contact = f"{company['contact_person']}, {company['email']}"
    roll = rng.random()
    if roll < 0.4:
        return url, None
    if roll < 0.8:
        return None, contact
    return url, contact


def _description(
    rng: random.Random, vocabulary: dict[str, Any], kind: OfferKind, values: dict[str, str]
) -> str:
    text = vocabulary["description"]
    sentences = [
        text["demo_notice"],
        rng.choice(text["intro"]),
        text["kind"][kind.value],
        *rng.sample(text["offer"], 2),
        rng.choice(text["expect"]),
    ]
    return " ".join(sentence.format(**values) for sentence in sentences)


# --- the database -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedReport:
    removed_companies: int
    removed_offers: int
    companies: int
    offers: int
    training_places: int  # apprenticeship and dual study places
    skipped: bool = False


def demo_inputs(session: Session) -> tuple[list[DemoPlace], list[DemoProfession]]:
    places = [
        DemoPlace(slug=m.slug, name=m.name, lat=m.lat, lon=m.lon)
        for m in session.scalars(select(Municipality).order_by(Municipality.slug))
        if m.kind != "samtgemeinde" and m.lat is not None and m.lon is not None
    ]
    professions = [
        DemoProfession(
            slug=p.slug,
            name=p.name,
            name_masc=p.name_masc,
            duration_months=p.duration_months,
            certificate_typical=p.certificate_typical,
        )
        for p in session.scalars(select(Profession).order_by(Profession.slug))
    ]
    return places, professions


def remove_demo(session: Session) -> tuple[int, int]:
    """Delete demo offers (their contact requests go with them) and demo companies (with their keys)."""
    offers = session.execute(
        delete(Offer).where(Offer.is_demo.is_(True)).execution_options(synchronize_session=False)
    )
    companies = session.execute(
        delete(Company).where(Company.is_demo.is_(True)).execution_options(synchronize_session=False)
    )
    return int(getattr(companies, "rowcount", 0) or 0), int(getattr(offers, "rowcount", 0) or 0)


def insert_demo(session: Session, data: DemoData, *, batch_size: int = 5000) -> None:
    """Bulk-insert generated companies, then their offers (executemany, no ORM objects)."""
    ids: list[int] = []
    for start in range(0, len(data.companies), batch_size):
        batch = data.companies[start : start + batch_size]
        ids += list(
            session.scalars(insert(Company).returning(Company.id, sort_by_parameter_order=True), batch)
        )
    rows = [
        {
            **{k: v for k, v in offer.items() if k != "company_index"},
            "company_id": ids[offer["company_index"]],
        }
        for offer in data.offers
    ]
    for start in range(0, len(rows), batch_size):
        session.execute(insert(Offer), rows[start : start + batch_size])


def seed_demo(
    session: Session,
    *,
    seed: int = 42,
    companies: int = 800,
    offers: int = 3000,
    today: date | None = None,
    only_if_empty: bool = False,
    batch_size: int = 5000,
) -> SeedReport:
    """Replace the demo rows with freshly generated ones (the caller commits)."""
    if only_if_empty and session.scalar(select(func.count()).select_from(Offer)):
        return SeedReport(0, 0, 0, 0, 0, skipped=True)
    today = today or utc_now().astimezone(LOCAL_ZONE).date()
    places, professions = demo_inputs(session)
    data = generate_demo(seed, companies, offers, places, professions, today)
    removed_companies, removed_offers = remove_demo(session)
    insert_demo(session, data, batch_size=batch_size)
    return SeedReport(
        removed_companies=removed_companies,
        removed_offers=removed_offers,
        companies=len(data.companies),
        offers=len(data.offers),
        training_places=sum(
            offer["places"]
            for offer in data.offers
            if offer["kind"] in (OfferKind.APPRENTICESHIP.value, OfferKind.DUAL_STUDY.value)
        ),
    )
