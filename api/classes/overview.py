"""The live overview of one class: counts, and aggregates that never show a group under k.

Pure functions first (tested without a database): `suppress_small_counts`, `class_profile`,
`top_items`. Then `build_overview`, which reads the class's members, their saved check results and
their topics. The results are matched with the same ranking the chat uses (api/check/matching), so
"most suggested" means what the pupils were shown first.

k-anonymity: every aggregate needs at least k pupils in its group (`class_min_group`, 5): the
profile and the suggestions need k finished checks, the topics k joined pupils; and within an
aggregate every count below k is left out (a type that is the strongest of only 3 pupils, an
occupation suggested to 2). The counts of joined, in the check and finished say nothing about
answers and are always shown.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from threading import Lock

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.check import matching
from api.check.models import CheckResult
from api.check.service import certificate_ranks
from api.classes.models import ClassMember, ClassMemberTopic, ClassSession
from api.classes.schemas import ClassOverview, ClassTopic, CountedItem, TypeShare
from api.knowledge_sync.meta import PROFILES_HASH
from api.knowledge_sync.models import KnowledgeMeta
from api.professions.models import Profession, VocabularyKind, VocabularyTerm

RIASEC = ("R", "I", "A", "S", "E", "C")
SUGGESTIONS_PER_PUPIL = 5
ITEMS_SHOWN = 8

Scores = Mapping[str, float | None]


def suppress_small_counts(counts: Mapping[str, int], k: int) -> dict[str, int]:
    """Only the counts of at least k."""
    return {key: count for key, count in counts.items() if count >= k}


def strongest_type(scores: Scores) -> str | None:
    """The type with the highest score (RIASEC order breaks ties); None without scores."""
    scored = [
        (value, -position, code)
        for position, code in enumerate(RIASEC)
        if (value := scores.get(code)) is not None
    ]
    return max(scored)[2] if scored else None


@dataclass(frozen=True)
class ProfileShare:
    code: str
    mean_score: float
    top_count: int | None


def class_profile(results: Sequence[Scores], k: int) -> list[ProfileShare] | None:
    """Mean score per type and how many pupils have it as their strongest type (counts under k
    left out); None for fewer than k results."""
    if len(results) < k:
        return None
    strongest = Counter(code for scores in results if (code := strongest_type(scores)) is not None)
    shares = []
    for code in RIASEC:
        values = [value for scores in results if (value := scores.get(code)) is not None]
        mean = round(sum(values) / len(values), 1) if len(values) >= k else 0.0
        count = strongest.get(code, 0)
        shares.append(ProfileShare(code=code, mean_score=mean, top_count=count if count >= k else None))
    return shares


def top_items(
    per_pupil: Iterable[Iterable[str]], group_size: int, k: int, limit: int = ITEMS_SHOWN
) -> list[tuple[str, int]] | None:
    """How many pupils have each key (once per pupil), the most first, only counts of at least k;
    None when the group has fewer than k pupils."""
    if group_size < k:
        return None
    counts = Counter(key for keys in per_pupil for key in set(keys))
    kept = suppress_small_counts(counts, k)
    return sorted(kept.items(), key=lambda item: (-item[1], item[0]))[:limit]


# --- reading the class -------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassRecords:
    joined: int
    in_check: int
    finished: list[CheckResult]
    topics: list[list[str]]


def read_class(session: Session, row: ClassSession) -> ClassRecords:
    members = list(session.scalars(select(ClassMember).where(ClassMember.session_id == row.id)))
    refs = {member.pupil_ref: member for member in members}
    results = (
        list(session.scalars(select(CheckResult).where(CheckResult.pupil_ref.in_(list(refs)))))
        if refs
        else []
    )
    # A check counts for this class when it was completed on or after the day the pupil joined.
    finished = [
        result for result in results if result.completed_on >= refs[result.pupil_ref].joined_at.date()
    ]
    finished_refs = {result.pupil_ref for result in finished}
    in_check = sum(
        1
        for member in members
        if member.check_started_at is not None and member.pupil_ref not in finished_refs
    )
    topic_rows = (
        session.execute(
            select(ClassMemberTopic.member_id, ClassMemberTopic.topic).where(
                ClassMemberTopic.member_id.in_([member.id for member in members])
            )
        ).all()
        if members
        else []
    )
    by_member: dict[int, list[str]] = {}
    for member_id, topic in topic_rows:
        by_member.setdefault(member_id, []).append(topic)
    return ClassRecords(
        joined=len(members), in_check=in_check, finished=finished, topics=list(by_member.values())
    )


class SuggestionCache:
    """The first suggestions of a result, by the rows' hash (`profiles_hash`), certificate and scores.

    Ranking every occupation takes about a tenth of a second per pupil; the overview is polled every
    few seconds, so each result is ranked once (per knowledge release) and then kept. Thread-safe:
    FastAPI runs the page's route in a thread pool.
    """

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, list[str]] = OrderedDict()
        self._lock = Lock()

    def get(self, key: Hashable) -> list[str] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: Hashable, slugs: list[str]) -> None:
        with self._lock:
            self._entries[key] = slugs
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


suggestion_cache = SuggestionCache()


def suggested_slugs(session: Session, results: Sequence[CheckResult]) -> list[list[str]]:
    """The first occupations each pupil was shown (by their scores and certificate)."""
    if not results:
        return []
    # the hash of the rows the ranking reads (occupations, vocabularies), not of the knowledge
    # files: a change of the loader's code changes the rows but not the files
    version = session.get(KnowledgeMeta, PROFILES_HASH)
    knowledge = version.value if version is not None else ""
    ranks: dict[str, int] | None = None
    occupations: list[matching.Occupation] | None = None
    suggestions = []
    for result in results:
        scores = result.scores()
        if all(value is None for value in scores.values()):
            continue
        key = (knowledge, result.certificate, tuple(scores[code] for code in RIASEC))
        shown = suggestion_cache.get(key)
        if shown is None:
            if ranks is None or occupations is None:
                ranks, occupations = certificate_ranks(session), _occupations(session)
            if not occupations:
                return []
            certificate_rank = ranks.get(result.certificate) if result.certificate else None
            ranked = matching.rank_occupations(scores, occupations, certificate_rank=certificate_rank)
            shown = [s.slug for s in ranked if not s.needs_higher_certificate][:SUGGESTIONS_PER_PUPIL]
            suggestion_cache.put(key, shown)
        suggestions.append(shown)
    return suggestions


def _occupations(session: Session) -> list[matching.Occupation]:
    ranks = certificate_ranks(session)
    return [
        matching.Occupation(
            slug=profession.slug,
            riasec=profession.riasec,
            interests=profession.interests(),
            field=profession.kldb_code[:2],
            required_certificate_rank=ranks.get(profession.certificate_required, 0),
            typical_certificate_rank=ranks.get(profession.certificate_typical, 0),
        )
        for profession in session.scalars(select(Profession))
    ]


def _labels(session: Session, kind: str, language: str) -> dict[str, str]:
    rows = session.scalars(select(VocabularyTerm).where(VocabularyTerm.kind == kind))
    return {row.code: (row.label_en if language == "en" else row.label_de) for row in rows}


def build_overview(
    session: Session,
    row: ClassSession,
    *,
    k: int,
    now: datetime,
    language: str,
    topic_names: Mapping[str, str],
    summary_template: str,
    hidden_text: str,
) -> ClassOverview:
    records = read_class(session, row)
    scores = [result.scores() for result in records.finished]
    shares = class_profile(scores, k)
    type_names = _labels(session, VocabularyKind.RIASEC.value, language)
    profile = (
        [
            TypeShare(
                code=share.code,
                name=type_names.get(share.code, share.code),
                mean_score=share.mean_score,
                top_count=share.top_count,
            )
            for share in shares
        ]
        if shares is not None
        else None
    )
    per_pupil = suggested_slugs(session, records.finished) if len(records.finished) >= k else []
    occupation_counts = top_items(per_pupil, len(records.finished), k)
    occupations: list[CountedItem] | None = None
    fields: list[CountedItem] | None = None
    if occupation_counts is not None:
        slugs = [slug for slug, _ in occupation_counts]
        professions = (
            {
                profession.slug: profession
                for profession in session.scalars(select(Profession).where(Profession.slug.in_(slugs)))
            }
            if slugs
            else {}
        )
        occupations = [
            CountedItem(key=slug, name=_profession_name(professions.get(slug), slug, language), count=count)
            for slug, count in occupation_counts
        ]
        field_of = {
            profession.slug: profession.kldb_code[:1] for profession in session.scalars(select(Profession))
        }
        field_counts = (
            top_items(
                ([field_of[slug] for slug in slugs_ if slug in field_of] for slugs_ in per_pupil),
                len(records.finished),
                k,
            )
            or []
        )
        field_names = _labels(session, VocabularyKind.FIELD.value, language)
        fields = [
            CountedItem(key=code, name=field_names.get(code, code), count=count)
            for code, count in field_counts
        ]
    topic_counts = top_items(records.topics, records.joined, k)
    topics = (
        [CountedItem(key=key, name=topic_names.get(key, key), count=count) for key, count in topic_counts]
        if topic_counts is not None
        else None
    )
    summary = summary_template.format(
        joined=records.joined, in_check=records.in_check, finished=len(records.finished)
    )
    if len(records.finished) < k:
        summary = f"{summary} {hidden_text.format(k=k)}"
    return ClassOverview(
        session_id=row.id,
        active=row.is_active(now),
        min_group=k,
        joined=records.joined,
        in_check=records.in_check,
        finished=len(records.finished),
        profile=profile,
        fields=fields,
        occupations=occupations,
        topics=topics,
        summary=summary,
    )


def _profession_name(profession: Profession | None, slug: str, language: str) -> str:
    if profession is None:
        return slug
    return profession.name_en if language == "en" and profession.name_en else profession.name


TOPIC_KEYS = tuple(topic.value for topic in ClassTopic)
