"""The held-out messages of the exchange's offer search (issue 4): the file and the trained model.

data/offers_heldout.yml was written apart from the training data in bot/data (by someone who saw
neither it nor the other evaluation sets) and shares no message with it. It has the three intents
of searching offers: a new search (`search_offers`), a change to the last one (`refine_offers`)
and the next page (`more_offers`).

What a pupil needs is that a search reaches the search: `search_offers` and `refine_offers` both
run `action_search_offers` (bot/data/rules/offers.yml; a refinement without an earlier search is
a new search), so for those two messages the gate counts either as reaching it. A message that
falls back ("Ich bin nicht ganz sicher ...") or lands on another intent does not.
The model test needs a trained model (`make model`); it writes artifacts/offers_heldout.json.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections import Counter
from pathlib import Path

import pytest
from heldout_eval import (
    Example,
    Parse,
    load_examples,
    load_training_texts,
    normalize_text,
    parse_all,
    require_model,
    training_overlap,
)

ROOT = Path(__file__).resolve().parents[2]
HELDOUT = Path(__file__).parent / "data" / "offers_heldout.yml"
MODELS = ROOT / "models"
TRAINING_DATA = ROOT / "bot" / "data"
REPORT = ROOT / "artifacts" / "offers_heldout.json"

SEARCH_INTENTS = ("search_offers", "refine_offers")  # both run action_search_offers
INTENTS = (*SEARCH_INTENTS, "more_offers")
MIN_EXAMPLES = {"search_offers": 60, "refine_offers": 30, "more_offers": 12}
# The share of search and refinement messages that reach the offer search, and of next-page
# messages that get the next page. The target is 0.90; it is NOT reached. Measured on this set
# (2026-12-07, model berufslotse-54219a1588887b21): 72.5 % reach the search (search_offers 77.5 %,
# refine_offers 62.5 %), more_offers 80 % (12 of 15). The rules of training and the search of
# occupations by interest take most of the misses. Refinements are the weakest: "und was ist mit
# ..." after a list of offers needs the conversation, which the NLU does not see. (A rule after the
# classifier that took kind-of-offer-plus-place messages over reached 80.8 % here but also took
# statements and questions about a pupil's own training; it was removed.) The floors stay under
# today's figures by about the spread between two trainings of the same data (a fresh clone trains
# its own model), so they catch a regression, not noise.
TARGET_REACHES_SEARCH = 0.90
MIN_REACHES_SEARCH = 0.65
MIN_MORE_OFFERS = 0.66


@pytest.fixture(scope="module")
def heldout() -> list[Example]:
    return load_examples(HELDOUT)


def test_the_file_has_the_three_intents_and_enough_messages(heldout: list[Example]) -> None:
    counts = Counter(example.intent for example in heldout)
    assert set(counts) == set(INTENTS)
    assert {intent: n for intent, n in counts.items() if n < MIN_EXAMPLES[intent]} == {}
    assert all(example.entities == () for example in heldout)  # places and kinds are read from words


def test_no_message_twice_and_none_in_the_training_data(heldout: list[Example]) -> None:
    counts = Counter(normalize_text(example.text) for example in heldout)
    assert [text for text, n in counts.items() if n > 1] == []
    training_texts = load_training_texts(TRAINING_DATA)
    assert training_texts, f"no NLU training data under {TRAINING_DATA}"
    assert training_overlap(heldout, training_texts) == []


def offer_scores(examples: list[Example], parses: list[Parse]) -> dict[str, object]:
    """Per intent: how many, how many got their own intent, and how many reached what they asked
    for (a search or refinement -> either search intent; the next page -> more_offers)."""
    scores: dict[str, object] = {}
    for intent in INTENTS:
        pairs = [(e, p) for e, p in zip(examples, parses, strict=True) if e.intent == intent]
        wanted = set(SEARCH_INTENTS) if intent in SEARCH_INTENTS else {intent}
        misses = [{"text": e.text, "got": p.intent} for e, p in pairs if p.intent not in wanted]
        scores[intent] = {
            "messages": len(pairs),
            "own_intent": sum(p.intent == intent for _, p in pairs) / len(pairs) if pairs else 0.0,
            "reached": (len(pairs) - len(misses)) / len(pairs) if pairs else 0.0,
            "misses": misses,
        }
    searches = [(e, p) for e, p in zip(examples, parses, strict=True) if e.intent in SEARCH_INTENTS]
    scores["reaches_search"] = (
        sum(p.intent in SEARCH_INTENTS for _, p in searches) / len(searches) if searches else 0.0
    )
    return scores


def test_offer_scores_by_hand() -> None:
    examples = [
        Example("ausbildung melle", "search_offers"),
        Example("und in bramsche", "refine_offers"),
        Example("lehrstelle koch", "search_offers"),
        Example("mehr", "more_offers"),
    ]
    parses = [Parse("refine_offers"), Parse("refine_offers"), Parse("nlu_fallback"), Parse("more_offers")]
    scores = offer_scores(examples, parses)
    assert scores["reaches_search"] == pytest.approx(2 / 3)
    assert scores["search_offers"] == {
        "messages": 2,
        "own_intent": 0.0,
        "reached": 0.5,
        "misses": [{"text": "lehrstelle koch", "got": "nlu_fallback"}],
    }
    assert scores["refine_offers"]["own_intent"] == 1.0  # type: ignore[index]
    assert scores["more_offers"]["reached"] == 1.0  # type: ignore[index]


def test_the_trained_model_takes_pupils_searches_to_the_search(
    heldout: list[Example], capsys: pytest.CaptureFixture[str]
) -> None:
    model = require_model(MODELS, os.environ)
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    parses = asyncio.run(parse_all(agent, [example.text for example in heldout]))
    scores = offer_scores(heldout, parses)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(
        json.dumps({"model": model.name, **scores}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    lines = [f"offers held-out ({model.name}): {scores['reaches_search']:.1%} of searches reach the search"]
    for intent in INTENTS:
        numbers = scores[intent]
        assert isinstance(numbers, dict)
        lines.append(
            f"  {intent}: {numbers['messages']} messages, own intent {numbers['own_intent']:.1%}, "
            f"reached {numbers['reached']:.1%}"
        )
    gate = f"  gate: >= {MIN_REACHES_SEARCH:.2f} (floor), target {TARGET_REACHES_SEARCH:.2f} (not reached)"
    text = "\n".join([*lines, gate, f"  report: {REPORT.relative_to(ROOT)}"])
    with capsys.disabled():
        print("\n" + text)
    more = scores["more_offers"]
    assert isinstance(more, dict)
    assert scores["reaches_search"] >= MIN_REACHES_SEARCH, text  # type: ignore[operator]
    assert more["reached"] >= MIN_MORE_OFFERS, text
