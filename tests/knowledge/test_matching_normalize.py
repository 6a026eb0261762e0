"""Normal forms, tokens with offsets, edit distance and the deletion index."""

from __future__ import annotations

import random
import string

import pytest

from knowledge.matching import DeletionIndex, damerau_levenshtein, normalize, tokenize


@pytest.mark.parametrize(
    "written",
    [
        "Erzieher",
        "erzieher",
        "ERZIEHER",
        "Erzieherin",
        "Erzieherinnen",
        "Erzieher/-in",
        "Erzieher/in",
        "Erzieher*in",
        "Erzieher:in",
        "Erzieher_in",
        "ErzieherIn",
        "ErzieherInnen",
        "Erzieher(in)",
        "Erzieher*innen",
        "Erzieher (m/w/d)",
        "Erzieher/Erzieherin",
        "Erziehers",
        "Erziehern",
    ],
)
def test_gender_forms_and_inflections_share_one_normal_form(written: str) -> None:
    assert normalize(written) == "erzieher"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Kaufmann/-frau", "kaufmann"),
        ("Kauffrau", "kaufmann"),
        ("Kaufleute", "kaufmann"),
        ("Kaufmann/Kauffrau", "kaufmann"),
        ("Bankkauffrauen", "bankkaufmann"),
        ("Hotelfachfrau", "hotelfachmann"),
        ("Fachkräfte", "fachkraft"),
        ("Mechatronikers", "mechatroniker"),
        ("Mechatronikern", "mechatroniker"),
        ("Köchin", "koch"),
        ("Ärztinnen", "arzt"),
        ("Floristinnen", "florist"),
        ("Floristen", "florist"),
        ("Friseure", "friseur"),
        ("Köche", "koch"),
        ("Köchen", "koch"),
        ("Restaurantköche", "restaurantkoch"),
        ("Ärzte", "arzt"),
        ("Bauern", "bauer"),
        ("Physiotherapeuten", "physiotherapeut"),
        ("Physiotherapeutin", "physiotherapeut"),
        ("Physiotherapeutinnen", "physiotherapeut"),
        ("Milchtechnologin", "milchtechnologe"),
        ("Milchtechnologe/-technologin", "milchtechnologe"),
        ("Technologen", "technologe"),
        ("Maurer/-in", "maurer"),
        ("Medizinische/r Fachangestellte/r", "medizinisch fachangestellte"),
        ("Medizinischer Fachangestellter", "medizinisch fachangestellte"),
        ("Medizinische Fachangestellte", "medizinisch fachangestellte"),
        ("medizinischen Fachangestellten", "medizinisch fachangestellte"),
        ("Tiermedizinische/-r Fachangestellte/-r", "tiermedizinisch fachangestellte"),
        ("Kfz-Mechatroniker", "kfz mechatroniker"),
        ("KFZ - Mechatroniker", "kfz mechatroniker"),
        ("Straßenbauer", "strassenbauer"),
        (
            "Anlagenmechaniker für Sanitär-, Heizungs- und Klimatechnik",
            "anlagenmechaniker fuer sanitaer heizungs und klimatechnik",
        ),
        ("Fachinformatiker's", "fachinformatiker"),
        ("  Tischler\t", "tischler"),
        ("", ""),
        ("?!", ""),
    ],
)
def test_normal_forms(written: str, expected: str) -> None:
    assert normalize(written) == expected


@pytest.mark.parametrize(
    "word",
    ["Termin", "Medizin", "Benzin", "Berlin", "Zimmer", "Maschinen", "innen", "Listen", "Küche", "heute"],
)
def test_ordinary_words_are_not_mistaken_for_gender_forms(word: str) -> None:
    assert normalize(word) == normalize(word, fold_gender=False)


def test_irregular_feminine_forms_keep_their_literal_form() -> None:
    # "Zimmerin" is the feminine of "Zimmerer"; stripping "-in" would turn it into "Zimmer" (a room)
    assert normalize("Zimmerin", fold_gender=False) == "zimmerin"
    assert normalize("Zimmerer/Zimmerin", fold_gender=False) == "zimmerer"


def test_tokens_carry_offsets_into_the_original_text() -> None:
    text = "Ich will Kfz-Mechatroniker*in werden. Oder Köchin!"
    tokens = tokenize(text)
    assert [text[token.start : token.end] for token in tokens] == [
        "Ich",
        "will",
        "Kfz",
        "Mechatroniker*in",
        "werden",
        "Oder",
        "Köchin",
    ]
    assert [token.norm for token in tokens] == [
        "ich",
        "will",
        "kfz",
        "mechatroniker",
        "werden",
        "oder",
        "koch",
    ]
    assert [token.break_before for token in tokens] == [False] * 5 + [True, False]


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("", "", 0),
        ("abc", "", 3),
        ("tischler", "tischler", 0),
        ("tischler", "tishler", 1),
        ("tischler", "tsichler", 1),
        ("fachinformatiker", "fachinformatker", 1),
        ("kitten", "sitting", 3),
        ("ca", "abc", 3),  # optimal string alignment, not unrestricted Damerau-Levenshtein
    ],
)
def test_damerau_levenshtein(a: str, b: str, distance: int) -> None:
    assert damerau_levenshtein(a, b) == distance == damerau_levenshtein(b, a)


def test_damerau_levenshtein_with_a_limit_reports_limit_plus_one() -> None:
    assert damerau_levenshtein("mechaniker", "mechatroniker", 2) == 3
    assert damerau_levenshtein("mechaniker", "mechatroniker", 3) == 3
    assert damerau_levenshtein("a" * 40, "b" * 40, 2) == 3


def test_deletion_index_finds_exactly_what_a_full_comparison_finds() -> None:
    rng = random.Random(7)
    letters = "aeinrstlkmch"
    keys = sorted({"".join(rng.choice(letters) for _ in range(rng.randint(3, 16))) for _ in range(400)})
    index = DeletionIndex(keys, max_distance=2, prefix_length=6)

    def typo(word: str) -> str:
        chars = list(word)
        for _ in range(rng.randint(0, 2)):
            position = rng.randrange(len(chars) + 1)
            operation = rng.choice("ids" + ("t" if len(chars) > 1 else ""))
            if operation == "i":
                chars.insert(position, rng.choice(string.ascii_lowercase))
            elif operation == "d" and chars:
                del chars[min(position, len(chars) - 1)]
            elif operation == "s" and chars:
                chars[min(position, len(chars) - 1)] = rng.choice(letters)
            elif operation == "t" and len(chars) > 1:
                i = min(position, len(chars) - 2)
                chars[i], chars[i + 1] = chars[i + 1], chars[i]
        return "".join(chars)

    for _ in range(150):
        query = typo(rng.choice(keys))
        for budget in (1, 2):
            expected = sorted(
                ((key, d) for key in keys if (d := damerau_levenshtein(query, key, budget)) <= budget),
                key=lambda item: (item[1], item[0]),
            )
            assert index.lookup(query, budget) == expected, query
