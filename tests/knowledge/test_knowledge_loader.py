"""The loader builds the schema's dataclasses, derives what the sources leave out, and fails loudly."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from knowledge.loader import (
    KNOWLEDGE_DIR,
    KnowledgeError,
    knowledge_files,
    knowledge_hash,
    load_agreed_pay,
    load_minimum_pay,
    load_municipalities,
    load_professions,
    load_vocab,
    minimum_pay_for_year,
)
from knowledge.schema import LocalizedText, Municipality, Profession, ProfessionText
from tests.knowledge.support import DELETE, make_profession, profile_data

WriteProfiles = Callable[..., Path]


def test_profiles_become_frozen_professions_sorted_by_slug(write_profiles: WriteProfiles) -> None:
    zimmerer = profile_data(
        "zimmerer",
        {"pay.legal_minimum": False, "pay.note": {"de": "Geld", "en": "Money"}},
        masc="Zimmerer",
        fem="Zimmerin",
        short="Zimmerer/Zimmerin",
        en="Timber builder",
    )
    directory = write_profiles([zimmerer, profile_data("tischler")])
    tischler, loaded_zimmerer = load_professions(directory)

    assert [tischler.slug, loaded_zimmerer.slug] == ["tischler", "zimmerer"]
    assert tischler.name_masc == "Tischler" and tischler.name_fem == "Tischlerin"
    assert tischler.name_short == "Tischler/-in" and tischler.name_en == "Carpenter"
    assert tischler.synonyms == ("Schreiner", "Schreinerin")
    assert (tischler.kldb_code, tischler.field) == ("22342", "2")
    assert (tischler.certificate_typical, tischler.certificate_required) == ("realschule", "none")
    assert tischler.subjects == ("werken", "mathe") and tischler.riasec == "RCA"
    assert tischler.interests == (100, 18, 24, 2, 4, 43)
    assert tischler.legal_minimum_pay is True and tischler.pay_note is None
    assert tischler.related == ("zimmerer",)
    assert tischler.regulation is not None and tischler.regulation.year == 2006
    assert tischler.text["en"] == ProfessionText(
        "You build furniture from wood.",
        ("saw wood", "build furniture", "advise customers"),
        ("joineries", "furniture factories"),
    )
    assert loaded_zimmerer.pay_note == LocalizedText(de="Geld", en="Money")
    with pytest.raises(dataclasses.FrozenInstanceError):
        tischler.slug = "schreiner"  # type: ignore[misc]
    assert hash(tischler) == hash(load_professions(directory)[0])


def test_every_problem_is_listed_in_one_error(write_profiles: WriteProfiles) -> None:
    directory = write_profiles(
        [profile_data("tischler", {"riasec": "XYZ"}), profile_data("zimmerer", {"names.en": DELETE})]
    )
    with pytest.raises(KnowledgeError) as caught:
        load_professions(directory)
    assert [problem.file.name for problem in caught.value.problems] == ["tischler.yaml", "zimmerer.yaml"]
    assert "riasec must be" in str(caught.value) and "names.en is missing" in str(caught.value)


def test_placeholders_load_only_when_allowed(write_profiles: WriteProfiles) -> None:
    directory = write_profiles([profile_data("tischler", {"names.en": "TODO", "related": []})])
    with pytest.raises(KnowledgeError, match="not filled in yet"):
        load_professions(directory)
    (profession,) = load_professions(directory, allow_todo=True)
    assert profession.name_en == "TODO" and profession.related == ()


def test_vocab_has_five_vocabularies_in_file_order() -> None:
    vocab = load_vocab()
    assert [term.code for term in vocab.certificates] == [
        "none",
        "hauptschule",
        "realschule",
        "fachabitur",
        "abitur",
    ]
    assert [term.rank for term in vocab.certificates] == [0, 1, 2, 3, 4]
    assert vocab.codes("riasec") == frozenset("RIASEC")
    assert vocab.codes("fields") == frozenset("0123456789")
    assert vocab.term("subjects", "mathe").label == LocalizedText(de="Mathe", en="maths")
    assert all(
        term.label.de and term.label.en
        for kind in ("training_types", "subjects")
        for term in vocab.terms(kind)
    )


def test_vocab_problems_raise(tmp_path: Path) -> None:
    path = tmp_path / "vocab.yaml"
    path.write_text("certificates: {}\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="training_types is missing"):
        load_vocab(path)


def test_municipalities_include_samtgemeinden_with_the_mean_of_their_members(
    municipalities: list[Municipality],
) -> None:
    by_slug = {place.slug: place for place in municipalities}
    assert len(municipalities) == 39
    assert [place.slug for place in municipalities] == sorted(by_slug)
    samtgemeinden = [place for place in municipalities if place.kind == "samtgemeinde"]
    assert [place.name for place in samtgemeinden] == [
        "Samtgemeinde Artland",
        "Samtgemeinde Bersenbrück",
        "Samtgemeinde Fürstenau",
        "Samtgemeinde Neuenkirchen",
    ]
    for group in samtgemeinden:
        members = [place for place in municipalities if place.samtgemeinde == group.name]
        assert members, group.name
        assert group.lat == pytest.approx(sum(m.lat for m in members) / len(members), abs=1e-4)
        assert group.lon == pytest.approx(sum(m.lon for m in members) / len(members), abs=1e-4)
    artland = by_slug["samtgemeinde-artland"]
    assert (artland.lat, artland.lon) == (52.6517, 7.9026)  # Badbergen, Menslage, Nortrup, Quakenbrück
    assert by_slug["osnabrueck"].kind == "kreisfreie_stadt" and len(by_slug["osnabrueck"].postcodes) == 9
    assert by_slug["quakenbrueck"] == Municipality(
        "quakenbrueck", "Quakenbrück", "stadt", "Samtgemeinde Artland", ("49610",), 52.675, 7.9498
    )
    assert {place.kind for place in municipalities} == {
        "stadt",
        "gemeinde",
        "samtgemeinde",
        "kreisfreie_stadt",
    }


def test_municipality_problems_raise(tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    path.write_text(
        "name,type,samtgemeinde,postcodes,lat,lon\nAtlantis,Inselreich,,4956,1,2\nBramsche,Stadt,,49565,,\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError) as caught:
        load_municipalities(path)
    assert [problem.message for problem in caught.value.problems] == [
        "line 2 (Atlantis): unknown type 'Inselreich'",
        "line 3 (Bramsche): lat and lon are missing",
    ]


def test_minimum_pay_for_start_years_2020_to_2023_is_derived_for_years_2_to_4() -> None:
    pay = {(row.start_year, row.training_year): row for row in load_minimum_pay()}
    assert sorted({year for year, _ in pay}) == [2020, 2021, 2022, 2023, 2024, 2025, 2026]
    assert all((year, training_year) in pay for year in range(2020, 2027) for training_year in (1, 2, 3, 4))
    # 515 EUR plus 18, 35 and 40 percent: 607.70, 695.25 and 721.00
    assert [pay[(2020, year)].eur for year in (1, 2, 3, 4)] == [515, 608, 695, 721]
    assert [pay[(2021, year)].eur for year in (1, 2, 3, 4)] == [550, 649, 743, 770]  # 742.50 rounds up
    assert pay[(2020, 2)].derived and pay[(2020, 2)].legal_basis == "§ 17 Abs. 2 Satz 1 Nr. 2 BBiG"
    assert not pay[(2020, 1)].derived and not pay[(2025, 3)].derived


def test_the_rounding_rule_reproduces_the_published_amounts() -> None:
    """The notices for 2024-2026 list years 2-4; the same rule must give exactly those amounts."""
    published = [row for row in load_minimum_pay() if row.start_year >= 2024]
    first_year = {row.start_year: row.eur for row in published if row.training_year == 1}
    for row in published:
        assert minimum_pay_for_year(first_year[row.start_year], row.training_year) == row.eur, row


def test_agreed_pay_keeps_single_occupations_matched_by_name() -> None:
    professions = [
        make_profession("zimmerer", "Zimmerer", "Zimmerin"),
        make_profession("maurer", "Maurer", "Maurerin"),
        make_profession(
            "tiermedizinischer-fachangestellter",
            "Tiermedizinischer Fachangestellter",
            "Tiermedizinische Fachangestellte",
        ),
        make_profession("bankkaufmann", "Bankkaufmann", "Bankkauffrau"),
    ]
    rows = load_agreed_pay(professions)
    assert {row.slug for row in rows} == {
        "zimmerer",
        "maurer",
        "tiermedizinischer-fachangestellter",
        "bankkaufmann",
    }
    assert all(row.scope.startswith("Beruf") for row in rows)
    zimmerer = [(row.year, row.eur_per_month, row.label) for row in rows if row.slug == "zimmerer"]
    assert zimmerer == [
        (2019, 1263, "Zimmerer/Zimmerin"),
        (2021, 1251, "Zimmerer/Zimmerin"),
        (2024, 1343, "Zimmerer/Zimmerin"),
    ]
    assert [(row.year, row.eur_per_month) for row in rows if row.slug == "maurer"] == [
        (2024, 1330)
    ]  # "Maurer/-in"
    assert [row.eur_per_month for row in rows if row.slug == "tiermedizinischer-fachangestellter"] == [877]


def test_the_real_profiles_load_and_match_their_file_names(real_professions: list[Profession]) -> None:
    files = sorted(path.stem for path in (KNOWLEDGE_DIR / "professions").glob("*.yaml"))
    assert [profession.slug for profession in real_professions] == files


def _copy_knowledge(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR / "sources", root / "sources")
    shutil.copytree(KNOWLEDGE_DIR / "professions", root / "professions")
    shutil.copy(KNOWLEDGE_DIR / "vocab.yaml", root / "vocab.yaml")
    shutil.copy(KNOWLEDGE_DIR / "topics.yaml", root / "topics.yaml")
    shutil.copy(KNOWLEDGE_DIR / "explore.yaml", root / "explore.yaml")
    (root / "rules").mkdir()
    for rules in (KNOWLEDGE_DIR / "rules").glob("*.yaml"):
        shutil.copy(rules, root / "rules" / rules.name)
    (root / "rules" / "catalogue.py").write_text("# code is not part of the hash", encoding="utf-8")
    (root / "README.md").write_text("not part of the hash", encoding="utf-8")
    return root


def test_knowledge_hash_is_stable_and_changes_with_any_covered_file(tmp_path: Path) -> None:
    root = _copy_knowledge(tmp_path)
    first = knowledge_hash(root)
    assert first == knowledge_hash(root) and len(first) == 64
    assert first == knowledge_hash(KNOWLEDGE_DIR)  # the same files elsewhere give the same hash
    assert [path.relative_to(root).parts[0] for path in knowledge_files(root)][-1] == "vocab.yaml"

    (root / "README.md").write_text("edited", encoding="utf-8")
    assert knowledge_hash(root) == first

    # a rule of training is mirrored into the search index: editing one changes the hash
    rule_file = next((root / "rules").glob("*.yaml"))
    rule_text = rule_file.read_bytes()
    rule_file.write_bytes(rule_text + b"\n# edited\n")
    assert knowledge_hash(root) != first
    rule_file.write_bytes(rule_text)
    assert knowledge_hash(root) == first

    vocab = root / "vocab.yaml"
    original = vocab.read_bytes()
    vocab.write_bytes(original.replace(b"\n", b"\r\n"))
    assert knowledge_hash(root) == first  # a Windows checkout gives the same hash

    for path in (
        vocab,
        root / "topics.yaml",
        root / "explore.yaml",
        root / "sources" / "mindestausbildungsverguetung.csv",
        next((root / "professions").iterdir()),
    ):
        saved = path.read_bytes()
        path.write_bytes(saved + b"\n")
        assert knowledge_hash(root) != first, path
        path.write_bytes(saved)
    vocab.write_bytes(original)
    assert knowledge_hash(root) == first

    (root / "professions" / "neu.yaml").write_text("slug: neu\n", encoding="utf-8")
    assert knowledge_hash(root) != first
