"""The check's items, scoring, matches, chart texts, the pupil's saved result and the statistics.

The arithmetic lives in `scoring` and `matching` (pure functions); this module reads the item bank
and the occupations from the database, hands them over, and shapes the answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.check import matching, scoring
from api.check.exceptions import (
    CheckResultNotFoundError,
    CheckUnavailableError,
    ScoresMissingError,
    UnknownCertificateError,
    UnknownCheckItemError,
    UnknownMunicipalityError,
)
from api.check.models import (
    CheckAnswerOption,
    CheckItem,
    CheckItemOccupation,
    CheckResult,
    CheckText,
    CheckType,
)
from api.check.schemas import (
    AnswerOptionPublic,
    CheckItemPublic,
    CheckItemsPublic,
    CheckResultCreate,
    CheckResultPublic,
    InterestGroup,
    InterestStatistics,
    InterestTypePublic,
    Language,
    LookingFor,
    MatchPage,
    MatchPublic,
    Nearby,
    ReasonItem,
    RiasecScores,
    ScoreResultPublic,
    Variant,
)
from api.check.sync import (
    REASON_ITEM,
    REASON_ITEM_AGAIN,
    REASON_ITEM_RELATED,
    REASON_ONE,
    REASON_TWO,
    REASON_WITH_TASK,
)
from api.core.errors import InvalidFilterError
from api.core.schemas import LocalizedLabel
from api.geo.models import Municipality
from api.offers.models import Offer
from api.offers.places import bounding_box, distance_km_sql
from api.offers.service import visible
from api.professions.models import Profession, VocabularyKind
from api.professions.service import ProfessionFilters, filter_conditions, vocabulary
from knowledge.check import bank
from knowledge.schema import LocalizedText

LOCAL_ZONE = ZoneInfo("Europe/Berlin")
# Statistics never show a group of fewer records than this (nor its means).
MIN_GROUP_SIZE = 5

Scores = dict[str, float | None]


def local_today(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(LOCAL_ZONE).date()


# --- the item bank -----------------------------------------------------------------------------


def interest_types(session: Session) -> dict[str, CheckType]:
    """The six types in RIASEC order; 503 when the check has not been loaded."""
    rows = {row.code: row for row in session.scalars(select(CheckType))}
    if set(rows) != set(scoring.RIASEC):
        raise CheckUnavailableError()
    return {code: rows[code] for code in scoring.RIASEC}


def reason_composer(session: Session, types: Mapping[str, CheckType]) -> bank.InterestTypes:
    """knowledge.check's own `InterestTypes`, rebuilt from the tables, to compose "why it fits"."""
    texts = {row.key: row for row in session.scalars(select(CheckText))}
    if any(
        key not in texts
        for key in (
            REASON_ONE,
            REASON_TWO,
            REASON_ITEM,
            REASON_ITEM_RELATED,
            REASON_WITH_TASK,
            REASON_ITEM_AGAIN,
        )
    ):
        raise CheckUnavailableError()

    def localized(de: str, en: str) -> LocalizedText:
        return LocalizedText(de=de, en=en)

    return bank.InterestTypes(
        types=tuple(
            bank.InterestType(
                code=row.code,
                name=localized(row.name_de, row.name_en),
                short=localized(row.short_de, row.short_en),
                emoji=row.emoji,
                explanation=localized(row.explanation_de, row.explanation_en),
                reason=localized(row.reason_de, row.reason_en),
            )
            for row in types.values()
        ),
        reason_one=localized(texts[REASON_ONE].de, texts[REASON_ONE].en),
        reason_two=localized(texts[REASON_TWO].de, texts[REASON_TWO].en),
        reason_item=localized(texts[REASON_ITEM].de, texts[REASON_ITEM].en),
        reason_item_related=localized(texts[REASON_ITEM_RELATED].de, texts[REASON_ITEM_RELATED].en),
        reason_with_task=localized(texts[REASON_WITH_TASK].de, texts[REASON_WITH_TASK].en),
        reason_item_again=localized(texts[REASON_ITEM_AGAIN].de, texts[REASON_ITEM_AGAIN].en),
    )


