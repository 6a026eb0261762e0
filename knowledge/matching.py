"""Finding occupations and places in what pupils type.

`normalize` turns a name or a message into a canonical form: umlauts folded, lower case, hyphens,
slashes and spaces unified, gender forms ("Erzieher/-in", "Erzieher*in", "ErzieherIn",
"Kaufmann/-frau", "Kaufleute") and the common inflection endings ("Mechatronikers",
"Mechatronikern", "Medizinische/r") reduced to one form. The same function is applied to the
names in the profiles and to the text being searched, so the rules only need to be consistent,
not linguistically complete.

`OccupationMatcher` answers two questions: which occupations fit a search query (`search`, for
the API), and which occupations a chat message talks about (`find_mentions`, for the NLU).
`MunicipalityMatcher` does the same for the places of the region.

Standard library only, so that the Rasa engine (Python 3.10) and the services (3.12) share it.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from knowledge.schema import Municipality, Profession
from knowledge.slugs import fold

# --------------------------------------------------------------------------------------------
# Tokens and normal forms
# --------------------------------------------------------------------------------------------

# "(m/w/d)" and its permutations carry no meaning for matching.
_GENDER_TAG = r"\(\s*[mwdf]\s*/\s*[mwdf]\s*/\s*[mwdf]\s*\)|\b[mwdf]\s*/\s*[mwdf]\s*/\s*[mwdf]\b"
_WORD = r"[^\W_]+(?:['’]s\b)?"
# A gender marker glued to a word; it is part of the word's span but not of its normal form.
_MARKER = (
    r"\s*/\s*-\s*[^\W_]+"  # Maurer/-in, Kaufmann/-frau, Milchtechnologe/-technologin
    r"|/(?:innen|in|frau|mann|er|r|n|e)(?![^\W_])"  # Erzieher/in, Medizinische/r
    r"|[*:_](?:innen|in|r|n|e)(?![^\W_])"  # Erzieher*in, Erzieher:innen, Erzieher_in, Angestellte*r
    r"|\(\s*-?\s*(?:innen|in|r|n|e|er)\s*\)"  # Erzieher(in), Angestellte(r)
)
_TOKEN_RE = re.compile(rf"(?P<tag>{_GENDER_TAG})|(?P<word>{_WORD})(?P<marker>{_MARKER})?", re.IGNORECASE)
_BINNEN_I_RE = re.compile(r"(?<=[a-zäöüß])(?:In|Innen)$")  # ErzieherIn, ErzieherInnen
_SENTENCE_BREAK_RE = re.compile(r"[.!?;:\n]")

# Words that connect the parts of a name; ignored when names are compared "loosely".
# fmt: off
FILLER_WORDS = frozenset({
    "fuer", "fur", "im", "in", "der", "die", "das", "den", "dem", "des", "und", "u", "zum", "zur",
    "bei", "beim", "for", "of", "and", "the", "a", "an",
})
# Endings after which a final "-in" marks the feminine form of an agent noun (Erzieher-in,
# Florist-in, Chemikant-in, Friseur-in, Konditor-in, Landwirt-in, Architekt-in, ...).
_FEMININE_STEM_ENDINGS = (
    "er", "ist", "ant", "ent", "eur", "or", "ot", "at", "it", "ekt", "graf", "graph", "wirt", "mied",
    "metz", "ier", "aer", "aen", "ar", "naut", "eut",
)
# fmt: on
# Feminine forms with an umlaut or an extra letter: Ärztin -> Arzt, Köchin -> Koch, Beamtin -> Beamte.
_FEMININE_IRREGULAR = (
    ("aerzt", "arzt"),
    ("koech", "koch"),
    ("baeuer", "bauer"),
    ("anwaelt", "anwalt"),
    ("beamt", "beamte"),
)
# Plurals with an umlaut (Köche, Ärzte, Anwälte) and "Bauern", too short for the -ern rule below.
_IRREGULAR_PLURALS = (
    ("koechen", "koch"),
    ("koeche", "koch"),
    ("aerzten", "arzt"),
    ("aerzte", "arzt"),
    ("anwaelten", "anwalt"),
    ("anwaelte", "anwalt"),
    ("bauern", "bauer"),
)
# Plurals that only add -e: Friseure, Monteure, Landwirte, Konditoren (-en after -or).
_PLURAL_ENDINGS = (
    ("eure", "eur"),
    ("wirten", "wirt"),
    ("wirte", "wirt"),
    ("oren", "or"),
    ("kraefte", "kraft"),
)
# Floristen, Physiotherapeuten, Krankengymnasten
_WEAK_NOUN_PLURAL_RE = re.compile(r"^(.{3,}(?:ist|ant|ent|graf|graph|naut|ot|at|ekt|eut|ast))en$")
# Technologen -> Technologe, Kollegen -> Kollege, Logopäden -> Logopäde
_WEAK_NOUN_E_PLURAL_RE = re.compile(r"^(.{4,}(?:[oe]g|aed))en$")
_PARTICIPLE_NOUN_RE = re.compile(
    r"^(.*(?:angestellt|beamt|bedienstet|gepruef|anerkannt|gelernt))(?:e|er|en|es|em)?$"
)
# medizinische(r) -> medizinisch, audiovisuelle(n) -> audiovisuell
# (four letters before the suffix at least: "Fleischer" is a butcher, not an adjective of "Fleisch")
_ADJECTIVE_RE = re.compile(r"^(.{4,}(?:isch|lich|uell|iell|iv))(?:e|er|en|es|em)$")


def _stem(word: str) -> str:
    """Reduce one folded, lower-case word to the form shared by its gender and inflection variants."""
    if len(word) < 4 or not word.isalpha():
        return word
    w = word
    # Kaufmann / Kauffrau / Kaufleute / Kaufmänner / Kaufmanns -> kaufmann
    if w.endswith("leute") and len(w) > 5:
        w = w[:-5] + "mann"
    elif w.endswith("maenner") and len(w) > 7:
        w = w[:-7] + "mann"
    elif w.endswith("frauen") and len(w) >= 9:
        w = w[:-6] + "mann"
    elif w.endswith("frau") and len(w) >= 7:
        w = w[:-4] + "mann"
    elif w.endswith("manns") and len(w) > 5:
        w = w[:-1]
    # Feminine forms: Erzieherin(nen) -> erzieher, Technologin -> technologe
    if w.endswith("innen") and len(w) > 7:
        w = w[:-3]
    if w.endswith("in") and len(w) >= 6:
        stem = w[:-2]
        irregular = next((pair for pair in _FEMININE_IRREGULAR if stem.endswith(pair[0])), None)
        if irregular is not None:
            w = stem[: -len(irregular[0])] + irregular[1]
        elif stem.endswith(("og", "eg")):
            w = stem + "e"
        elif stem.endswith(_FEMININE_STEM_ENDINGS):
            w = stem
    # Nouns made from participles: Fachangestellter / Fachangestellten -> fachangestellte
    participle = _PARTICIPLE_NOUN_RE.match(w)
    if participle:
        return participle.group(1) + "e"
    for plural, singular in _IRREGULAR_PLURALS:
        if w.endswith(plural):
            return w[: -len(plural)] + singular
    for plural, singular in _PLURAL_ENDINGS:
        if w.endswith(plural) and len(w) > len(plural) + 2:
            return w[: -len(plural)] + singular
    # Genitive and dative plural of -er nouns: Mechatronikers, Mechatronikern -> mechatroniker
    if len(w) >= 7 and w.endswith(("ern", "ers")):
        w = w[:-1]
    weak = _WEAK_NOUN_PLURAL_RE.match(w)
    if weak:
        return weak.group(1)
    weak_e = _WEAK_NOUN_E_PLURAL_RE.match(w)
    if weak_e:
        return weak_e.group(1) + "e"
    adjective = _ADJECTIVE_RE.match(w)
    if adjective:
        return adjective.group(1)
    return w


@dataclass(frozen=True)
class Token:
    """One word of a text: its span in the original string and its normal forms.

    `norm` is the stemmed form used for matching; `raw` is only folded (gender markers removed but
    endings kept), used where stemming would merge a name with an ordinary word ("Zimmerin" vs
    "Zimmer"). `break_before` is True when a sentence boundary lies between this and the previous token.
    """

    start: int
    end: int
    norm: str
    raw: str
    break_before: bool


def _fold_word(word: str) -> str:
    word = _BINNEN_I_RE.sub("", word)
    if word.endswith(("'s", "’s")):
        word = word[:-2]
    return fold(word)


def tokenize(text: str) -> list[Token]:
    """Split `text` into tokens with offsets into the original string.

    A gender pair written with a slash ("Zimmerer/Zimmerin", "Bankkaufmann/Bankkauffrau") is one token.
    """
    tokens: list[Token] = []
    previous_end = 0
    for match in _TOKEN_RE.finditer(text):
        word = match.group("word")
        if word is None:
            continue
        raw = _fold_word(word)
        if not raw:
            continue
        gap = text[previous_end : match.start()]
        if tokens and gap.strip() == "/" and _is_gender_pair(tokens[-1].raw, raw):
            last = tokens[-1]
            tokens[-1] = Token(last.start, match.end(), last.norm, last.raw, last.break_before)
        else:
            breaks = bool(tokens) and bool(_SENTENCE_BREAK_RE.search(gap))
            tokens.append(Token(match.start(), match.end(), _stem(raw), raw, breaks))
        previous_end = match.end()
    return tokens


def _is_gender_pair(first: str, second: str) -> bool:
    """'zimmerer' / 'zimmerin', 'bankkaufmann' / 'bankkauffrau', 'koch' / 'koechin', but not
    'maler' / 'lackierer'."""
    if len(first) < 3 or len(second) < 3:
        return False
    return first[:3] == second[:3] or _stem(first) == _stem(second)


def _dedupe(forms: Iterable[str]) -> list[str]:
    result: list[str] = []
    for form in forms:
        if form and (not result or result[-1] != form):
            result.append(form)
    return result


def normalize(text: str, *, fold_gender: bool = True) -> str:
    """Canonical form of a name or query: tokens separated by single spaces.

    >>> normalize("Erzieher/-in") == normalize("ErzieherIn") == normalize("Erzieher*innen") == "erzieher"
    True
    >>> normalize("Kfz-Mechatronikers")
    'kfz mechatroniker'

    With `fold_gender=False` only case, umlauts, separators and gender markers are unified; word
    endings stay as typed.
    """
    tokens = tokenize(text)
    return " ".join(_dedupe(token.norm if fold_gender else token.raw for token in tokens))


def _compact(norm: str) -> str:
    return norm.replace(" ", "")


def _skeleton(norm: str) -> str:
    return "".join(part for part in norm.split(" ") if part not in FILLER_WORDS)


# --------------------------------------------------------------------------------------------
# Edit distance and the deletion-neighbourhood index
# --------------------------------------------------------------------------------------------


def damerau_levenshtein(a: str, b: str, max_distance: int | None = None) -> int:
    """Optimal-string-alignment distance (insertions, deletions, substitutions, adjacent swaps).

    With `max_distance`, any result above it is reported as `max_distance + 1`; only the diagonal
    band of that width is computed, so the check stays cheap for long names.
    """
    if a == b:
        return 0
    len_a, len_b = len(a), len(b)
    limit = max(len_a, len_b) if max_distance is None else max_distance
    beyond = limit + 1
    if abs(len_a - len_b) > limit:
        return beyond
    before_previous: list[int] = []
    previous = [j if j <= limit else beyond for j in range(len_b + 1)]
    for i in range(1, len_a + 1):
        current = [beyond] * (len_b + 1)
        if i <= limit:
            current[0] = i
        row_min = current[0]
        char_a = a[i - 1]
        for j in range(max(1, i - limit), min(len_b, i + limit) + 1):
            value = previous[j - 1] + (0 if char_a == b[j - 1] else 1)
            if previous[j] + 1 < value:
                value = previous[j] + 1
            if current[j - 1] + 1 < value:
                value = current[j - 1] + 1
            if (
                i > 1
                and j > 1
                and char_a == b[j - 2]
                and a[i - 2] == b[j - 1]
                and before_previous[j - 2] + 1 < value
            ):
                value = before_previous[j - 2] + 1
            current[j] = min(value, beyond)
            row_min = min(row_min, value)
        if row_min > limit:
            return beyond
        before_previous, previous = previous, current
    return min(previous[len_b], beyond)


@lru_cache(maxsize=8192)
def _deletions(word: str, depth: int) -> frozenset[str]:
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {item[:i] + item[i + 1 :] for item in frontier for i in range(len(item))}
        found |= frontier
    return frozenset(found)


class DeletionIndex:
    """Finds the keys within a few Damerau-Levenshtein edits of a query without comparing all keys.

    The symmetric-deletion idea of SymSpell: every key is stored under the strings obtained by
    deleting up to `max_distance` characters from its first `prefix_length` characters; a query is
    looked up the same way, and the few candidates are verified with the real distance.
    """

    def __init__(self, keys: Iterable[str], *, max_distance: int = 2, prefix_length: int = 8) -> None:
        self.max_distance = max_distance
        self.prefix_length = prefix_length
        self._buckets: dict[str, list[str]] = defaultdict(list)
        for key in sorted(set(keys)):
            for deletion in _deletions(key[:prefix_length], max_distance):
                self._buckets[deletion].append(key)

    def lookup(self, query: str, max_distance: int) -> list[tuple[str, int]]:
        """Keys within `max_distance` of `query` with their distance, nearest first, then by key."""
        max_distance = min(max_distance, self.max_distance)
        if max_distance < 0:
            return []
        seen: set[str] = set()
        found: list[tuple[str, int]] = []
        for deletion in _deletions(query[: self.prefix_length], max_distance):
            for key in self._buckets.get(deletion, ()):
                if key in seen:
                    continue
                seen.add(key)
                if abs(len(key) - len(query)) > max_distance:
                    continue
                distance = damerau_levenshtein(query, key, max_distance)
                if distance <= max_distance:
                    found.append((key, distance))
        found.sort(key=lambda item: (item[1], item[0]))
        return found


def _with_prefix(sorted_words: Sequence[str], prefix: str) -> Iterator[str]:
    """The words of a sorted list that start with `prefix` (found by bisection)."""
    index = bisect_left(sorted_words, prefix)
    while index < len(sorted_words) and sorted_words[index].startswith(prefix):
        yield sorted_words[index]
        index += 1


def search_edit_budget(length: int) -> int:
    """Edits allowed in a search query: none below 4 characters, 1 up to 7, 2 from 8."""
    if length < 4:
        return -1
    return 1 if length <= 7 else 2


def message_edit_budget(length: int) -> int:
    """Edits allowed for a word in running text, where every word is a candidate: none below 8
    characters (German has too many short words one letter apart: Maurer/Mauer, Winzer/Winter),
    1 up to 13, 2 from 14 (compounds of 12 or 13 letters are often two letters from a name:
    Wasserballer/Wasserbauer, Theatermacher/Theatermaler)."""
    if length < 8:
        return -1
    return 1 if length <= 13 else 2


def _plausible_typo(typed: str, key: str) -> bool:
    """In running text a typo must keep the first and last letter ("Fachinformatker", not "Bäckerei")."""
    return typed[:1] == key[:1] and typed[-1:] == key[-1:]


def _typo_in_one_word(words: Sequence[str], name: str) -> bool:
    """Whether several words of a message spell a multi-word name with a typo inside one word
    ("Kaufmann im Einzelhandl"). Words that only run together into something like a name are no
    typo of it: "wasser sauber" is not "Wasserbauer", "bricklayer or" not "bricklayer"."""
    name_words = name.split(" ")
    for parts in (name_words, [word for word in name_words if word not in FILLER_WORDS]):
        if len(parts) != len(words):
            continue
        differing = [(typed, word) for typed, word in zip(words, parts, strict=True) if typed != word]
        if len(differing) != 1:
            continue
        typed, word = differing[0]
        limit = 1 if len(word) < 12 else 2
        if (
            len(word) >= 5
            and _plausible_typo(typed, word)
            and damerau_levenshtein(typed, word, limit) <= limit
        ):
            return True
    return False


# --------------------------------------------------------------------------------------------
# Occupations
# --------------------------------------------------------------------------------------------

# Sources of the terms a matcher knows, with the score an exact hit earns.
TERM_SOURCES: Mapping[str, float] = {
    "name_masc": 1.0,
    "name_fem": 1.0,
    "name_short": 1.0,
    "name_en": 1.0,
    "synonym": 1.0,
    "variant": 0.95,
}
_BASE_SOURCES = ("name_masc", "name_fem", "name_short", "name_en", "synonym")

# Abbreviations written both ways in everyday language.
ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("kraftfahrzeug", "kfz"),
    ("lastkraftwagen", "lkw"),
    ("informationstechnik", "it"),
)
# Occupations renamed when their heads changed; the old head is still what people say
# (Kfz-Mechaniker -> Kfz-Mechatroniker, Zweiradmechaniker -> Zweiradmechatroniker).
LEGACY_HEADS: tuple[tuple[str, str], ...] = (("mechatroniker", "mechaniker"),)
# Everyday words that stand for a group of occupations, with the heads of the occupations they may
# mean ("Elektriker" usually means an Elektroniker). Heads of official names that fit several
# occupations ("Fachkraft", "Technologe") are found from the data; these are added in any case.
# English words point at the heads of the German names, so "mechanic" offers what "Mechaniker" offers.
GENERIC_WORDS: Mapping[str, tuple[str, ...]] = {
    "mechaniker": ("mechaniker",),
    "kaufmann": ("kaufmann",),
    "elektriker": ("elektroniker", "elektriker"),
    "techniker": ("techniker",),
    "schneider": ("schneider",),
    "monteur": ("monteur",),
    "pfleger": ("pfleger",),  # Tierpfleger, Altenpfleger (Pflegefachmann), Heilerziehungspfleger, ...
    # everyday and old names of several occupations (the synonyms built on them decide the order)
    "kellner": ("kellner",),  # Restaurants und Veranstaltungsgastronomie, Fachkraft für Gastronomie
    "busfahrer": ("busfahrer",),  # Fachkraft im Fahrbetrieb (Linienbus), Berufskraftfahrer (Reisebus)
    "schlosser": ("schlosser",),  # Industriemechaniker, Metallbauer, Konstruktionsmechaniker, ...
    "lagerist": ("lagerist",),  # Fachlagerist, Fachkraft für Lagerlogistik
    "installateur": ("installateur",),  # Anlagenmechaniker SHK first, Elektroniker
    "zoellner": ("zoellner",),  # Zoll: mittlerer and gehobener Dienst
    "zeichner": ("zeichner",),  # Technischer Produktdesigner, Technischer Systemplaner, Bauzeichner
    "waiter": ("kellner",),
    "waitress": ("kellner",),
    "mechanic": ("mechaniker",),
    "salesman": ("kaufmann", "verkaeufer"),
    "saleswoman": ("kaufmann", "verkaeufer"),
    "salesperson": ("kaufmann", "verkaeufer"),
}
# Everyday and old names of several occupations that nearly always mean their first candidate
# ("Kellner" is first a Fachmann für Restaurants und Veranstaltungsgastronomie): a mention of one
# is still a choice, but it carries that first candidate as `first_choice`, and the NLU answers
# about it while offering the others. A word reaches this set only when the order of its
# candidates is tested (tests/knowledge/test_everyday_names.py). Generic heads such as "Mechaniker"
# or "Kaufmann" have no first choice.
FIRST_CHOICE_WORDS = frozenset(
    {"kellner", "busfahrer", "schlosser", "lagerist", "installateur", "zoellner", "waiter", "waitress"}
)
# The same for a generic word after a word that narrows it: "Technischer Zeichner" (the old name
# of Technischer Produktdesigner and Technischer Systemplaner), unlike "Zeichner" alone.
FIRST_CHOICE_PHRASES: Mapping[tuple[str, str], str] = {("technisch", "zeichner"): "zeichner"}
# English phrases of two words that stand for the same choice as a German generic word: both
# Mediengestalter occupations are "media designers".
GENERIC_PHRASES: Mapping[tuple[str, str], str] = {
    ("media", "designer"): "mediengestalter",
    ("bus", "driver"): "busfahrer",
}
# Everyday words for someone in any job ("Angestellter" is any employee): never a generic choice
# of occupations and never the short form of one (normal forms).
# fmt: off
EMPLOYEE_WORDS = frozenset({
    "angestellte", "arbeiter", "mitarbeiter", "beamte", "hilfskraft", "aushilfe", "helfer", "azubi",
    "auszubildende", "praktikant",
})
# fmt: on
# Everyday words for a kind of job that one occupation's name may start with ("Servicekraft für
# Schutz und Sicherheit"): never its short form ("Servicekraft" is also a waiter).
EVERYDAY_JOB_WORDS = EMPLOYEE_WORDS | {"facharbeiter", "fachkraft", "servicekraft"}
# Words that say that some job or training is meant, but not which (normal forms). A name never
# matches on them alone: "Ausbildung" finds neither "Polizeiausbildung" nor a synonym "Ausbildung
# Finanzamt", "person" not "Pflegefachperson".
# fmt: off
NON_DISTINCTIVE_WORDS = EVERYDAY_JOB_WORDS | {
    "ausbildung", "ausbildungen", "lehre", "beruf", "berufe", "job", "jobs", "arbeit", "stelle",
    "studium", "dienst", "training", "trainee", "apprentice", "apprenticeship", "work", "worker",
    "person", "people", "mensch", "menschen",
}
# fmt: on
MAX_CANDIDATES = 8
# Typos are looked for in up to this many consecutive words of a message ("Kaufmann im Einzelhandl").
MAX_FUZZY_WINDOW = 4
_QUALIFIER_WORDS = frozenset({"fuer", "fur", "im", "in", "zur", "zum"})
_ENGLISH_VERB_MARKERS = frozenset({"to"})
# Occupation words that are also plain English verbs: after "to" they are the activity, not the job
# ("I want to cook"), while "similar to fachinformatiker" still names an occupation.
_ENGLISH_VERB_OCCUPATIONS = frozenset(
    {"cook", "nurse", "farm", "paint", "print", "bake", "drive", "tailor", "guide"}
)
# English occupation words that are everyday German words ("Chef" is the boss) or common names
# ("Harry Potter", "Sheldon Cooper"): in a message they name the occupation only after an English
# article or preposition ("as a chef", "subjects for chef", "what does a potter do").
_ENGLISH_ONLY_WORDS = frozenset({"chef", "potter", "cooper", "miller", "mason", "tanner"})
# fmt: off
_ENGLISH_CONTEXT_WORDS = frozenset({
    "a", "an", "the", "as", "for", "about", "like", "to", "become", "becoming", "being", "of", "than",
    "with", "professional", "head",
    # comparisons: "what is better chef or baker", "difference between chef and cook"
    "or", "and", "between", "better", "vs", "versus",
})
# Words after an occupation in one compound that mean its training or a job in it
# ("Tischlerlehre", "Erzieherausbildung", "Bankkaufmannsazubi"); longest first.
_TRAINING_SUFFIXES = (
    "ausbildungsplatz", "ausbildungsstelle", "ausbildungen", "ausbildung", "lehrstelle", "praktikum",
    "azubine", "azubis", "azubi", "lehre", "berufe", "beruf", "jobs", "job",
)
# Everyday words one or two letters from a name or synonym, found by scanning the 150,000 most
# frequent German and English words (spaCy's lexeme tables) with `find_mentions`: never a typo.
EVERYDAY_LOOKALIKES = (
    "schlechter", "schlichter", "Schulter", "Schultern", "Schreiber", "Schreiberin", "Schreier",
    "frischer", "schärfer", "scharfer", "Schläfer", "Drücker", "Kaminfeuer", "Trockenmauern",
    "Steinschleuder", "Rennleiter", "befreiter", "Maschinist", "Phytotherapie", "gatekeeper",
    "haymaker",
)
# fmt: on


# Keys this short are abbreviations ("ATA", "PTA", "MFA", "Kfz"): they name an occupation only as
# one word of a message, never spelt across several ("at a" is no ATA, "o ta" no OTA).
MAX_ABBREVIATION_LENGTH = 4


def _short_key_split(key: str, window: Sequence[Token]) -> bool:
    """Whether a window of several words would spell a key no longer than an abbreviation."""
    return len(window) > 1 and len(key) <= MAX_ABBREVIATION_LENGTH


@dataclass(frozen=True)
class Match:
    """One occupation found by `OccupationMatcher.search`.

    `kind` says how: "exact", "prefix", "compound" (the query is the head of a longer name, or
    contains a name), "tokens" (some words in common), "fuzzy" (a typo) or "generic" (the query is a
    word like "Mechaniker" that stands for several occupations; they come in the order of
    `find_mentions`' candidates).
    """

    slug: str
    score: float
    matched_term: str
    kind: str


@dataclass(frozen=True)
class Mention:
    """A place in a message that names an occupation (or a municipality).

    `slug` is set when the words fit exactly one; otherwise `slug` is None and `candidates` holds
    the ones that fit, best first (e.g. "Mechaniker"). `kind` is "exact", "fuzzy", "generic" or
    "compound" (the name joined with a word for its training: "Tischlerlehre"). `first_choice` is
    set for an everyday name whose first candidate is what it nearly always means ("Kellner",
    FIRST_CHOICE_WORDS); the mention stays a choice.
    """

    start: int
    end: int
    text: str
    slug: str | None
    candidates: tuple[str, ...]
    kind: str = "exact"
    score: float = 1.0
    first_choice: str | None = None


@dataclass(frozen=True)
class _Term:
    slug: str
    source: str
    text: str  # as written in the profile (or derived)
    norm: str
    weight: float


def _english_singulars(word: str) -> tuple[str, ...]:
    """The possible singulars of an English plural: chefs -> chef, technicians -> technician,
    salesmen -> salesman, secretaries -> secretary, coaches -> coach, salespeople -> salesperson."""
    if len(word) < 5 or not word.isalpha():
        return ()
    if word.endswith("people"):
        return (word[:-6] + "person",)
    if word.endswith("men"):
        return (word[:-3] + "man",)
    if word.endswith("ies"):
        return (word[:-3] + "y",)
    if word.endswith("es"):
        return (word[:-1], word[:-2])
    if word.endswith("s") and not word.endswith("ss"):
        return (word[:-1],)
    return ()


def _is_adjective(token: str) -> bool:
    return token.endswith(("isch", "lich", "uell", "iell", "iv"))


def _compound_words(text: str, tokens: Sequence[Token]) -> list[tuple[str, bool]]:
    """The words of a name with hyphenated compounds joined, each with a flag for an elided first
    part: 'Kfz-Mechatroniker' -> [('kfzmechatroniker', False)],
    'Textil- und Modenäher' -> [('textil', True), ('und', False), ('modenaeher', False)]."""
    words: list[tuple[str, bool]] = []
    previous_end = -2
    for token in tokens:
        joined = token.start == previous_end + 1 and text[previous_end] == "-"
        if joined and words:
            words[-1] = (words[-1][0] + token.norm, False)
        else:
            words.append((token.norm, False))
        after = text[token.end : token.end + 2]
        if after[:1] == "-" and (len(after) == 1 or after[1] in " ,"):
            words[-1] = (words[-1][0], True)
        previous_end = token.end
    return words


def _head_tokens(text: str, tokens: Sequence[Token]) -> list[str]:
    """The nouns a name is built on: 'Medizinischer Fachangestellter' -> ['fachangestellte'],
    'Maler und Lackierer' -> ['maler', 'lackierer'], 'Kaufmann im Einzelhandel' -> ['kaufmann'],
    'Berg- und Maschinenmann' -> ['maschinenmann']."""
    words = _compound_words(text, tokens)
    heads: list[str] = []
    for index, (word, elided) in enumerate(words):
        if elided or word in FILLER_WORDS or _is_adjective(word):
            continue
        heads.append(word)
        if index + 2 < len(words) and words[index + 1][0] == "und":
            heads.append(words[index + 2][0])
        break
    return heads


_PARENTHESIS_RE = re.compile(r"\s*\([^)]*\)")
_LETTERS_RE = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class _Analysis:
    norm: str  # normal form
    raw: str  # literal form (see Token.raw)
    heads: tuple[str, ...]  # the nouns the name is built on
    core: str | None  # the name without its qualifier, if it has one


@lru_cache(maxsize=16384)
def _analyse(text: str) -> _Analysis:
    """Everything the matcher derives from one name, computed once per text."""
    tokens = tokenize(text)
    norm = " ".join(_dedupe(token.norm for token in tokens))
    raw = " ".join(_dedupe(token.raw for token in tokens))
    return _Analysis(norm, raw, tuple(_head_tokens(text, tokens)), _name_core(text, tokens))


def _name_core(text: str, tokens: Sequence[Token]) -> str | None:
    """The name without its qualifier: 'Kanalbauer für Infrastrukturtechnik' -> 'kanalbauer',
    'Drechsler (Elfenbeinschnitzer)' -> 'drechsler'. Only a qualifier introduced by für/im/in/zur/zum
    or put in parentheses counts: 'Physik-Laborant' or 'music retailer' have none."""
    if _PARENTHESIS_RE.search(text):
        without = _PARENTHESIS_RE.sub("", text).strip()
        return normalize(without) if without else None
    words = _compound_words(text, tokens)
    for index, (word, elided) in enumerate(words):
        if elided or word in FILLER_WORDS or _is_adjective(word):
            continue
        if index + 1 < len(words) and words[index + 1][0] in _QUALIFIER_WORDS:
            return " ".join(w for w, _ in words[: index + 1])
        return None
    return None


class OccupationMatcher:
    """Index of the names and synonyms of all occupations, for search and for scanning messages."""

    FORMAT = 1

    def __init__(self, base_terms: Iterable[tuple[str, str, str]], known_words: Iterable[str] = ()) -> None:
        """`base_terms`: (slug, source, text) with source one of name_masc, name_fem, name_short,
        name_en, synonym. `known_words`: correctly spelt ordinary words (e.g. from the profile
        texts) that `find_mentions` must never take for a typo of a name ("verbessern" is no typo of
        "Vermesser"). Use `from_professions` or `from_dict` instead of calling this directly."""
        self._base: list[tuple[str, str, str]] = sorted(
            {(slug, source, text) for slug, source, text in base_terms if text.strip()}
        )
        for _, source, _ in self._base:
            if source not in _BASE_SOURCES:
                raise ValueError(f"unknown term source {source!r}")
        self._terms: list[_Term] = []
        self._build()
        # Only words long enough to be typo candidates matter; names themselves stay matchable.
        self._known_words = frozenset(
            token.norm
            for word in known_words
            for token in tokenize(word)
            if message_edit_budget(len(token.norm)) >= 0 and token.norm not in self._key_set
        )

    # -- construction --------------------------------------------------------------------

    @classmethod
    def from_professions(cls, professions: Iterable[Profession]) -> OccupationMatcher:
        """The matcher for these occupations; the words of their texts and EVERYDAY_LOOKALIKES
        become `known_words`."""
        terms: list[tuple[str, str, str]] = []
        known_words: set[str] = set(EVERYDAY_LOOKALIKES)
        for profession in professions:
            for source, text in (
                ("name_masc", profession.name_masc),
                ("name_fem", profession.name_fem),
                ("name_short", profession.name_short),
                ("name_en", profession.name_en),
            ):
                terms.append((profession.slug, source, text))
            terms.extend((profession.slug, "synonym", synonym) for synonym in profession.synonyms)
            for profile_text in profession.text.values():
                for sentence in (profile_text.description, *profile_text.tasks, *profile_text.workplaces):
                    known_words.update(_LETTERS_RE.findall(sentence))
        return cls(terms, known_words)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable state; everything else is rebuilt from it by `from_dict`."""
        return {
            "format": self.FORMAT,
            "terms": [{"slug": slug, "source": source, "text": text} for slug, source, text in self._base],
            "known_words": sorted(self._known_words),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OccupationMatcher:
        if data.get("format") != cls.FORMAT:
            raise ValueError(f"unsupported matcher format {data.get('format')!r}")
        terms = ((str(t["slug"]), str(t["source"]), str(t["text"])) for t in data["terms"])
        return cls(terms, (str(word) for word in data.get("known_words", ())))

    def _build(self) -> None:
        terms: dict[tuple[str, str], _Term] = {}  # (slug, norm) -> best term

        def add(slug: str, source: str, text: str, norm: str) -> None:
            if not norm:
                return
            term = _Term(slug, source, text, norm, TERM_SOURCES[source])
            current = terms.get((slug, norm))
            if current is None or (term.weight, -len(term.text)) > (current.weight, -len(current.text)):
                terms[(slug, norm)] = term

        self._masc_norm = {
            slug: self._norm(text) for slug, source, text in self._base if source == "name_masc"
        }
        for slug, source, text in self._base:
            analysis = _analyse(text)
            norm, raw = analysis.norm, analysis.raw
            # A feminine name whose stem is not the masculine name ("Zimmerin" -> "zimmer" while the
            # masculine is "zimmerer") would collide with ordinary words: keep only its literal form.
            if source != "name_fem" or self._fem_stem_is_masc(slug, text):
                add(slug, source, text, norm)
            else:
                add(slug, source, text, raw)

        # The names a slug is exactly known by; derived variants must not collide with these.
        taken: dict[str, set[str]] = defaultdict(set)
        for term in terms.values():
            taken[_compact(term.norm)].add(term.slug)

        self._heads = self._generic_heads(taken)

        proposals: dict[str, set[str]] = defaultdict(set)  # compact -> slugs
        proposal_terms: dict[tuple[str, str], tuple[str, str]] = {}  # (slug, compact) -> (text, norm)
        head_words = {head for slug, source, text in self._base for head in _analyse(text).heads}
        for slug, source, text in self._base:
            if source == "name_en":
                continue
            analysis = _analyse(text)
            core = analysis.core if source != "synonym" else None
            # A core that is an everyday word or ends the name of other occupations is not specific.
            if core is not None and (
                core in EVERYDAY_JOB_WORDS or any(h.endswith(core) and h != core for h in head_words)
            ):
                core = None
            for variant in self._variants(analysis.norm, core):
                key = _compact(variant)
                if len(key) < 4 or key in taken or key in self._heads:
                    continue
                proposals[key].add(slug)
                proposal_terms.setdefault((slug, key), (text, variant))
        for (slug, key), (text, variant) in sorted(proposal_terms.items()):
            if proposals[key] == {slug}:
                add(slug, "variant", text, variant)

        self._terms = sorted(terms.values(), key=lambda t: (t.slug, t.norm))
        self._by_compact: dict[str, list[_Term]] = defaultdict(list)
        self._by_skeleton: dict[str, list[_Term]] = defaultdict(list)
        self._by_token: dict[str, set[int]] = defaultdict(set)
        for index, term in enumerate(self._terms):
            self._by_compact[_compact(term.norm)].append(term)
            skeleton = _skeleton(term.norm)
            if skeleton and skeleton != _compact(term.norm):
                self._by_skeleton[skeleton].append(term)
            for token in set(term.norm.split(" ")) - FILLER_WORDS:
                self._by_token[token].add(index)
        slugs_per_token: dict[str, set[str]] = defaultdict(set)
        for token, indexes in self._by_token.items():
            slugs_per_token[token] = {self._terms[i].slug for i in indexes}
        slug_count = max(1, len({term.slug for term in self._terms}))
        self._idf = {token: math.log(1 + slug_count / len(slugs)) for token, slugs in slugs_per_token.items()}
        self._keys = sorted(set(self._by_compact) | set(self._by_skeleton))
        self._key_set = frozenset(self._keys)
        self._keys_reversed = sorted(key[::-1] for key in self._keys)
        self._tokens_sorted = sorted(self._idf)
        self._tokens_reversed = sorted(token[::-1] for token in self._idf)
        self._fuzzy = DeletionIndex(self._keys)
        # Synonyms that misspell a name of the same occupation ("Fleicher", "Kirschner"). A word of a
        # message is taken for a typo of a name, not of a misspelling: that would reach twice as
        # far ("Fletcher" is one letter from "Fleicher", "Kirchner" one from "Kirschner").
        name_keys: dict[str, set[str]] = defaultdict(set)
        for term in self._terms:
            if term.source != "synonym":
                name_keys[term.slug].add(_compact(term.norm))
        self._misspellings = frozenset(
            key
            for key, terms in self._by_compact.items()
            if all(
                term.source == "synonym"
                and any(damerau_levenshtein(key, name, 2) <= 2 for name in name_keys[term.slug])
                for term in terms
            )
        )
        # (first letter, last letter, length) of every key: a word in a message can only be a typo
        # of a key with the same first and last letter, so most windows are ruled out at once.
        self._key_shapes = frozenset((key[0], key[-1], len(key)) for key in self._keys)
        # A message may put up to two connecting words into a name ("Ausbildung beim Finanzamt").
        self._max_window = max((len(term.norm.split(" ")) for term in self._terms), default=-1) + 2
        self._max_key_length = max((len(key) for key in self._keys), default=0)
        # The proper whole-word beginnings and ends of multi-word keys ("ausbildung" and "finanzamt"
        # of "ausbildung finanzamt"): a query equal to one shares words with the name, which
        # `_token_matches` weighs, but it is no prefix or compound of the name.
        self._word_parts: dict[str, set[str]] = defaultdict(set)
        for term in self._terms:
            words = term.norm.split(" ")
            for parts in (words, [word for word in words if word not in FILLER_WORDS]):
                key = "".join(parts)
                for cut in range(1, len(parts)):
                    self._word_parts[key].update(("".join(parts[:cut]), "".join(parts[cut:])))

    @staticmethod
    def _norm(text: str) -> str:
        return _analyse(text).norm

    def _fem_stem_is_masc(self, slug: str, text: str) -> bool:
        return slug not in self._masc_norm or self._norm(text) == self._masc_norm[slug]

    @staticmethod
    def _variants(norm: str, core: str | None) -> set[str]:
        """Other ways to write a name: without its qualifier, with the old head, abbreviated."""
        variants = {norm}
        if core:
            variants.add(core)
        for new_head, old_head in LEGACY_HEADS:
            for variant in list(variants):
                tokens = variant.split(" ")
                for index, token in enumerate(tokens):
                    if token.endswith(new_head) and token != new_head:
                        renamed = [*tokens[:index], token[: -len(new_head)] + old_head, *tokens[index + 1 :]]
                        variants.add(" ".join(renamed))
        for long_form, short_form in ABBREVIATIONS:
            for variant in list(variants):
                tokens = variant.split(" ")
                if any(long_form in token for token in tokens):
                    variants.add(" ".join(token.replace(long_form, short_form) for token in tokens))
                if short_form in tokens:
                    variants.add(" ".join(long_form if token == short_form else token for token in tokens))
        variants.discard(norm)
        return variants

    def _generic_heads(self, taken: Mapping[str, set[str]]) -> dict[str, tuple[str, ...]]:
        """Words that name a group of occupations ("mechaniker", "kaufmann", "fachkraft") -> the
        occupations built on them, at most MAX_CANDIDATES.

        The words are the heads of official names (plus GENERIC_WORDS) that fit two or more
        occupations and are not themselves the name of one. An occupation fits when the head of one
        of its names or synonyms ends with the word. Order: occupations officially named by the word
        itself ("Kaufmann im Einzelhandel" for "Kaufmann"), then those called that way more often
        (more names and synonyms with such a head, e.g. "Kfz-Mechaniker", "Automechaniker"), then
        shorter names. There is no data on how many pupils choose an occupation, so this is a
        plausible order, not a popularity ranking.
        """
        name_heads: dict[str, set[str]] = defaultdict(set)  # slug -> heads of official names
        all_heads: dict[str, set[str]] = defaultdict(set)  # slug -> heads of names and synonyms
        shortest_name: dict[str, int] = {}
        for slug, source, text in self._base:
            if source == "name_en" or (source == "name_fem" and not self._fem_stem_is_masc(slug, text)):
                continue
            heads = _analyse(text).heads
            all_heads[slug].update(heads)
            if source != "synonym":
                name_heads[slug].update(heads)
                shortest_name[slug] = min(shortest_name.get(slug, 10**6), len(self._norm(text)))
        words: dict[str, tuple[str, ...]] = {}
        for slug_heads in name_heads.values():
            for head in slug_heads:
                words.setdefault(head, (head,))
        words.update(GENERIC_WORDS)
        generic: dict[str, tuple[str, ...]] = {}
        for word, endings in sorted(words.items()):
            if len(word) < 5 or word in taken or word in EMPLOYEE_WORDS:
                continue
            fitting = {
                slug: sum(1 for head in heads if head.endswith(endings))
                for slug, heads in all_heads.items()
                if slug in shortest_name
            }
            ranked = sorted(
                (slug for slug, count in fitting.items() if count),
                key=lambda slug: (
                    not name_heads[slug] & set(endings),
                    -fitting[slug],
                    shortest_name[slug],
                    slug,
                ),
            )
            if len(ranked) >= 2 or (word in GENERIC_WORDS and ranked):
                generic[word] = tuple(ranked[:MAX_CANDIDATES])
        return generic

    # -- queries -------------------------------------------------------------------------

    @property
    def slugs(self) -> frozenset[str]:
        return frozenset(term.slug for term in self._terms)

    @property
    def generic_heads(self) -> Mapping[str, tuple[str, ...]]:
        """Normalised words that stand for several occupations, with their candidates."""
        return dict(self._heads)

    def search(self, query: str, limit: int = 10) -> list[Match]:
        """Occupations that fit `query`, best first (ties by slug); scores in 0..1.

        Exact names and synonyms score 0.94-1, prefixes and compounds 0.72-0.9, shared words
        0.6-0.75, typos 0.45-0.6.
        """
        norm = normalize(query)
        if not norm or limit <= 0:
            return []
        compact = _compact(norm)
        raw_compact = _compact(normalize(query, fold_gender=False))
        skeleton = _skeleton(norm)
        best: dict[str, Match] = {}

        def offer(term: _Term, score: float, kind: str) -> None:
            score = round(min(1.0, max(0.0, score)), 4)
            current = best.get(term.slug)
            if current is None or score > current.score:
                best[term.slug] = Match(term.slug, score, term.text, kind)

        # A generic word ("Mechaniker") lists the occupations built on it, in the order of find_mentions.
        for rank, slug in enumerate(self._heads.get(norm, ())):
            best[slug] = Match(slug, round(0.9 - 0.01 * rank, 4), query.strip(), "generic")

        for key in dict.fromkeys((compact, raw_compact)):
            for term in self._by_compact.get(key, ()):
                offer(term, term.weight, "exact")
        if skeleton:
            for term in self._terms_for_key(skeleton):
                offer(term, term.weight - 0.03, "exact")

        for key, kind in self._partial_keys(compact):
            ratio = min(len(compact), len(key)) / max(len(compact), len(key))
            score = (0.75 if kind == "prefix" else 0.72) + 0.15 * ratio
            for term in self._terms_for_key(key):
                offer(term, score - (1.0 - term.weight), kind)

        self._token_matches(norm, offer)

        budget = search_edit_budget(len(compact))
        for key, distance in self._fuzzy.lookup(compact, budget):
            for term in self._terms_for_key(key):
                offer(term, 0.6 - 0.06 * distance - (1.0 - term.weight), "fuzzy")

        ranked = sorted(best.values(), key=lambda match: (-match.score, match.slug))
        return ranked[:limit]

    def _terms_for_key(self, key: str) -> list[_Term]:
        return self._by_compact.get(key, []) + self._by_skeleton.get(key, [])

    def _partial_keys(self, compact: str) -> list[tuple[str, str]]:
        """Keys that start with the query ("prefix"), end with it, or occur inside it ("compound")."""
        found: dict[str, str] = {}
        if len(compact) >= 3:
            for key in _with_prefix(self._keys, compact):
                found.setdefault(key, "prefix")
        if len(compact) >= 4:
            for reversed_key in _with_prefix(self._keys_reversed, compact[::-1]):
                found.setdefault(reversed_key[::-1], "compound")
            for start in range(len(compact) - 3):
                for end in range(start + 4, len(compact) + 1):
                    if compact[start:end] in self._key_set:
                        found.setdefault(compact[start:end], "compound")
        found.pop(compact, None)
        if compact in NON_DISTINCTIVE_WORDS:
            return []
        return sorted(
            (key, kind) for key, kind in found.items() if compact not in self._word_parts.get(key, ())
        )

    def _token_matches(self, norm: str, offer: Any) -> None:
        """Terms sharing words with the query; a query word also matches the start or the end of a
        longer word ("einzelhandel" in "einzelhandelskaufmann", "kaufmann" in "bankkaufmann")."""
        query_tokens = [
            token
            for token in dict.fromkeys(norm.split(" "))
            if token not in FILLER_WORDS and token not in NON_DISTINCTIVE_WORDS
        ]
        if not query_tokens:
            return
        idf = self._idf
        matched: dict[int, dict[str, float]] = defaultdict(dict)  # term index -> query token -> weight
        for token in query_tokens:
            known = {token} if token in idf else set()
            if len(token) >= 5:
                known.update(_with_prefix(self._tokens_sorted, token))
                known.update(word[::-1] for word in _with_prefix(self._tokens_reversed, token[::-1]))
            for word in known:
                for index in self._by_token[word]:
                    matched[index][token] = max(matched[index].get(token, 0.0), idf[word])
        if not matched:
            return
        unknown_weight = math.log(2 + len(idf))
        query_weight = sum(idf.get(token, unknown_weight) for token in query_tokens)
        for index, hits in matched.items():
            term = self._terms[index]
            term_weight = sum(idf[t] for t in dict.fromkeys(term.norm.split(" ")) if t not in FILLER_WORDS)
            gained = sum(hits.values())
            coverage = math.sqrt(min(1.0, gained / query_weight) * min(1.0, gained / term_weight))
            offer(term, 0.6 + 0.15 * coverage - (1.0 - term.weight), "tokens")

    def find_mentions(self, text: str) -> list[Mention]:
        """Occupations named in a message, left to right, with offsets into `text`.

        Windows of up to as many words as the longest name are compared exactly (also as an English
        plural: "it specialists") and with a small typo budget; the longest match wins. A lone
        generic word ("Mechaniker", "Kauffrau", "mechanics") gives a mention without slug whose
        candidates are the occupations built on it. Unlike `search`, a message matches no prefix or
        part of a name: words run together only count as a name joined with a word for its
        training ("Tischlerlehre"), and a typo must lie inside one word of the name.
        """
        tokens = tokenize(text)
        found: list[
            tuple[int, int, int, float, tuple[str, ...], str]
        ] = []  # (i, n, priority, score, slugs, kind)
        first_choices: dict[tuple[int, int], str] = {}  # (i, n) of an everyday name -> its first candidate
        for i in range(len(tokens)):
            for n in range(1, min(self._max_window, len(tokens) - i) + 1):
                window = tokens[i : i + n]
                if n > 1 and window[-1].break_before:
                    break
                if window[0].norm in FILLER_WORDS or window[-1].norm in FILLER_WORDS:
                    # "der Tischler" is a mention of "Tischler"; only a name such as "fur dresser"
                    # may begin or end with such a word
                    key = "".join(token.norm for token in window)
                    if key in self._by_compact and not _short_key_split(key, window):
                        slugs = tuple(sorted({term.slug for term in self._by_compact[key]}))
                        found.append((i, n, 0, 1.0, slugs, "exact"))
                    continue
                hit = self._match_window(window, tokens[i - 1] if i > 0 else None)
                if hit is not None:
                    slugs, kind, score = hit
                    found.append((i, n, 0 if kind == "exact" else 1, score, slugs, kind))
            candidates = self._generic_candidates(tokens[i])
            if candidates:
                found.append((i, 1, 2, 0.5, candidates, "generic"))
                if self._generic_word(tokens[i]) in FIRST_CHOICE_WORDS:
                    first_choices[(i, 1)] = candidates[0]
            if i + 1 < len(tokens):
                phrase_candidates = self._generic_phrase_candidates(tokens[i], tokens[i + 1])
                if phrase_candidates:
                    found.append((i, 2, 2, 0.5, phrase_candidates, "generic"))
                    if self._generic_phrase(tokens[i], tokens[i + 1]) in FIRST_CHOICE_WORDS:
                        first_choices[(i, 2)] = phrase_candidates[0]
                narrowed = FIRST_CHOICE_PHRASES.get((tokens[i].norm, tokens[i + 1].norm))
                if narrowed is not None and not tokens[i + 1].break_before and self._heads.get(narrowed):
                    found.append((i, 2, 2, 0.5, self._heads[narrowed], "generic"))
                    first_choices[(i, 2)] = self._heads[narrowed][0]
        glued = {  # i: tokens i - 1 and i are one hyphenated word ("Diplom-Finanzwirt")
            i for i in range(1, len(tokens)) if text[tokens[i - 1].end : tokens[i].start] == "-"
        }

        def rank(f: tuple[int, int, int, float, tuple[str, ...], str]) -> tuple[bool, int, int, float, int]:
            # a window that cuts a hyphenated word comes after those that do not, then the longest
            cuts = f[0] in glued or f[0] + f[1] in glued
            return (cuts, -f[1], f[2], -f[3], f[0])

        mentions: list[Mention] = []
        used: set[int] = set()
        for i, n, _, score, slugs, kind in sorted(found, key=rank):
            span = set(range(i, i + n))
            if span & used:
                continue
            used |= span
            start, end = tokens[i].start, tokens[i + n - 1].end
            slug = slugs[0] if len(slugs) == 1 and kind != "generic" else None
            first_choice = first_choices.get((i, n)) if kind == "generic" else None
            mentions.append(Mention(start, end, text[start:end], slug, slugs, kind, score, first_choice))
        return sorted(mentions, key=lambda mention: mention.start)

    @staticmethod
    def _fits_context(key: str, before: Token | None) -> bool:
        """Whether a one-word name means the occupation after the word before it: not after "to"
        for English verbs ("I want to cook"), only after English words for English-only words
        ("as a chef", but not "mein Chef")."""
        if key in _ENGLISH_VERB_OCCUPATIONS and before is not None and before.norm in _ENGLISH_VERB_MARKERS:
            return False
        if key in _ENGLISH_ONLY_WORDS:
            return before is not None and before.norm in _ENGLISH_CONTEXT_WORDS
        return True

    def _generic_candidates(self, token: Token) -> tuple[str, ...]:
        """The choice a generic word ("Mechaniker", "mechanics", "salesmen") stands for, else ()."""
        word = self._generic_word(token)
        return self._heads[word] if word is not None else ()

    def _generic_word(self, token: Token) -> str | None:
        """The generic word a token is a form of ("Kellnerin" -> "kellner"), else None."""
        for form in (token.norm, *_english_singulars(token.raw)):
            if form in self._heads:
                return form
        return None

    def _generic_phrase(self, first: Token, second: Token) -> str | None:
        """The German generic word a two-word English phrase stands for ("bus drivers"), else None."""
        for form in (second.norm, *_english_singulars(second.raw)):
            head = GENERIC_PHRASES.get((first.norm, form))
            if head is not None and head in self._heads:
                return head
        return None

    def _generic_phrase_candidates(self, first: Token, second: Token) -> tuple[str, ...]:
        """The choice a generic two-word English phrase stands for ("media designers"), else ()."""
        for form in (second.norm, *_english_singulars(second.raw)):
            head = GENERIC_PHRASES.get((first.norm, form))
            if head is not None:
                return self._heads.get(head, ())
        return ()

    def _exact_terms(self, window: Sequence[Token]) -> tuple[str, list[_Term]]:
        """The key a window of a message spells and the terms stored under it, or ("", [])."""
        compact = "".join(token.norm for token in window)
        raw_compact = "".join(token.raw for token in window)
        for key in dict.fromkeys((compact, raw_compact)):
            if key in self._by_compact:
                return key, self._by_compact[key]
        # English plurals and German genitives of the last word: "it specialists", "des Kochs"
        first_words = "".join(token.norm for token in window[:-1])
        last = window[-1]
        for singular in dict.fromkeys((*_english_singulars(last.raw), *_english_singulars(last.norm))):
            if first_words + singular in self._by_compact:
                return first_words + singular, self._by_compact[first_words + singular]
        if len(window) > 1:
            skeleton = _skeleton(" ".join(token.norm for token in window))
            terms = self._terms_for_key(skeleton)
            if terms:
                return skeleton, terms
        return "", []

    def _compound_terms(self, word: str) -> list[_Term]:
        """The terms of an occupation followed by a word for its training in one compound
        ("Tischlerlehre", "Bankkaufmannsausbildung", "Floristenjob"); the occupation part must be
        spelt exactly, since the compound itself is an ordinary word of no profile."""
        for suffix in _TRAINING_SUFFIXES:
            if not word.endswith(suffix):
                continue
            first = word[: -len(suffix)]
            if len(first) < 4:
                return []
            forms = (first, first[:-1] if first.endswith("s") else first, _stem(first))
            for form in dict.fromkeys(forms):
                if form in self._heads or form in _ENGLISH_ONLY_WORDS:
                    return []  # "Mechanikerausbildung" is as open as "Mechaniker", a "Chefjob" no cook's
                terms = self._by_compact.get(form)
                if terms:
                    return terms
            return []
        return []

    def _match_window(
        self, window: Sequence[Token], before: Token | None
    ) -> tuple[tuple[str, ...], str, float] | None:
        compact = "".join(token.norm for token in window)
        if _short_key_split(compact, window):
            return None
        if (
            sum(len(token.norm) for token in window if token.norm not in FILLER_WORDS)
            > self._max_key_length + 2
        ):
            return None  # longer than any name, even without its connecting words
        key, terms = self._exact_terms(window)
        if terms:
            if len(window) == 1 and not self._fits_context(
                key, before if not window[0].break_before else None
            ):
                return None
            return tuple(sorted({term.slug for term in terms})), "exact", max(t.weight for t in terms)
        if len(window) == 1:
            compound = self._compound_terms(window[0].raw)
            if compound:
                return tuple(sorted({term.slug for term in compound})), "compound", 0.9
        if len(window) == 1 and self._generic_candidates(window[0]):
            return None  # a generic word is a choice, not a typo of one occupation
        if all(token.norm in self._known_words for token in window):
            return None  # correctly spelt ordinary words
        if len(window) > MAX_FUZZY_WINDOW:
            return None
        budget = message_edit_budget(len(compact))
        if budget < 0 or not any(
            (compact[0], compact[-1], len(compact) + delta) in self._key_shapes
            for delta in range(-budget, budget + 1)
        ):
            return None
        words = [token.norm for token in window]
        hits = [
            (term.slug, distance)
            for key, distance in self._fuzzy.lookup(compact, budget)
            if _plausible_typo(compact, key) and key not in self._misspellings
            for term in self._terms_for_key(key)
            if len(window) == 1 or _typo_in_one_word(words, term.norm)
        ]
        if not hits:
            return None
        nearest = min(distance for _, distance in hits)
        slugs = sorted({slug for slug, distance in hits if distance == nearest})
        return tuple(slugs), "fuzzy", round(0.6 - 0.06 * nearest, 4)


# --------------------------------------------------------------------------------------------
# Municipalities
# --------------------------------------------------------------------------------------------

# Everyday short forms of place names that no rule derives.
PLACE_ALIASES: Mapping[str, tuple[str, ...]] = {
    "georgsmarienhuette": ("GMHütte", "GM-Hütte", "GMH"),
    # "Bad" is often left out; not for Bad Essen, since "Essen" is a city elsewhere.
    "badiburg": ("Iburg",),
    "badlaer": ("Laer",),
    "badrothenfelde": ("Rothenfelde",),
}
_PLACE_SUFFIXES = ("am teutoburger wald",)
_DISTRICT_WORDS = frozenset({"landkreis", "lk", "kreis"})
_POSTCODE_RE = re.compile(r"^\d{5}$")


def _place_edit_budget(length: int) -> int:
    """Edits allowed for a place name in running text. There are only a few dozen places, so a
    typo is allowed from 6 letters ("Bramshe"), two from 10."""
    if length < 6:
        return -1
    return 1 if length <= 9 else 2


def _place_norm(text: str) -> str:
    return " ".join(token.raw for token in tokenize(text))


class MunicipalityMatcher:
    """Resolves place names (with typos and short forms) and postcodes to municipalities."""

    def __init__(self, municipalities: Iterable[Municipality]) -> None:
        self._places = {place.slug: place for place in sorted(municipalities, key=lambda m: m.slug)}
        names: dict[str, set[str]] = defaultdict(set)  # compact -> slugs
        variants: dict[str, set[str]] = defaultdict(set)
        for place in self._places.values():
            norm = _place_norm(place.name)
            names[_compact(norm)].add(place.slug)
            for suffix in _PLACE_SUFFIXES:
                if norm.endswith(" " + suffix):
                    short = norm[: -len(suffix) - 1]
                    variants[_compact(short)].add(place.slug)
                    initials = "".join(word[0] for word in suffix.split(" "))
                    variants[_compact(short) + initials].add(place.slug)  # "Hagen a.T.W."
            if place.kind == "samtgemeinde" and norm.startswith("samtgemeinde "):
                variants[_compact(norm[len("samtgemeinde ") :])].add(place.slug)
                variants["sg" + _compact(norm[len("samtgemeinde ") :])].add(place.slug)
            for alias in PLACE_ALIASES.get(_compact(norm), ()):
                variants[_compact(_place_norm(alias))].add(place.slug)
        # A variant never hides a real name ("Fürstenau" is the town, not the Samtgemeinde).
        self._by_key: dict[str, tuple[str, ...]] = {key: tuple(sorted(slugs)) for key, slugs in names.items()}
        for key, slugs in variants.items():
            if key not in self._by_key and len(slugs) == 1:
                self._by_key[key] = tuple(sorted(slugs))
        self._by_postcode = self._postcode_index()
        self._fuzzy = DeletionIndex(key for key in self._by_key if len(key) >= 4)
        self._max_window = max(
            (len(_place_norm(p.name).split(" ")) for p in self._places.values()), default=1
        )

    @classmethod
    def from_municipalities(cls, municipalities: Iterable[Municipality]) -> MunicipalityMatcher:
        return cls(municipalities)

    def _postcode_index(self) -> dict[str, Municipality]:
        members: dict[str, list[Municipality]] = defaultdict(list)
        for place in self._places.values():
            if place.kind == "samtgemeinde":
                continue
            for postcode in place.postcodes:
                members[postcode].append(place)
        by_name = {place.name: place for place in self._places.values()}
        index: dict[str, Municipality] = {}
        for postcode, places in members.items():
            if len(places) == 1:
                index[postcode] = places[0]
                continue
            # A postcode shared by members of one Samtgemeinde points at the Samtgemeinde.
            groups = {place.samtgemeinde for place in places}
            if len(groups) == 1:
                group = groups.pop()
                if group is not None and group in by_name:
                    index[postcode] = by_name[group]
        return index

    def get(self, slug: str) -> Municipality | None:
        return self._places.get(slug)

    def resolve(self, text: str) -> Municipality | None:
        """The one municipality `text` names (a name, a short form, a typo or a postcode), else None."""
        norm = _place_norm(text)
        key = _compact(norm)
        if not key:
            return None
        if _POSTCODE_RE.match(key):
            return self._by_postcode.get(key)
        slugs = self._by_key.get(key)
        if slugs is not None:
            return self._places[slugs[0]] if len(slugs) == 1 else None
        hits = self._fuzzy.lookup(key, search_edit_budget(len(key)))
        if hits:
            nearest = hits[0][1]
            slugs_found = {slug for k, d in hits if d == nearest for slug in self._by_key[k]}
            return self._places[slugs_found.pop()] if len(slugs_found) == 1 else None
        mentioned = {mention.slug for mention in self.find_mentions(text) if mention.slug}
        return self._places[mentioned.pop()] if len(mentioned) == 1 else None

    def find_mentions(self, text: str) -> list[Mention]:
        """Places and postcodes named in a message, with offsets into `text`; longest match wins."""
        tokens = tokenize(text)
        found: list[tuple[int, int, int, tuple[str, ...], str, float]] = []
        for i in range(len(tokens)):
            if _POSTCODE_RE.match(tokens[i].raw):
                place = self._by_postcode.get(tokens[i].raw)
                if place is not None:
                    found.append((i, 1, 0, (place.slug,), "exact", 1.0))
                continue
            for n in range(1, min(self._max_window, len(tokens) - i) + 1):
                window = tokens[i : i + n]
                if n > 1 and window[-1].break_before:
                    break
                key = "".join(token.raw for token in window)
                slugs = self._by_key.get(key)
                if slugs:
                    found.append((i, n, 0, slugs, "exact", 1.0))
                    continue
                budget = _place_edit_budget(len(key))
                hits = [(k, d) for k, d in self._fuzzy.lookup(key, budget) if _plausible_typo(key, k)]
                if hits:
                    nearest = hits[0][1]
                    fuzzy = tuple(sorted({s for k, d in hits if d == nearest for s in self._by_key[k]}))
                    found.append((i, n, 1, fuzzy, "fuzzy", round(0.6 - 0.06 * nearest, 4)))
        mentions: list[Mention] = []
        used: set[int] = set()
        for i, n, _, slugs, kind, score in sorted(found, key=lambda f: (-f[1], f[2], f[0])):
            span = set(range(i, i + n))
            if span & used:
                continue
            if i > 0 and tokens[i - 1].raw in _DISTRICT_WORDS:
                continue  # "Landkreis Osnabrück" is the district, not the city
            used |= span
            start, end = tokens[i].start, tokens[i + n - 1].end
            slug = slugs[0] if len(slugs) == 1 else None
            mentions.append(Mention(start, end, text[start:end], slug, slugs, kind, score))
        return sorted(mentions, key=lambda mention: mention.start)
