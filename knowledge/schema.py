"""The shapes of the knowledge base: frozen dataclasses, built only by `knowledge.loader`.

Codes (training types, certificates, subjects, fields) are the keys of `vocab.yaml`; every text a
pupil reads exists in German and English.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field

LANGUAGES: tuple[str, ...] = ("de", "en")
VOCAB_KINDS: tuple[str, ...] = ("certificates", "training_types", "subjects", "fields", "riasec")
# The fixed topic keys pupils explore occupations by (topics.yaml; the NLU entity `topic`).
# fmt: off
TOPIC_KEYS: tuple[str, ...] = (
    "animals", "computers_it", "gaming_apps", "vehicles", "children", "people_social",
    "health_hospital", "care_elderly", "outdoors_nature", "plants_garden", "agriculture",
    "building_construction", "wood", "metal", "electricity", "machines_technology", "food_cooking",
    "baking_sweets", "creative_design", "arts_crafts", "music_instruments", "fashion_textiles",
    "beauty_hair", "office_administration", "sales_retail", "money_finance", "law_justice",
    "logistics_warehouse", "driving_transport", "security_police", "travel_tourism",
    "hotel_restaurant", "sport_fitness", "media_film", "printing_paper", "science_lab", "chemistry",
    "environment_water", "energy", "glass_ceramics_stone", "public_service", "ships_sea", "aviation",
    "cleaning", "languages", "numbers_math",
)
# fmt: on


@dataclass(frozen=True)
class LocalizedText:
    de: str
    en: str

    def get(self, language: str) -> str:
        """The text in `language` ("de" or "en"); German for any other value."""
        return self.en if language == "en" else self.de


@dataclass(frozen=True)
class ProfessionText:
    """What a pupil reads about an occupation, in one language."""

    description: str
    tasks: tuple[str, ...]
    workplaces: tuple[str, ...]


@dataclass(frozen=True)
class Regulation:
    """The training regulation an occupation is based on (dual occupations only)."""

    year: int
    title: str
    source: str


@dataclass(frozen=True)
class Profession:
    slug: str
    training_type: str
    name_masc: str
    name_fem: str
    name_short: str
    name_en: str
    synonyms: tuple[str, ...]
    duration_months: int
    kldb_code: str
    field: str
    certificate_typical: str
    certificate_required: str
    subjects: tuple[str, ...]
    riasec: str
    legal_minimum_pay: bool
    pay_note: LocalizedText | None
    related: tuple[str, ...]
    # language -> text; left out of the hash so that a Profession stays hashable.
    text: dict[str, ProfessionText] = dataclass_field(hash=False)
    regulation: Regulation | None = None
    # Six interest scores 0..100 in RIASEC order, derived from the O*NET mapping in
    # knowledge/interests/ (knowledge.interests); `riasec` is their code. The loader always sets
    # them; empty only where a Profession is built from elsewhere (e.g. in tests without them).
    interests: tuple[int, int, int, int, int, int] | tuple[()] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The official and everyday names, without duplicates, in a stable order."""
        return tuple(dict.fromkeys((self.name_masc, self.name_fem, self.name_short, self.name_en)))


@dataclass(frozen=True)
class Topic:
    """Something pupils explore occupations by ("Tiere"): its names, the words pupils use for it
    (language -> words) and its occupations, the most typical first."""

    key: str
    name: LocalizedText
    words: dict[str, tuple[str, ...]] = dataclass_field(hash=False)
    occupations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Municipality:
    """A town or municipality of the Landkreis Osnabrück, a Samtgemeinde, or the city of Osnabrück.

    `kind` is one of "stadt", "gemeinde", "samtgemeinde", "kreisfreie_stadt". `samtgemeinde` is the
    name of the Samtgemeinde a member municipality belongs to. `lat`/`lon` is one approximate point
    (for a Samtgemeinde the mean of its members' points).
    """

    slug: str
    name: str
    kind: str
    samtgemeinde: str | None
    postcodes: tuple[str, ...]
    lat: float
    lon: float


@dataclass(frozen=True)
class MinimumPay:
    """Legal monthly minimum (§ 17 BBiG) for trainees who START in `start_year`, in their `training_year`."""

    start_year: int
    training_year: int
    eur: int
    legal_basis: str
    derived: bool  # True where the amount was computed from the first-year amount, not published


@dataclass(frozen=True)
class AgreedPay:
    """A reported collectively agreed monthly pay (average over all training years) for one occupation."""

    slug: str
    year: int
    eur_per_month: int
    scope: str
    label: str
    source_url: str


@dataclass(frozen=True)
class VocabTerm:
    code: str
    label: LocalizedText
    rank: int | None = None  # certificates only: 0 = none ... 4 = Abitur


@dataclass(frozen=True)
class Vocab:
    """The controlled vocabularies, each in the order of `vocab.yaml`."""

    certificates: tuple[VocabTerm, ...]
    training_types: tuple[VocabTerm, ...]
    subjects: tuple[VocabTerm, ...]
    fields: tuple[VocabTerm, ...]
    riasec: tuple[VocabTerm, ...]

    def terms(self, kind: str) -> tuple[VocabTerm, ...]:
        if kind not in VOCAB_KINDS:
            raise KeyError(kind)
        terms: tuple[VocabTerm, ...] = getattr(self, kind)
        return terms

    def codes(self, kind: str) -> frozenset[str]:
        return frozenset(term.code for term in self.terms(kind))

    def term(self, kind: str, code: str) -> VocabTerm:
        for term in self.terms(kind):
            if term.code == code:
                return term
        raise KeyError(f"{kind}: {code}")