def list_items(session: Session, variant: Variant) -> CheckItemsPublic:
    """The items of the quick or full check in presentation order, with the answer scale."""
    position = CheckItem.quick_position if variant is Variant.QUICK else CheckItem.full_position
    rows = session.execute(select(CheckItem, position).where(position.is_not(None)).order_by(position)).all()
    options = session.scalars(select(CheckAnswerOption).order_by(CheckAnswerOption.value)).all()
    if not rows or not options:
        raise CheckUnavailableError()
    return CheckItemsPublic(
        variant=variant,
        count=len(rows),
        items=[
            CheckItemPublic(
                id=item.id,
                type=item.type,
                position=place,
                text=LocalizedLabel(de=item.text_de, en=item.text_en),
                example_occupation=item.example_occupation,
            )
            for item, place in rows
            if place is not None  # the query keeps only these; this tells the type checker
        ],
        scale=[
            AnswerOptionPublic(
                value=option.value,
                meaning=LocalizedLabel(de=option.meaning_de, en=option.meaning_en),
                button=LocalizedLabel(de=option.button_de, en=option.button_en),
            )
            for option in options
        ],
    )


# --- scoring -----------------------------------------------------------------------------------


def type_details(
    scores: Mapping[str, float | None], types: Mapping[str, CheckType]
) -> list[InterestTypePublic]:
    """The top types of `scores`, strongest first, with their names and explanations."""
    return [
        InterestTypePublic(
            code=code,
            score=scores[code] or 0.0,
            emoji=types[code].emoji,
            name=LocalizedLabel(de=types[code].name_de, en=types[code].name_en),
            explanation=LocalizedLabel(de=types[code].explanation_de, en=types[code].explanation_en),
        )
        for code in scoring.top_types(scores)
    ]


def score_check(session: Session, answers: Mapping[str, int | None]) -> ScoreResultPublic:
    """Scores, top types and Holland code for the answers (item id -> 1..5 or None)."""
    item_types = {
        item_id: item_type for item_id, item_type in session.execute(select(CheckItem.id, CheckItem.type))
    }
    if not item_types:
        raise CheckUnavailableError()
    types = interest_types(session)
    try:
        result = scoring.score_answers(answers, item_types)
    except scoring.UnknownItemsError as error:
        raise UnknownCheckItemError(error.item_ids) from error
    return ScoreResultPublic(
        scores=RiasecScores(**result.scores),
        top_types=type_details(result.scores, types),
        holland_code=result.holland_code,
        unscored_types=list(result.unscored),
        answered=result.answered,
        skipped=result.skipped,
    )


# --- matches -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchFilters:
    certificate: str | None = None
    training_type: str | None = None
    field: str | None = None


@dataclass(frozen=True)
class MatchContext:
    """What the pupil gave beside the scores: answers (evidence and reasons) and where and what
    they look for (regional supply)."""

    answers: Mapping[str, int | None] | None = None
    municipality: str | None = None
    radius_km: int | None = None
    looking_for: str | None = None


DEFAULT_RADIUS_KM = 25


def certificate_ranks(session: Session) -> dict[str, int]:
    return {code: term.rank or 0 for code, term in vocabulary(session, VocabularyKind.CERTIFICATE).items()}


def compose_reason(codes: Sequence[str], composer: bank.InterestTypes) -> LocalizedLabel | None:
    if not codes:
        return None
    return LocalizedLabel(de=composer.fit_reason(codes, "de"), en=composer.fit_reason(codes, "en"))


def item_evidence(session: Session, answers: Mapping[str, int | None]) -> matching.Evidence:
    """The pupil's answers with what each item stands for; 422 for an unknown item."""
    items = {row.id: row for row in session.scalars(select(CheckItem))}
    if not items:
        raise CheckUnavailableError()
    unknown = sorted(set(answers) - set(items))
    if unknown:
        raise UnknownCheckItemError(unknown)
    links: dict[str, list[str]] = {}
    for link in session.scalars(select(CheckItemOccupation).order_by(CheckItemOccupation.position)):
        links.setdefault(link.item_id, []).append(link.profession_slug)
    return matching.Evidence(
        answers=dict(answers),
        item_occupations=links,
        item_types={item_id: row.type for item_id, row in items.items()},
        item_order=[row.id for row in sorted(items.values(), key=lambda row: row.full_position)],
    )


