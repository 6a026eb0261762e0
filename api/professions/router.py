"""GET /api/v1/professions, /api/v1/professions/{slug} and /api/v1/fields."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.core.db import SessionDep
from api.core.schemas import Offset
from api.monitoring.dependencies import SignalPupilDep, SignalRecorderDep
from api.monitoring.models import InterestSource
from api.professions import service
from api.professions.schemas import FieldPublic, ProfessionPage, ProfessionPublic, TopicPublic

router = APIRouter(prefix="/api/v1", tags=["professions"])


SlugPath = Annotated[str, Path(max_length=120, description="Identifier of the occupation")]


@router.get("/professions", response_model=ProfessionPage)
def list_professions(
    session: SessionDep,
    pupil: SignalPupilDep,
    recorder: SignalRecorderDep,
    q: Annotated[
        str | None, Query(max_length=200, description="Free text as a pupil types it (typos are fine)")
    ] = None,
    field: Annotated[str | None, Query(max_length=2, description="KldB Berufsbereich, e.g. 8")] = None,
    riasec: Annotated[
        str | None,
        Query(
            pattern="^[RIASECriasec]{1,6}$",
            description="Keep occupations whose interest code contains every letter given",
        ),
    ] = None,
    certificate: Annotated[
        str | None,
        Query(max_length=30, description="Keep occupations that formally require at most this certificate"),
    ] = None,
    training_type: Annotated[str | None, Query(max_length=30, description="dual, school, ...")] = None,
    topic: Annotated[
        str | None, Query(max_length=40, description="Keep the occupations of a topic (GET /api/v1/topics)")
    ] = None,
    reachable_with: Annotated[
        str | None,
        Query(
            max_length=30,
            description="Keep occupations that pupils with this certificate typically start: the formal "
            "requirement and the trainees' typical certificate are at most this one",
        ),
    ] = None,
    duration_max: Annotated[
        int | None, Query(ge=12, le=48, description="Keep trainings of at most this many months")
    ] = None,
    sort: Annotated[
        str | None,
        Query(
            max_length=10,
            description="pay: best paid first (agreed pay where reported, else the legal minimum)",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Offset = 0,
) -> ProfessionPage:
    """Occupations, optionally searched and filtered. With `q`, items carry `score`, best first."""
    filters = service.ProfessionFilters(
        field=field,
        riasec=riasec.upper() if riasec else None,
        certificate=certificate,
        training_type=training_type,
        topic=topic,
        reachable_with=reachable_with,
        duration_max=duration_max,
    )
    page = service.list_professions(session, q=q, filters=filters, limit=limit, offset=offset, sort=sort)
    if pupil is not None and topic and offset == 0:
        recorder.interest(pupil_ref=pupil, source=InterestSource.TOPIC, topic=topic)
    return page


@router.get("/professions/{slug}", response_model=ProfessionPublic)
def get_profession(
    session: SessionDep, pupil: SignalPupilDep, recorder: SignalRecorderDep, slug: SlugPath
) -> ProfessionPublic:
    """One occupation with texts, labels, pay and related occupations (404 when there is none)."""
    described = service.profile_cache.describe(session, slug)
    if pupil is not None:
        recorder.interest(pupil_ref=pupil, source=InterestSource.LOOKUP, profession_slug=described.slug)
    return described


@router.get("/topics", response_model=list[TopicPublic])
def list_topics(session: SessionDep) -> list[TopicPublic]:
    """The topics pupils explore occupations by, with how many occupations each has."""
    return service.list_topics(session)


@router.get("/fields", response_model=list[FieldPublic])
def list_fields(session: SessionDep) -> list[FieldPublic]:
    """The fields that have occupations, with how many each has."""
    return service.list_fields(session)
