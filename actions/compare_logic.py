"""Decisions behind `action_compare_professions`, as pure functions (no Rasa, no I/O).

1. Which two occupations? (`resolve_compare`): the `profession` entities of the latest message (one
   per occupation named, nlu.occupation_extractor), the first one remembered in the slot
   `compare_first` when the pupil named only one before, and a generic word ("Elektriker") to choose.
2. What to answer? (`comparison_utterances`): both occupations side by side, one short line each per
   aspect. Every text is a response in bot/domain/compare.yml; the pieces that go inside the table
   (`utter_compare_piece_*`) are rendered with `DomainTexts`, so no pupil-facing word lives here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from actions.api_client import Language, ProfessionDetail, ProfessionSummary, is_valid_slug
from actions.offer_logic import DomainTexts
from actions.profession_logic import (
    MAX_CHOICES,
    Button,
    Utterance,
    current_agreed_pay,
    format_eur,
    format_years,
    minimum_rows,
)

COMPARE_INTENT = "compare_professions"
# the first three training years: enough to compare, short enough for one line
PAY_YEARS_SHOWN = 3
WORKPLACES_SHOWN = 2
RIASEC_LETTERS = "RIASEC"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


# --- 1. Which two occupations? --------------------------------------------------------------------


@dataclass(frozen=True)
class ComparePair:
    first: str
    second: str


@dataclass(frozen=True)
class AskSecond:
    """One occupation is known: ask what to compare it with (and remember it)."""

    first: str


@dataclass(frozen=True)
class AskBoth:
    """No occupation known: ask which two."""


@dataclass(frozen=True)
class SameTwice:
    """Both names mean the same occupation ("Tischler oder Schreiner")."""

    slug: str


@dataclass(frozen=True)
class ChooseOccupation:
    """A word that fits several occupations ("Elektriker"): the pupil picks one; `first` is the
    occupation to compare it with, when known."""

    query: str
    first: str | None


CompareRequest = ComparePair | AskSecond | AskBoth | SameTwice | ChooseOccupation


def resolve_compare(entities: Iterable[Mapping[str, object]], compare_first: object) -> CompareRequest:
    """Decide which two occupations to compare, in this order:

    1. two different `profession` entities in the latest message: those two;
    2. one occupation named (or the same one twice) and one remembered in `compare_first`: the pair,
       or "the same occupation" when they are one;
    3. a `profession_query` (generic word): let the pupil choose, keeping the one known;
    4. one occupation known: ask for the second;
    5. none: ask for both.
    """
    entity_list = list(entities)
    named = [
        str(entity["value"])
        for entity in entity_list
        if entity.get("entity") == "profession" and is_valid_slug(entity.get("value"))
    ]
    distinct = list(dict.fromkeys(named))
    remembered = str(compare_first) if is_valid_slug(compare_first) else None
    if len(distinct) >= 2:
        return ComparePair(distinct[0], distinct[1])
    if len(named) >= 2:
        return SameTwice(distinct[0])
    if distinct and remembered is not None:
        if distinct[0] == remembered:
            return SameTwice(remembered)
        return ComparePair(remembered, distinct[0])
    query = next(
        (
            str(entity["value"]).strip()
            for entity in entity_list
            if entity.get("entity") == "profession_query"
            and isinstance(entity.get("value"), str)
            and str(entity["value"]).strip()
        ),
        None,
    )
    known = distinct[0] if distinct else remembered
    if query is not None:
        return ChooseOccupation(query, known)
    if known is not None:
        return AskSecond(known)
    return AskBoth()


def compare_payload(*slugs: str) -> str:
    """A button that compares these occupations (one slug: the bot then asks for the second)."""
    value: str | list[str] = slugs[0] if len(slugs) == 1 else list(slugs)
    return f"/{COMPARE_INTENT}{json.dumps({'profession': value}, separators=(',', ':'))}"


def choice_reply(
    query: str, first: str | None, candidates: Sequence[ProfessionSummary], language: Language
) -> Utterance:
    """Buttons that compare each candidate with the known occupation (or start with it)."""
    if not candidates:
        return Utterance("utter_profession_unknown", {"query": query})
    buttons = tuple(
        {
            "title": candidate.display_name(language),
            "payload": compare_payload(first, candidate.slug) if first else compare_payload(candidate.slug),
        }
        for candidate in candidates[:MAX_CHOICES]
        if candidate.slug != first
    )
    return Utterance("utter_compare_choose", {"query": query}, buttons)


# --- 2. What to answer ----------------------------------------------------------------------------


def first_sentence(text: str) -> str:
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0]


def pay_line(profession: ProfessionDetail, texts: DomainTexts) -> str:
    """Pay in the first training years: the legal minimum for this year's start, and agreed pay only
    with its year and source and only when it is not below today's minimum (`current_agreed_pay`)."""
    language = texts.language
    parts: list[str] = []
    minimum = minimum_rows(profession)[:PAY_YEARS_SHOWN]
    if minimum and profession.pay.start_year is not None:
        parts.append(
            texts(
                "utter_compare_piece_pay_minimum",
                amounts=" / ".join(format_eur(row.eur, language) for row in minimum),
                last_year=minimum[-1].training_year,
                start_year=profession.pay.start_year,
            )
        )
    agreed = current_agreed_pay(profession)
    if agreed is not None:
        parts.append(
            texts(
                "utter_compare_piece_pay_agreed",
                eur=format_eur(agreed.eur_per_month, language),
                year=agreed.year,
                source=agreed.source_url or "-",
            )
        )
    if not parts and profession.pay.note is not None:
        parts.append(profession.pay.note.in_language(language))
    if not parts:
        parts.append(texts("utter_compare_piece_pay_unknown"))
    return "; ".join(parts)