def regional_supply(
    session: Session, municipality: Municipality, radius_km: int, looking_for: str | None, now: datetime
) -> dict[str, tuple[int, int]]:
    """Per occupation slug: visible offers (and their places) within `radius_km` of the municipality."""
    if municipality.lat is None or municipality.lon is None:
        return {}
    min_lat, max_lat, min_lon, max_lon = bounding_box(municipality.lat, municipality.lon, radius_km)
    distance = distance_km_sql(Offer.lat, Offer.lon, municipality.lat, municipality.lon)
    conditions = [
        *visible(now),
        Offer.lat.between(min_lat, max_lat),
        Offer.lon.between(min_lon, max_lon),
        distance <= radius_km,
    ]
    if looking_for is not None:
        conditions.append(Offer.kind == looking_for)
    rows = session.execute(
        select(Offer.profession_slug, func.count(), func.sum(Offer.places))
        .where(*conditions)
        .group_by(Offer.profession_slug)
    ).all()
    return {slug: (int(count), int(places or 0)) for slug, count, places in rows}


def _pupil_rank(ranks: Mapping[str, int], certificate: str | None) -> int | None:
    if certificate is None:
        return None
    if certificate not in ranks:
        raise InvalidFilterError("certificate", certificate, list(ranks))
    return ranks[certificate]


def _without_emoji(label: str) -> str:
    """A button's words without the emoji in front ("😍 sehr gern" -> "sehr gern")."""
    words = label.split(" ", 1)
    return words[1] if len(words) == 2 and not any(ch.isalnum() for ch in words[0]) else label


def _answer_labels(session: Session) -> dict[int, LocalizedLabel]:
    """The words of the answer buttons, as the pupil pressed them."""
    return {
        option.value: LocalizedLabel(de=_without_emoji(option.button_de), en=_without_emoji(option.button_en))
        for option in session.scalars(select(CheckAnswerOption))
    }


def _task_pairs(row: Profession) -> list[tuple[str, str]]:
    """The occupation's tasks in German and English, in the profile's order."""
    text = (row.profile or {}).get("text") or {}
    german = (text.get("de") or {}).get("tasks") or []
    english = (text.get("en") or {}).get("tasks") or []
    return [(str(de), str(en)) for de, en in zip(german, english, strict=False)]


def _with_a_fresh_task(
    compose: Callable[[str, str], LocalizedLabel], row: Profession, used: set[str]
) -> LocalizedLabel | None:
    """The sentence with the first of the occupation's tasks that makes it new on the screen."""
    for task_de, task_en in _task_pairs(row):
        label = compose(task_de, task_en)
        if label.de not in used:
            return label
    return None


