"""Listing, filtering, searching and describing occupations."""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from api.core.errors import InvalidFilterError
from api.core.models import Base
from api.core.schemas import CodedLabel, LocalizedLabel
from api.knowledge_sync.meta import PROFILES_HASH, read_meta
from api.pay import service as pay_service
from api.pay.models import MinimumPay
from api.professions.exceptions import ProfessionNotFoundError
from api.professions.models import Profession, ProfessionTopic, Topic, VocabularyKind, VocabularyTerm
from api.professions.schemas import (
    AgreedPayPublic,
    CertificateRequirements,
    FieldPublic,
    MinimumPayPublic,
    PayPublic,
    PayRank,
    ProfessionMatch,
    ProfessionPage,
    ProfessionPublic,
    ProfessionRanked,
    ProfessionSummary,
    ProfessionTextPublic,
    ProfessionTexts,
    RelatedProfession,
    TopicPublic,
)
from api.professions.search import profession_search


@dataclass(frozen=True)
class ProfessionFilters:
    field: str | None = None
    riasec: str | None = None
    certificate: str | None = None
    training_type: str | None = None
    topic: str | None = None
    reachable_with: str | None = None
    duration_max: int | None = None


SORTS = ("pay",)
# "reachable with" a certificate: required at most that one, and typical at most one step above it
# ("without one" keeps what requires nothing and is typically started with a Hauptschulabschluss)
_TYPICAL_STEPS_ABOVE = 1


def vocabulary(session: Session, kind: VocabularyKind) -> dict[str, VocabularyTerm]:
    """The codes of one vocabulary in their knowledge-file order."""
    terms = session.scalars(
        select(VocabularyTerm).where(VocabularyTerm.kind == kind).order_by(VocabularyTerm.position)
    )
    return {term.code: term for term in terms}


def _known(session: Session, kind: VocabularyKind, name: str, value: str) -> dict[str, VocabularyTerm]:
    terms = vocabulary(session, kind)
    if value not in terms:
        raise InvalidFilterError(name, value, list(terms))
    return terms


def filter_conditions(session: Session, filters: ProfessionFilters) -> list[ColumnElement[bool]]:
    """SQL conditions for the filters; unknown codes are refused with the list of known ones."""
    conditions: list[ColumnElement[bool]] = []
    if filters.field is not None:
        _known(session, VocabularyKind.FIELD, "field", filters.field)
        conditions.append(Profession.field == filters.field)
    if filters.training_type is not None:
        _known(session, VocabularyKind.TRAINING_TYPE, "training_type", filters.training_type)
        conditions.append(Profession.training_type == filters.training_type)
    if filters.certificate is not None:
        certificates = _known(session, VocabularyKind.CERTIFICATE, "certificate", filters.certificate)
        ceiling = certificates[filters.certificate].rank or 0
        reachable = [code for code, term in certificates.items() if (term.rank or 0) <= ceiling]
        conditions.append(Profession.certificate_required.in_(reachable))
    if filters.reachable_with is not None:
        certificates = _known(session, VocabularyKind.CERTIFICATE, "reachable_with", filters.reachable_with)
        rank = certificates[filters.reachable_with].rank or 0
        required = [code for code, term in certificates.items() if (term.rank or 0) <= rank]
        # typically started with at most one step more than the pupil has: within reach (a
        # Hauptschulabschluss reaches Tierwirt/-in and Tierpfleger/-in, not Biologielaborant/-in,
        # whose trainees mostly have an Abitur; the check's matching draws the same line)
        typical = [
            code for code, term in certificates.items() if (term.rank or 0) <= rank + _TYPICAL_STEPS_ABOVE
        ]
        conditions.append(Profession.certificate_required.in_(required))
        conditions.append(Profession.certificate_typical.in_(typical))
    if filters.duration_max is not None:
        conditions.append(Profession.duration_months <= filters.duration_max)
    if filters.topic is not None:
        topics = list(session.scalars(select(Topic.key).order_by(Topic.position)))
        if filters.topic not in topics:
            raise InvalidFilterError("topic", filters.topic, topics)
        conditions.append(
            Profession.slug.in_(
                select(ProfessionTopic.profession_slug).where(ProfessionTopic.topic_key == filters.topic)
            )
        )
    if filters.riasec is not None:
        # The code must contain every letter asked for, in any position.
        conditions.extend(Profession.riasec.contains(letter) for letter in dict.fromkeys(filters.riasec))
    return conditions


