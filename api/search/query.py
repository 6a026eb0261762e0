"""From a pupil's message to search terms: words without the small ones, lightly stemmed.

Both backends match each term as a prefix (German compounds start with their head word:
"tier" finds "Tierpfleger", "Tierarzt"), so a term only loses a plural or case ending here. No
term is ever spliced into SQL: the backends receive them as bound parameters, FTS5 terms quoted.
"""

from __future__ import annotations

import re
import unicodedata

# Words that carry no content in a question about occupations (DE, EN, chat spelling). A message
# made only of them has nothing to search for.
_STOPWORD_TEXT = """
    a ab aber alle alles als also am an and any are as at auch auf aus bei bin bis bist bitte but
    can da damit dann das dass de dem den denn der des dich die dir do doch du ein eine einem
    einen einer eines er es etwas for from für gar geht gern gerne gibt gut hab habe haben hallo
    hast hat have hey hi hier how i ich ihr im in is ist it ja je jemand kann kannst kein keine
    man me mehr mein meine mich mir mit möchte möchten muss musst my nach nicht nichts no noch nur
    ob oder of ok okay on or sehr sich sie sind so some than that the there this to um und uns vom
    von vor was welche welcher welches wenn wer werden what which who wie will wir wird with wo
    would you zu zum zur beruf berufe berufen job jobs ausbildung ausbildungen ausbildungsberuf
    arbeit arbeiten machen mache macht werden work working irgendwas irgendwie sowas what's whats
    want like mag mal eigentlich halt einfach immer viel viele
"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORD_TEXT.split())
_ENDINGS = ("ern", "en", "er", "e", "n", "s")
_KEEP_S = ("us", "ss", "is", "os")  # "Krankenhaus", "Fitness": the s belongs to the word
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_TERMS = 8


def _stem(word: str) -> str:
    """Drop one inflection ending when at least four letters stay ("tieren" -> "tier")."""
    for ending in _ENDINGS:
        if ending == "s" and word.endswith(_KEEP_S):
            continue
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def search_terms(text: str) -> list[str]:
    """The content words of `text`, stemmed, in order, without repeats (at most MAX_TERMS)."""
    # lower(), not casefold(): "draußen" must stay "draußen", as the index spells it
    words = _WORD.findall(unicodedata.normalize("NFC", text).lower())
    terms: list[str] = []
    for word in words:
        if len(word) < 3 or word.isdigit() or word in STOPWORDS:
            continue
        term = _stem(word)
        if term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def fts5_query(terms: list[str]) -> str:
    """An FTS5 MATCH expression: every term quoted (so no FTS5 syntax can slip in) and a prefix,
    joined with OR (bm25 ranks documents matching more terms higher)."""
    return " OR ".join('"' + term.replace('"', '""') + '"*' for term in terms)


def tsquery_text(terms: list[str]) -> str:
    """A to_tsquery expression: prefix terms joined with `|`. Terms are letters and digits only
    (`_WORD`), so no tsquery operator can slip in."""
    return " | ".join(f"{term}:*" for term in terms if _WORD.fullmatch(term))