def find_matches(
    session: Session,
    scores: Scores,
    filters: MatchFilters,
    *,
    limit: int,
    offset: int,
    context: MatchContext | None = None,
    now: datetime | None = None,
) -> MatchPage:
    """Occupations in the order a pupil sees them (see `matching`), with one reason each, the
    offers near the pupil, and the paths that need a higher certificate."""
    context = context or MatchContext()
    if context.answers is not None:
        scores = dict(score_check(session, context.answers).scores.model_dump())
    if all(value is None for value in scores.values()):
        raise ScoresMissingError()
    ranks = certificate_ranks(session)
    pupil_rank = _pupil_rank(ranks, filters.certificate)
    evidence = item_evidence(session, context.answers) if context.answers is not None else None
    place: Municipality | None = None
    if context.municipality is not None:
        place = session.get(Municipality, context.municipality)
        if place is None:
            raise UnknownMunicipalityError(context.municipality)
    radius = context.radius_km or DEFAULT_RADIUS_KM
    if place is not None and (place.lat is None or place.lon is None):
        place = None  # without coordinates nothing can be counted near it: say nothing about it
    supply = (
        regional_supply(session, place, radius, context.looking_for, now or datetime.now(UTC))
        if place is not None
        else {}
    )
    conditions = filter_conditions(
        session, ProfessionFilters(field=filters.field, training_type=filters.training_type)
    )
    rows = {row.slug: row for row in session.scalars(select(Profession).where(*conditions))}
    ranked = matching.rank_occupations(
        scores,
        [
            matching.Occupation(
                slug=row.slug,
                riasec=row.riasec,
                interests=row.interests(),
                field=row.kldb_code[:2],
                required_certificate_rank=ranks.get(row.certificate_required, 0),
                typical_certificate_rank=ranks.get(row.certificate_typical, 0),
                related=tuple((row.profile or {}).get("related") or ()),
            )
            for row in rows.values()
        ],
        certificate_rank=pupil_rank,
        evidence=evidence,
        supply={slug: offers for slug, (offers, _) in supply.items()},
    )
    composer = reason_composer(session, interest_types(session))
    meanings = _answer_labels(session)
    items = {row.id: row for row in session.scalars(select(CheckItem))} if evidence is not None else {}

    shown_reasons: set[str] = set()

    def public(suggestion: matching.Suggestion) -> MatchPublic:
        """One suggestion as the pupil sees it; its reason never repeats one shown before it."""
        row = rows[suggestion.slug]
        reason = compose_reason(suggestion.reasons, composer)
        if reason is not None:
            plain = reason
            reason = (
                _with_a_fresh_task(
                    lambda de, en: LocalizedLabel(
                        de=composer.with_task(plain.de, de, "de"), en=composer.with_task(plain.en, en, "en")
                    ),
                    row,
                    shown_reasons,
                )
                or plain
            )
        reason_item: ReasonItem | None = None
        if suggestion.reason_item is not None and suggestion.reason_answer is not None:
            item = items[suggestion.reason_item]
            meaning = meanings[suggestion.reason_answer]
            reason_item = ReasonItem(
                id=item.id,
                text=LocalizedLabel(de=item.text_de, en=item.text_en),
                answer=suggestion.reason_answer,
                answer_meaning=meaning,
            )
            related = suggestion.reason_link == matching.RELATED
            reason = LocalizedLabel(
                de=composer.item_reason(item.text_de, meaning.de, "de", related=related),
                en=composer.item_reason(item.text_en, meaning.en, "en", related=related),
            )
            if suggestion.reason_link == matching.AGAIN:
                reason = _with_a_fresh_task(
                    lambda de, en: LocalizedLabel(
                        de=composer.item_again(item.text_de, de, "de"),
                        en=composer.item_again(item.text_en, en, "en"),
                    ),
                    row,
                    shown_reasons,
                )
        if reason is not None:
            shown_reasons.add(reason.de)
        offers, places = supply.get(suggestion.slug, (0, 0))
        return MatchPublic(
            slug=suggestion.slug,
            name=row.name,
            name_en=row.name_en,
            fit=suggestion.fit,
            riasec=suggestion.riasec,
            reasons=list(suggestion.reasons),
            reason=reason,
            reason_item=reason_item,
            needs_higher_certificate=suggestion.needs_higher_certificate,
            training_type=row.training_type,
            field=suggestion.field,
            offers_nearby=offers if place is not None else None,
            places_nearby=places if place is not None else None,
        )

    page = ranked[offset : offset + limit]
    paths = matching.higher_certificate_paths(ranked, limit) if offset == 0 and pupil_rank is not None else []
    shown = [public(suggestion) for suggestion in page]
    return MatchPage(
        items=shown,
        total=len(ranked),
        higher_certificate_paths=[public(suggestion) for suggestion in paths if suggestion not in page],
        nearby=(
            Nearby(
                municipality=place.slug,
                radius_km=radius,
                looking_for=LookingFor(context.looking_for) if context.looking_for else None,
            )
            if place is not None
            else None
        ),
    )


# --- chart -------------------------------------------------------------------------------------


def chart_labels(session: Session, language: Language) -> dict[str, str]:
    """The short name of every type in `language`, for the chart's axis."""
    return {
        code: row.short_en if language is Language.EN else row.short_de
        for code, row in interest_types(session).items()
    }


# --- saved results -----------------------------------------------------------------------------


def _check_codes(session: Session, data: CheckResultCreate) -> None:
    if data.certificate is not None:
        ranks = certificate_ranks(session)
        if data.certificate not in ranks:
            raise UnknownCertificateError(data.certificate, list(ranks))
    if data.municipality is not None and session.get(Municipality, data.municipality) is None:
        raise UnknownMunicipalityError(data.municipality)
    if data.answers:
        known = set(session.scalars(select(CheckItem.id)))
        unknown = sorted(set(data.answers) - known)
        if unknown:
            raise UnknownCheckItemError(unknown)