def _topic_positions(session: Session, topic: str) -> dict[str, int]:
    return dict(
        session.execute(
            select(ProfessionTopic.profession_slug, ProfessionTopic.position).where(
                ProfessionTopic.topic_key == topic
            )
        ).all()
    )


def pay_rank(profession: Profession, minimum_by_year: dict[int, int], start_year: int | None) -> PayRank:
    """The pay an occupation is sorted by: reported agreed pay when it is not below today's legal
    minimum (averaged over this training's years), else the legal minimum, else unknown.

    Agreed pay below today's minimum is out of date (reported before the minimum rose) and is never
    used as if it were current."""
    minimum: int | None = None
    if profession.legal_minimum_pay and start_year is not None and minimum_by_year:
        years = [
            minimum_by_year[year]
            for year in range(1, training_years(profession.duration_months) + 1)
            if year in minimum_by_year
        ]
        minimum = round(sum(years) / len(years)) if years else None
    agreed = profession.document.agreed_pay
    if agreed:
        latest = max(agreed, key=lambda row: (row.year, row.scope == "Beruf (gesamt)"))
        if minimum is None or latest.eur_per_month >= minimum:
            return PayRank(
                basis="agreed",
                eur_per_month=latest.eur_per_month,
                year=latest.year,
                scope=latest.scope,
                source_url=latest.source_url or None,
            )
    if minimum is not None:
        return PayRank(basis="minimum", eur_per_month=minimum, year=start_year)
    return PayRank(basis="unknown", eur_per_month=None, year=None)


def _pay_sorted(session: Session, rows: Sequence[Profession]) -> list[ProfessionRanked]:
    start_year = pay_service.latest_start_year(session)
    minimum_by_year = (
        {
            row.training_year: row.eur_per_month
            for row in pay_service.minimum_pay_for_start_year(session, start_year)
        }
        if start_year is not None
        else {}
    )
    ranked = [
        ProfessionRanked(
            **ProfessionSummary.model_validate(row).model_dump(),
            pay=pay_rank(row, minimum_by_year, start_year),
        )
        for row in rows
    ]
    # Known pay first, highest first; agreed before minimum at the same amount; then by name.
    return sorted(
        ranked,
        key=lambda item: (
            item.pay.eur_per_month is None,
            -(item.pay.eur_per_month or 0),
            item.pay.basis != "agreed",
            item.slug,
        ),
    )


