"""Mirror knowledge/ into the database: insert what is new, update what changed, delete what is gone.

Works through the ORM only (no dialect-specific upserts), so it runs the same on SQLite and
PostgreSQL; rows whose content is unchanged are left alone and keep their `updated_at`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.core.models import Base
from api.geo.models import Municipality
from api.knowledge_sync.meta import KNOWLEDGE_HASH, PROFILES_HASH, write_meta
from api.pay.models import MinimumPay
from api.professions.models import (
    Profession,
    ProfessionTopic,
    ProfileDocument,
    Topic,
    VocabularyKind,
    VocabularyTerm,
)
from api.professions.search import refresh_search_key
from api.professions.service import compute_profiles_key
from api.search.documents import knowledge_documents
from api.search.models import SearchDocument
from knowledge import schema
from knowledge.rules.catalogue import Rule

# vocab.yaml section -> vocabulary kind in the database
VOCAB_SECTIONS: dict[str, VocabularyKind] = {
    "certificates": VocabularyKind.CERTIFICATE,
    "training_types": VocabularyKind.TRAINING_TYPE,
    "subjects": VocabularyKind.SUBJECT,
    "fields": VocabularyKind.FIELD,
    "riasec": VocabularyKind.RIASEC,
}


@dataclass
class TableChanges:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged


@dataclass
class SyncReport:
    tables: dict[str, TableChanges] = field(default_factory=dict)
    knowledge_hash: str = ""

    @property
    def changed(self) -> bool:
        return any(c.inserted or c.updated or c.deleted for c in self.tables.values())


@dataclass(frozen=True)
class KnowledgeSnapshot:
    """Everything the API keeps from knowledge/, as returned by `knowledge.loader`."""

    professions: list[schema.Profession]
    vocab: schema.Vocab
    municipalities: list[schema.Municipality]
    minimum_pay: list[schema.MinimumPay]
    agreed_pay: list[schema.AgreedPay]
    knowledge_hash: str
    topics: list[schema.Topic] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)


def profession_columns(
    profession: schema.Profession, agreed_pay: Iterable[schema.AgreedPay]
) -> dict[str, Any]:
    document = ProfileDocument.model_validate(
        {
            "synonyms": list(profession.synonyms),
            "text": {
                language: {
                    "description": text.description,
                    "tasks": list(text.tasks),
                    "workplaces": list(text.workplaces),
                }
                for language, text in profession.text.items()
            },
            "subjects": list(profession.subjects),
            "related": list(profession.related),
            "pay_note": (
                {"de": profession.pay_note.de, "en": profession.pay_note.en} if profession.pay_note else None
            ),
            "agreed_pay": [
                {
                    "year": pay.year,
                    "eur_per_month": pay.eur_per_month,
                    "scope": pay.scope,
                    "source_url": pay.source_url,
                }
                for pay in sorted(agreed_pay, key=lambda pay: (pay.year, pay.scope))
            ],
            "regulation": (
                {
                    "year": profession.regulation.year,
                    "title": profession.regulation.title,
                    "source": profession.regulation.source,
                }
                if profession.regulation
                else None
            ),
        }
    )
    return {
        "slug": profession.slug,
        "name": profession.name_short,
        "name_masc": profession.name_masc,
        "name_fem": profession.name_fem,
        "name_en": profession.name_en,
        "training_type": profession.training_type,
        "duration_months": profession.duration_months,
        "field": profession.field,
        "riasec": profession.riasec,
        "kldb_code": profession.kldb_code,
        "certificate_typical": profession.certificate_typical,
        "certificate_required": profession.certificate_required,
        "legal_minimum_pay": profession.legal_minimum_pay,
        "profile": document.model_dump(mode="json"),
        **interest_columns(profession.interests),
    }


def interest_columns(interests: tuple[int, ...]) -> dict[str, int | None]:
    """The six interest scores as columns (all null for a profile without them)."""
    if len(interests) != len("riasec"):
        return {f"interest_{code}": None for code in "riasec"}
    return {f"interest_{code}": score for code, score in zip("riasec", interests, strict=True)}


def municipality_columns(municipality: schema.Municipality) -> dict[str, Any]:
    return {
        "slug": municipality.slug,
        "name": municipality.name,
        "kind": municipality.kind,
        "samtgemeinde": municipality.samtgemeinde,
        "postcodes": list(municipality.postcodes),
        "lat": municipality.lat,
        "lon": municipality.lon,
    }


def minimum_pay_columns(pay: schema.MinimumPay) -> dict[str, Any]:
    return {
        "start_year": pay.start_year,
        "training_year": pay.training_year,
        "eur_per_month": pay.eur,
        "legal_basis": pay.legal_basis,
    }


def topic_columns(topics: Iterable[schema.Topic]) -> list[dict[str, Any]]:
    return [
        {"key": topic.key, "position": position, "name_de": topic.name.de, "name_en": topic.name.en}
        for position, topic in enumerate(topics)
    ]


def profession_topic_columns(topics: Iterable[schema.Topic], slugs: set[str]) -> list[dict[str, Any]]:
    """One row per occupation of a topic; occupations without a profile are left out."""
    return [
        {"topic_key": topic.key, "profession_slug": slug, "position": position}
        for topic in topics
        for position, slug in enumerate(topic.occupations)
        if slug in slugs
    ]


def vocabulary_columns(vocab: schema.Vocab) -> list[dict[str, Any]]:
    return [
        {
            "kind": kind.value,
            "code": term.code,
            "position": position,
            "rank": term.rank,
            "label_de": term.label.de,
            "label_en": term.label.en,
        }
        for section, kind in VOCAB_SECTIONS.items()
        for position, term in enumerate(vocab.terms(section))
    ]


ModelT = TypeVar("ModelT", bound=Base)


def mirror_rows(
    session: Session,
    model: type[ModelT],
    wanted: Iterable[Mapping[str, Any]],
    key: Callable[[Mapping[str, Any]], Hashable],
    row_key: Callable[[ModelT], Hashable],
) -> TableChanges:
    """Make the table hold exactly `wanted` (rows as column dicts), touching only what differs."""
    changes = TableChanges()
    existing = {row_key(row): row for row in session.scalars(select(model))}
    seen: set[Hashable] = set()
    for values in wanted:
        identity = key(values)
        seen.add(identity)
        row = existing.get(identity)
        if row is None:
            session.add(model(**values))
            changes.inserted += 1
            continue
        differing = {name: value for name, value in values.items() if getattr(row, name) != value}
        for name, value in differing.items():
            setattr(row, name, value)
        if differing:
            changes.updated += 1
        else:
            changes.unchanged += 1
    for identity, row in existing.items():
        if identity not in seen:
            session.delete(row)
            changes.deleted += 1
    session.flush()
    return changes


def sync_knowledge(session: Session, snapshot: KnowledgeSnapshot) -> SyncReport:
    """Mirror the snapshot into the database (the caller commits)."""
    agreed_by_slug: dict[str, list[schema.AgreedPay]] = {}
    for pay in snapshot.agreed_pay:
        agreed_by_slug.setdefault(pay.slug, []).append(pay)

    report = SyncReport(knowledge_hash=snapshot.knowledge_hash)
    report.tables["vocabulary_terms"] = mirror_rows(
        session,
        VocabularyTerm,
        vocabulary_columns(snapshot.vocab),
        key=lambda values: (values["kind"], values["code"]),
        row_key=lambda row: (row.kind, row.code),
    )
    report.tables["professions"] = mirror_rows(
        session,
        Profession,
        [profession_columns(p, agreed_by_slug.get(p.slug, [])) for p in snapshot.professions],
        key=lambda values: values["slug"],
        row_key=lambda row: row.slug,
    )
    report.tables["topics"] = mirror_rows(
        session,
        Topic,
        topic_columns(snapshot.topics),
        key=lambda values: values["key"],
        row_key=lambda row: row.key,
    )
    report.tables["profession_topics"] = mirror_rows(
        session,
        ProfessionTopic,
        profession_topic_columns(snapshot.topics, {p.slug for p in snapshot.professions}),
        key=lambda values: (values["topic_key"], values["profession_slug"]),
        row_key=lambda row: (row.topic_key, row.profession_slug),
    )
    report.tables["municipalities"] = mirror_rows(
        session,
        Municipality,
        [municipality_columns(m) for m in snapshot.municipalities],
        key=lambda values: values["slug"],
        row_key=lambda row: row.slug,
    )
    report.tables["minimum_pay"] = mirror_rows(
        session,
        MinimumPay,
        [minimum_pay_columns(p) for p in snapshot.minimum_pay],
        key=lambda values: (values["start_year"], values["training_year"]),
        row_key=lambda row: (row.start_year, row.training_year),
    )
    # The database keeps the full-text index of these rows (triggers / a generated column).
    report.tables["search_documents"] = mirror_rows(
        session,
        SearchDocument,
        knowledge_documents(snapshot),
        key=lambda values: (values["kind"], values["key"]),
        row_key=lambda row: (row.kind, row.key),
    )
    write_meta(session, KNOWLEDGE_HASH, snapshot.knowledge_hash)
    refresh_search_key(session)  # flushes what was written
    write_meta(session, PROFILES_HASH, compute_profiles_key(session))
    return report
