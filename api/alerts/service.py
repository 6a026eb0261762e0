"""Saving, listing and ending pupils' searches; finding new matching offers and claiming alerts.

An alert is claimed in one transaction: the search's `last_alerted_at` is moved to now only if it
is still due (a conditional UPDATE, so two callers can never both win), and the offers announced
are recorded, so that each offer is announced once per search. A claimed alert counts as
delivered: the caller (the action server for the widget, the Telegram bridge) shows it right away.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.orm import Session

from api.alerts.exceptions import (
    SavedSearchExistsError,
    SavedSearchLimitError,
    SavedSearchNeedsSubjectError,
    SavedSearchNotFoundError,
    UnknownSearchPlaceError,
    UnknownTopicError,
)
from api.alerts.models import AnnouncedOffer, SavedSearch
from api.alerts.schemas import (
    AlertOffer,
    AlertPublic,
    SavedSearchCreate,
    SavedSearchPublic,
    TelegramAlert,
    TopicRef,
)
from api.companies.models import Company
from api.core.config import Settings
from api.core.models import utc_now
from api.geo.models import Municipality
from api.offers.models import Offer, OfferKind
from api.offers.places import Region, bounding_box, distance_km_sql
from api.offers.schemas import PlacePublic, ProfessionRef
from api.offers.service import DEFAULT_RADIUS_KM, require_profession, visible
from api.professions.models import Profession, ProfessionTopic, Topic

# The offers one alert shows; the rest are counted ("and 3 more").
ALERT_OFFERS_SHOWN = 5
TELEGRAM_PREFIX = "tg-"


@dataclass(frozen=True)
class AlertRules:
    """The settings that shape saved searches and alerts."""

    max_per_pupil: int
    retention_days: int
    interval_hours: float

    @classmethod
    def from_settings(cls, settings: Settings) -> AlertRules:
        return cls(
            max_per_pupil=settings.saved_searches_per_pupil,
            retention_days=settings.saved_search_retention_days,
            interval_hours=settings.alert_interval_hours,
        )


# --- saving and listing ---------------------------------------------------------------------------


def _same_filters(search: SavedSearch, values: dict[str, Any]) -> bool:
    return all(getattr(search, name) == value for name, value in values.items())


def save_search(
    session: Session, data: SavedSearchCreate, rules: AlertRules, now: datetime | None = None
) -> SavedSearchPublic:
    """Check the filters and keep the search; the same search twice, or one too many, is refused."""
    now = now or utc_now()
    if not data.profession and not data.topic:
        raise SavedSearchNeedsSubjectError()
    values: dict[str, Any] = {
        "profession_slug": require_profession(session, data.profession).slug if data.profession else None,
        "topic_key": None,
        "kind": data.kind.value if data.kind else None,
        "municipality_slug": None,
        "radius_km": None,
    }
    if data.topic:
        if session.get(Topic, data.topic) is None:
            known = list(session.scalars(select(Topic.key).order_by(Topic.position)))
            raise UnknownTopicError(data.topic, known)
        values["topic_key"] = data.topic
    lat = lon = None
    if data.place:
        place = Region.load(session).resolve(data.place)
        if place is None:
            raise UnknownSearchPlaceError(data.place)
        values["municipality_slug"] = place.slug
        values["radius_km"] = data.radius_km if data.radius_km is not None else DEFAULT_RADIUS_KM
        lat, lon = place.lat, place.lon
    own = list(session.scalars(select(SavedSearch).where(SavedSearch.pupil_ref == data.pupil_ref)))
    for search in own:
        if _same_filters(search, values):
            raise SavedSearchExistsError(search.id)
    if len(own) >= rules.max_per_pupil:
        raise SavedSearchLimitError(rules.max_per_pupil)
    search = SavedSearch(
        pupil_ref=data.pupil_ref,
        language=data.language,
        delivery_token=data.delivery_token,
        lat=lat,
        lon=lon,
        created_at=now,
        updated_at=now,
        **values,
    )
    session.add(search)
    session.commit()
    return describe(session, search, rules)


def describe(session: Session, search: SavedSearch, rules: AlertRules) -> SavedSearchPublic:
    profession = session.get(Profession, search.profession_slug) if search.profession_slug else None
    topic = session.get(Topic, search.topic_key) if search.topic_key else None
    place = session.get(Municipality, search.municipality_slug) if search.municipality_slug else None
    return SavedSearchPublic(
        id=search.id,
        profession=ProfessionRef(slug=profession.slug, name=profession.name, name_en=profession.name_en)
        if profession
        else None,
        topic=TopicRef(key=topic.key, name_de=topic.name_de, name_en=topic.name_en) if topic else None,
        place=PlacePublic(slug=place.slug, name=place.name) if place else None,
        radius_km=search.radius_km,
        kind=OfferKind(search.kind) if search.kind else None,
        language="en" if search.language == "en" else "de",
        created_at=search.created_at,
        ends_at=search.created_at + timedelta(days=rules.retention_days),
        last_alerted_at=search.last_alerted_at,
    )


def pupil_searches(session: Session, pupil_ref: str) -> list[SavedSearch]:
    return list(
        session.scalars(
            select(SavedSearch).where(SavedSearch.pupil_ref == pupil_ref).order_by(SavedSearch.id)
        )
    )


def list_searches(session: Session, pupil_ref: str, rules: AlertRules) -> list[SavedSearchPublic]:
    return [describe(session, search, rules) for search in pupil_searches(session, pupil_ref)]


def delete_search(session: Session, search_id: int, pupil_ref: str) -> None:
    """End one search of this conversation; another conversation's search is "not found"."""
    result = session.execute(
        delete(SavedSearch)
        .where(SavedSearch.id == search_id, SavedSearch.pupil_ref == pupil_ref)
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        raise SavedSearchNotFoundError(search_id)
    session.commit()


def delete_pupil_searches(session: Session, pupil_ref: str) -> int:
    """Every search of one conversation (stop all, privacy deletion); the caller commits."""
    result = session.execute(
        delete(SavedSearch)
        .where(SavedSearch.pupil_ref == pupil_ref)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def purge_old_searches(session: Session, retention_days: int, now: datetime | None = None) -> int:
    """Delete searches saved more than `retention_days` ago; the caller commits."""
    cutoff = (now or utc_now()) - timedelta(days=retention_days)
    result = session.execute(
        delete(SavedSearch)
        .where(SavedSearch.created_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- matching -------------------------------------------------------------------------------------


def matching_conditions(search: SavedSearch, now: datetime) -> list[ColumnElement[bool]]:
    """New offers a pupil may see that fit the search and were not announced for it yet."""
    conditions = [
        *visible(now),
        Company.verified.is_(True),
        or_(Offer.created_at > search.created_at, Offer.published_at > search.created_at),
        ~select(AnnouncedOffer.offer_id)
        .where(AnnouncedOffer.saved_search_id == search.id, AnnouncedOffer.offer_id == Offer.id)
        .exists(),
    ]
    if search.profession_slug:
        conditions.append(Offer.profession_slug == search.profession_slug)
    if search.topic_key:
        in_topic = select(ProfessionTopic.profession_slug).where(
            ProfessionTopic.topic_key == search.topic_key
        )
        conditions.append(Offer.profession_slug.in_(in_topic))
    if search.kind:
        conditions.append(Offer.kind == search.kind)
    if search.lat is not None and search.lon is not None:
        radius = search.radius_km or DEFAULT_RADIUS_KM
        min_lat, max_lat, min_lon, max_lon = bounding_box(search.lat, search.lon, radius)
        conditions += [
            Offer.lat.between(min_lat, max_lat),
            Offer.lon.between(min_lon, max_lon),
            distance_km_sql(Offer.lat, Offer.lon, search.lat, search.lon) <= radius,
        ]
    return conditions


def new_offers(session: Session, search: SavedSearch, now: datetime) -> list[Any]:
    """The new matching offers of one search, newest first, with what an alert shows."""
    return list(
        session.execute(
            select(
                Offer,
                Company.name.label("company_name"),
                Municipality.name.label("place_name"),
                Profession.name.label("profession_name"),
                Profession.name_en.label("profession_name_en"),
            )
            .join(Company, Company.id == Offer.company_id)
            .join(Municipality, Municipality.slug == Offer.municipality_slug)
            .join(Profession, Profession.slug == Offer.profession_slug)
            .where(*matching_conditions(search, now))
            .order_by(Offer.published_at.desc(), Offer.id.desc())
        ).all()
    )


def _alert_offer(row: Any) -> AlertOffer:
    offer: Offer = row.Offer
    return AlertOffer(
        id=offer.id,
        kind=OfferKind(offer.kind),
        title=offer.title,
        profession=ProfessionRef(
            slug=offer.profession_slug, name=row.profession_name, name_en=row.profession_name_en
        ),
        company_name=row.company_name,
        place=PlacePublic(slug=offer.municipality_slug, name=row.place_name),
        start_date=offer.start_date,
        is_demo=offer.is_demo,
    )


# --- claiming -------------------------------------------------------------------------------------


def _due(rules: AlertRules, now: datetime) -> list[ColumnElement[bool]]:
    return [
        or_(
            SavedSearch.last_alerted_at.is_(None),
            SavedSearch.last_alerted_at <= now - timedelta(hours=rules.interval_hours),
        ),
        SavedSearch.created_at >= now - timedelta(days=rules.retention_days),
    ]


def _claim(session: Session, search: SavedSearch, rules: AlertRules, now: datetime) -> AlertPublic | None:
    """The alert of one search if it is due and has new offers; marks it delivered (the caller commits)."""
    rows = new_offers(session, search, now)
    if not rows:
        return None
    won = session.execute(
        update(SavedSearch)
        .where(SavedSearch.id == search.id, *_due(rules, now))
        .values(last_alerted_at=now)
        .execution_options(synchronize_session=False)
    )
    if int(getattr(won, "rowcount", 0) or 0) != 1:
        return None  # another caller claimed it a moment ago
    session.add_all(
        AnnouncedOffer(saved_search_id=search.id, offer_id=row.Offer.id, announced_at=now) for row in rows
    )
    session.flush()
    session.refresh(search)
    return AlertPublic(
        saved_search=describe(session, search, rules),
        offers=[_alert_offer(row) for row in rows[:ALERT_OFFERS_SHOWN]],
        total=len(rows),
    )


def claim_pupil_alerts(
    session: Session, pupil_ref: str, rules: AlertRules, now: datetime | None = None
) -> list[AlertPublic]:
    """The due alerts of one conversation (the widget asks when a session starts)."""
    now = now or utc_now()
    searches = session.scalars(
        select(SavedSearch)
        .where(SavedSearch.pupil_ref == pupil_ref, *_due(rules, now))
        .order_by(SavedSearch.id)
    ).all()
    alerts = [alert for search in searches if (alert := _claim(session, search, rules, now)) is not None]
    session.commit()
    return alerts


def claim_telegram_alerts(
    session: Session, rules: AlertRules, *, limit: int, now: datetime | None = None
) -> list[TelegramAlert]:
    """Due alerts of Telegram conversations that the bridge can deliver (a delivery token), at most
    `limit` of them; the bridge asks again until it gets none."""
    now = now or utc_now()
    alerts: list[TelegramAlert] = []
    after = 0
    while len(alerts) < limit:
        searches: Sequence[SavedSearch] = session.scalars(
            select(SavedSearch)
            .where(
                SavedSearch.pupil_ref.startswith(TELEGRAM_PREFIX, autoescape=True),
                SavedSearch.delivery_token.is_not(None),
                SavedSearch.id > after,
                *_due(rules, now),
            )
            .order_by(SavedSearch.id)
            .limit(100)
        ).all()
        if not searches:
            break
        for search in searches:
            after = search.id
            alert = _claim(session, search, rules, now)
            if alert is not None:
                alerts.append(
                    TelegramAlert(
                        **alert.model_dump(),
                        pupil_ref=search.pupil_ref,
                        delivery_token=search.delivery_token or "",
                    )
                )
                if len(alerts) >= limit:
                    break
    session.commit()
    return alerts