def interests_line(riasec: str, texts: DomainTexts) -> str:
    """The interest code as words ("RCA" -> "praktisch-technisch, ordnend-verwaltend, ...")."""
    letters = [letter for letter in dict.fromkeys(riasec.upper()) if letter in RIASEC_LETTERS]
    if not letters:
        return texts("utter_compare_piece_unknown")
    return ", ".join(texts(f"utter_compare_piece_riasec_{letter}") for letter in letters)


def column(profession: ProfessionDetail, texts: DomainTexts) -> dict[str, str]:
    """One occupation's short lines for the table."""
    language = texts.language
    text = profession.text_in(language)
    workplaces = ", ".join(text.workplaces[:WORKPLACES_SHOWN])
    return {
        "name": profession.display_name(language),
        "training": texts(
            "utter_compare_piece_training",
            duration=format_years(profession.summary.duration_months, language),
            training_type=profession.training_type_label.in_language(language),
        ),
        "certificate": profession.certificate_typical.label.in_language(language),
        "pay": pay_line(profession, texts),
        "workplaces": workplaces or texts("utter_compare_piece_unknown"),
        "tasks": first_sentence(text.description) or texts("utter_compare_piece_unknown"),
        "interests": interests_line(profession.summary.riasec, texts),
    }


def profile_buttons(
    first: ProfessionDetail, second: ProfessionDetail, texts: DomainTexts
) -> tuple[Button, ...]:
    """To each profile and to the offers for each."""
    language = texts.language
    buttons: list[Button] = []
    for profession in (first, second):
        buttons.append(
            {
                "title": texts("utter_compare_piece_button_profile", name=profession.display_name(language)),
                "payload": f'/ask_profession{{"profession":"{profession.slug}"}}',
            }
        )
    for profession in (first, second):
        buttons.append(
            {
                "title": texts("utter_compare_piece_button_offers", name=profession.display_name(language)),
                "payload": f'/search_offers{{"profession":"{profession.slug}"}}',
            }
        )
    return tuple(buttons)


def comparison_utterances(
    first: ProfessionDetail, second: ProfessionDetail, texts: DomainTexts
) -> list[Utterance]:
    """The table (one response, a line per occupation and aspect) and the way on."""
    variables: dict[str, str | int] = {}
    for suffix, profession in (("a", first), ("b", second)):
        for key, value in column(profession, texts).items():
            variables[f"{key}_{suffix}"] = value
    return [
        Utterance("utter_compare_table", variables),
        Utterance("utter_compare_next", {}, profile_buttons(first, second, texts)),
    ]
