"""The rules of training and the region's advisers: the checks reject what knowledge/README.md
("Rules of training", "Advisers") forbids, and the real files pass them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.loader import KNOWLEDGE_DIR
from knowledge.regional.advisers import (
    ADVISERS_PATH,
    AdvisersError,
    check_advisers,
    load_advisers,
    render_handoff,
)
from knowledge.rules.catalogue import (
    MAX_ANSWER_CHARS,
    RULE_KEYS,
    RulesError,
    check_rules,
    current_minimum_pay_amounts,
    load_rules,
    read_rule_files,
    render_answer,
)
from knowledge.validate import iter_problems

RULES_DIR = KNOWLEDGE_DIR / "rules"
FILE = Path("rules.yaml")


def entry(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "de": {"title": "Probezeit", "points": ["Sie dauert 1 bis 4 Monate.", "Kündigen geht jederzeit."]},
        "en": {"title": "Probation", "points": ["It lasts 1 to 4 months.", "Either side may end it."]},
        "source": [{"name": "§ 20 BBiG", "url": "https://www.gesetze-im-internet.de/bbig_2005/__20.html"}],
    }
    data.update(changes)
    return data


def complete(**overrides: Any) -> dict[str, Any]:
    """One entry per rule key, with `overrides` replacing some entries."""
    data: dict[str, Any] = {key: entry() for key in RULE_KEYS}
    data.update(overrides)
    return data


def messages(files: dict[Path, Any], amounts: list[int] | None = None) -> list[str]:
    return [problem.message for problem in check_rules(files, amounts)]


def test_a_complete_set_passes() -> None:
    assert messages({FILE: complete()}) == []


def test_a_missing_key_an_unknown_key_and_a_repeated_key_are_reported() -> None:
    data = complete(probaton=entry())
    del data["holidays"]
    files = {FILE: data, Path("more.yaml"): {"probation": entry()}}
    found = messages(files)
    assert "'probaton' is not a rule key of RULE_KEYS (typo?)" in found
    assert "rule 'holidays' has no answer" in found
    assert "'probation' is also in rules.yaml" in found


def test_both_languages_and_a_source_are_required() -> None:
    no_english = entry()
    del no_english["en"]
    found = messages({FILE: complete(probation=no_english, holidays=entry(source=[]))})
    assert "probation.en is missing" in found
    assert "holidays.source must name at least one law or official body with its URL" in found
    found = messages({FILE: complete(probation=entry(source=[{"name": "BBiG", "url": "http://x"}]))})
    assert found == ["probation.source[1].url must be an https:// address"]


def test_points_count_length_and_placeholders_are_checked() -> None:
    too_many = entry(de={"title": "T", "points": ["a"] * 6})
    too_long = entry(en={"title": "T", "points": ["x" * MAX_ANSWER_CHARS, "y"]})
    unfilled = entry(de={"title": "TODO", "points": ["a", "b"]})
    found = messages({FILE: complete(probation=too_many, holidays=too_long, overtime=unfilled)})
    assert "probation.de.points has 6 items, not 2-5" in found
    assert f"holidays.en is {MAX_ANSWER_CHARS + 2} characters long, more than {MAX_ANSWER_CHARS}" in found
    assert "overtime.de is not filled in (TODO)" in found


def test_the_minimum_pay_answer_must_name_the_current_amounts() -> None:
    pay = entry(
        de={"title": "Geld", "points": ["1. Jahr 724 €, 4. Jahr 1.014 €", "mehr geht"]},
        en={"title": "Pay", "points": ["year 1 €724, year 4 €1,014", "more is possible"]},
    )
    assert messages({FILE: complete(pay_minimum=pay)}, [724, 1014]) == []
    assert messages({FILE: complete(pay_minimum=pay)}, [724, 1015]) == [
        "pay_minimum.de does not name the current minimum 1.015 €",
        "pay_minimum.en does not name the current minimum €1,015",
    ]


def test_the_current_minimum_pay_is_the_newest_start_year_of_the_source_table() -> None:
    assert current_minimum_pay_amounts() == [724, 854, 977, 1014]


def test_the_real_rules_load_in_the_order_of_the_keys_and_render_short_answers() -> None:
    rules = load_rules()
    assert list(rules) == list(RULE_KEYS)
    for rule in rules.values():
        for language in ("de", "en"):
            text = render_answer(rule, language)
            assert text.startswith(f"**{rule.text(language).title}**\n• ")
            assert len(text) <= MAX_ANSWER_CHARS + 250  # points plus the source line
    assert "Source: §§ 20, 22 BBiG" in render_answer(rules["probation"], "en")
    assert "Quelle: §§ 20, 22 BBiG" in render_answer(rules["probation"], "de")


def test_load_rules_raises_with_every_problem(tmp_path: Path) -> None:
    files, problems = read_rule_files(RULES_DIR)
    assert problems == []
    data = {key: value for content in files.values() for key, value in content.items()}
    del data["cv"]
    data["bab"] = entry(source=None)
    (tmp_path / "all.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulesError) as error:
        load_rules(tmp_path)
    assert [p.message for p in error.value.problems] == [
        "bab.source must name at least one law or official body with its URL",
        "rule 'cv' has no answer",
    ]


def test_the_validator_reports_rule_problems(tmp_path: Path) -> None:
    root = tmp_path / "knowledge"
    (root / "rules").mkdir(parents=True)
    for name in ("vocab.yaml",):
        (root / name).write_bytes((KNOWLEDGE_DIR / name).read_bytes())
    (root / "sources").mkdir()
    for path in (KNOWLEDGE_DIR / "sources").glob("*.csv"):
        (root / "sources" / path.name).write_bytes(path.read_bytes())
    (root / "professions").mkdir()
    (root / "regional").mkdir()
    (root / "regional" / "advisers.yaml").write_bytes(ADVISERS_PATH.read_bytes())
    (root / "rules" / "rules.yaml").write_text(yaml.safe_dump({"probation": entry()}), encoding="utf-8")
    found = [problem.message for problem in iter_problems(root)]
    assert "rule 'holidays' has no answer" in found
    assert "pay_minimum" not in " ".join(m for m in found if "no answer" not in m)


# -- advisers ---------------------------------------------------------------------------------


@pytest.fixture
def advisers_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(ADVISERS_PATH.read_text(encoding="utf-8"))
    return copy.deepcopy(data)


def test_the_real_advisers_pass_and_name_the_regions_offers(advisers_data: dict[str, Any]) -> None:
    assert check_advisers(ADVISERS_PATH, advisers_data) == []
    advisers = load_advisers()
    keys = [adviser.key for adviser in advisers.advisers]
    assert keys == ["jba_in_der_schule", "jba_osnabrueck", "berufsberatung_osnabrueck"]
    german, english = render_handoff(advisers, "de"), render_handoff(advisers, "en")
    assert german.startswith(advisers.intro.de) and english.startswith(advisers.intro.en)
    assert german.count("\n• ") == english.count("\n• ") == len(keys)


def test_a_contact_without_the_page_it_was_read_on_is_rejected(advisers_data: dict[str, Any]) -> None:
    advisers_data["advisers"][0]["contacts"] = [{"kind": "phone", "value": "0541 000000"}]
    advisers_data["advisers"][1]["contacts"] = [
        {"kind": "phone", "value": "0541 000000", "verified_by": "somewhere"}
    ]
    found = [problem.message for problem in check_advisers(ADVISERS_PATH, advisers_data)]
    assert found == [
        "advisers[1].contacts[1] needs kind (phone/email/web/address), value and verified_by",
        "advisers[2].contacts[1].verified_by must be the https:// page it was read on",
    ]


def test_an_adviser_needs_both_languages_and_a_source(advisers_data: dict[str, Any], tmp_path: Path) -> None:
    del advisers_data["advisers"][0]["en"]["how"]
    advisers_data["advisers"][2]["source"] = {"name": "x", "url": "http://insecure"}
    path = tmp_path / "advisers.yaml"
    path.write_text(yaml.safe_dump(advisers_data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(AdvisersError) as error:
        load_advisers(path)
    assert [p.message for p in error.value.problems] == [
        "advisers[1].en needs the texts name, about, how",
        "advisers[3].source needs a name and an https:// url",
    ]
