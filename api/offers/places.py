"""Places and distances: resolving what a pupil or clerk types to a municipality of the region,
and great-circle distances in Python and in SQL (the same formula on SQLite and PostgreSQL)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import ColumnElement, func, literal, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from api.geo.models import Municipality
from knowledge import schema
from knowledge.matching import MunicipalityMatcher

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LATITUDE = 111.2


@dataclass(frozen=True)
class Place:
    slug: str
    name: str
    lat: float
    lon: float


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = math.radians(lat2 - lat1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def distance_km_sql(
    lat_column: InstrumentedAttribute[float], lon_column: InstrumentedAttribute[float], lat: float, lon: float
) -> ColumnElement[float]:
    """`haversine_km(lat_column, lon_column, lat, lon)` as a SQL expression.

    Uses sin/cos/asin/sqrt/radians, which PostgreSQL has and SQLite has when compiled with its
    math functions (the SQLite bundled with Python 3.12 is).
    """
    half_dphi = func.radians(lat_column - lat) / 2
    half_dlambda = func.radians(lon_column - lon) / 2
    a = func.sin(half_dphi) * func.sin(half_dphi) + literal(math.cos(math.radians(lat))) * func.cos(
        func.radians(lat_column)
    ) * func.sin(half_dlambda) * func.sin(half_dlambda)
    return 2 * EARTH_RADIUS_KM * func.asin(func.sqrt(a))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a box that holds the circle; cheap to filter by index."""
    dlat = radius_km / KM_PER_DEGREE_LATITUDE
    dlon = radius_km / (KM_PER_DEGREE_LATITUDE * max(0.01, math.cos(math.radians(lat))))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


PlaceRow = tuple[str, str, str, str | None, tuple[str, ...], float, float]


@lru_cache(maxsize=4)
def _matcher(rows: tuple[PlaceRow, ...]) -> MunicipalityMatcher:
    return MunicipalityMatcher(
        schema.Municipality(
            slug=slug, name=name, kind=kind, samtgemeinde=group, postcodes=postcodes, lat=lat, lon=lon
        )
        for slug, name, kind, group, postcodes, lat, lon in rows
    )


class Region:
    """The municipalities in the database, with knowledge.matching's matcher over them."""

    def __init__(self, rows: tuple[PlaceRow, ...]) -> None:
        self._matcher = _matcher(rows)
        self._places = {row[0]: Place(slug=row[0], name=row[1], lat=row[5], lon=row[6]) for row in rows}

    @classmethod
    def load(cls, session: Session) -> Region:
        rows = session.execute(
            select(
                Municipality.slug,
                Municipality.name,
                Municipality.kind,
                Municipality.samtgemeinde,
                Municipality.postcodes,
                Municipality.lat,
                Municipality.lon,
            ).order_by(Municipality.slug)
        ).all()
        return cls(
            tuple(
                (slug, name, kind, group, tuple(postcodes), lat, lon)
                for slug, name, kind, group, postcodes, lat, lon in rows
                if lat is not None and lon is not None
            )
        )

    def get(self, slug: str) -> Place | None:
        return self._places.get(slug)

    def resolve(self, text: str) -> Place | None:
        """A slug, a name (typos and short forms welcome) or a postcode of the region, else None."""
        text = text.strip()
        if text in self._places:
            return self._places[text]
        found = self._matcher.resolve(text)
        return self._places.get(found.slug) if found is not None else None
