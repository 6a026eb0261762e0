"""The areas of the statistics as one tree: municipality < Samtgemeinde < district < region.

- region: the Ausbildungsregion Osnabrück, i.e. the Landkreis and the city of Osnabrück
- `landkreis-osnabrueck`: the district; its children are its towns and Einheitsgemeinden and its
  four Samtgemeinden, whose children are their member municipalities
- the city of Osnabrück (kreisfrei) is a child of the region
- `unknown`: signals without a place (or with one outside the region), a child of the region;
  a signal at a Samtgemeinde without a member municipality sits in `<samtgemeinde>~ohne-gemeinde`,
  a child of that Samtgemeinde, so that every level adds up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.geo.models import Municipality

REGION = "region"
DISTRICT = "landkreis-osnabrueck"
UNKNOWN = "unknown"
UNSPECIFIED_MEMBER = "~ohne-gemeinde"


class AreaLevel(StrEnum):
    MUNICIPALITY = "municipality"
    SAMTGEMEINDE = "samtgemeinde"
    DISTRICT = "district"
    CITY = "city"
    REGION = "region"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Area:
    id: str
    name_de: str
    name_en: str
    level: AreaLevel
    parent: str | None
    lat: float | None = None
    lon: float | None = None


@dataclass
class AreaTree:
    areas: dict[str, Area]
    children: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_municipalities(cls, places: list[Municipality]) -> AreaTree:
        by_name = {place.name: place.slug for place in places if place.kind == "samtgemeinde"}
        areas: dict[str, Area] = {
            REGION: Area(
                REGION, "Ausbildungsregion Osnabrück", "Osnabrück training region", AreaLevel.REGION, None
            ),
            DISTRICT: Area(
                DISTRICT, "Landkreis Osnabrück", "District of Osnabrück", AreaLevel.DISTRICT, REGION
            ),
            UNKNOWN: Area(UNKNOWN, "ohne Ortsangabe", "no place given", AreaLevel.UNKNOWN, REGION),
        }
        for place in sorted(places, key=lambda place: place.slug):
            if place.kind == "kreisfreie_stadt":
                level, parent = AreaLevel.CITY, REGION
            elif place.kind == "samtgemeinde":
                level, parent = AreaLevel.SAMTGEMEINDE, DISTRICT
            else:
                level = AreaLevel.MUNICIPALITY
                parent = by_name.get(place.samtgemeinde or "", DISTRICT)
            areas[place.slug] = Area(place.slug, place.name, place.name, level, parent, place.lat, place.lon)
        for place in places:
            if place.kind == "samtgemeinde":
                member = place.slug + UNSPECIFIED_MEMBER
                areas[member] = Area(
                    member,
                    f"{place.name}, ohne Angabe der Gemeinde",
                    f"{place.name}, member municipality not given",
                    AreaLevel.MUNICIPALITY,
                    place.slug,
                )
        tree = cls(areas=areas)
        for area in areas.values():
            if area.parent is not None:
                tree.children.setdefault(area.parent, []).append(area.id)
        for siblings in tree.children.values():
            siblings.sort()
        return tree

    @classmethod
    def load(cls, session: Session) -> AreaTree:
        return cls.from_municipalities(list(session.scalars(select(Municipality))))

    def leaf_of(self, municipality: str | None) -> str:
        """The tree's leaf a signal's municipality slug counts in."""
        area = self.areas.get(municipality or "")
        if area is None or area.level in (AreaLevel.REGION, AreaLevel.DISTRICT, AreaLevel.UNKNOWN):
            return UNKNOWN
        if area.level is AreaLevel.SAMTGEMEINDE:
            return area.id + UNSPECIFIED_MEMBER
        return area.id

    def ancestors(self, area_id: str) -> list[str]:
        """The area itself and every area above it, up to the region."""
        chain = []
        current: str | None = area_id
        while current is not None:
            chain.append(current)
            current = self.areas[current].parent
        return chain

    def leaves_under(self, area_id: str) -> list[str]:
        below = self.children.get(area_id)
        if not below:
            return [area_id]
        return [leaf for child in below for leaf in self.leaves_under(child)]

    def ordered(self) -> list[str]:
        """Every area, parents before their children (region first)."""
        order: list[str] = []

        def visit(area_id: str) -> None:
            order.append(area_id)
            for child in self.children.get(area_id, []):
                visit(child)

        visit(REGION)
        return order
