"""Helpers shared by the knowledge tests: a valid profile to vary, and Professions for the matcher."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from knowledge.interests import RIASEC, derive_scores, read_onet, riasec_code
from knowledge.loader import SOURCES_DIR
from knowledge.schema import LocalizedText, Profession, ProfessionText

DELETE = object()  # as a value in `profile_data`: remove the field

# The O*NET mapping of the test profiles (written by `mapping_yaml` into a knowledge copy).
TEST_MAPPING: dict[str, tuple[str, ...]] = {
    "tischler": ("51-7011.00",),  # Cabinetmakers and Bench Carpenters
    "zimmerer": ("47-2031.00",),  # Carpenters
}
_ONET, _ = read_onet(SOURCES_DIR / "onet_riasec_interests.csv")


def derived_interests(slug: str) -> dict[str, int]:
    """The `interests` a test profile's mapping derives (from the real O*NET data)."""
    scores = derive_scores([_ONET[code].scores for code in TEST_MAPPING[slug]])
    return dict(zip(RIASEC, scores, strict=True))


def mapping_yaml(slugs: Iterable[str] = tuple(TEST_MAPPING)) -> str:
    """An onet_mapping.yaml for the test profiles."""
    lines = ["occupations:"]
    for slug in slugs:
        codes = ", ".join(f'"{code}"' for code in TEST_MAPPING[slug])
        lines += [f"  {slug}:", f"    onet: [{codes}]"]
    return "\n".join(lines) + "\n"


BASE_PROFILE: dict[str, Any] = {
    "slug": "tischler",
    "training_type": "dual",
    "names": {"masc": "Tischler", "fem": "Tischlerin", "short": "Tischler/-in", "en": "Carpenter"},
    "synonyms": ["Schreiner", "Schreinerin"],
    "duration_months": 36,
    "kldb": {"code": "22342", "field": "2"},
    "certificate": {"typical": "realschule", "required": "none"},
    "subjects": ["werken", "mathe"],
    "riasec": riasec_code(tuple(derived_interests("tischler").values())),  # RCA
    "interests": derived_interests("tischler"),
    "pay": {"legal_minimum": True},
    "related": ["zimmerer"],
    "regulation": {"year": 2006, "title": "Verordnung über die Berufsausbildung zum Tischler", "source": "x"},
    "text": {
        "de": {
            "description": "Du baust Möbel aus Holz.",
            "tasks": ["Holz sägen", "Möbel bauen", "Kundschaft beraten"],
            "workplaces": ["Tischlereien", "Möbelfabriken"],
        },
        "en": {
            "description": "You build furniture from wood.",
            "tasks": ["saw wood", "build furniture", "advise customers"],
            "workplaces": ["joineries", "furniture factories"],
        },
    },
}


def profile_data(
    slug: str = "tischler", changes: dict[str, Any] | None = None, **names: str
) -> dict[str, Any]:
    """A valid profile as parsed YAML. `changes` replaces fields by dotted path ({"names.en": "x"});
    the value DELETE removes a field. Keyword arguments set names (masc="Zimmerer")."""
    data = copy.deepcopy(BASE_PROFILE)
    data["slug"] = slug
    data["names"] = {**data["names"], **names}
    data["synonyms"] = [] if slug != "tischler" else data["synonyms"]
    data["related"] = ["tischler"] if slug != "tischler" else data["related"]
    if slug in TEST_MAPPING:
        data["interests"] = derived_interests(slug)
        data["riasec"] = riasec_code(tuple(data["interests"].values()))
    for dotted, value in (changes or {}).items():
        *parents, last = dotted.split(".")
        target = data
        for key in parents:
            target = target[key]
        if value is DELETE:
            del target[last]
        else:
            target[last] = value
    return data


def make_profession(
    slug: str,
    masc: str,
    fem: str | None = None,
    *,
    short: str | None = None,
    en: str | None = None,
    synonyms: Iterable[str] = (),
) -> Profession:
    """A Profession with the given names; everything the matcher does not read is filler."""
    text = ProfessionText(description="-", tasks=("-",), workplaces=("-",))
    return Profession(
        slug=slug,
        training_type="dual",
        name_masc=masc,
        name_fem=fem or masc,
        name_short=short or masc,
        name_en=en or masc,
        synonyms=tuple(synonyms),
        duration_months=36,
        kldb_code="00000",
        field="0",
        certificate_typical="realschule",
        certificate_required="none",
        subjects=(),
        riasec="RI",
        legal_minimum_pay=True,
        pay_note=LocalizedText(de="-", en="-"),
        related=(),
        text={"de": text, "en": text},
    )
