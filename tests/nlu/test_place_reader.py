"""The one place resolver (nlu.readers.places), without Rasa."""

from __future__ import annotations

import pytest

from knowledge.schema import Municipality
from nlu.readers.places import PlaceResolver, entity_value, resolver_for


@pytest.fixture(scope="module")
def resolver() -> PlaceResolver[Municipality]:
    return PlaceResolver.from_knowledge()


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Bramsche", "bramsche"),
        ("bramschee", "bramsche"),
        ("ich wohne in melle", "melle"),
        ("osnabrük", "osnabrueck"),
        ("49577", "samtgemeinde-bersenbrueck"),  # a postcode shared by members of one Samtgemeinde
        ("SG Artland", "samtgemeinde-artland"),
        ("Fürstenau", "fuerstenau"),  # the town, not the Samtgemeinde of the same name
        ("GMHütte", "georgsmarienhuette"),
    ],
)
def test_the_answer_to_where_do_you_live(resolver: PlaceResolver[Municipality], text: str, slug: str) -> None:
    found = resolver.answer(text)
    assert found is not None and found.slug == slug


@pytest.mark.parametrize("text", ["Hamburg", "12345", "ich", "49565 oder 49324", "/check_answer", " "])
def test_no_guess(resolver: PlaceResolver[Municipality], text: str) -> None:
    assert resolver.answer(text) is None


def test_one_place_named_among_other_words(resolver: PlaceResolver[Municipality]) -> None:
    found = resolver.named("berufe mit tieren in der nähe von melle")
    assert found is not None and found.name == "Melle"
    assert resolver.named("in osnabrück oder melle") is None
    assert resolver.named("nur praktikum") is None


def test_entity_values_lead_back_to_the_place(resolver: PlaceResolver[Municipality]) -> None:
    for place in resolver.places:
        assert resolver.from_entity(entity_value(place.name)) == place
    assert entity_value("Bad Iburg") == "bad iburg"
    assert resolver.from_entity("hamburg") is None and resolver.from_entity(None) is None


def test_a_resolver_is_built_once_for_the_same_places(resolver: PlaceResolver[Municipality]) -> None:
    assert resolver_for(resolver.places) is resolver_for(list(resolver.places))