def describe_result(session: Session, row: CheckResult) -> CheckResultPublic:
    scores = row.scores()
    return CheckResultPublic(
        pupil_ref=row.pupil_ref,
        variant=Variant(row.variant),
        scores=RiasecScores(**scores),
        top_types=type_details(scores, interest_types(session)),
        holland_code=scoring.holland_code(scores),
        certificate=row.certificate,
        municipality=row.municipality,
        answers=row.answers,
        radius_km=row.radius_km,
        looking_for=LookingFor(row.looking_for) if row.looking_for else None,
        completed_on=row.completed_on,
    )


def _result_columns(data: CheckResultCreate, today: date) -> dict[str, Any]:
    scores = data.scores.model_dump()
    return {
        "variant": data.variant.value,
        **{f"score_{code.lower()}": scores[code] for code in scoring.RIASEC},
        "certificate": data.certificate,
        "municipality": data.municipality,
        "answers": dict(data.answers) if data.answers is not None else None,
        "radius_km": data.radius_km,
        "looking_for": data.looking_for.value if data.looking_for is not None else None,
        "completed_on": today,
    }


def _saved_result(session: Session, pupil_ref: str) -> CheckResult | None:
    return session.scalar(select(CheckResult).where(CheckResult.pupil_ref == pupil_ref))


def save_result(
    session: Session, data: CheckResultCreate, now: datetime | None = None
) -> tuple[CheckResultPublic, bool]:
    """Record a completed check; it replaces the pupil's previous one. Returns it and whether it is new."""
    _check_codes(session, data)
    if all(value is None for value in data.scores.model_dump().values()):
        raise ScoresMissingError()
    columns = _result_columns(data, local_today(now))
    row = _saved_result(session, data.pupil_ref)
    created = row is None
    if row is None:
        try:
            with session.begin_nested():
                row = CheckResult(pupil_ref=data.pupil_ref, **columns)
                session.add(row)
        except IntegrityError:
            # A parallel request saved this pupil's result first: replace that one instead.
            row = _saved_result(session, data.pupil_ref)
            if row is None:
                raise
            created = False
    if not created:
        for name, value in columns.items():
            setattr(row, name, value)
    session.commit()
    return describe_result(session, row), created


def get_result(session: Session, pupil_ref: str) -> CheckResultPublic:
    row = _saved_result(session, pupil_ref)
    if row is None:
        raise CheckResultNotFoundError()
    return describe_result(session, row)


def delete_pupil_results(session: Session, pupil_ref: str) -> int:
    """Delete the pupil's saved result (privacy deletion); the caller commits."""
    result = session.execute(
        delete(CheckResult)
        .where(CheckResult.pupil_ref == pupil_ref)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- statistics --------------------------------------------------------------------------------


def _mean(value: float | None) -> float | None:
    return None if value is None else scoring.round_half_up(float(value))


def interest_statistics(session: Session, min_group_size: int = MIN_GROUP_SIZE) -> InterestStatistics:
    """Number of records and mean scores per municipality and certificate; groups smaller than
    `min_group_size` are left out (only their total number of records is given)."""
    score_columns = [getattr(CheckResult, f"score_{code.lower()}") for code in scoring.RIASEC]
    rows = session.execute(
        select(
            CheckResult.municipality,
            CheckResult.certificate,
            func.count(),
            *(func.avg(column) for column in score_columns),
        ).group_by(CheckResult.municipality, CheckResult.certificate)
    ).all()
    groups: list[InterestGroup] = []
    total = suppressed = 0
    for municipality, certificate, count, *means in rows:
        total += count
        if count < min_group_size:
            suppressed += count
            continue
        groups.append(
            InterestGroup(
                municipality=municipality,
                certificate=certificate,
                count=count,
                mean_scores=RiasecScores(
                    **{code: _mean(mean) for code, mean in zip(scoring.RIASEC, means, strict=True)}
                ),
            )
        )
    # The same order on every database (they sort NULL differently): not given comes last.
    groups.sort(
        key=lambda group: (
            group.municipality is None,
            group.municipality or "",
            group.certificate is None,
            group.certificate or "",
        )
    )
    return InterestStatistics(
        min_group_size=min_group_size, total=total, suppressed=suppressed, groups=groups
    )
