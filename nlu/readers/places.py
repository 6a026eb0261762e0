"""The one place resolver: which municipality of the district a pupil names.

Built on `knowledge.matching.MunicipalityMatcher` (names, short forms like "GMHütte" or "SG Artland",
typos like "bramschee", postcodes, a postcode shared inside one Samtgemeinde). The places come from
knowledge/ (`PlaceResolver.from_knowledge`, for the NLU component) or from the API's list of
municipalities (the actions), which is loaded from the same file.

- `PlaceResolver.answer(text)`: the answer to "where do you live?" (a name, a typo, a postcode, a
  sentence "ich wohne in Melle"); None for an unknown place or two places.
- `PlaceResolver.named(text)`: the one municipality a message names among other words ("Ausbildung
  in Bramsche"); None when it names none or several.
- `PlaceResolver.mentions(text)`: every municipality named, with its span (for the `place` entity).
- `PlaceResolver.from_entities(entities)`: the one place the `place` entities of a message name.
- `entity_value(name)`: the value of the `place` entity, the municipality's name in lower case
  ("melle", "bad iburg", "georgsmarienhütte").
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from knowledge.loader import load_municipalities
from knowledge.matching import MunicipalityMatcher
from knowledge.schema import Municipality


class PlaceRecord(Protocol):
    """What a resolver needs of a place: the API's and knowledge/'s municipalities both have it."""

    @property
    def slug(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def samtgemeinde(self) -> str | None: ...

    @property
    def postcodes(self) -> Sequence[str]: ...


P = TypeVar("P", bound=PlaceRecord)

# The entity of nlu.place_extractor.
PLACE_ENTITY = "place"


def entity_value(name: str) -> str:
    """The `place` entity's value for a municipality's name: the name in lower case."""
    return name.lower()


@dataclass(frozen=True)
class PlaceMention(Generic[P]):
    """A municipality named in a message, with its span in the message."""

    start: int
    end: int
    text: str
    place: P


def _is_payload(text: str) -> bool:
    """A button payload ("/refine_offers{...}") names no place."""
    return text.lstrip().startswith("/")


class PlaceResolver(Generic[P]):
    """Resolves what a pupil types to one of `places` (returned as given)."""

    def __init__(self, places: Iterable[P]) -> None:
        self._places: dict[str, P] = {place.slug: place for place in places}
        self._by_value: dict[str, P] = {}
        for place in sorted(self._places.values(), key=lambda place: place.slug):
            self._by_value.setdefault(entity_value(place.name), place)
        self._matcher = MunicipalityMatcher(
            Municipality(
                slug=place.slug,
                name=place.name,
                kind=place.kind,
                samtgemeinde=place.samtgemeinde,
                postcodes=tuple(place.postcodes),
                lat=float(getattr(place, "lat", None) or 0.0),
                lon=float(getattr(place, "lon", None) or 0.0),
            )
            for place in self._places.values()
        )

    @classmethod
    def from_knowledge(cls) -> PlaceResolver[Municipality]:
        """The district's municipalities from knowledge/sources."""
        return PlaceResolver(load_municipalities())

    @property
    def places(self) -> tuple[P, ...]:
        return tuple(self._places.values())

    def mentions(self, text: str) -> list[PlaceMention[P]]:
        """Every municipality a message names unambiguously, in the order of the message."""
        if not self._places or _is_payload(text):
            return []
        return [
            PlaceMention(mention.start, mention.end, mention.text, self._places[mention.slug])
            for mention in self._matcher.find_mentions(text)
            if mention.slug in self._places
        ]

    def named(self, text: str) -> P | None:
        """The one municipality a message names (names with typos, postcodes); None for none or several."""
        found = {mention.place.slug for mention in self.mentions(text)}
        return self._places[found.pop()] if len(found) == 1 else None

    def answer(self, text: str) -> P | None:
        """What the pupil answered to "where do you live?" (a name, a typo, a postcode, a sentence)."""
        if not self._places or not text.strip() or _is_payload(text):
            return None
        found = self._matcher.resolve(text)
        if found is not None and found.slug in self._places:
            return self._places[found.slug]
        return self.named(text)

    def from_entity(self, value: object) -> P | None:
        """The place a `place` entity's value stands for (its name in lower case)."""
        return self._by_value.get(value.strip().lower()) if isinstance(value, str) else None

    def from_entities(self, entities: Iterable[Mapping[str, Any]]) -> P | None:
        """The one place the `place` entities of a message name; None for none or several."""
        found = {
            place.slug
            for entity in entities
            if entity.get("entity") == PLACE_ENTITY
            for place in [self.from_entity(entity.get("value"))]
            if place is not None
        }
        return self._places[found.pop()] if len(found) == 1 else None


@functools.lru_cache(maxsize=4)
def _cached(places: tuple[PlaceRecord, ...]) -> PlaceResolver[PlaceRecord]:
    return PlaceResolver(places)


def resolver_for(places: Iterable[P]) -> PlaceResolver[P]:
    """A resolver for these places, built once for the same places (the API sends the same list)."""
    return _cached(tuple(places))  # type: ignore[return-value]