def list_professions(
    session: Session,
    *,
    q: str | None,
    filters: ProfessionFilters,
    limit: int,
    offset: int,
    sort: str | None = None,
) -> ProfessionPage:
    """One page of occupations: best matches first with `q`; with `sort=pay` the best paid first
    (see `pay_rank`); with a topic the most typical first; otherwise in slug order."""
    if sort is not None and sort not in SORTS:
        raise InvalidFilterError("sort", sort, list(SORTS))
    conditions = filter_conditions(session, filters)
    query = (q or "").strip()
    if sort == "pay" and not query:
        rows = session.scalars(select(Profession).where(*conditions)).all()
        paid = _pay_sorted(session, rows)
        return ProfessionPage(items=paid[offset : offset + limit], total=len(paid))
    if filters.topic is not None and not query:
        positions = _topic_positions(session, filters.topic)
        rows = sorted(
            session.scalars(select(Profession).where(*conditions)).all(),
            key=lambda row: (positions.get(row.slug, len(positions)), row.slug),
        )
        return ProfessionPage(
            items=[ProfessionSummary.model_validate(row) for row in rows[offset : offset + limit]],
            total=len(rows),
        )
    if not query:
        total = session.scalar(select(func.count()).select_from(Profession).where(*conditions)) or 0
        rows = session.scalars(
            select(Profession).where(*conditions).order_by(Profession.slug).limit(limit).offset(offset)
        ).all()
        return ProfessionPage(items=[ProfessionSummary.model_validate(row) for row in rows], total=total)

    hits = profession_search.search(session, query)
    if not hits:
        return ProfessionPage(items=[], total=0)
    passing = set(
        session.scalars(
            select(Profession.slug).where(Profession.slug.in_([hit.slug for hit in hits]), *conditions)
        )
    )
    ranked = [hit for hit in hits if hit.slug in passing]
    page = ranked[offset : offset + limit]
    found = professions_by_slug(session, [hit.slug for hit in page])
    items = [
        ProfessionMatch(**ProfessionSummary.model_validate(found[hit.slug]).model_dump(), score=hit.score)
        for hit in page
    ]
    return ProfessionPage(items=items, total=len(ranked))


def get_profession(session: Session, slug: str) -> Profession:
    profession = session.get(Profession, slug)
    if profession is None:
        raise ProfessionNotFoundError(slug)
    return profession


def _coded(terms: dict[str, VocabularyTerm], code: str) -> CodedLabel:
    term = terms.get(code)
    if term is None:  # the loader checks every code; this only guards hand-edited databases
        return CodedLabel(code=code, de=code, en=code)
    return CodedLabel(code=code, de=term.label_de, en=term.label_en)


def _label(terms: dict[str, VocabularyTerm], code: str) -> LocalizedLabel:
    coded = _coded(terms, code)
    return LocalizedLabel(de=coded.de, en=coded.en)


def training_years(duration_months: int) -> int:
    """24 months -> 2 training years, 36 -> 3, 42 -> 4 (a started year counts)."""
    return max(1, math.ceil(duration_months / 12))


def pay_for(session: Session, profession: Profession) -> PayPublic:
    """The legal minimum for trainees starting in the latest year we know, and agreed pay if known."""
    document = profession.document
    start_year: int | None = None
    minimum: list[MinimumPayPublic] = []
    if profession.legal_minimum_pay:
        start_year = pay_service.latest_start_year(session)
        if start_year is not None:
            years = training_years(profession.duration_months)
            minimum = [
                MinimumPayPublic(training_year=row.training_year, eur=row.eur_per_month)
                for row in pay_service.minimum_pay_for_start_year(session, start_year)
                if row.training_year <= years
            ]
    note = document.pay_note
    return PayPublic(
        legal_minimum=profession.legal_minimum_pay,
        start_year=start_year,
        minimum=minimum,
        agreed=[AgreedPayPublic.model_validate(agreed.model_dump()) for agreed in document.agreed_pay],
        note=LocalizedLabel(de=note.de, en=note.en) if note else None,
    )


def describe_profession(session: Session, profession: Profession) -> ProfessionPublic:
    """Everything the assistant tells about one occupation, labels in German and English."""
    document = profession.document
    certificates = vocabulary(session, VocabularyKind.CERTIFICATE)
    subjects = vocabulary(session, VocabularyKind.SUBJECT)
    related_rows = professions_by_slug(session, document.related)
    return ProfessionPublic(
        **ProfessionSummary.model_validate(profession).model_dump(),
        synonyms=document.synonyms,
        text=ProfessionTexts(
            de=ProfessionTextPublic.model_validate(document.text["de"].model_dump()),
            en=ProfessionTextPublic.model_validate(document.text["en"].model_dump()),
        ),
        subjects=[_coded(subjects, code) for code in document.subjects],
        certificate=CertificateRequirements(
            typical=_coded(certificates, profession.certificate_typical),
            required=_coded(certificates, profession.certificate_required),
        ),
        training_type_label=_label(
            vocabulary(session, VocabularyKind.TRAINING_TYPE), profession.training_type
        ),
        field_label=_label(vocabulary(session, VocabularyKind.FIELD), profession.field),
        kldb_code=profession.kldb_code,
        pay=pay_for(session, profession),
        related=[
            RelatedProfession(slug=row.slug, name=row.name, name_en=row.name_en)
            for slug in document.related
            if (row := related_rows.get(slug)) is not None
        ],
    )


