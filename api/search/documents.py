"""What of the knowledge goes into the search index: one builder per document kind.

Each builder turns one knowledge object into the columns of a `SearchDocument`. The knowledge
sync mirrors `knowledge_documents(snapshot)` into the table; the database keeps its index.

To index a further kind: write its builder like `profession_document`, and add its documents in
`knowledge_documents`. `kind` must be one of `DocumentKind` (the table's check constraint allows
profession, topic and rule).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from api.search.models import DocumentKind
from knowledge import schema
from knowledge.rules.catalogue import Rule

if TYPE_CHECKING:
    from api.knowledge_sync.service import KnowledgeSnapshot


def _join(parts: Iterable[str]) -> str:
    return " ".join(part.strip() for part in parts if part and part.strip())


def _sentences(parts: Iterable[str]) -> str:
    """Parts as sentences, so that a snippet can be cut at a sentence end."""
    out = []
    for part in parts:
        part = part.strip()
        if part:
            out.append(part if part[-1] in ".!?" else f"{part}.")
    return " ".join(out)


def document(
    kind: DocumentKind,
    key: str,
    title_de: str,
    title_en: str,
    terms: Iterable[str],
    body_de: str,
    body_en: str,
) -> dict[str, Any]:
    """The columns of one search document."""
    return {
        "kind": kind.value,
        "key": key,
        "title_de": title_de,
        "title_en": title_en,
        "terms": _join(dict.fromkeys(terms)),
        "body_de": body_de,
        "body_en": body_en,
    }


def profession_document(profession: schema.Profession) -> dict[str, Any]:
    """A profile: names and synonyms as terms; description, tasks and workplaces as the body."""
    bodies = {}
    for language in ("de", "en"):
        text = profession.text.get(language)
        bodies[language] = (
            _sentences([text.description, *text.tasks, *text.workplaces]) if text is not None else ""
        )
    return document(
        DocumentKind.PROFESSION,
        profession.slug,
        title_de=profession.name_short,
        title_en=profession.name_en,
        terms=[profession.name_masc, profession.name_fem, *profession.synonyms],
        body_de=bodies["de"],
        body_en=bodies["en"],
    )


def topic_document(topic: schema.Topic, names: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """A topic ("Tiere"): its names and the words pupils use as terms; its occupations (their
    names, the most typical first) as the body, so that a snippet says what the topic holds."""
    occupations = [names[slug] for slug in topic.occupations if slug in names]
    return document(
        DocumentKind.TOPIC,
        topic.key,
        title_de=topic.name.de,
        title_en=topic.name.en,
        terms=[topic.name.de, topic.name.en, *topic.words.get("de", ()), *topic.words.get("en", ())],
        body_de=_join(name_de + "," for name_de, _ in occupations).rstrip(","),
        body_en=_join(name_en + "," for _, name_en in occupations).rstrip(","),
    )


def rule_document(rule: Rule) -> dict[str, Any]:
    """A rule of training ("Probezeit"): its question as the title and the key's words as terms;
    its points as the body, so that a snippet is part of the answer itself."""
    return document(
        DocumentKind.RULE,
        rule.key,
        title_de=rule.de.title,
        title_en=rule.en.title,
        terms=[rule.de.title, rule.en.title],
        body_de=_sentences(rule.de.points),
        body_en=_sentences(rule.en.points),
    )


def knowledge_documents(snapshot: KnowledgeSnapshot) -> list[dict[str, Any]]:
    """Every document of the snapshot: the profiles, the topics and the rules of training."""
    names = {p.slug: (p.name_short, p.name_en) for p in snapshot.professions}
    return [
        *(profession_document(profession) for profession in snapshot.professions),
        *(topic_document(topic, names) for topic in snapshot.topics),
        *(rule_document(rule) for rule in snapshot.rules),
    ]