_UNREAD_COLUMNS = ("created_at", "updated_at")


def _row_values(row: Base) -> list[object]:
    return [getattr(row, column.key) for column in row.__table__.columns if column.key not in _UNREAD_COLUMNS]


def compute_profiles_key(session: Session) -> str:
    """A hash of every row a description reads: the occupations, the vocabularies, the legal
    minimum pay (the rows as stored, so a change of the loader's code changes it too)."""
    digest = hashlib.sha256()
    for model, order in (
        (Profession, (Profession.slug,)),
        (VocabularyTerm, (VocabularyTerm.kind, VocabularyTerm.code)),
        (MinimumPay, (MinimumPay.start_year, MinimumPay.training_year)),
    ):
        digest.update(model.__tablename__.encode("utf-8"))
        for row in session.scalars(select(model).order_by(*order)):
            digest.update(
                json.dumps(_row_values(row), sort_keys=True, ensure_ascii=False, default=str).encode()
            )
            digest.update(b"\n")
    return digest.hexdigest()


class ProfileCache:
    """Described occupations, kept per process for as long as the rows they are made of are the same.

    A description reads only what load-knowledge writes (the occupation's row, related rows,
    vocabularies, pay tables); every load stores a hash of those rows (`compute_profiles_key`): one
    read of it per request replaces the eight queries of a description. Rows changed by anything
    else (by hand, without a new hash) are seen after a restart; without a stored hash
    nothing is kept. Unknown occupations are never kept. The same object goes to every request for
    an occupation: callers must not change it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: str | None = None
        self._profiles: dict[str, ProfessionPublic] = {}

    def describe(self, session: Session, slug: str) -> ProfessionPublic:
        """The occupation `slug` as `describe_profession` tells it; 404 error when there is none."""
        key = read_meta(session, PROFILES_HASH)
        if key is not None:
            with self._lock:
                kept = self._profiles.get(slug) if key == self._key else None
            if kept is not None:
                return kept
        described = describe_profession(session, get_profession(session, slug))
        if key is not None:
            with self._lock:
                if key != self._key:
                    self._key, self._profiles = key, {}
                self._profiles[slug] = described
        return described

    def clear(self) -> None:
        with self._lock:
            self._key, self._profiles = None, {}


profile_cache = ProfileCache()


def list_topics(session: Session) -> list[TopicPublic]:
    """The topics in knowledge-file order, with how many occupations each has."""
    counts: dict[str, int] = dict(
        session.execute(
            select(ProfessionTopic.topic_key, func.count()).group_by(ProfessionTopic.topic_key)
        ).all()
    )
    return [
        TopicPublic(key=topic.key, de=topic.name_de, en=topic.name_en, count=counts.get(topic.key, 0))
        for topic in session.scalars(select(Topic).order_by(Topic.position))
    ]


def list_fields(session: Session) -> list[FieldPublic]:
    """The fields (KldB Berufsbereiche) that have at least one occupation, with their counts."""
    counts: dict[str, int] = {
        field: count
        for field, count in session.execute(select(Profession.field, func.count()).group_by(Profession.field))
    }
    return [
        FieldPublic(code=code, de=term.label_de, en=term.label_en, count=counts[code])
        for code, term in vocabulary(session, VocabularyKind.FIELD).items()
        if counts.get(code)
    ]


def professions_by_slug(session: Session, slugs: Sequence[str]) -> dict[str, Profession]:
    return {row.slug: row for row in session.scalars(select(Profession).where(Profession.slug.in_(slugs)))}
